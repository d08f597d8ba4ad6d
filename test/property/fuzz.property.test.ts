/**
 * Issue 10 (trust), "done when": a bounded fuzz run over config, key operations, stores, lookups
 * and every feed parser with random and adversarial input. Each call must either succeed or throw
 * one of the package's own typed errors (never a raw TypeError/RangeError), a rejected call must
 * not have sent a data-changing command, and no call may take longer than a generous hang bound.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  CLOUD_PROVIDERS,
  CloudManager,
  GuardConfigError,
  GuardCoreError,
  GuardFeedError,
  GuardInputError,
  InMemoryCloudIpStore,
  parseSecurityConfig,
  RedisManager,
} from '../../src/index.js';
import { parseLegacyValue } from '../../src/async/cloud/legacy.js';
import { parseCidr } from '../../src/core/cloud/cidr.js';
import { chooseAzureDownload, parseProviderFeed } from '../../src/core/cloud/feeds.js';
import { CloudRangeSet } from '../../src/core/cloud/range-set.js';
import { checkRangeSanity } from '../../src/core/cloud/sanity.js';
import { parseStringList } from '../../src/core/python-json.js';
import { fakeOpener } from '../support/fake-connection.js';
import { silentLogger } from '../../src/index.js';

/** Hang bound per call (the machine is shared: this catches quadratic blow-ups, not slowness). */
const CALL_BOUND_MS = 2000;

const LIMITS = parseSecurityConfig({}).cloudFeedLimits;

/** Strings with the characters that break things: lone surrogates, NUL, globs, separators, markup. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\ud800',
      '\udc00',
      '\ufffd',
      '\0',
      '*',
      '?',
      '[',
      ':',
      '/',
      '<a ',
      '&#x',
      ' ',
      '.',
      '0',
      '1',
    ),
    maxLength: 40,
  }),
  fc.constantFrom(
    '',
    '\ud800',
    'a\udc00',
    '0.0.0.0/0',
    '::/0',
    '::ffff:0:0/96',
    '__proto__',
    'constructor',
    '10.0.0.0/8',
  ),
);

/** Anything a caller could pass where a value is expected. */
const anything = fc.oneof(
  nasty,
  fc.anything({ maxDepth: 3 }),
  fc.bigInt(),
  fc.constantFrom(NaN, Infinity, -1, 0, 1.5, 2 ** 53, null, undefined, Symbol('s'), () => 1),
);

/** Runs `call` and checks the outcome: a value, or a typed error of guard-core; within the bound. */
async function typedOrValue(
  call: () => unknown,
  allowed: ReadonlyArray<abstract new (...a: never[]) => Error> = [GuardCoreError],
) {
  const started = performance.now();
  let outcome: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await call() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  expect(performance.now() - started).toBeLessThan(CALL_BOUND_MS);
  if (!outcome.ok) {
    const typed = allowed.some((cls) => outcome.ok === false && outcome.error instanceof cls);
    if (!typed) throw new Error(`untyped failure: ${String((outcome.error as Error)?.stack ?? outcome.error)}`);
  }
  return outcome;
}

const CONFIG_FIELDS = [
  'redisUrl',
  'redisPrefix',
  'redisClusterNodes',
  'redisCommandTimeoutMs',
  'blockCloudProviders',
  'cloudIpRefreshInterval',
  'cloudFeedUrls',
  'cloudFeedLimits',
  'inMemoryMaxKeys',
  'endpointRateLimits',
  'trustedProxies',
] as const;

describe('fuzz: only typed errors, no data change on refusal, bounded time', () => {
  test('config', async () => {
    const field = fc.constantFrom(...CONFIG_FIELDS);
    const value = fc.oneof(
      anything,
      fc.constantFrom(
        'redis://h:1/?commandTimeout=8000',
        'redis://:\ud800@h:1',
        ['redis://h:1?enableOfflineQueue=true'],
        new Set([10n]),
        { maxBytes: 1e12 },
        { minPrefixV4: -1 },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(field, value), { maxLength: 4 }), async (pairs) => {
        await typedOrValue(() => parseSecurityConfig(Object.fromEntries(pairs)), [GuardConfigError]);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(anything, async (input) => {
        await typedOrValue(() => parseSecurityConfig(input as never), [GuardConfigError]);
      }),
      { numRuns: 200 },
    );
  });

  test('key operations: refused input sends nothing to Redis', async () => {
    const opener = fakeOpener();
    const m = new RedisManager(
      { redisUrl: 'redis://127.0.0.1:6390', redisPrefix: 'p:', logger: silentLogger },
      { openConnection: opener.open },
    );
    await m.initialize();
    const connection = opener.opened[0]!;
    const ops: Array<(a: unknown, b: unknown, c: unknown) => Promise<unknown>> = [
      (a, b) => m.getKey(a as string, b as string),
      (a, b, c) => m.setKey(a as string, b as string, c as string),
      (a, b, c) => m.setKey('ns', a as string, b as string, c as number),
      (a, b, c) => m.incr(a as string, b as string, c as number),
      (a, b) => m.exists(a as string, b as string),
      (a, b) => m.delete(a as string, b as string),
      (a) => m.keys(a as string),
      (a) => m.deletePattern(a as string),
      (a, b, c) => m.recordSlidingWindowHit('ns', a as string, b as number, c as number, 10),
      (a, b, c) => m.runScript({ name: 'fuzz', lua: 'return 1' }, 'ns', a as string[], [b, c] as string[]),
      (a, b) => m.publish(a as string, b as string),
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(ops.length - 1), anything, anything, anything, async (i, a, b, c) => {
        const before = connection.calls.length;
        const outcome = await typedOrValue(() => ops[i]!(a, b, c), [GuardInputError]);
        if (!outcome.ok) expect(connection.calls.length).toBe(before); // no round trip at all
      }),
      { numRuns: 600 },
    );
  });

  test('stores: a refused write leaves the stored set unchanged', async () => {
    const store = new InMemoryCloudIpStore();
    await store.set('AWS', ['3.5.140.0/22']);
    await fc.assert(
      fc.asyncProperty(anything, anything, anything, async (provider, ranges, ttl) => {
        const before = await store.get('AWS');
        const outcome = await typedOrValue(
          () => store.set(provider as string, ranges as string[], ttl as number),
          [GuardInputError],
        );
        if (!outcome.ok) expect(await store.get('AWS')).toEqual(before);
        await typedOrValue(() => store.get(provider as string), [GuardInputError]);
      }),
      { numRuns: 400 },
    );
  });

  test('lookups and range sets', async () => {
    const m = new CloudManager(
      { logger: silentLogger, enableRedis: false },
      { http: { getText: async () => ({ status: 200, url: '', body: '{}' }) } },
    );
    await fc.assert(
      fc.asyncProperty(anything, anything, async (ip, providers) => {
        const outcome = await typedOrValue(() => m.isCloudIp(ip as string, providers as string[]), [GuardInputError]);
        if (outcome.ok) expect(outcome.value).toBe(false); // nothing is loaded
        await typedOrValue(() => m.getCloudProviderDetails(ip as string), [GuardInputError]);
        await typedOrValue(() => CloudRangeSet.from({ AWS: ip, GCP: providers } as never), [GuardInputError]);
        await typedOrValue(() => CloudRangeSet.from(ip as never), [GuardInputError]);
      }),
      { numRuns: 400 },
    );
  });

  test('every feed parser, and the store/legacy readers', async () => {
    const prefix = fc.oneof(
      nasty,
      fc.ipV4().map((ip) => `${ip}/24`),
      fc.ipV6().map((ip) => `${ip}/64`),
      fc.constantFrom('0.0.0.0/0', '::/0', '::ffff:0:0/96', '10.0.0.0/8', '3.5.140.0/22'),
    );
    const entry = fc.oneof(prefix, fc.anything({ maxDepth: 2 }));
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(entry, { maxLength: 20 })
        .chain((list) =>
          fc.constantFrom(
            JSON.stringify({ prefixes: list.map((p) => ({ ip_prefix: p, service: 'AMAZON', ipv4Prefix: p })) }),
            JSON.stringify({ subnets: list.map((p) => ({ ip_prefix: p })) }),
            JSON.stringify({ values: [{ name: 'AzureCloud', properties: { addressPrefixes: list } }] }),
            list.map((p) => `${String(p)},US,,,`).join('\n'),
            JSON.stringify(list),
          ),
        ),
      fc.constantFrom(
        '['.repeat(5000),
        '{"prefixes":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}',
        '<a '.repeat(20_000),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CLOUD_PROVIDERS), body, async (provider, text) => {
        const parsed = await typedOrValue(
          () => parseProviderFeed(provider, text, null, { maxEntries: 1000 }),
          [GuardFeedError],
        );
        if (parsed.ok) {
          const ranges = (parsed.value as { ranges: string[] }).ranges;
          await typedOrValue(() => checkRangeSanity(ranges, null, LIMITS));
        }
        await typedOrValue(() => chooseAzureDownload(text, new Date(), 'https://www.microsoft.com/x'));
        await typedOrValue(() => parseLegacyValue(text));
        await typedOrValue(() => parseStringList(text));
        await typedOrValue(() => parseCidr(text));
      }),
      { numRuns: 300 },
    );
  });
});
