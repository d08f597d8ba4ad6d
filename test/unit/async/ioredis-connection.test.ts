import { afterEach, describe, expect, test } from 'vitest';
import RedisMock from 'ioredis-mock';
import { ReplyError, type Redis } from 'ioredis';
import { GuardRedisError, RedisManager } from '../../../src/index.js';
import { connectionFromClient } from '../../../src/async/seams/ioredis-connection.js';
import type { RedisConnectionOptions } from '../../../src/core/redis-types.js';
import { captureFailure } from '../../support/apis.js';

const OPTIONS: RedisConnectionOptions = {
  url: 'redis://admin:Sup3rSecret@127.0.0.1:6390',
  clusterNodes: null,
  connectTimeoutMs: 100,
  commandTimeoutMs: 100,
  retries: 0,
};

const clients: Redis[] = [];
function mockClient(): Redis {
  const client = new RedisMock();
  clients.push(client);
  return client;
}
afterEach(async () => {
  for (const client of clients.splice(0)) await client.flushall();
});

describe('connectionFromClient (ioredis-mock: command mapping only)', () => {
  test('get / set / set EX / pttl / exists / del', async () => {
    const c = connectionFromClient(mockClient(), OPTIONS);
    await c.ping();
    expect(await c.get('k')).toBeNull();
    expect(await c.set('k', 'v', null)).toBe(true);
    expect(await c.get('k')).toBe('v');
    expect(await c.pttl('k')).toBe(-1);
    expect(await c.set('t', 'v', 10)).toBe(true);
    const pttl = await c.pttl('t');
    expect(pttl).toBeGreaterThan(9000);
    expect(pttl).toBeLessThanOrEqual(10_000);
    expect(await c.pttl('missing')).toBe(-2);
    expect(await c.exists('k')).toBe(true);
    expect(await c.del('k')).toBe(1);
    expect(await c.del('k')).toBe(0);
    expect(await c.exists('k')).toBe(false);
  });

  test('incr runs the one-key script: counts, and sets the TTL only when the counter has none', async () => {
    const client = mockClient();
    const c = connectionFromClient(client, OPTIONS);
    expect(await c.incr('n', 100)).toBe(1);
    await client.pexpire('n', 5000);
    expect(await c.incr('n', 100)).toBe(2);
    expect(await c.pttl('n')).toBeLessThanOrEqual(5000); // not pushed back to 100 s
    expect(await c.incr('plain', null)).toBe(1);
    expect(await c.pttl('plain')).toBe(-1);
    await client.set('forgot', '5');
    expect(await c.incr('forgot', 30)).toBe(6);
    expect(await c.pttl('forgot')).toBeGreaterThan(0); // a counter without TTL gets one
  });

  test('scan pages and unlink', async () => {
    const client = mockClient();
    const c = connectionFromClient(client, OPTIONS);
    for (const k of ['a:1', 'a:2', 'b:1']) await client.set(k, 'v');
    const page = await c.scan('a:*', '0', 100);
    expect(page.cursor).toBe('0');
    expect([...page.keys].sort()).toEqual(['a:1', 'a:2']);
    expect(await c.unlink([])).toBe(0);
    expect(await c.unlink(['a:1', 'a:2', 'nope'])).toBe(2);
    expect(await client.keys('*')).toEqual(['b:1']);
  });

  test('a RedisManager runs over it through the openConnection option', async () => {
    const client = mockClient();
    const manager = new RedisManager(
      { redisUrl: 'redis://mock:6379', redisPrefix: 'm:' },
      { openConnection: async (options) => connectionFromClient(client, options) },
    );
    expect(await manager.setKey('ns', 'k', 'v', 60)).toBe(true);
    expect(await client.get('m:ns:k')).toBe('v');
    expect(await manager.keys('*')).toEqual(['m:ns:k']);
    expect(await manager.deletePattern('*')).toBe(1);
  });
});

describe('connectionFromClient error mapping', () => {
  function failingClient(error: Error): Redis {
    const client = mockClient();
    client.get = () => Promise.reject(error);
    return client;
  }

  test('a transport failure becomes GuardRedisError 503 naming the redacted target and the reason', async () => {
    const c = connectionFromClient(failingClient(new Error("Stream isn't writeable")), OPTIONS);
    const error = (await captureFailure(() => c.get('k'))) as GuardRedisError;
    expect(error).toBeInstanceOf(GuardRedisError);
    expect(error.statusCode).toBe(503);
    expect(error.detail).toBe("Redis connection failed (redis://127.0.0.1:6390): Stream isn't writeable");
  });

  test('a command timeout says so', async () => {
    const c = connectionFromClient(failingClient(new Error('Command timed out')), OPTIONS);
    const error = (await captureFailure(() => c.get('k'))) as GuardRedisError;
    expect(error.detail).toBe('Redis command timed out (redis://127.0.0.1:6390)');
  });

  test('a transport error is kept past a later ready and named in a timeout, until a reply comes', async () => {
    // TLS 1.3 order: the client is 'ready' before the server refuses its certificate, so every
    // reconnect goes error → ready → error; a timeout that lands after a 'ready' must still say why.
    const client = mockClient();
    const c = connectionFromClient(client, OPTIONS);
    client.emit('error', new Error('write EPROTO alert certificate required'));
    client.emit('ready');
    const realGet = client.get.bind(client);
    client.get = () => Promise.reject(new Error('Command timed out'));
    const timedOut = (await captureFailure(() => c.get('k'))) as GuardRedisError;
    expect(timedOut.detail).toMatch(
      /^Redis command timed out \(redis:\/\/127\.0\.0\.1:6390\); last connection error: /,
    );
    expect(timedOut.detail).toContain('certificate required');
    client.get = realGet;
    expect(await c.get('k')).toBeNull(); // a reply: the link works again
    client.get = () => Promise.reject(new Error('Command timed out'));
    const later = (await captureFailure(() => c.get('k'))) as GuardRedisError;
    expect(later.detail).toBe('Redis command timed out (redis://127.0.0.1:6390)');
  });

  test('secrets are scrubbed from the cause, its stack and its own cause chain', async () => {
    const inner = new Error('inner saw Sup3rSecret');
    const outer = new Error('AUTH admin Sup3rSecret failed', { cause: inner });
    const c = connectionFromClient(failingClient(outer), OPTIONS);
    const error = (await captureFailure(() => c.get('k'))) as GuardRedisError;
    const cause = error.cause as Error;
    expect(cause.message).not.toContain('Sup3rSecret');
    expect(cause.stack).not.toContain('Sup3rSecret');
    expect((cause.cause as Error).message).not.toContain('Sup3rSecret');
  });

  test('a Redis reply error (the server answered) is passed through unchanged', async () => {
    const reply = new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    const c = connectionFromClient(failingClient(reply), OPTIONS);
    expect(await captureFailure(() => c.get('k'))).toBe(reply);
  });
});
