/**
 * Interop with the Python original on one real Redis, for each API: windows written with the
 * original's commands (its Lua script run with raw EVAL — member = Lua's number text such as
 * "1796173053.3800001" — and its pipeline's `str(now)` members such as "1796173053.38") count
 * correctly here, and windows written here are counted correctly by those commands.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/index.js';
import type { ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { windowApisUnderTest } from '../support/ratelimit-apis.js';

const raw = rawClient();
afterAll(() => raw.quit());
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The original's rate-limit script (subsystems.md §1): record, prune inclusively, count, expire. */
const ORIGINAL_RATE_LUA = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local window_start = now - window
redis.call('ZADD', key, now, now)
redis.call('ZREMRANGEBYSCORE', key, 0, window_start)
local current_count = redis.call('ZCARD', key)
redis.call('EXPIRE', key, window * 2)
return current_count
`;

/** Python's `str(time.time())` of an epoch-seconds value with two decimals. */
const pyStr = (t: number) => t.toFixed(2);
const T0 = 1_796_173_053.38;

describe.each(windowApisUnderTest)('interop with the Python original ($name API)', (api) => {
  let prefix: string;
  let handler: ManagerUnderTest;
  const clock = { t: T0 };
  const config = () => ({
    redisUrl: redisUrl(),
    redisPrefix: prefix,
    logger: silentLogger,
    rateLimit: 5,
    rateLimitWindow: 60,
  });

  beforeEach(async () => {
    prefix = uniquePrefix('interop');
    clock.t = T0;
    handler = api.createManager(config());
    await handler.initialize();
  });
  afterEach(async () => {
    await handler.close();
    await deleteByPrefix(raw, prefix);
  });

  const originalLua = (key: string, now: number, window = 60, limit = 5) =>
    raw.eval(ORIGINAL_RATE_LUA, 1, key, pyStr(now), window, limit) as Promise<number>;
  const originalPipeline = async (key: string, now: number, window = 60) => {
    const replies = await raw
      .multi()
      .zadd(key, pyStr(now), pyStr(now))
      .zremrangebyscore(key, 0, pyStr(now - window))
      .zcard(key)
      .expire(key, window * 2)
      .exec();
    return replies![2]![1] as number;
  };

  test("the original's windows count here, whatever their member text", async () => {
    const key = `${prefix}rate_limit:rate:10.0.0.1`;
    expect(await originalLua(key, T0 - 70)).toBe(1); // will be outside our window
    expect(await originalLua(key, T0 - 60)).toBe(2); // exactly on our boundary: outside
    expect(await originalLua(key, T0 - 30)).toBe(3);
    expect(await originalPipeline(key, T0 - 20)).toBe(4);
    const members = await raw.zrange(key, 0, -1);
    expect(members).toContain('1796173023.3800001'); // Lua's number text
    expect(members).toContain('1796173033.38'); // the pipeline's str(now)
    const m = api.createLimiter(config(), { now: () => clock.t });
    await m.initializeRedis(handler);
    // in our window (t > T0 - 60): the Lua hit at T0-30 and the pipeline hit at T0-20
    expect(await m.check('10.0.0.1')).toMatchObject({ allowed: true, count: 3, source: 'redis' });
    expect(await m.check('10.0.0.1')).toMatchObject({ allowed: true, count: 4 });
    expect(await m.check('10.0.0.1')).toMatchObject({ allowed: true, count: 5 });
    // full: the oldest in-window hit (T0-30) frees a slot at T0+30
    expect(await m.check('10.0.0.1')).toMatchObject({ allowed: false, count: 5, retryAfterSeconds: 30 });
  });

  test('a mixed fleet: hits the original records for rejected requests count here too', async () => {
    const key = `${prefix}rate_limit:rate:10.0.0.1`;
    for (let i = 0; i < 8; i++) await originalLua(key, T0 - 40 + i); // 8 > limit 5: Python recorded its rejections
    const m = api.createLimiter(config(), { now: () => clock.t });
    await m.initializeRedis(handler);
    // 8 in the window, limit 5: the 4th oldest (T0-37) must leave before a slot frees (at T0+23)
    expect(await m.check('10.0.0.1')).toMatchObject({ allowed: false, count: 8, retryAfterSeconds: 23 });
  });

  test("our windows are counted by the original's script and pipeline", async () => {
    const m = api.createLimiter(config(), { now: () => clock.t });
    await m.initializeRedis(handler);
    for (let i = 0; i < 3; i++) await m.check('2001:db8::1'); // three hits with one timestamp
    clock.t += 1;
    await m.check('2001:db8::1');
    const key = `${prefix}rate_limit:rate:2001:db8::1`;
    expect(await raw.zcard(key)).toBe(4);
    expect(await originalLua(key, T0 + 2)).toBe(5);
    expect(await originalPipeline(key, T0 + 3)).toBe(6);
    // and the original prunes ours with its own (inclusive) rule: at T0+60 the first three go
    expect(await originalLua(key, T0 + 60)).toBe(4);
  });

  test("the original's behaviour windows (uuid members) count here, and ours there", async () => {
    const key = `${prefix}behavior_usage:behavior:usage:${sha256('/api')}:${sha256('10.0.0.1')}`;
    // the original's record_sliding_window_hit: MULTI ZADD {uuid4 hex: now}, ZREMRANGEBYSCORE -inf (start, ZCARD, EXPIRE
    const originalHit = async (now: number, window = 30) => {
      const replies = await raw
        .multi()
        .zadd(key, pyStr(now), randomUUID().replaceAll('-', ''))
        .zremrangebyscore(key, '-inf', `(${pyStr(now - window)}`)
        .zcard(key)
        .expire(key, window)
        .exec();
      return replies![2]![1] as number;
    };
    expect(await originalHit(T0 - 10)).toBe(1);
    expect(await originalHit(T0 - 10)).toBe(2);
    const t = api.createTracker(config(), { now: () => clock.t });
    await t.initializeRedis(handler);
    const rule = { type: 'usage' as const, threshold: 3, windowSeconds: 30 };
    expect(await t.trackEndpointUsage('/api', '10.0.0.1', rule)).toEqual({
      violated: false,
      count: 3,
      source: 'redis',
    });
    expect(await originalHit(T0 + 1)).toBe(4);
  });
});
