/**
 * Bring your own client: the manager runs over an ioredis client the application owns
 * (`useIoredisClient`), on the real Redis. Operations, scripts and pub/sub work; close() leaves
 * the client open unless `closeClient: true`; every command stays bounded by the command timeout
 * even on a client with an offline queue and no timeout of its own; a Cluster client too. Async
 * API only.
 */
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GuardInputError, GuardRedisError, RedisManager, silentLogger } from '../../src/index.js';
import { useIoredisClient } from '../../src/async/seams/ioredis-connection.js';
import { SLIDING_WINDOW_HIT } from '../../src/core/redis/sliding-window.js';
import { eventually, timeFailure } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { startPrivateCluster, type TestRedisCluster } from '../support/redis-cluster.js';

const raw = rawClient();
const clients: Redis[] = [];
const prefixes: string[] = [];

function userClient(url = redisUrl(), extra: Record<string, unknown> = {}): Redis {
  const client = new Redis(url, { lazyConnect: true, ...extra });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

function manager(client: Redis, closeClient = false, extra: Record<string, unknown> = {}): RedisManager {
  const prefix = uniquePrefix('own');
  prefixes.push(prefix);
  return new RedisManager(
    { redisPrefix: prefix, logger: silentLogger, ...extra },
    { openConnection: useIoredisClient(client, { closeClient }) },
  );
}

afterEach(async () => {
  for (const prefix of prefixes.splice(0)) await deleteByPrefix(raw, prefix);
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(() => raw.quit());

describe('a RedisManager over the caller’s ioredis client', () => {
  test('keys, counters, scans and scripts work; close() leaves the client open', async () => {
    const client = userClient();
    const m = manager(client);
    await m.initialize();
    expect(await m.setKey('ns', 'a', 'A', 60)).toBe(true);
    expect(await m.getKey('ns', 'a')).toBe('A');
    expect(await m.incr('ns', 'n', 60)).toBe(1);
    expect(await m.incr('ns', 'n', 60)).toBe(2);
    expect((await m.keys('ns:*'))?.sort()).toEqual([`${m.config.redisPrefix}ns:a`, `${m.config.redisPrefix}ns:n`]);
    expect(await m.recordSlidingWindowHit('sw', 'ip', 100, 40, 60)).toBe(1);
    expect(await m.runScript(SLIDING_WINDOW_HIT, 'sw', ['ip'], [101, 'm2', 40, 60])).toBe(2);
    await m.close();
    expect(client.status).toBe('ready');
    expect(await client.get(`${m.config.redisPrefix}ns:a`)).toBe('A'); // still the app's, still usable
    await m.initialize(); // and the manager can reopen over it
    expect(await m.getKey('ns', 'a')).toBe('A');
    await m.close();
  });

  test('pub/sub works over a duplicate, which close() does close', async () => {
    const client = userClient();
    const m = manager(client);
    const sub = await m.subscribe('events');
    expect(sub).not.toBeNull();
    await eventually(async () => {
      expect(await m.publish('events', 'hello')).toBe(1);
    });
    const batch = await eventually(async () => {
      const got = await sub!.drain();
      if (got.messages.length === 0) throw new Error('nothing yet');
      return got;
    });
    expect(batch.messages).toContain('hello');
    await sub!.close();
    await m.close();
    expect(client.status).toBe('ready');
  });

  test('closeClient: true closes it with the manager', async () => {
    const client = userClient();
    const m = manager(client, true);
    await m.setKey('ns', 'k', 'v');
    await m.close();
    await eventually(() => {
      expect(client.status).toBe('end');
    });
  });

  test('an already connected, non-lazy client is used as is', async () => {
    const client = userClient(redisUrl(), { lazyConnect: false });
    const m = manager(client);
    expect(await m.exists('ns', 'missing')).toBe(false);
    await m.close();
    expect(client.status).toBe('ready');
  });

  test('fail-fast kept: a client with an offline queue and no timeout still gets a 503 within the command timeout', async () => {
    const proxy = await startTcpProxy({ port: Number(new URL(redisUrl()).port) });
    try {
      const client = userClient(proxy.url); // ioredis defaults: offline queue on, no command timeout
      const m = manager(client, false, { redisCommandTimeoutMs: 200 });
      await m.setKey('ns', 'k', 'v');
      await proxy.cut();
      const { error, elapsedMs } = await timeFailure(() => m.getKey('ns', 'k'));
      expect(error).toBeInstanceOf(GuardRedisError);
      expect((error as GuardRedisError).statusCode).toBe(503);
      expect(elapsedMs).toBeLessThan(1000); // generous hang bound
      await m.close();
    } finally {
      await proxy.close();
    }
  });

  test('a client with keyPrefix is refused (SCAN patterns would not see it)', () => {
    const client = userClient(redisUrl(), { keyPrefix: 'app:' });
    expect(() => useIoredisClient(client)).toThrow(GuardInputError);
  });

  test('a client that was closed is a clear 503', async () => {
    const client = userClient();
    await client.connect();
    await client.quit();
    await eventually(() => {
      expect(client.status).toBe('end');
    });
    const m = manager(client);
    const { error } = await timeFailure(() => m.initialize());
    expect(error).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).detail).toMatch(/client is closed/);
    await m.close();
  });
});

describe('a RedisManager over the caller’s ioredis Cluster', () => {
  let cluster: TestRedisCluster;
  beforeAll(async () => {
    cluster = await startPrivateCluster(3);
  }, 30_000);
  afterAll(() => cluster?.dispose());

  test('keys spread over every primary are written, listed and deleted; close() leaves the cluster client open', async () => {
    const client = new Cluster(
      cluster.urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) })),
      { lazyConnect: true },
    );
    client.on('error', () => undefined);
    const prefix = uniquePrefix('own-cl');
    const m = new RedisManager(
      { redisPrefix: prefix, logger: silentLogger },
      { openConnection: useIoredisClient(client) },
    );
    try {
      await m.initialize();
      for (let i = 0; i < 30; i++) expect(await m.setKey('ns', `k${i}`, String(i), 60)).toBe(true);
      expect(await m.incr('ns', 'counter', 60)).toBe(1);
      expect(await m.recordSlidingWindowHit('sw', 'ip', 100, 40, 60)).toBe(1);
      expect((await m.keys('ns:*'))?.length).toBe(31);
      expect(await m.deletePattern('*')).toBe(32);
      await m.close();
      expect(client.status).toBe('ready');
      expect(await client.get(`${prefix}ns:k1`)).toBeNull();
      // Managers that come and go leave no listener behind on the caller's client.
      const listeners = client.listenerCount('node error');
      for (let i = 0; i < 3; i++) {
        const again = new RedisManager(
          { redisPrefix: prefix, logger: silentLogger },
          { openConnection: useIoredisClient(client) },
        );
        await again.initialize();
        await again.close();
      }
      expect(client.listenerCount('node error')).toBe(listeners);
    } finally {
      client.disconnect();
    }
  });
});
