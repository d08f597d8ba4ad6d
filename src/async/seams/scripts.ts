/**
 * One Lua script per atomic operation (the rate-limiter-flexible pattern). ioredis'
 * `defineCommand` sends EVALSHA and falls back to EVAL on NOSCRIPT, so a Redis restart or
 * failover never leaves a script missing.
 */

/**
 * Fixed-window counter: INCR, then EXPIRE only when the key has no TTL (it was just created,
 * or an earlier writer forgot one). A steadily hit counter therefore still expires, unlike
 * INCR + EXPIRE on every hit, which slides the window forever.
 *
 * KEYS[1] counter key; ARGV[1] ttl in seconds, or "0" for none. Returns the new value.
 */
export const INCR_WITH_TTL = `
local value = redis.call('INCR', KEYS[1])
local ttl = tonumber(ARGV[1])
if ttl > 0 and redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ttl)
end
return value
`;
