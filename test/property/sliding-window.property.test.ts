/**
 * Both sliding windows (the rate limiter's and the behaviour tracker's) against a plain model,
 * on random hit sequences — equal timestamps, hits exactly on the window boundary, a clock that
 * sometimes steps back — on the real Redis and in memory.
 *
 * The model, written from the documented rule only: a hit at `t` is inside the window ending at
 * `now` iff `t > now - window`; pruned hits are gone for good; the limiter admits (and records)
 * a hit when fewer than `limit` are inside, and otherwise records nothing; the tracker records
 * every hit and reports the count (in memory saturated at threshold + 1).
 * Times are multiples of 1/8 s on a whole-second base, so the arithmetic is exact everywhere.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BehaviorTracker, RateLimitManager, RedisManager, silentLogger } from '../../src/index.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const BASE = 1_796_173_000;

/** A hit sequence: window, limit/threshold and the time steps between hits (in 1/8 s). */
const scenario = fc
  .record({ window: fc.integer({ min: 1, max: 8 }), bound: fc.integer({ min: 0, max: 5 }) })
  .chain(({ window, bound }) =>
    fc.record({
      window: fc.constant(window),
      bound: fc.constant(bound),
      steps: fc.array(
        fc.oneof(
          fc.constant(0), // equal timestamps
          fc.constant(window * 8), // exactly one window later: the previous hit sits on the boundary
          fc.integer({ min: 1, max: window * 16 }),
          fc.integer({ min: -4, max: -1 }), // the clock steps back a little
        ),
        { minLength: 1, maxLength: 30 },
      ),
    }),
  );

function times(steps: readonly number[]): number[] {
  let t = BASE;
  return steps.map((s) => (t += s / 8));
}

interface LimiterStep {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

function limiterModel(limit: number, window: number, at: readonly number[]): LimiterStep[] {
  let hits: number[] = [];
  return at.map((now) => {
    hits = hits.filter((t) => t > now - window);
    if (hits.length < limit) {
      hits.push(now);
      return { allowed: true, count: hits.length, retryAfterSeconds: 0 };
    }
    const sorted = [...hits].sort((a, b) => a - b);
    const edge = sorted[hits.length - limit]!;
    return { allowed: false, count: hits.length, retryAfterSeconds: Math.max(1, Math.ceil(edge + window - now)) };
  });
}

function trackerModel(window: number, at: readonly number[]): number[] {
  let hits: number[] = [];
  return at.map((now) => {
    hits.push(now);
    hits = hits.filter((t) => t > now - window);
    return hits.length;
  });
}

const raw = rawClient();
const prefix = uniquePrefix('prop');
let redis: RedisManager;
let sequence = 0;
/** A client address no earlier run used, so each run starts on an empty window. */
const nextIp = () => {
  sequence++;
  return `10.${(sequence >> 16) & 255}.${(sequence >> 8) & 255}.${sequence & 255}`;
};

beforeAll(async () => {
  redis = new RedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
  await redis.initialize();
});
afterAll(async () => {
  await redis.close();
  await deleteByPrefix(raw, prefix);
  await raw.quit();
});

describe.each([
  ['the real Redis', 'redis', 50],
  ['memory', 'memory', 150],
] as const)('sliding windows against the model, on %s', (_label, store, numRuns) => {
  test('the rate limiter', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ window, bound, steps }) => {
        const limit = bound + 1;
        const clock = { t: 0 };
        const limiter = new RateLimitManager(
          {
            enableRedis: store === 'redis',
            redisPrefix: prefix,
            logger: silentLogger,
            rateLimit: limit,
            rateLimitWindow: window,
          },
          { now: () => clock.t },
        );
        await limiter.initializeRedis(store === 'redis' ? redis : null);
        const ip = nextIp();
        const at = times(steps);
        const expected = limiterModel(limit, window, at);
        for (let i = 0; i < at.length; i++) {
          clock.t = at[i]!;
          const decision = await limiter.check(ip);
          expect(decision.source).toBe(store);
          expect({
            allowed: decision.allowed,
            count: decision.count,
            retryAfterSeconds: decision.retryAfterSeconds,
          }).toEqual(expected[i]);
        }
      }),
      { numRuns },
    );
  });

  test('the behaviour tracker', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ window, bound, steps }) => {
        const threshold = bound;
        const clock = { t: 0 };
        const tracker = new BehaviorTracker(
          { enableRedis: store === 'redis', redisPrefix: prefix, logger: silentLogger },
          { now: () => clock.t },
        );
        await tracker.initializeRedis(store === 'redis' ? redis : null);
        const ip = nextIp();
        const at = times(steps);
        const counts = trackerModel(window, at);
        const rule = { type: 'usage' as const, threshold, windowSeconds: window };
        for (let i = 0; i < at.length; i++) {
          clock.t = at[i]!;
          const result = await tracker.trackEndpointUsage('/prop', ip, rule);
          const count = store === 'redis' ? counts[i]! : Math.min(counts[i]!, threshold + 1);
          expect(result).toEqual({ violated: counts[i]! > threshold, count, source: store });
        }
      }),
      { numRuns },
    );
  });
});
