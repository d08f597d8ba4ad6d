/**
 * The rate limiter and the behaviour tracker on a real Redis, for each API: the original's key
 * bytes, decisions from Redis, TTLs, rejected requests not recorded, reset, and one round trip
 * per check (counted with MONITOR), including the transparent reload after SCRIPT FLUSH.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/index.js';
import type { ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { windowApisUnderTest } from '../support/ratelimit-apis.js';

const raw = rawClient();
afterAll(() => raw.quit());
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const T0 = 1_796_173_053.38;

describe.each(windowApisUnderTest)('rate limiter and behaviour tracker on a real Redis ($name API)', (api) => {
  let prefix: string;
  let handler: ManagerUnderTest;
  const clock = { t: T0 };
  const config = () => ({
    redisUrl: redisUrl(),
    redisPrefix: prefix,
    logger: silentLogger,
    rateLimit: 3,
    rateLimitWindow: 60,
    endpointRateLimits: { '/login': [1, 10] as [number, number] },
  });

  beforeEach(async () => {
    prefix = uniquePrefix('rl');
    clock.t = T0;
    handler = api.createManager(config());
    await handler.initialize();
  });
  afterEach(async () => {
    await handler.close();
    await deleteByPrefix(raw, prefix);
  });

  const limiter = async () => {
    const m = api.createLimiter(config(), { now: () => clock.t });
    await m.initializeRedis(handler);
    return m;
  };

  test('decisions come from Redis under the original keys; rejected requests are not recorded', async () => {
    const m = await limiter();
    expect(m.mode).toBe('redis');
    for (let i = 1; i <= 3; i++) {
      expect(await m.check('::ffff:10.0.0.1')).toMatchObject({
        allowed: true,
        count: i,
        remaining: 3 - i,
        source: 'redis',
      });
      clock.t += 10;
    }
    for (let i = 0; i < 5; i++) {
      expect(await m.check('10.0.0.1')).toMatchObject({
        allowed: false,
        count: 3,
        retryAfterSeconds: 30,
        source: 'redis',
      });
    }
    const key = `${prefix}rate_limit:rate:10.0.0.1`;
    expect(await raw.zcard(key)).toBe(3);
    // Redis prints scores with 17 digits ("1796173053.3800001"): the same doubles
    const withScores = await raw.zrange(key, 0, -1, 'WITHSCORES');
    expect(withScores.filter((_, i) => i % 2 === 1).map(Number)).toEqual(
      [T0, T0 + 10, T0 + 20].map((t) => Number(t.toFixed(6))),
    );
    const ttl = await raw.ttl(key);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    clock.t = T0 + 60; // the first hit sits exactly on the boundary: out
    expect(await m.check('10.0.0.1')).toMatchObject({ allowed: true, count: 3 });
    expect(m.memoryWindowCount).toBe(0);
  });

  test('an endpoint limit uses rate:{ip}:{sha256hex(path)}; IPv6 keys are canonical', async () => {
    const m = await limiter();
    expect(await m.check('2001:DB8::1', { endpoint: '/login' })).toMatchObject({
      allowed: true,
      limit: 1,
      windowSeconds: 10,
    });
    expect(await m.check('2001:db8:0::1', { endpoint: '/login' })).toMatchObject({
      allowed: false,
      retryAfterSeconds: 10,
    });
    expect(await raw.keys(`${prefix}*`)).toEqual([`${prefix}rate_limit:rate:2001:db8::1:${sha256('/login')}`]);
  });

  test('reset deletes rate_limit:rate:* under the prefix and nothing else', async () => {
    const m = await limiter();
    await m.check('10.0.0.1');
    await m.check('10.0.0.2', { endpoint: '/login' });
    await raw.set(`${prefix}rate_limit:other`, 'keep');
    await raw.set(`${prefix.slice(0, -1)}x:rate_limit:rate:10.0.0.1`, 'other prefix');
    await m.reset();
    expect(await raw.keys(`${prefix}*`)).toEqual([`${prefix}rate_limit:other`]);
    expect(await raw.get(`${prefix.slice(0, -1)}x:rate_limit:rate:10.0.0.1`)).toBe('other prefix');
    await raw.del(`${prefix.slice(0, -1)}x:rate_limit:rate:10.0.0.1`);
  });

  test('one round trip per check (EVALSHA); after SCRIPT FLUSH the next check reloads (EVAL) and answers right', async () => {
    const m = await limiter();
    await m.check('10.0.0.9'); // warm: the script is cached on the server from here on
    const key = `${prefix}rate_limit:rate:10.0.0.9`;
    const seen = await recordCommands(key, async () => {
      await m.check('10.0.0.9');
      await m.check('10.0.0.9');
    });
    expect(seen).toEqual(['evalsha', 'evalsha']);
    await raw.script('FLUSH');
    const reloaded = await recordCommands(key, async () => {
      expect(await m.check('10.0.0.9')).toMatchObject({ allowed: false, count: 3, source: 'redis' });
      expect(await m.check('10.0.0.9')).toMatchObject({ allowed: false, count: 3, source: 'redis' });
    });
    expect(reloaded).toEqual(['evalsha', 'eval', 'evalsha']);
  });

  test('behaviour windows: the original hashed keys, TTL = window, counts from Redis', async () => {
    const t = api.createTracker(config(), { now: () => clock.t });
    await t.initializeRedis(handler);
    const usage = { type: 'usage' as const, threshold: 2, windowSeconds: 30 };
    for (let i = 1; i <= 3; i++) {
      expect(await t.trackEndpointUsage('/api', '::ffff:10.0.0.1', usage)).toEqual({
        violated: i > 2,
        count: i,
        source: 'redis',
      });
    }
    // Redis keeps the exact count (memory saturates at threshold + 1)
    expect((await t.trackEndpointUsage('/api', '10.0.0.1', usage)).count).toBe(4);
    const rule = { type: 'return_pattern' as const, threshold: 0, windowSeconds: 30, pattern: 'status:404' };
    expect((await t.trackReturnPattern('/api', '10.0.0.1', { status: 200 }, rule)).source).toBe('none');
    expect(await t.trackReturnPattern('/api', '10.0.0.1', { status: 404 }, rule)).toEqual({
      violated: true,
      count: 1,
      source: 'redis',
    });
    const usageKey = `${prefix}behavior_usage:behavior:usage:${sha256('/api')}:${sha256('10.0.0.1')}`;
    const returnKey = `${prefix}behavior_returns:behavior:return:${sha256('/api')}:${sha256('10.0.0.1')}:${sha256('status:404')}`;
    expect((await raw.keys(`${prefix}*`)).sort()).toEqual([returnKey, usageKey].sort());
    expect(await raw.zcard(usageKey)).toBe(4);
    expect(await raw.ttl(usageKey)).toBeGreaterThan(25);
    clock.t += 30;
    expect((await t.trackEndpointUsage('/api', '10.0.0.1', usage)).count).toBe(1);
    await t.reset();
    expect(await raw.keys(`${prefix}*`)).toEqual([]);
  });
});

/**
 * The commands (lower-case names) clients sent that touch `key` while `work` ran, seen by
 * MONITOR; commands run inside scripts are left out. A sentinel ECHO marks the end.
 */
async function recordCommands(key: string, work: () => Promise<void>): Promise<string[]> {
  const monitor = await raw.monitor();
  const seen: string[] = [];
  const sentinel = `end-${Math.random()}`;
  let done = false;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (args[0]?.toLowerCase() === 'echo' && args[1] === sentinel) done = true;
    if (source !== 'lua' && args.includes(key)) seen.push(args[0]!.toLowerCase());
  });
  try {
    await work();
    await raw.echo(sentinel);
    await expect.poll(() => done).toBe(true);
  } finally {
    await monitor.disconnect();
  }
  return seen;
}
