/**
 * HandlerInitializer.initializeRedisHandlers() on a real (private) Redis and the fixture feed
 * server, for every API: every store-wiring case, the fallback warning, and lazy init.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { GuardConfigError, type CloudProvider, type SecurityConfigInput } from '../../src/index.js';
import { captureFailure, type ManagerUnderTest, type StoreUnderTest } from '../support/apis.js';
import { startFeedServer, type FeedServer, type RouteResponse } from '../support/feed-server.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { freePort } from '../support/redis-server.js';
import { cloudApis, type InitializerUnderTest } from './cloud-support.js';

const raw = rawClient();
let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
  await raw.quit();
});

function serve(routes: Partial<Record<CloudProvider, RouteResponse>>) {
  const base = `/init-${randomBytes(4).toString('hex')}`;
  const urls: Partial<Record<CloudProvider, string>> = {};
  for (const [provider, response] of Object.entries(routes) as [CloudProvider, RouteResponse][]) {
    server.route(`${base}/${provider}`, response);
    urls[provider] = server.url(`${base}/${provider}`);
  }
  return { urls, count: (provider: CloudProvider) => server.requestCount(`${base}/${provider}`) };
}

const AWS_ONLY = { AWS: { file: 'aws-ip-ranges.json' } };

describe.each(cloudApis)('HandlerInitializer ($name API)', (api) => {
  const prefixes: string[] = [];
  const initializers: InitializerUnderTest[] = [];

  function make(config: SecurityConfigInput, options?: { redis?: ManagerUnderTest | null }) {
    const prefix = uniquePrefix('init');
    prefixes.push(prefix);
    const log = captureLogger();
    const init = api.createInitializer(
      { redisUrl: redisUrl(), redisPrefix: prefix, logger: log.logger, ...config },
      options,
    );
    initializers.push(init);
    return { init, log, prefix };
  }

  afterEach(async () => {
    for (const init of initializers.splice(0)) {
      await vi.waitFor(() => expect(init.cloud.refreshInFlight).toBe(false), { timeout: 15_000, interval: 20 });
      await init.close();
    }
    await deleteByPrefix(raw, ...prefixes.splice(0));
  });

  const warnings = (log: ReturnType<typeof captureLogger>) => log.lines.filter((l) => l.level === 'warn');

  test('Redis on + blockCloudProviders → RedisCloudIpStore wired automatically, ranges land in Redis', async () => {
    const feeds = serve(AWS_ONLY);
    const { init, log, prefix } = make({ blockCloudProviders: ['AWS'], cloudFeedUrls: feeds.urls, lazyInit: false });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'connected', storeOrigin: 'auto-redis', cloudLoad: 'completed' });
    expect(result.store).toBeInstanceOf(api.RedisCloudIpStore);
    expect(init.cloud.store).toBe(result.store);
    expect(result.cloudReport?.map((r) => [r.provider, r.outcome, r.stored])).toEqual([['AWS', 'fetched', true]]);
    expect(await raw.exists(`${prefix}cloud_ip:AWS`)).toBe(1);
    expect(init.cloud.isCloudIp('3.5.140.1')).toBe(true);
    expect(init.getInitializationStatus()).toMatchObject({ redis: 'connected', storeOrigin: 'auto-redis' });
    expect(warnings(log)).toEqual([]);
  });

  test('cloudIpStore as a factory → called once, with the live Redis handler', async () => {
    const feeds = serve(AWS_ONLY);
    const calls: ManagerUnderTest[] = [];
    const factory = (redis: ManagerUnderTest): StoreUnderTest => {
      calls.push(redis);
      return api.createRedisStore(redis, 'cloud_ip_custom');
    };
    const { init, prefix } = make({
      blockCloudProviders: ['AWS'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
      cloudIpStore: factory,
    });
    const result = await init.initializeRedisHandlers();
    await init.initializeRedisHandlers(); // idempotent: the factory is not called again
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBe(init.redisHandler);
    expect(await calls[0]!.getKey('probe', 'x')).toBeNull(); // live: it answers
    expect(result.storeOrigin).toBe('factory');
    expect(await raw.exists(`${prefix}cloud_ip_custom:AWS`)).toBe(1);
    expect(await raw.exists(`${prefix}cloud_ip:AWS`)).toBe(0);
  });

  test('a store class passed as the factory is constructed with the live handler', async () => {
    const feeds = serve(AWS_ONLY);
    const { init, prefix } = make({
      blockCloudProviders: ['AWS'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
      cloudIpStore: api.RedisCloudIpStore as never,
    });
    const result = await init.initializeRedisHandlers();
    expect(result.storeOrigin).toBe('factory');
    expect(result.store).toBeInstanceOf(api.RedisCloudIpStore);
    expect(await raw.exists(`${prefix}cloud_ip:AWS`)).toBe(1);
  });

  test('a factory that returns no store, or throws, fails start-up loudly (GuardConfigError / its own error)', async () => {
    const bad = make({ blockCloudProviders: ['AWS'], cloudIpStore: (() => ({ get: () => null })) as never });
    const error = await captureFailure(() => bad.init.initializeRedisHandlers());
    expect(error).toBeInstanceOf(GuardConfigError);
    expect((error as GuardConfigError).field).toBe('cloudIpStore');
    expect((error as Error).message).toMatch(/the factory returned .*, not a store with get, set and clear/);

    const throwing = make({
      blockCloudProviders: ['AWS'],
      cloudIpStore: () => {
        throw new Error('no table cloud_ips');
      },
    });
    expect(await captureFailure(() => throwing.init.initializeRedisHandlers())).toMatchObject({
      message: 'no table cloud_ips',
    });
  });

  test('cloudIpStore as an instance → used as is with Redis on, even an InMemoryCloudIpStore', async () => {
    const feeds = serve(AWS_ONLY);
    const mine = api.createInMemoryStore();
    const { init, log, prefix } = make({
      blockCloudProviders: ['AWS'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
      cloudIpStore: mine,
    });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'connected', storeOrigin: 'instance' });
    expect(result.store).toBe(mine);
    expect(init.cloud.store).toBe(mine);
    expect(await mine.get('AWS')).not.toBeNull();
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    expect(warnings(log)).toEqual([]);
  });

  test('Redis disabled → InMemoryCloudIpStore with exactly one warning', async () => {
    const feeds = serve(AWS_ONLY);
    const { init, log } = make({
      enableRedis: false,
      blockCloudProviders: ['AWS'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
    });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'disabled', storeOrigin: 'in-memory-fallback', cloudLoad: 'completed' });
    expect(result.store).toBeInstanceOf(api.InMemoryCloudIpStore);
    expect(init.redisHandler).toBeNull();
    expect(warnings(log).map((l) => l.message)).toEqual([
      expect.stringMatching(/^Redis is disabled .*InMemoryCloudIpStore.*not shared between replicas/),
    ]);
    expect(init.cloud.isCloudIp('3.5.140.1')).toBe(true);
  });

  test('Redis unreachable + a factory → the factory is not called, InMemoryCloudIpStore, one warning saying so', async () => {
    const feeds = serve(AWS_ONLY);
    let called = 0;
    const { init, log } = make({
      redisUrl: `redis://:s3cret-pass@127.0.0.1:${await freePort()}`,
      redisConnectTimeoutMs: 500,
      redisRetries: 0,
      blockCloudProviders: ['AWS'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
      cloudIpStore: () => {
        called++;
        return api.createInMemoryStore();
      },
    });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'unavailable', storeOrigin: 'in-memory-fallback', cloudLoad: 'completed' });
    expect(result.store).toBeInstanceOf(api.InMemoryCloudIpStore);
    expect(called).toBe(0);
    const warned = warnings(log).map((l) => l.message);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^Redis is unreachable .*the cloudIpStore factory was not called/);
    expect(log.text()).not.toContain('s3cret-pass');
    expect(init.cloud.isCloudIp('3.5.140.1')).toBe(true); // start-up still loaded the ranges
  });

  test('Redis unreachable + an instance → the instance is used; one warning, about Redis only', async () => {
    const feeds = serve(AWS_ONLY);
    const mine = api.createInMemoryStore();
    const { init, log } = make({
      redisUrl: `redis://127.0.0.1:${await freePort()}`,
      redisConnectTimeoutMs: 500,
      redisRetries: 0,
      blockCloudProviders: ['AWS'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
      cloudIpStore: mine,
    });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'unavailable', storeOrigin: 'instance' });
    expect(result.store).toBe(mine);
    const warned = warnings(log).map((l) => l.message);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/^Redis is unreachable .*retried every 1000 ms/);
    expect(warned[0]).not.toContain('InMemoryCloudIpStore');
  });

  test('lazyInit (default): start-up returns before a hung feed answers; the load finishes in the background', async () => {
    const feeds = serve({ AWS: { hang: true }, GCP: { file: 'google-cloud-ip-ranges.json' } });
    const { init } = make({ blockCloudProviders: ['AWS', 'GCP'], cloudFeedUrls: feeds.urls, cloudFeedTimeoutMs: 800 });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'connected', storeOrigin: 'auto-redis', cloudLoad: 'background' });
    expect(result.cloudReport).toBeNull();
    expect(init.cloud.getStatus().AWS.ready).toBe(false); // nothing answered yet, start-up did not wait
    expect(init.cloud.refreshInFlight).toBe(true);

    await vi.waitFor(() => expect(init.cloud.refreshInFlight).toBe(false), { timeout: 15_000, interval: 20 });
    expect(feeds.count('AWS')).toBe(1);
    const status = init.cloud.getStatus();
    expect(status.AWS).toMatchObject({ ready: false });
    expect(status.AWS.lastError).toMatch(/timed out/);
    expect(status.GCP).toMatchObject({ ready: true, source: 'fetch' });
  });

  test('lazyInit: false → start-up awaits the first load', async () => {
    const feeds = serve({ AWS: { file: 'aws-ip-ranges.json', delayMs: 200 } });
    const { init } = make({ blockCloudProviders: ['AWS'], cloudFeedUrls: feeds.urls, lazyInit: false });
    const result = await init.initializeRedisHandlers();
    expect(result.cloudLoad).toBe('completed');
    expect(init.cloud.refreshInFlight).toBe(false);
    expect(init.cloud.getStatus().AWS).toMatchObject({ ready: true, source: 'fetch' });
  });

  test('no cloud blocking → nothing is fetched; a handler passed in is used and left open', async () => {
    const feeds = serve(AWS_ONLY);
    const prefix = uniquePrefix('init');
    prefixes.push(prefix);
    const redis = api.createRedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: captureLogger().logger });
    const { init, log } = make({ cloudFeedUrls: feeds.urls }, { redis });
    const result = await init.initializeRedisHandlers();
    expect(result).toMatchObject({ redis: 'connected', storeOrigin: 'default', cloudLoad: 'not-configured' });
    expect(init.redisHandler).toBe(redis);
    expect(feeds.count('AWS')).toBe(0);
    expect(warnings(log)).toEqual([]);
    await init.close();
    expect(redis.isClosed).toBe(false);
    await redis.close();
  });

  test('close() closes the Redis connection the initializer opened', async () => {
    const { init } = make({});
    await init.initializeRedisHandlers();
    const handler = init.redisHandler!;
    expect(handler.isClosed).toBe(false);
    await init.close();
    expect(handler.isClosed).toBe(true);
    expect(init.redisHandler).toBeNull();
  });
});
