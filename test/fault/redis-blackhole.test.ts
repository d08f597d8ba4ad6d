/**
 * A Redis that stops answering without closing the connection (a black hole), answers slowly,
 * or drops every connection — through a TCP proxy on a worker thread. Every operation must fail
 * with GuardRedisError 503 within 2× the command timeout, never hang, and recover afterwards
 * without mixing up replies.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { GuardRedisError, silentLogger } from '../../src/index.js';
import { apisUnderTest, captureFailure, eventually, type ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { everyOperation, expectAllFailFast } from '../support/fault-ops.js';

const TIMEOUT_MS = 200;
const raw = rawClient();
afterAll(() => raw.quit());

describe.each(apisUnderTest)('a black-holed, slow or dropping Redis ($name API)', (api) => {
  let proxy: TcpProxy;
  let prefix: string;
  const managers: ManagerUnderTest[] = [];
  const manager = (): ManagerUnderTest => {
    const m = api.createManager({
      redisUrl: proxy.url,
      redisPrefix: prefix,
      redisConnectTimeoutMs: TIMEOUT_MS,
      redisCommandTimeoutMs: TIMEOUT_MS,
      logger: silentLogger,
    });
    managers.push(m);
    return m;
  };

  beforeAll(async () => {
    proxy = await startTcpProxy({ port: Number(new URL(redisUrl()).port) });
  });
  afterAll(() => proxy.close());
  beforeEach(() => {
    prefix = uniquePrefix('bh');
  });
  afterEach(async () => {
    await proxy.restore();
    for (const m of managers.splice(0)) await m.close();
    await deleteByPrefix(raw, prefix);
  });

  test('cut after connecting: every operation is a 503 within the bound; after restore, replies stay in order', async () => {
    const m = manager();
    await m.setKey('ns', 'a', 'A');
    await proxy.cut();
    await expectAllFailFast(everyOperation(api, m), 2 * TIMEOUT_MS);
    await proxy.restore();
    // Replies held during the cut arrive late; they must not be handed to later commands.
    await eventually(() => m.getKey('ns', 'a'));
    await m.setKey('ns', 'b', 'B');
    expect(await m.getKey('ns', 'a')).toBe('A');
    expect(await m.getKey('ns', 'b')).toBe('B');
    expect(await m.incr('ns', 'n')).toBe(1);
    expect(await m.exists('ns', 'missing')).toBe(false);
  });

  test('cut before the first connect: initialize and every operation are 503 within the bound', async () => {
    await proxy.cut();
    const m = manager();
    await expectAllFailFast([['initialize', () => m.initialize()], ...everyOperation(api, m)], 2 * TIMEOUT_MS);
    await proxy.restore();
    await eventually(() => m.setKey('ns', 'k', 'v'));
    expect(await m.getKey('ns', 'k')).toBe('v');
  });

  test('slower than the timeout → 503 within the bound; slower but within it → still works', async () => {
    const m = manager();
    await m.setKey('ns', 'k', 'v');
    await proxy.delay(50);
    expect(await m.getKey('ns', 'k')).toBe('v');
    await proxy.delay(TIMEOUT_MS * 3);
    await expectAllFailFast([['getKey', () => m.getKey('ns', 'k')]], 2 * TIMEOUT_MS);
    await proxy.restore();
    await eventually(async () => expect(await m.getKey('ns', 'k')).toBe('v'));
  });

  test('every connection dropped: a 503 or a reconnect, never a hang; then it works', async () => {
    const m = manager();
    await m.setKey('ns', 'k', 'v');
    await proxy.dropConnections();
    const started = performance.now();
    try {
      await m.getKey('ns', 'k');
    } catch (error) {
      expect(error).toBeInstanceOf(GuardRedisError);
    }
    expect(performance.now() - started).toBeLessThan(2 * TIMEOUT_MS);
    expect(await eventually(() => m.getKey('ns', 'k'))).toBe('v');
  });

  test('the detail says what happened: a timeout, not a generic failure', async () => {
    const m = manager();
    await m.initialize();
    await proxy.cut();
    const error = (await captureFailure(() => m.getKey('ns', 'k'))) as GuardRedisError;
    expect(error.detail).toMatch(/timed out/);
    expect(error.detail).toContain(`127.0.0.1:${proxy.port}`);
  });
});
