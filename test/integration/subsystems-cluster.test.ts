/**
 * Issue 12, item 3, second half: every subsystem runs on a healthy 3-primary Redis Cluster
 * (`redisClusterNodes`), in both APIs — rate limiter, behaviour tracker, IP bans (ban, unban,
 * check, list, reset, events between two replicas over cluster pub/sub), custom patterns (add,
 * remove, restore on a new replica) and security headers (update reaching a second replica).
 * Each stays in `redis` mode, answers from Redis, and nothing logs a CROSSSLOT (a multi-key
 * script over keys in different slots) or any other error. The keys are the original's,
 * byte for byte: no hash tag was added to a key a Python replica reads.
 */
import { createHash } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { RedisManager, silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { applyBanWrites, readAllBans, type BanWrite } from '../../src/async/bans/redis-bans.js';
import { apisUnderTest, eventually, type Awaitable, type ManagerUnderTest } from '../support/apis.js';
import { banApis, type BanManagerUnderTest } from '../support/bans-apis.js';
import { captureLogger, type CapturedLogger } from '../support/logger.js';
import { windowApisUnderTest } from '../support/ratelimit-apis.js';
import { startPrivateCluster, type TestRedisCluster } from '../support/redis-cluster.js';
import { uniquePrefix } from '../support/redis.js';
import { createHeaders } from './headers-api.js';
import { createPatterns } from './patterns-api.js';

let cluster: TestRedisCluster;
let raw: Cluster;
beforeAll(async () => {
  cluster = await startPrivateCluster(3);
  raw = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })));
}, 30_000);
afterAll(async () => {
  raw?.disconnect();
  await cluster?.dispose();
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Every key of `prefix`, read primary by primary (not through the code under test). */
async function keysOf(prefix: string): Promise<string[]> {
  const perNode = await Promise.all(cluster.nodes.map((node) => cluster.nodeClient(node).keys(`${prefix}*`)));
  return perNode.flat().sort();
}

/** How many primaries hold at least one key of `prefix`. */
async function primariesHolding(prefix: string): Promise<number> {
  const perNode = await Promise.all(cluster.nodes.map((node) => cluster.nodeClient(node).keys(`${prefix}*`)));
  return perNode.filter((keys) => keys.length > 0).length;
}

describe.each(apisUnderTest)('the subsystems on a Redis Cluster ($name API)', (api) => {
  let prefix: string;
  let log: CapturedLogger;
  const closers: { close(): Awaitable<void> }[] = [];
  const config = (extra: SecurityConfigInput = {}): SecurityConfigInput => ({
    redisClusterNodes: [...cluster.urls],
    redisPrefix: prefix,
    logger: log.logger,
    ...extra,
  });
  const handler = async (extra: SecurityConfigInput = {}): Promise<ManagerUnderTest> => {
    const redis = api.createManager(config(extra));
    await redis.initialize();
    closers.push(redis);
    return redis;
  };

  beforeEach(() => {
    prefix = uniquePrefix('sub');
    log = captureLogger();
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    // No CROSSSLOT anywhere, and nothing went wrong enough to be logged as an error.
    expect(log.text()).not.toMatch(/CROSSSLOT/i);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    const cleanup = new RedisManager({
      redisClusterNodes: [...cluster.urls],
      redisPrefix: prefix,
      logger: silentLogger,
    });
    await cleanup.deletePattern('*');
    await cleanup.close();
  });

  test('RateLimitManager: decisions from Redis on the original keys, across primaries; reset', async () => {
    const windows = windowApisUnderTest.find((w) => w.name === api.name)!;
    const redis = await handler();
    const limiter = windows.createLimiter(
      config({ rateLimit: 2, rateLimitWindow: 60, endpointRateLimits: { '/login': [1, 10] } }),
    );
    await limiter.initializeRedis(redis);
    expect(limiter.mode).toBe('redis');
    const ips = Array.from({ length: 12 }, (_, i) => `198.51.100.${i + 1}`);
    for (const ip of ips) {
      expect(await limiter.check(ip)).toMatchObject({ allowed: true, count: 1, source: 'redis' });
      expect(await limiter.check(ip)).toMatchObject({ allowed: true, count: 2, source: 'redis' });
      expect(await limiter.check(ip)).toMatchObject({ allowed: false, count: 2, source: 'redis' });
    }
    expect(await limiter.check(ips[0]!, { endpoint: '/login' })).toMatchObject({ allowed: true, source: 'redis' });
    expect(await limiter.check(ips[0]!, { endpoint: '/login' })).toMatchObject({ allowed: false, source: 'redis' });
    const keys = await keysOf(prefix);
    expect(keys).toEqual(
      [
        ...ips.map((ip) => `${prefix}rate_limit:rate:${ip}`),
        `${prefix}rate_limit:rate:${ips[0]}:${sha256('/login')}`,
      ].sort(),
    );
    expect(await primariesHolding(prefix)).toBeGreaterThan(1);
    await limiter.reset();
    expect(await keysOf(prefix)).toEqual([]);
    expect(await limiter.check(ips[0]!)).toMatchObject({ allowed: true, count: 1, source: 'redis' });
    expect(limiter.mode).toBe('redis');
  });

  test('BehaviorTracker: usage and return-pattern windows in Redis; reset', async () => {
    const windows = windowApisUnderTest.find((w) => w.name === api.name)!;
    const redis = await handler();
    const tracker = windows.createTracker(config());
    await tracker.initializeRedis(redis);
    const usage = { type: 'usage', threshold: 1, windowSeconds: 60 } as const;
    const returns = { type: 'return_pattern', threshold: 0, windowSeconds: 60, pattern: 'status:404' } as const;
    for (let i = 0; i < 8; i++) {
      const ip = `203.0.113.${i + 1}`;
      expect(await tracker.trackEndpointUsage('/api', ip, usage)).toMatchObject({ violated: false, source: 'redis' });
      expect(await tracker.trackEndpointUsage('/api', ip, usage)).toMatchObject({
        violated: true,
        count: 2,
        source: 'redis',
      });
      expect(await tracker.trackReturnPattern('/api', ip, { status: 404 }, returns)).toMatchObject({
        violated: true,
        count: 1,
        source: 'redis',
      });
    }
    const keys = await keysOf(prefix);
    expect(keys).toHaveLength(16);
    expect(keys).toContain(`${prefix}behavior_usage:behavior:usage:${sha256('/api')}:${sha256('203.0.113.1')}`);
    expect(await primariesHolding(prefix)).toBeGreaterThan(1);
    await tracker.reset();
    expect(await keysOf(prefix)).toEqual([]);
    expect(tracker.mode).toBe('redis');
  });

  test('IPBanManager: ban, check, list, unban and reset across primaries; a second replica follows by events', async () => {
    const bans = banApis.find((b) => b.name === api.name)!;
    const replica = async (): Promise<BanManagerUnderTest> => {
      const redis = await handler({ ipBanSyncIntervalMs: 60_000 });
      const manager = bans.createBans(config({ ipBanSyncIntervalMs: 60_000 }));
      closers.push(manager);
      await manager.initializeRedis(redis);
      return manager;
    };
    const a = await replica();
    const b = await replica();
    const ips = Array.from({ length: 30 }, (_, i) => `192.0.2.${i + 1}`);
    for (const ip of ips) expect(await a.banIp(ip, 600, 'test')).toBe(true);
    expect(await a.banIp('2001:DB8::/48', 600)).toBe(true);
    const keys = await keysOf(prefix);
    expect(keys).toEqual(
      [...ips.map((ip) => `${prefix}banned_ips:${ip}`), `${prefix}banned_networks:2001:db8::/48`].sort(),
    );
    expect(await primariesHolding(`${prefix}banned_ips:`)).toBe(3);
    // B learns of them through ban_events (cluster pub/sub), without a resync. Each event is
    // published by the primary holding its key, and the cluster keeps no order between events
    // published on different primaries (one key's events share a primary, so they stay in order).
    await eventually(
      async () => {
        for (const ip of ips) expect(await b.isIpBanned(ip)).toBe(true);
        expect(await b.isIpBanned('2001:db8::1')).toBe(true);
      },
      5000,
      20,
    );
    // listBans is a full read: one read script per slot, however the keys are spread.
    const listed = await b.listBans();
    expect(listed.map((e) => e.target).sort()).toEqual([...ips, '2001:db8::/48'].sort());
    expect(a.mode).toBe('redis');
    expect(b.mode).toBe('redis');
    // A fresh replica loads every ban from Redis at start-up (the same full read).
    const c = await replica();
    expect(await c.isIpBanned(ips[7]!)).toBe(true);
    expect(await a.unbanIp(ips[0]!)).toBe(true);
    await eventually(async () => expect(await b.isIpBanned(ips[0]!)).toBe(false), 5000, 20);
    expect((await c.listBans()).length).toBe(ips.length);
    await a.reset();
    expect(await keysOf(prefix)).toEqual([]);
    await eventually(async () => expect(await b.isIpBanned(ips[1]!)).toBe(false), 5000, 20);
    expect(await b.listBans()).toEqual([]);
    expect([a.mode, b.mode, c.mode]).toEqual(['redis', 'redis', 'redis']);
  });

  test('SusPatternsManager: add, remove, restore on a new replica; the original key keeps its bytes', async () => {
    const replica = async () => {
      const redis = await handler();
      const patterns = createPatterns(api.name, config());
      closers.push(patterns);
      await patterns.initializeRedis(redis);
      return patterns;
    };
    const a = await replica();
    expect(await a.addPattern('union\\s+select')).toBe(true);
    expect(await a.addPattern('a{1,3}b')).toBe(true);
    expect(await a.addPattern('<script')).toBe(true);
    expect(await a.removePattern('<script')).toBe(true);
    expect(a.mode).toBe('redis');
    expect(await raw.get(`${prefix}patterns:custom`)).toBe('union\\s+select'); // Python's bytes, comma-free entries only
    const b = await replica();
    expect((await b.getCustomPatterns()).sort()).toEqual(['a{1,3}b', 'union\\s+select']);
    expect(b.mode).toBe('redis');
  });

  test('SecurityHeadersManager: an update on one replica reaches another', async () => {
    const replica = async () => {
      const redis = await handler();
      const headers = createHeaders(api.name, config());
      closers.push(headers);
      await headers.initializeRedis(redis);
      return headers;
    };
    const a = await replica();
    const b = await replica();
    await a.updateConfig({ csp: { 'default-src': ["'none'"] }, custom: { 'X-A': 'b' } });
    expect(await raw.get(`${prefix}security_headers:csp_config`)).toBe('{"default-src": ["\'none\'"]}');
    expect(await raw.get(`${prefix}security_headers:custom_headers`)).toBe('{"X-A": "b"}');
    await eventually(
      async () => expect((await b.getHeaders())['Content-Security-Policy']).toBe("default-src 'none'"),
      5000,
      20,
    );
    expect(a.mode).toBe('redis');
    expect(b.mode).toBe('redis');
  });
});

describe('the ban scripts split per slot (async internals)', () => {
  let prefix: string;
  let redis: RedisManager;
  beforeEach(async () => {
    prefix = uniquePrefix('bansplit');
    redis = new RedisManager({ redisClusterNodes: [...cluster.urls], redisPrefix: prefix, logger: silentLogger });
    await redis.initialize();
  });
  afterEach(async () => {
    await redis.deletePattern('*');
    await redis.close();
  });

  test('a write-back batch of 600 bans and unbans over many slots, then a full read with expired keys', async () => {
    const now = Date.now();
    const channel = `${prefix}ban_events`;
    const writes: BanWrite[] = Array.from({ length: 600 }, (_, i) => ({
      op: 'ban',
      kind: 'ip',
      target: `10.${i >> 8}.${i & 255}.1`,
      expiresAt: now / 1000 + 600,
      ttlMs: 600_000,
      event: '',
    }));
    expect(await applyBanWrites(redis, writes, channel)).toBe(0);
    expect(await primariesHolding(`${prefix}banned_ips:`)).toBe(3);
    const unbans: BanWrite[] = writes
      .slice(0, 100)
      .map((w) => ({ op: 'unban', kind: 'ip', target: w.target, event: '' }));
    expect(await applyBanWrites(redis, unbans, channel)).toBe(100);
    // Ten bans whose stored expiry has passed (a Python replica's clock, say): deleted by the read.
    for (let i = 0; i < 10; i++)
      await raw.set(`${prefix}banned_ips:172.16.0.${i + 1}`, String(now / 1000 - 5), 'EX', 60);
    const snapshot = await readAllBans(redis, now);
    expect(snapshot?.entries).toHaveLength(500);
    expect(snapshot?.expiredRemoved).toBe(10);
    expect(await raw.exists(`${prefix}banned_ips:172.16.0.1`)).toBe(0);
  });
});
