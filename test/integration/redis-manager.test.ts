/**
 * Every RedisManager method on the private real Redis, for each API under test.
 */
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { Redis as IoRedis } from 'ioredis';
import { GuardInputError, GuardRedisError, silentLogger } from '../../src/index.js';
import { connectionFromClient } from '../../src/async/seams/ioredis-connection.js';
import { andThen, apisUnderTest, captureFailure, type ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(apisUnderTest)('RedisManager on a real Redis ($name API)', (api) => {
  let prefix: string;
  let manager: ManagerUnderTest;

  beforeEach(async () => {
    prefix = uniquePrefix('mgr');
    manager = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
    await manager.initialize();
  });
  afterEach(async () => {
    await manager.close();
    await deleteByPrefix(raw, prefix);
  });

  test('setKey / getKey round trip under {prefix}{namespace}:{key}', async () => {
    expect(await manager.getKey('ns', 'k')).toBeNull();
    expect(await manager.setKey('ns', 'k', 'välue ✓')).toBe(true);
    expect(await manager.getKey('ns', 'k')).toBe('välue ✓');
    expect(await raw.get(`${prefix}ns:k`)).toBe('välue ✓');
    expect(await manager.setKey('ns', 'n', 42)).toBe(true);
    expect(await raw.get(`${prefix}ns:n`)).toBe('42');
  });

  test('setKey with a TTL uses SET EX; a later plain set clears the TTL', async () => {
    await manager.setKey('ns', 'k', 'v', 100);
    const pttl = await raw.pttl(`${prefix}ns:k`);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    await manager.setKey('ns', 'k', 'w');
    expect(await raw.pttl(`${prefix}ns:k`)).toBe(-1);
    expect(await raw.get(`${prefix}ns:k`)).toBe('w');
  });

  test('a key set with a 1 s TTL is gone after it', async () => {
    await manager.setKey('ns', 'short', 'v', 1);
    expect(await manager.exists('ns', 'short')).toBe(true);
    await sleep(1100);
    expect(await manager.getKey('ns', 'short')).toBeNull();
    expect(await manager.exists('ns', 'short')).toBe(false);
  });

  test('incr counts 1, 2, 3 and sets the TTL when the counter is created', async () => {
    expect(await manager.incr('rate', 'ip', 100)).toBe(1);
    expect(await manager.incr('rate', 'ip', 100)).toBe(2);
    expect(await manager.incr('rate', 'ip', 100)).toBe(3);
    const pttl = await raw.pttl(`${prefix}rate:ip`);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
  });

  test('incr does not push the expiry back on later hits (fixed window)', async () => {
    await manager.incr('rate', 'ip', 100);
    await raw.pexpire(`${prefix}rate:ip`, 5000); // pretend 95 s of the window have passed
    await manager.incr('rate', 'ip', 100);
    expect(await raw.pttl(`${prefix}rate:ip`)).toBeLessThanOrEqual(5000);
  });

  test('a steadily hit counter still expires and starts again from 1', async () => {
    expect(await manager.incr('rate', 'steady', 1)).toBe(1);
    await sleep(600);
    expect(await manager.incr('rate', 'steady', 1)).toBe(2);
    await sleep(600); // 1.2 s after creation, hit every 0.6 s: the window has closed
    expect(await manager.incr('rate', 'steady', 1)).toBe(1);
  });

  test('incr without TTL never expires; a counter left without TTL gets one on the next hit', async () => {
    await manager.incr('c', 'plain');
    expect(await raw.pttl(`${prefix}c:plain`)).toBe(-1);
    await raw.set(`${prefix}c:forgot`, '41');
    expect(await manager.incr('c', 'forgot', 30)).toBe(42);
    expect(await raw.pttl(`${prefix}c:forgot`)).toBeGreaterThan(0);
  });

  test('incr is atomic: 50 concurrent increments give 1..50 exactly once', async () => {
    const values = await Promise.all(Array.from({ length: 50 }, () => manager.incr('c', 'race', 60)));
    expect([...(values as number[])].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await raw.get(`${prefix}c:race`)).toBe('50');
  });

  test('incr on a value that is not a number restarts the counter at 1 (issue 10: a garbage counter must not fail forever)', async () => {
    await manager.setKey('c', 'text', 'abc');
    expect(await manager.incr('c', 'text', 10)).toBe(1);
    expect(await raw.get(`${prefix}c:text`)).toBe('1');
    expect(await raw.ttl(`${prefix}c:text`)).toBeGreaterThan(0);
  });

  test('exists and delete', async () => {
    expect(await manager.exists('ns', 'k')).toBe(false);
    await manager.setKey('ns', 'k', 'v');
    expect(await manager.exists('ns', 'k')).toBe(true);
    expect(await manager.delete('ns', 'k')).toBe(1);
    expect(await manager.delete('ns', 'k')).toBe(0);
    expect(await manager.exists('ns', 'k')).toBe(false);
  });

  test('keys(pattern) lists full keys under the prefix, across many SCAN pages', async () => {
    const pipeline = raw.pipeline();
    for (let i = 0; i < 1200; i++) pipeline.set(`${prefix}bulk:${i}`, 'v');
    pipeline.set(`${prefix}other:1`, 'v');
    await pipeline.exec();
    const bulk = (await manager.keys('bulk:*')) as string[];
    expect(bulk).toHaveLength(1200);
    expect(new Set(bulk)).toEqual(new Set(Array.from({ length: 1200 }, (_, i) => `${prefix}bulk:${i}`)));
    expect(await manager.keys('other:?')).toEqual([`${prefix}other:1`]);
    expect(await manager.keys('nothing:*')).toEqual([]);
  });

  test('deletePattern removes every match (batched UNLINK) and nothing else', async () => {
    const pipeline = raw.pipeline();
    for (let i = 0; i < 1200; i++) pipeline.set(`${prefix}bulk:${i}`, 'v');
    pipeline.set(`${prefix}keep:1`, 'v');
    await pipeline.exec();
    expect(await manager.deletePattern('bulk:*')).toBe(1200);
    expect(await manager.keys('*')).toEqual([`${prefix}keep:1`]);
    expect(await manager.deletePattern('bulk:*')).toBe(0);
  });

  test('getConnection leases the live connection with `await using`', async () => {
    {
      await using lease = await manager.getConnection();
      expect(await lease.connection.set(`${prefix}raw`, 'x', 50)).toBe(true);
      expect(await lease.connection.get(`${prefix}raw`)).toBe('x');
      expect(await lease.connection.pttl(`${prefix}raw`)).toBeGreaterThan(40_000);
    }
    expect(await raw.get(`${prefix}raw`)).toBe('x');
  });

  test('getConnection connects on demand', async () => {
    const fresh = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
    try {
      await using lease = await fresh.getConnection();
      expect(await lease.connection.get(`${prefix}none`)).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  test('safeOperation runs a function with the connection and its arguments', async () => {
    const result = await manager.safeOperation(
      (connection, key: string, value: string) => andThen(connection.set(key, value, null), () => connection.get(key)),
      `${prefix}safe`,
      'ok',
    );
    expect(result).toBe('ok');
  });

  test('a new manager works without an explicit initialize() (connects lazily)', async () => {
    const lazy = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
    try {
      expect(await lazy.setKey('ns', 'lazy', 'v')).toBe(true);
      expect(await manager.getKey('ns', 'lazy')).toBe('v');
    } finally {
      await lazy.close();
    }
  });

  test('re-initialize keeps working on the new connection', async () => {
    await manager.setKey('ns', 'k', 'v');
    await manager.initialize();
    expect(await manager.getKey('ns', 'k')).toBe('v');
  });

  test('close(), then every operation raises GuardRedisError (and initialize() reopens)', async () => {
    await manager.close();
    expect(manager.isClosed).toBe(true);
    const calls: Array<() => unknown> = [
      () => manager.getKey('ns', 'k'),
      () => manager.setKey('ns', 'k', 'v'),
      () => manager.incr('ns', 'k'),
      () => manager.exists('ns', 'k'),
      () => manager.delete('ns', 'k'),
      () => manager.keys('*'),
      () => manager.deletePattern('*'),
      () => manager.getConnection(),
      () => manager.safeOperation((c) => c.get('x')),
    ];
    for (const call of calls) {
      const error = await captureFailure(call);
      expect(error).toBeInstanceOf(GuardRedisError);
      expect((error as GuardRedisError).detail).toBe('Redis connection closed');
    }
    await manager.initialize();
    expect(await manager.setKey('ns', 'k', 'back')).toBe(true);
  });

  test('bad input is a GuardInputError and touches nothing', async () => {
    await manager.setKey('ns', 'k', 'v', 100);
    for (const call of [
      () => manager.setKey('ns', 'k', 'other', -1),
      () => manager.setKey('ns', 'k', Number.NaN),
      () => manager.incr('ns', 'k', 0),
      () => manager.getKey('', 'k'),
    ]) {
      expect(await captureFailure(call)).toBeInstanceOf(GuardInputError);
    }
    expect(await raw.get(`${prefix}ns:k`)).toBe('v');
    expect(await raw.pttl(`${prefix}ns:k`)).toBeGreaterThan(0);
  });
});

describe('ioredis seam: incr is one round trip', () => {
  test('after the script is cached, each incr sends exactly one command (EVALSHA)', async () => {
    const prefix = uniquePrefix('rt');
    const client = new IoRedis(redisUrl());
    try {
      const connection = connectionFromClient(client, {
        url: redisUrl(),
        clusterNodes: null,
        connectTimeoutMs: 2000,
        commandTimeoutMs: 2000,
        retries: 0,
      });
      await connection.incr(`${prefix}c`, 60); // loads the script (EVALSHA, then EVAL on NOSCRIPT)
      const sent = vi.spyOn(client, 'sendCommand');
      expect(await connection.incr(`${prefix}c`, 60)).toBe(2);
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['evalsha']);
    } finally {
      await deleteByPrefix(raw, prefix);
      client.disconnect();
    }
  });
});
