/**
 * A slow link (500 ms each way through a TCP proxy) and a connect interrupted by close(). The
 * budgets add up: the connect timeout bounds TCP + TLS only, and the first round trip (AUTH,
 * SELECT and PING, pipelined) is one command under the command timeout, so `initialize()` with
 * default settings needs one round trip (1 s here) where it used to need three.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GuardRedisError, RedisManager, silentLogger } from '../../src/index.js';
import { apisUnderTest, timeFailure, type ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const ONE_WAY_DELAY_MS = 500;
const raw = rawClient();
let proxy: TcpProxy;
const managers: ManagerUnderTest[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  proxy = await startTcpProxy({ port: Number(new URL(redisUrl()).port) });
});
afterEach(async () => {
  await proxy.restore();
  for (const m of managers.splice(0)) await m.close();
  for (const prefix of prefixes.splice(0)) await deleteByPrefix(raw, prefix);
});
afterAll(async () => {
  await proxy.close();
  await raw.quit();
});

describe.each(apisUnderTest)('a 500 ms one-way link ($name API)', (api) => {
  test('initialize() succeeds with the default timeouts, and a GET answers', async () => {
    const prefix = uniquePrefix('slow');
    prefixes.push(prefix);
    await raw.set(`${prefix}ns:k`, 'v');
    await proxy.delay(ONE_WAY_DELAY_MS);
    // Defaults: redisConnectTimeoutMs 2000, redisCommandTimeoutMs 2000.
    const m = api.createManager({ redisUrl: proxy.url, redisPrefix: prefix, logger: silentLogger });
    managers.push(m);
    const started = performance.now();
    await m.initialize();
    const initMs = performance.now() - started;
    expect(await m.getKey('ns', 'k')).toBe('v');
    // One round trip (the pipelined AUTH/SELECT/PING), not three: well under the 2 s budgets.
    expect(initMs).toBeGreaterThanOrEqual(2 * ONE_WAY_DELAY_MS - 50);
    expect(initMs).toBeLessThan(2000); // generous hang bound
  });
});

describe('close() during a connect (async API)', () => {
  test('to a black-holed port: close() returns promptly and initialize() rejects with GuardRedisError', async () => {
    await proxy.cut();
    const m = new RedisManager({
      redisUrl: proxy.url,
      redisConnectTimeoutMs: 5000,
      redisCommandTimeoutMs: 5000,
      logger: silentLogger,
    });
    const pending = timeFailure(() => m.initialize());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = performance.now();
    await m.close();
    const closeMs = performance.now() - closing;
    const { error, elapsedMs } = await pending;
    expect(error).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).statusCode).toBe(503);
    expect((error as GuardRedisError).detail).toMatch(/closed while connecting/);
    expect(closeMs).toBeLessThan(1000); // generous bounds, far below the 5 s timeouts
    expect(elapsedMs).toBeLessThan(1500);
    expect(m.isClosed).toBe(true);
  });

  test('during the TLS handshake (rediss:// to a black hole): aborted as promptly', async () => {
    await proxy.cut();
    const m = new RedisManager({
      redisUrl: `rediss://127.0.0.1:${proxy.port}`,
      redisConnectTimeoutMs: 5000,
      redisCommandTimeoutMs: 5000,
      logger: silentLogger,
    });
    const pending = timeFailure(() => m.initialize());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await m.close();
    const { error, elapsedMs } = await pending;
    expect(error).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).detail).toMatch(/closed while connecting/);
    expect(elapsedMs).toBeLessThan(1500);
  });

  test('after such a close, initialize() connects again once the link is back', async () => {
    await proxy.cut();
    const m = new RedisManager({ redisUrl: proxy.url, logger: silentLogger });
    managers.push(m);
    const pending = timeFailure(() => m.initialize());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await m.close();
    await pending;
    await proxy.restore();
    await m.initialize();
    expect(await m.exists('ns', 'nothing')).toBe(false);
  });
});
