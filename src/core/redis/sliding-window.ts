/**
 * The sliding window shared by the rate limiter and the behaviour tracker: one boundary rule,
 * one member scheme, one script.
 *
 * Boundary rule (both subsystems): a hit at time `t` is inside the window that ends at `now`
 * when `t > now - window`. A hit exactly `window` seconds old has left it. (The Python original
 * prunes inclusively in its rate limiter and exclusively in its behaviour tracker.)
 *
 * Members: each hit gets a member that is unique across processes (`<instance>-<sequence>`), so
 * hits sharing a timestamp all count (the original's rate limiter used the timestamp itself as
 * the member and lost them). Readers count by score and never parse a member, so windows written
 * by the original (`"1796173053.3800001"`, uuid hex) count the same.
 */
import { randomBytes } from 'node:crypto';
import type { RedisScript } from '../redis-types.js';

const INSTANCE = randomBytes(6).toString('hex');
let sequence = 0;

/** A member no other hit in any process shares (48 random bits per process + a counter). */
export function uniqueMember(): string {
  sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
  return `${INSTANCE}-${sequence.toString(36)}`;
}

/**
 * Epoch seconds as the text Redis scores take: at most 6 decimals (microseconds), no exponent.
 * Python writes `str(time.time())`; both parse to the same double within a microsecond.
 */
export function scoreText(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(6).replace(/0+$/, '');
}

/**
 * KEYS[1] the window; ARGV[1] now (score), ARGV[2] member, ARGV[3] window start (hits with a
 * score <= it are pruned), ARGV[4] TTL in seconds. Adds the hit, prunes, counts, sets the TTL;
 * returns the count including this hit.
 */
export const SLIDING_WINDOW_HIT: RedisScript = {
  name: 'guard.slidingWindowHit',
  lua: `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local count = redis.call('ZCARD', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return count
`,
};
