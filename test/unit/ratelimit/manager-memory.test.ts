/**
 * RateLimitManager without Redis: the in-memory window decides, with the same rule as the
 * Redis script; bad input changes nothing; the window set stays bounded.
 */
import { describe, expect, test } from 'vitest';
import { GuardInputError, RateLimitManager, silentLogger, type SecurityConfigInput } from '../../../src/index.js';

function limiter(config: SecurityConfigInput = {}, start = 1_796_173_053.38) {
  const clock = { t: start };
  const manager = new RateLimitManager(
    { enableRedis: false, logger: silentLogger, rateLimit: 3, rateLimitWindow: 60, ...config },
    { now: () => clock.t },
  );
  return { manager, clock };
}

describe('RateLimitManager in memory', () => {
  test('admits `limit` requests per window, then rejects with Retry-After until the oldest leaves', async () => {
    const { manager, clock } = limiter();
    await manager.initializeRedis(null);
    expect(manager.mode).toBe('disabled');
    for (let i = 1; i <= 3; i++) {
      expect(await manager.check('10.0.0.1')).toMatchObject({
        allowed: true,
        count: i,
        remaining: 3 - i,
        source: 'memory',
      });
      clock.t += 10;
    }
    const rejected = await manager.check('10.0.0.1');
    expect(rejected).toEqual({
      allowed: false,
      count: 3,
      limit: 3,
      windowSeconds: 60,
      remaining: 0,
      retryAfterSeconds: 30,
      source: 'memory',
    });
    clock.t += 29.5;
    expect((await manager.check('10.0.0.1')).allowed).toBe(false);
    clock.t += 0.5; // the first hit is now exactly 60 s old: out of the window
    expect(await manager.check('10.0.0.1')).toMatchObject({ allowed: true, count: 3 });
  });

  test('rejected requests are not recorded: hammering while blocked does not extend the block', async () => {
    const { manager, clock } = limiter({ rateLimit: 2 });
    await manager.check('10.0.0.1');
    await manager.check('10.0.0.1');
    for (let i = 0; i < 50; i++) {
      clock.t += 1;
      expect((await manager.check('10.0.0.1')).allowed).toBe(false);
    }
    clock.t += 10; // 60 s after the two admitted hits
    expect((await manager.check('10.0.0.1')).allowed).toBe(true);
  });

  test('equal timestamps all count', async () => {
    const { manager } = limiter({ rateLimit: 100 });
    for (let i = 1; i <= 50; i++) expect((await manager.check('10.0.0.1')).count).toBe(i);
  });

  test('IPv4-mapped and plain IPv4 share one budget; other clients have their own', async () => {
    const { manager } = limiter({ rateLimit: 2 });
    await manager.check('10.0.0.1');
    expect((await manager.check('::ffff:10.0.0.1')).count).toBe(2);
    expect((await manager.check('10.0.0.2')).count).toBe(1);
    expect((await manager.check('2001:DB8::1')).count).toBe(1);
    expect((await manager.check('2001:db8:0::1')).count).toBe(2);
  });

  test('a configured endpoint has its own limit and window; other paths use the global one', async () => {
    const { manager } = limiter({ rateLimit: 5, endpointRateLimits: { '/login': [1, 10] } });
    expect((await manager.check('10.0.0.1', { endpoint: '/login' })).allowed).toBe(true);
    expect(await manager.check('10.0.0.1', { endpoint: '/login' })).toMatchObject({
      allowed: false,
      limit: 1,
      windowSeconds: 10,
      retryAfterSeconds: 10,
    });
    expect(await manager.check('10.0.0.1', { endpoint: '/other' })).toMatchObject({
      allowed: true,
      count: 1,
      limit: 5,
    });
    expect(await manager.check('10.0.0.1', { limit: 1 })).toMatchObject({ allowed: false, count: 1, limit: 1 });
  });

  test('enableRateLimiting false: always admitted, nothing recorded, source none', async () => {
    const { manager } = limiter({ enableRateLimiting: false, rateLimit: 1 });
    for (let i = 0; i < 3; i++) {
      expect(await manager.check('10.0.0.1')).toEqual({
        allowed: true,
        count: 0,
        limit: 1,
        windowSeconds: 60,
        remaining: 1,
        retryAfterSeconds: 0,
        source: 'none',
      });
    }
    expect(manager.memoryWindowCount).toBe(0);
    await expect(manager.check('nope')).rejects.toThrow(GuardInputError);
  });

  test('bad input → GuardInputError naming the field, nothing recorded', async () => {
    const { manager } = limiter({ rateLimit: 1 });
    await expect(manager.check('10.0.0.256')).rejects.toMatchObject({ name: 'GuardInputError', field: 'clientIp' });
    await expect(manager.check('10.0.0.1', { limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(manager.check('10.0.0.1', { windowSeconds: 0.5 })).rejects.toMatchObject({ field: 'windowSeconds' });
    expect(manager.memoryWindowCount).toBe(0);
    expect((await manager.check('10.0.0.1')).allowed).toBe(true);
  });

  test('reset forgets every window', async () => {
    const { manager } = limiter({ rateLimit: 1 });
    await manager.check('10.0.0.1');
    await manager.reset();
    expect(manager.memoryWindowCount).toBe(0);
    expect((await manager.check('10.0.0.1')).allowed).toBe(true);
  });

  test('the window set is bounded by inMemoryMaxKeys', async () => {
    const { manager } = limiter({ inMemoryMaxKeys: 100 });
    for (let i = 0; i < 1000; i++) await manager.check(`10.0.${i >> 8}.${i & 255}`);
    expect(manager.memoryWindowCount).toBe(100);
  });

  test('is a SubsystemManager: name, mode, probe without Redis is false, close is harmless', async () => {
    const { manager } = limiter();
    expect(manager.subsystem).toBe('rate limiter');
    expect(await manager.probe()).toBe(false);
    await manager.close();
    expect((await manager.check('10.0.0.1')).source).toBe('memory');
  });
});
