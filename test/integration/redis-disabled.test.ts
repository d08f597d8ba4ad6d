/**
 * enableRedis: false → every key operation returns null and no connection is ever attempted.
 * The proof is a TCP proxy in front of the real Redis that counts accepted connections.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GuardRedisError, RedisManager, silentLogger } from '../../src/index.js';
import { apisUnderTest, captureFailure } from '../support/apis.js';
import { redisUrl } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let proxy: TcpProxy;
beforeAll(async () => {
  proxy = await startTcpProxy({ port: Number(new URL(redisUrl()).port) });
});
afterAll(() => proxy.close());

describe.each(apisUnderTest)('Redis disabled ($name API)', (api) => {
  test('the counting proxy does see a connection from an enabled manager (the probe works)', async () => {
    const before = (await proxy.stats()).accepted;
    const enabled = api.createManager({ redisUrl: proxy.url, logger: silentLogger });
    await enabled.initialize();
    await enabled.close();
    expect((await proxy.stats()).accepted).toBeGreaterThan(before);
  });

  test('every operation returns null and no connection is attempted', async () => {
    const before = (await proxy.stats()).accepted;
    const m = api.createManager({
      enableRedis: false,
      redisUrl: proxy.url,
      redisPrefix: 'disabled:',
      logger: silentLogger,
    });
    await m.initialize();
    expect(await m.getKey('ns', 'k')).toBeNull();
    expect(await m.setKey('ns', 'k', 'v', 60)).toBeNull();
    expect(await m.setKey('ns', 'k', 'v')).toBeNull();
    expect(await m.incr('ns', 'c', 60)).toBeNull();
    expect(await m.exists('ns', 'k')).toBeNull();
    expect(await m.delete('ns', 'k')).toBeNull();
    expect(await m.keys('*')).toBeNull();
    expect(await m.deletePattern('*')).toBeNull();
    expect(await m.safeOperation((c) => c.get('x'))).toBeNull();
    const lease = await captureFailure(() => m.getConnection());
    expect(lease).toBeInstanceOf(GuardRedisError);
    const store = api.createRedisStore(m);
    await store.set('AWS', ['10.0.0.0/8'], 60);
    expect(await store.get('AWS')).toBeNull();
    await store.clear();
    await m.close();
    await new Promise((r) => setTimeout(r, 50)); // let any stray connect reach the proxy
    expect((await proxy.stats()).accepted).toBe(before);
  });
});

test('disabled (async API): the openConnection seam is never called', async () => {
  let opened = 0;
  const m = new RedisManager(
    { enableRedis: false, logger: silentLogger },
    {
      openConnection: async () => {
        opened++;
        throw new Error('must not be called');
      },
    },
  );
  await m.initialize();
  await m.setKey('ns', 'k', 'v');
  await m.keys('*');
  await m.close();
  expect(opened).toBe(0);
});
