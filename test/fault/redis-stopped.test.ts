/**
 * A Redis that goes away: stopped after connecting, down from the start, a port nobody listens
 * on. Every operation must fail with GuardRedisError 503 within 2× the command timeout (never
 * hang), and the same manager must work again once Redis is back.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GuardRedisError, silentLogger } from '../../src/index.js';
import { apisUnderTest, eventually, timeFailure, type ManagerUnderTest } from '../support/apis.js';
import { everyOperation, expectAllFailFast } from '../support/fault-ops.js';
import { freePort, startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

const TIMEOUT_MS = 300;

describe.each(apisUnderTest)('a stopped Redis ($name API)', (api) => {
  let server: TestRedisServer;
  const managers: ManagerUnderTest[] = [];
  const manager = (url: string): ManagerUnderTest => {
    const m = api.createManager({
      redisUrl: url,
      redisPrefix: 'fault:',
      redisConnectTimeoutMs: TIMEOUT_MS,
      redisCommandTimeoutMs: TIMEOUT_MS,
      logger: silentLogger,
    });
    managers.push(m);
    return m;
  };

  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    for (const m of managers) await m.close();
    await server.dispose();
  });

  test('stopped after connecting: every operation is a fast 503; after restart the same manager works', async () => {
    const m = manager(server.url);
    await m.initialize();
    expect(await m.setKey('ns', 'k', 'before')).toBe(true);
    await server.stop();
    await expectAllFailFast(everyOperation(api, m), 2 * TIMEOUT_MS);
    await expectAllFailFast([['initialize', () => m.initialize()]], 2 * TIMEOUT_MS);
    await server.start();
    await eventually(() => m.setKey('ns', 'k', 'after'));
    expect(await m.getKey('ns', 'k')).toBe('after');
    expect(await m.incr('ns', 'c', 10)).toBe(1);
    expect(await m.keys('*')).toHaveLength(2);
  });

  test('down from the start: every operation is a fast 503; once Redis is up the same manager works', async () => {
    await server.stop();
    const m = manager(server.url);
    await expectAllFailFast([['initialize', () => m.initialize()], ...everyOperation(api, m)], 2 * TIMEOUT_MS);
    await server.start();
    await eventually(() => m.setKey('ns', 'k', 'v'));
    expect(await m.getKey('ns', 'k')).toBe('v');
  });

  test('close() while Redis is down, then any call → GuardRedisError "closed"', async () => {
    const m = manager(server.url);
    await m.initialize();
    await server.stop();
    await m.close();
    for (const [name, call] of everyOperation(api, m)) {
      const { error } = await timeFailure(call);
      expect(error, name).toBeInstanceOf(GuardRedisError);
      expect((error as GuardRedisError).detail, name).toBe('Redis connection closed');
    }
    await server.start();
  });
});

describe.each(apisUnderTest)('a port nobody listens on ($name API)', (api) => {
  test('every operation is a fast 503, again and again', async () => {
    const port = await freePort();
    const m = api.createManager({
      redisUrl: `redis://127.0.0.1:${port}`,
      redisConnectTimeoutMs: TIMEOUT_MS,
      redisCommandTimeoutMs: TIMEOUT_MS,
      logger: silentLogger,
    });
    try {
      await expectAllFailFast([['initialize', () => m.initialize()], ...everyOperation(api, m)], 2 * TIMEOUT_MS);
      await expectAllFailFast(everyOperation(api, m), 2 * TIMEOUT_MS);
    } finally {
      await m.close();
    }
  });
});
