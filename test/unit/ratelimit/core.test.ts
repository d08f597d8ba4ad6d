/**
 * The pure rate-limit core: canonical client addresses, the window arithmetic shared with the
 * Redis scripts, the decision rule, per-endpoint policies and the original's key bytes.
 */
import { describe, expect, test } from 'vitest';
import { GuardInputError, parseSecurityConfig } from '../../../src/index.js';
import {
  applyLimit,
  canonicalClientIp,
  HitWindow,
  MemoryWindows,
  rateLimitKey,
  RateLimitPolicies,
  sha256Hex,
  toDecision,
  windowBounds,
} from '../../../src/core/ratelimit/index.js';

describe('canonicalClientIp', () => {
  test.each([
    ['10.0.0.1', '10.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:a00:1', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('%s → %s', (input, canonical) => {
    expect(canonicalClientIp(input)).toBe(canonical);
  });

  test.each(['', 'localhost', '010.0.0.1', '1.2.3', '1.2.3.4/32', '[1::2', 12 as unknown as string])(
    'refuses %j with GuardInputError naming clientIp',
    (input) => {
      const call = () => canonicalClientIp(input);
      expect(call).toThrow(GuardInputError);
      expect(call).toThrow(expect.objectContaining({ field: 'clientIp' }));
    },
  );
});

describe('the window rule', () => {
  test('a hit exactly `window` seconds old has left the window; equal timestamps all count', () => {
    const window = new HitWindow();
    const t = 1_796_173_053.38;
    for (let i = 0; i < 3; i++) expect(applyLimit(window, t, windowBounds(t, 60).start, 10).count).toBe(i + 1);
    const later = windowBounds(t + 60, 60);
    expect(later.start).toBe(windowBounds(t, 0).score); // same double as the stored score
    expect(applyLimit(window, later.score, later.start, 10).count).toBe(1);
  });

  test('times are normalised to the microsecond text Redis stores', () => {
    const bounds = windowBounds(1_796_173_053.380_000_1, 60);
    expect(bounds.scoreText).toBe('1796173053.38');
    expect(bounds.startText).toBe('1796172993.38');
    expect(bounds.score).toBe(Number('1796173053.38'));
  });

  test('at the limit: rejected, nothing recorded, retry edge = the hit whose expiry frees a slot', () => {
    const window = new HitWindow();
    for (const t of [100, 110, 120]) applyLimit(window, t, t - 60, 3);
    const rejected = applyLimit(window, 130, 70, 3);
    expect(rejected).toEqual({ allowed: false, count: 3, edge: 100 });
    expect(window.count).toBe(3);
    const decision = toDecision(rejected, 3, 60, 130, 'memory');
    expect(decision).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 30 });
    // at 160 the hit at 100 sits exactly on the boundary: out, so one slot is free
    expect(applyLimit(window, 160, 100, 3)).toEqual({ allowed: true, count: 3, edge: null });
  });

  test('more hits than the limit (written by a Python replica): the edge is the (count-limit)-th oldest', () => {
    const window = new HitWindow();
    for (const t of [100, 101, 102, 103, 104]) window.add(t);
    expect(applyLimit(window, 110, 50, 2)).toEqual({ allowed: false, count: 5, edge: 103 });
  });

  test('out-of-order hits stay sorted; trimTo keeps the newest', () => {
    const window = new HitWindow();
    for (const t of [5, 3, 9, 3, 7]) window.add(t);
    expect([0, 1, 2, 3, 4].map((i) => window.at(i))).toEqual([3, 3, 5, 7, 9]);
    window.trimTo(2);
    expect([window.count, window.at(0), window.at(1)]).toEqual([2, 7, 9]);
  });

  test('MemoryWindows keeps at most maxKeys windows (LRU)', () => {
    const windows = new MemoryWindows(3);
    for (const key of ['a', 'b', 'c']) windows.window(key).add(1);
    windows.window('a'); // touch: b is now the least recently used
    windows.window('d');
    expect(windows.size).toBe(3);
    expect(windows.window('a').count).toBe(1);
    expect(windows.window('b').count).toBe(0); // evicted, recreated empty
  });
});

describe('keys and policies', () => {
  test('keys are the original bytes: rate:{ip} and rate:{ip}:{sha256hex(path)}', () => {
    expect(rateLimitKey('10.0.0.1')).toBe('rate:10.0.0.1');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(rateLimitKey('2001:db8::1', sha256Hex('abc'))).toBe(
      'rate:2001:db8::1:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  test('an exact endpoint match picks its limit, window and hashed key; anything else is global', () => {
    const policies = new RateLimitPolicies(
      parseSecurityConfig({ rateLimit: 5, rateLimitWindow: 30, endpointRateLimits: { '/login': [2, 10] } }),
    );
    expect(policies.resolve(undefined)).toEqual({ limit: 5, windowSeconds: 30, pathHash: null });
    expect(policies.resolve({ endpoint: '/login' })).toEqual({
      limit: 2,
      windowSeconds: 10,
      pathHash: sha256Hex('/login'),
    });
    expect(policies.resolve({ endpoint: '/login/' })).toBe(policies.global);
    expect(policies.resolve({ endpoint: '/login', limit: 7 })).toEqual({
      limit: 7,
      windowSeconds: 10,
      pathHash: sha256Hex('/login'),
    });
  });

  test.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 1.5 }, 'limit'],
    [{ windowSeconds: -1 }, 'windowSeconds'],
    [{ windowSeconds: Number.NaN }, 'windowSeconds'],
    [{ endpoint: 5 }, 'endpoint'],
  ])('bad option %j → GuardInputError(%s)', (options, field) => {
    const policies = new RateLimitPolicies(parseSecurityConfig({}));
    expect(() => policies.resolve(options as never)).toThrow(
      expect.objectContaining({ name: 'GuardInputError', field }),
    );
  });
});
