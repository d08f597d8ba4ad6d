/**
 * `await using` (async) and `using` (sync) close a RedisManager at the end of the scope, on the
 * real Redis; a disposed manager refuses further operations with GuardRedisError.
 */
import { afterAll, describe, expect, test } from 'vitest';
import * as asyncApi from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import { GuardRedisError } from '../../src/index.js';
import { captureFailure } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

describe('RedisManager disposal', () => {
  test('async API: await using closes the manager at the end of the scope', async () => {
    const prefix = uniquePrefix('dispose');
    let escaped: asyncApi.RedisManager;
    {
      await using m = new asyncApi.RedisManager({
        redisUrl: redisUrl(),
        redisPrefix: prefix,
        logger: asyncApi.silentLogger,
      });
      escaped = m;
      expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
      expect(m.isClosed).toBe(false);
    }
    expect(escaped.isClosed).toBe(true);
    expect(await captureFailure(() => escaped.getKey('ns', 'k'))).toBeInstanceOf(GuardRedisError);
    expect(await raw.get(`${prefix}ns:k`)).toBe('v'); // the data stays; only the connection went
    await deleteByPrefix(raw, prefix);
  });

  test('sync API: using closes the manager at the end of the scope', async () => {
    const prefix = uniquePrefix('dispose-sync');
    let escaped: syncApi.RedisManager;
    {
      using m = new syncApi.RedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: syncApi.silentLogger });
      escaped = m;
      expect(m.setKey('ns', 'k', 'v', 60)).toBe(true);
    }
    expect(escaped.isClosed).toBe(true);
    expect(await captureFailure(() => escaped.getKey('ns', 'k'))).toBeInstanceOf(GuardRedisError);
    expect(await raw.get(`${prefix}ns:k`)).toBe('v');
    await deleteByPrefix(raw, prefix);
  });

  test('the dispose methods are close()', () => {
    expect(typeof asyncApi.RedisManager.prototype[Symbol.asyncDispose]).toBe('function');
    expect(typeof syncApi.RedisManager.prototype[Symbol.dispose]).toBe('function');
  });
});
