/**
 * A guard that comes back when Redis does, wired by HandlerInitializer, for each API:
 * - Redis down at start-up → one warning, every subsystem in memory; 100 bans and 5 patterns
 *   decided meanwhile; Redis started → within a bounded time (printed) the bans are in Redis with
 *   their remaining TTL, the patterns are persisted, the cloud-IP store moved to Redis, and the
 *   status says `redis` for every subsystem — without a restart.
 * - Redis lost mid-run → the status turns to `memory` by itself, then back to `redis`.
 * - close() stops background work: a cloud refresh started before it writes nothing after it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import * as asyncApi from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { captureLogger } from '../support/logger.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { rawClient, uniquePrefix } from '../support/redis.js';

const TIMEOUT_MS = 300;
const RETRY_MS = 200;

type Api = typeof asyncApi;
const apis: [string, Api][] = [
  ['async', asyncApi],
  ['sync', syncApi as unknown as Api],
];

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds.close();
});

function awsFeed(options: { delayMs?: number } = {}): string {
  const path = `/recovery-${randomBytes(4).toString('hex')}/aws`;
  feeds.route(path, { file: 'aws-ip-ranges.json', ...options });
  return feeds.url(path);
}

const modes = (init: asyncApi.HandlerInitializer) => Object.values(init.getInitializationStatus().subsystems);

describe.each(apis)('HandlerInitializer recovery (%s API)', (name, api) => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    await server.dispose();
  });

  const config = (prefix: string, logger: asyncApi.Logger) => ({
    redisUrl: server.url,
    redisPrefix: prefix,
    redisConnectTimeoutMs: TIMEOUT_MS,
    redisCommandTimeoutMs: TIMEOUT_MS,
    redisRetryAfterMs: RETRY_MS,
    blockCloudProviders: ['AWS' as const],
    cloudFeedUrls: { AWS: awsFeed() },
    lazyInit: false,
    logger,
  });

  test('down at start-up: one warning, memory; 100 bans + 5 patterns written back when Redis returns', async () => {
    const prefix = uniquePrefix(`rec-${name}`);
    const log = captureLogger();
    await server.stop();
    const init = new api.HandlerInitializer(config(prefix, log.logger));
    try {
      const result = await init.initializeRedisHandlers();
      expect(result.redis).toBe('unavailable');
      const warnings = log.lines.filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(/Redis is unreachable/);
      expect(new Set(modes(init))).toEqual(new Set(['memory']));
      expect(init.cloud.isCloudIp('3.5.140.1')).toBe(true); // ranges loaded from the feed, kept in memory

      for (let i = 0; i < 100; i++) expect(await init.ipBans.banIp(`198.51.100.${i}`, 3600, 'outage test')).toBe(true);
      const patterns = ['a{1,3}b', 'union\\s+select', 'évasion', '"quoted"', 'x,y'];
      for (const pattern of patterns) await init.patterns.addPattern(pattern);
      expect(await init.ipBans.isIpBanned('198.51.100.42')).toBe(true);
      expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(1); // still one: no line per failed call

      await server.start();
      const started = performance.now();
      await vi.waitFor(() => expect(new Set(modes(init))).toEqual(new Set(['redis'])), {
        timeout: 15_000,
        interval: 25,
      });
      const recoveredMs = performance.now() - started;
      console.log(`[${name}] every subsystem back on Redis ${recoveredMs.toFixed(0)} ms after Redis started`);
      expect(init.getInitializationStatus()).toMatchObject({ redis: 'connected', storeOrigin: 'auto-redis' });

      const raw = rawClient(server.url);
      try {
        const banKeys = await raw.keys(`${prefix}banned_ips:*`);
        expect(banKeys).toHaveLength(100);
        for (const key of banKeys) {
          const pttl = await raw.pttl(key);
          expect(pttl).toBeGreaterThan(3_500_000);
          expect(pttl).toBeLessThanOrEqual(3_600_000);
        }
        const restored = new api.SusPatternsManager({ ...config(prefix, log.logger) });
        await restored.initializeRedis(init.redisHandler);
        expect(new Set(await restored.getCustomPatterns())).toEqual(new Set(patterns));
        await restored.close();
        await vi.waitFor(async () => expect(await raw.exists(`${prefix}cloud_ip:AWS`)).toBe(1), { timeout: 10_000 });
        await raw.flushall();
      } finally {
        await raw.quit();
      }
    } finally {
      await init.close();
    }
  });

  test('lost mid-run: the status turns to memory by itself, then back to redis', async () => {
    const prefix = uniquePrefix(`mid-${name}`);
    const log = captureLogger();
    const init = new api.HandlerInitializer(config(prefix, log.logger));
    try {
      await init.initializeRedisHandlers();
      expect(new Set(modes(init))).toEqual(new Set(['redis']));
      await server.stop();
      await vi.waitFor(() => expect(modes(init)).not.toContain('redis'), { timeout: 10_000, interval: 25 });
      expect(init.getInitializationStatus().redis).toBe('unavailable');
      expect((await init.rateLimiter.check('203.0.113.9')).source).toBe('memory');
      await server.start();
      await vi.waitFor(() => expect(new Set(modes(init))).toEqual(new Set(['redis'])), {
        timeout: 15_000,
        interval: 25,
      });
      expect((await init.rateLimiter.check('203.0.113.9')).source).toBe('redis');
      const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => l.message);
      expect(warnings.filter((m) => /unavailable/.test(m))).toHaveLength(1);
      expect(warnings.filter((m) => /is back/.test(m))).toHaveLength(1);
    } finally {
      await init.close();
      const raw = rawClient(server.url);
      await raw.flushall();
      await raw.quit();
    }
  });

  test('close() stops background work: a refresh started before it writes nothing after it', async () => {
    const prefix = uniquePrefix(`close-${name}`);
    const init = new api.HandlerInitializer({
      ...config(prefix, captureLogger().logger),
      lazyInit: true,
      cloudFeedUrls: { AWS: awsFeed({ delayMs: 600 }) },
    });
    await init.initializeRedisHandlers();
    expect(init.cloud.refreshInFlight).toBe(true);
    await init.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(init.cloud.isCloudIp('3.5.140.1')).toBe(false);
    const raw = rawClient(server.url);
    try {
      expect(await raw.exists(`${prefix}cloud_ip:AWS`)).toBe(0);
    } finally {
      await raw.quit();
    }
  });
});

describe.each(apis)('disposal (%s API)', (name, api) => {
  test('`using` a HandlerInitializer and a CloudManager closes them at the end of the block', async () => {
    let init: asyncApi.HandlerInitializer;
    let cloud: asyncApi.CloudManager;
    {
      await using scopedInit = new api.HandlerInitializer({ enableRedis: false, logger: captureLogger().logger });
      await using scopedCloud = new api.CloudManager({});
      await scopedInit.initializeRedisHandlers();
      init = scopedInit;
      cloud = scopedCloud;
      expect(cloud.isClosed).toBe(false);
    }
    expect(cloud.isClosed).toBe(true);
    expect(init.cloud.isClosed).toBe(true); // closed through init.close()
    expect(name === 'sync' ? Symbol.dispose in init : Symbol.asyncDispose in init).toBe(true);
  });
});

describe.each(apis)('fail-closed start-up (%s API)', (name, api) => {
  test('Redis down at start-up with redisFailOpen: false: start-up completes, checks refuse with 503, Redis back → they answer', async () => {
    const server = await startPrivateRedis();
    await server.stop();
    const init = new api.HandlerInitializer({
      redisUrl: server.url,
      redisPrefix: uniquePrefix(`closed-${name}`),
      redisConnectTimeoutMs: TIMEOUT_MS,
      redisCommandTimeoutMs: TIMEOUT_MS,
      redisRetryAfterMs: RETRY_MS,
      redisFailOpen: false,
      logger: captureLogger().logger,
    });
    try {
      expect((await init.initializeRedisHandlers()).redis).toBe('unavailable');
      // every manager attached (no cloud blocking here, so the cloud store is 'disabled')
      const { 'cloud IP store': cloudStore, ...managers } = init.getInitializationStatus().subsystems;
      expect(cloudStore).toBe('disabled');
      expect(new Set(Object.values(managers))).toEqual(new Set(['memory']));
      const refused = await Promise.resolve()
        .then(() => init.rateLimiter.check('203.0.113.5'))
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(asyncApi.GuardRedisError);
      expect((refused as asyncApi.GuardRedisError).statusCode).toBe(503);
      await server.start();
      await vi.waitFor(async () => expect((await init.rateLimiter.check('203.0.113.5')).source).toBe('redis'), {
        timeout: 15_000,
        interval: 50,
      });
      await vi.waitFor(
        () => {
          const { 'cloud IP store': _cloud, ...managers } = init.getInitializationStatus().subsystems;
          expect(new Set(Object.values(managers))).toEqual(new Set(['redis']));
        },
        { timeout: 15_000 },
      );
    } finally {
      await init.close();
      await server.dispose();
    }
  });
});
