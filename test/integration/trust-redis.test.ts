/**
 * Issue 10 (trust), items 3, 6 and 7 on the real Redis, both APIs: a garbage counter does not fail
 * forever, a data error is a typed 500 naming the key (not an outage), and keys are never aliased
 * by lone surrogates.
 */
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { GuardInputError, GuardRedisDataError } from '../../src/index.js';
import { apisUnderTest, captureFailure, type ManagerUnderTest } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(async () => {
  await raw.quit();
});

describe.each(apisUnderTest)('data errors and aliasing ($name API)', (api) => {
  let prefix = '';
  let m: ManagerUnderTest;
  const log = captureLogger();

  async function connect(): Promise<ManagerUnderTest> {
    prefix = uniquePrefix('trust-redis');
    m = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: log.logger });
    await m.initialize();
    return m;
  }

  afterEach(async () => {
    await m.close();
    await deleteByPrefix(raw, prefix);
  });

  test('a counter holding garbage is restarted at 1 (with its TTL), instead of failing forever', async () => {
    await connect();
    await raw.set(`${prefix}rl:c`, 'not-a-number'); // no TTL: it would never go away by itself
    expect(await m.incr('rl', 'c', 60)).toBe(1);
    expect(await m.incr('rl', 'c', 60)).toBe(2);
    const ttl = await raw.ttl(`${prefix}rl:c`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(log.text()).toMatch(/not an integer; it was restarted/);
  });

  test('a counter key of another type is a GuardRedisDataError (500) naming the key, and is left alone', async () => {
    await connect();
    await raw.hset(`${prefix}rl:h`, 'f', 'v');
    const error = (await captureFailure(() => m.incr('rl', 'h', 60))) as GuardRedisDataError;
    expect(error).toBeInstanceOf(GuardRedisDataError);
    expect(error.statusCode).toBe(500);
    expect(error.code).toBe('GUARD_REDIS_DATA');
    expect(error.key).toBe(`${prefix}rl:h`);
    expect(error.detail).toMatch(/WRONGTYPE/);
    expect(await raw.hget(`${prefix}rl:h`, 'f')).toBe('v');
    const read = (await captureFailure(() => m.getKey('rl', 'h'))) as GuardRedisDataError;
    expect(read).toBeInstanceOf(GuardRedisDataError);
    expect(await m.setKey('ok', 'k', 'v')).toBe(true); // Redis is up: other calls work
  });

  test('lone surrogates never alias keys or corrupt values: refused, nothing written', async () => {
    await connect();
    for (const key of ['\ud800', '\udc00', 'a\ud800b']) {
      expect(await captureFailure(() => m.setKey('ns', key, 'v'))).toBeInstanceOf(GuardInputError);
    }
    expect(await captureFailure(() => m.setKey('ns', 'k', 'x\udfff'))).toBeInstanceOf(GuardInputError);
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
    // U+FFFD itself and real surrogate pairs are ordinary, distinct keys.
    expect(await m.setKey('ns', '\ufffd', 'replacement')).toBe(true);
    expect(await m.setKey('ns', '\ud83d\ude00', 'emoji')).toBe(true);
    expect(await m.getKey('ns', '\ufffd')).toBe('replacement');
    expect(await m.getKey('ns', '\ud83d\ude00')).toBe('emoji');
  });
});
