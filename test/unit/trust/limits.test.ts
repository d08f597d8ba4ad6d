/**
 * Issue 10 (trust), items 1, 2 and 5 at the unit level: the sanity rules and their defaults, the
 * real feeds passing them, linear parsers, odd input giving the package's typed errors, and
 * redisUrl query parameters that would override the safety options refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  CLOUD_PROVIDERS,
  GuardConfigError,
  GuardFeedError,
  GuardInputError,
  parseSecurityConfig,
} from '../../../src/index.js';
import { findAzureDownloadUrl, DEFAULT_FEED_FILES, parseProviderFeed } from '../../../src/core/cloud/feeds.js';
import { CloudRangeSet } from '../../../src/core/cloud/range-set.js';
import { checkRangeSanity, RESERVED_NETWORKS } from '../../../src/core/cloud/sanity.js';
import { FIXTURES_DIR } from '../../support/feed-server.js';

const LIMITS = parseSecurityConfig({}).cloudFeedLimits;

/** `count` distinct public /24s. */
const publicRanges = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => `34.${Math.floor((i + offset) / 256)}.${(i + offset) % 256}.0/24`);

describe('cloudFeedLimits', () => {
  test('documented defaults', () => {
    expect(LIMITS).toEqual({
      minPrefixV4: 8,
      minPrefixV6: 24,
      allowReserved: false,
      maxShrinkRatio: 0.5,
      maxGrowthRatio: 3,
      maxBytes: 32 * 1024 * 1024,
      maxEntries: 100_000,
    });
  });

  test('a partial setting keeps the other defaults; bad values and unknown fields are GuardConfigError', () => {
    expect(parseSecurityConfig({ cloudFeedLimits: { maxEntries: 5 } }).cloudFeedLimits).toMatchObject({
      maxEntries: 5,
      minPrefixV4: 8,
    });
    for (const [bad, field] of [
      [{ maxShrinkRatio: 2 }, 'cloudFeedLimits.maxShrinkRatio'],
      [{ minPrefixV4: 33 }, 'cloudFeedLimits.minPrefixV4'],
      [{ maxBytes: 10 }, 'cloudFeedLimits.maxBytes'],
      [{ maxEntires: 10 }, 'cloudFeedLimits.maxEntires'],
    ] as const) {
      const error = captureSync(() => parseSecurityConfig({ cloudFeedLimits: bad as never }));
      expect(error).toBeInstanceOf(GuardConfigError);
      expect((error as GuardConfigError).field).toBe(field);
    }
  });

  test.each(CLOUD_PROVIDERS)('the real %s feed passes every rule with the defaults', (provider) => {
    const body = readFileSync(join(FIXTURES_DIR, DEFAULT_FEED_FILES[provider]), 'utf8');
    const { ranges } = parseProviderFeed(provider, body);
    expect(checkRangeSanity(ranges, null, LIMITS)).toEqual({ ok: true });
    expect(checkRangeSanity(ranges, ranges, LIMITS)).toEqual({ ok: true });
    expect(Buffer.byteLength(body) * 4).toBeLessThan(LIMITS.maxBytes); // a wide margin
    expect(ranges.length * 4).toBeLessThan(LIMITS.maxEntries);
  });

  test('the newer AWS snapshot passes the change rules against the older one', () => {
    const load = (file: string) => parseProviderFeed('AWS', readFileSync(join(FIXTURES_DIR, file), 'utf8')).ranges;
    expect(checkRangeSanity(load('aws-ip-ranges.json'), load('aws-ip-ranges-2025-07-10.json'), LIMITS).ok).toBe(true);
  });
});

describe('checkRangeSanity', () => {
  test.each([
    [['0.0.0.0/0'], 'prefix-too-short'],
    [['::/0'], 'prefix-too-short'],
    [['0.0.0.0/1', '128.0.0.0/1'], 'prefix-too-short'],
    [['2.0.0.0/7'], 'prefix-too-short'],
    [['3.0.0.0/7'], 'invalid'],
    [['2600::/16'], 'prefix-too-short'],
    [['10.0.0.0/8'], 'reserved'],
    [['10.1.2.0/24'], 'reserved'],
    [['172.16.0.0/12'], 'reserved'],
    [['192.168.1.0/24'], 'reserved'],
    [['127.0.0.1/32'], 'reserved'],
    [['169.254.0.0/16'], 'reserved'],
    [['100.64.0.0/10'], 'reserved'],
    [['224.0.0.0/8'], 'reserved'],
    [['240.0.0.0/8'], 'reserved'],
    [['198.51.100.0/24'], 'reserved'],
    [['::1/128'], 'reserved'],
    [['fd00::/32'], 'reserved'],
    [['fe80::/64'], 'reserved'],
    [['ff02::/32'], 'reserved'],
    [['2001:db8::/32'], 'reserved'],
    [['2002::/24'], 'reserved'],
    [['64:ff9b::/96'], 'reserved'],
    [[], 'empty'],
  ])('%j breaks %s', (cidrs, rule) => {
    const canonical = cidrs.map((c) => (c === '::ffff:0:0/96' ? '0.0.0.0/0' : c));
    const verdict = checkRangeSanity(
      [...publicRanges(5), ...canonical].slice(canonical.length === 0 ? 5 : 0),
      null,
      LIMITS,
    );
    expect(verdict).toMatchObject({ ok: false, rule });
  });

  test('::ffff:0:0/96 is all of IPv4: the parser unmaps it to 0.0.0.0/0, which the prefix rule refuses', () => {
    const { ranges } = parseProviderFeed('GCP', JSON.stringify({ prefixes: [{ ipv6Prefix: '::ffff:0:0/96' }] }));
    expect(ranges).toEqual(['0.0.0.0/0']);
    expect(checkRangeSanity(ranges, null, LIMITS)).toMatchObject({ ok: false, rule: 'prefix-too-short' });
  });

  test('every rule can be relaxed through the limits', () => {
    const relaxed = {
      ...LIMITS,
      minPrefixV4: 0,
      minPrefixV6: 0,
      allowReserved: true,
      maxShrinkRatio: 1,
      maxGrowthRatio: 1e6,
    };
    expect(checkRangeSanity(['0.0.0.0/0', '10.0.0.0/8', '::/0'], null, relaxed).ok).toBe(true);
    expect(checkRangeSanity(publicRanges(1), publicRanges(273), relaxed).ok).toBe(true);
    expect(checkRangeSanity(publicRanges(3), null, { ...LIMITS, maxEntries: 2 })).toMatchObject({
      rule: 'too-many-entries',
    });
  });

  test('shrink and growth are judged against the set in use (from 20 entries up)', () => {
    const before = publicRanges(273);
    expect(checkRangeSanity(before.slice(0, 1), before, LIMITS)).toMatchObject({ ok: false, rule: 'shrink' });
    expect(checkRangeSanity(before.slice(0, 27), before, LIMITS)).toMatchObject({ ok: false, rule: 'shrink' });
    expect(checkRangeSanity(publicRanges(273, 1000), before, LIMITS)).toMatchObject({ rule: 'shrink' }); // all replaced
    expect(checkRangeSanity(publicRanges(900), before, LIMITS)).toMatchObject({ ok: false, rule: 'growth' });
    expect(checkRangeSanity(before.slice(0, 140), before, LIMITS).ok).toBe(true);
    expect(checkRangeSanity(publicRanges(800), before, LIMITS).ok).toBe(true);
    expect(checkRangeSanity(publicRanges(1), publicRanges(19), LIMITS).ok).toBe(true); // too small to judge
  });

  test('the reserved list is valid CIDR text', () => {
    expect(RESERVED_NETWORKS.length).toBeGreaterThan(20);
  });
});

describe('parsers stay linear and typed on hostile input', () => {
  test.each([
    ['<a ', 350_000],
    ['http://', 150_000],
    ['<a id="failoverLink" ', 50_000],
    ['https://x/ServiceTags', 50_000],
    ['&#x', 300_000],
    ['href="https://a', 60_000],
  ])('findAzureDownloadUrl on %j × %i answers within a hang bound', (unit, times) => {
    // ~1 MB each; the former quadratic pattern needed minutes for this (1.36 s for 100 KB of `<a `).
    const started = performance.now();
    expect(findAzureDownloadUrl(unit.repeat(times))).toBeNull();
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('deeply nested JSON gives GuardFeedError or a result, never a raw RangeError', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const provider of CLOUD_PROVIDERS) {
      for (const body of [
        deep,
        `{"prefixes":[${deep}]}`,
        `{"prefixes":[{"ipv4Prefix":${deep}}]}`,
        `{"subnets":[{"ip_prefix":${deep}}]}`,
        `{"values":[{"name":"AzureCloud","properties":{"addressPrefixes":[${deep}]}}]}`,
      ]) {
        try {
          parseProviderFeed(provider, body);
        } catch (error) {
          expect(error, `${provider} ${body.slice(0, 30)}`).toBeInstanceOf(GuardFeedError);
        }
      }
    }
  });

  test('a feed with more entries than maxEntries is refused before any is parsed', () => {
    const body = JSON.stringify({ prefixes: publicRanges(50).map((p) => ({ ipv4Prefix: p })) });
    expect(() => parseProviderFeed('GCP', body, null, { maxEntries: 49 })).toThrow(GuardFeedError);
    expect(parseProviderFeed('GCP', body, null, { maxEntries: 50 }).ranges).toHaveLength(50);
  });

  test('a BigInt in blockCloudProviders is a GuardConfigError, not a TypeError', () => {
    const error = captureSync(() => parseSecurityConfig({ blockCloudProviders: new Set([10n]) as never }));
    expect(error).toBeInstanceOf(GuardConfigError);
    expect((error as GuardConfigError).field).toBe('blockCloudProviders');
  });

  test.each([
    [{ AWS: 5 }, 'ranges.AWS'],
    [{ GCP: true }, 'ranges.GCP'],
    [5, 'ranges'],
    [null, 'ranges'],
  ])('CloudRangeSet.from(%j) is a GuardInputError naming %s', (input, field) => {
    const error = captureSync(() => CloudRangeSet.from(input as never));
    expect(error).toBeInstanceOf(GuardInputError);
    expect((error as GuardInputError).field).toBe(field);
  });
});

describe('redisUrl query parameters', () => {
  test.each([
    'commandTimeout=8000',
    'connectTimeout=60000',
    'maxRetriesPerRequest=50',
    'enableOfflineQueue=true',
    'retryStrategy=x',
    'autoResendUnfulfilledCommands=true',
    'lazyConnect=false',
  ])('?%s would override a safety option: GuardConfigError naming it', (param) => {
    const name = param.split('=')[0]!;
    for (const config of [
      { redisUrl: `redis://127.0.0.1:6399/?${param}` },
      { redisClusterNodes: [`redis://127.0.0.1:7000?${param}`] },
    ]) {
      const error = captureSync(() => parseSecurityConfig(config));
      expect(error).toBeInstanceOf(GuardConfigError);
      expect((error as GuardConfigError).message).toContain(`"${name}"`);
      expect((error as GuardConfigError).field).toMatch(/^redis/);
    }
  });

  test('addressing and credential parameters are still accepted', () => {
    expect(() =>
      parseSecurityConfig({ redisUrl: 'redis://127.0.0.1:6399/?password=x&db=2&family=4&username=u' }),
    ).not.toThrow();
  });
});

function captureSync(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}
