/**
 * One rate-limit decision on a sliding window — the rule shared by the Redis script
 * ({@link RATE_LIMIT_CHECK}) and the in-memory path ({@link applyLimit}), so both answer alike:
 *
 * 1. prune every hit scored `<= now - window` (the shared boundary rule);
 * 2. count the hits left (by score: members are never parsed, so windows written by the Python
 *    original — members such as `"1796173053.3800001"` — count the same);
 * 3. below the limit → record this hit under a unique member and allow; otherwise reject and
 *    record nothing.
 *
 * Rejected requests are not recorded (the original records them): a client that keeps hammering
 * while blocked is admitted again as soon as its admitted hits age out, instead of being locked
 * out for as long as it keeps trying. In a fleet mixed with Python replicas, the hits those
 * replicas record for rejected requests sit in the same sorted set and count here too.
 */
import type { RedisReply, RedisScript } from '../redis-types.js';
import type { HitWindow } from './hit-window.js';

/** What one decision found: whether the hit was admitted, the count after it, and the retry edge. */
export interface LimitOutcome {
  /** True when the hit was admitted (and recorded). */
  readonly allowed: boolean;
  /** Hits in the window after the decision (this one included when admitted). */
  readonly count: number;
  /**
   * When rejected: the score of the hit whose expiry frees a slot (the `count - limit`-th oldest,
   * 0-based), so the next request is admitted once `now >= edge + window`. `null` when allowed.
   */
  readonly edge: number | null;
}

/**
 * KEYS[1] the window; ARGV[1] score of now, ARGV[2] unique member, ARGV[3] window start (scores
 * `<=` it are pruned), ARGV[4] limit, ARGV[5] TTL in seconds (the window). Returns `{1, count}`
 * when admitted, `{0, count, edgeScore}` when not; the edge is Redis's own score text (exact).
 */
export const RATE_LIMIT_CHECK: RedisScript = {
  name: 'guard.rateLimitCheck',
  lua: `
local key = KEYS[1]
local limit = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[3])
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, ARGV[1], ARGV[2])
  redis.call('EXPIRE', key, ARGV[5])
  return {1, count + 1}
end
local edge = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return {0, count, edge[2]}
`,
};

/** Reads the reply of {@link RATE_LIMIT_CHECK}. */
export function parseLimitReply(reply: RedisReply): LimitOutcome {
  if (!Array.isArray(reply) || reply.length < 2) {
    throw new TypeError(`unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  }
  const allowed = reply[0] === 1;
  const count = Number(reply[1]);
  return { allowed, count, edge: allowed ? null : Number(reply[2]) };
}

/** The same decision as {@link RATE_LIMIT_CHECK}, on an in-memory window. */
export function applyLimit(window: HitWindow, score: number, start: number, limit: number): LimitOutcome {
  window.prune(start);
  const count = window.count;
  if (count < limit) {
    window.add(score);
    return { allowed: true, count: count + 1, edge: null };
  }
  return { allowed: false, count, edge: window.at(count - limit) };
}
