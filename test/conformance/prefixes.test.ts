/**
 * The kit's prefixes and RedisCloudIpStore: the obvious factory with the exported encodePrefix
 * passes the isolation properties on the real Redis; without it, the failure says what to do.
 * encodePrefix itself is one to one and keeps every character it is not told to reserve.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { GuardInputError, RedisCloudIpStore, RedisManager, silentLogger } from '../../src/index.js';
import {
  checkStoreConformance,
  ConformanceFactoryError,
  encodePrefix,
  formatConformanceReport,
} from '../../src/testing/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { keysUnder } from './support/key-prefix.js';

describe('encodePrefix', () => {
  test('keeps what is not reserved, and encodes % and the reserved characters', () => {
    expect(encodePrefix('gc-conf-1a*?[x]\\ä', ':')).toBe('gc-conf-1a*?[x]\\ä');
    expect(encodePrefix('ip:x', ':')).toBe('ip%3Ax');
    expect(encodePrefix('a%3A', ':')).toBe('a%253A');
    expect(encodePrefix('a:*/\u{1f600}', ':*\u{1f600}')).toBe('a%3A%2A/%u{1F600}');
  });

  test('is one to one, and the result holds no reserved character', () => {
    const text = fc.string({ unit: 'grapheme-composite', maxLength: 12 });
    fc.assert(
      fc.property(text, text, fc.constantFrom(':', ':*?[]\\', '/é', ''), (a, b, reserved) => {
        const ea = encodePrefix(a, reserved);
        for (const char of reserved) expect(ea.includes(char)).toBe(false);
        if (a !== b) expect(ea).not.toBe(encodePrefix(b, reserved));
      }),
      { numRuns: 300 },
    );
  });

  test('refuses what is not a string with GuardInputError', () => {
    expect(() => encodePrefix(42 as unknown as string, ':')).toThrow(GuardInputError);
    expect(() => encodePrefix('p', null as unknown as string)).toThrow(GuardInputError);
  });
});

describe('RedisCloudIpStore on Redis, P15 and P16 (the prefix-isolation properties)', () => {
  const redisPrefix = uniquePrefix('conf-prefixes');
  const redis = new RedisManager({ redisUrl: redisUrl(), redisPrefix, logger: silentLogger });
  const options = {
    only: ['P15', 'P16'] as const,
    seed: 7,
    numRuns: 20,
    mode: 'async' as const,
    capabilities: { ttl: { resolutionMs: 50 } },
  };

  afterAll(async () => {
    await redis.close();
    const raw = rawClient();
    try {
      const left = await keysUnder(raw, redisPrefix);
      await deleteByPrefix(raw, redisPrefix);
      expect(left, 'keys left behind').toEqual([]);
    } finally {
      await raw.quit();
    }
  });

  test('the factory `({ prefix }) => new RedisCloudIpStore(redis, encodePrefix(prefix, ":"))` passes', async () => {
    const report = await checkStoreConformance(
      ({ prefix }) => new RedisCloudIpStore(redis, encodePrefix(prefix, ':')),
      { ...options, only: [...options.only] },
    );
    expect(report.ok, formatConformanceReport(report)).toBe(true);
    expect(report.counts.passed).toBe(2);
  });

  test('the prefix passed as it is fails, with a ConformanceFactoryError that names the fix', async () => {
    const report = await checkStoreConformance(({ prefix }) => new RedisCloudIpStore(redis, prefix), {
      ...options,
      only: [...options.only],
    });
    for (const id of options.only) {
      const result = report.results.find((r) => r.id === id);
      expect(result?.status, formatConformanceReport(report)).toBe('failed');
      expect(result?.error).toBeInstanceOf(ConformanceFactoryError);
      expect(result?.reason).toMatch(/keyPrefix.*must not contain ':'/);
      expect(result?.reason).toContain("encodePrefix(prefix, ':')");
    }
  });
});
