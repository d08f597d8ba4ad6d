/**
 * The repair path of a counter (`RedisManager.incr`). A counter key that holds something other
 * than an integer string (garbage written by another tool, a value that would overflow) makes
 * INCR fail with "value is not an integer" on every call, forever when the key has no TTL. The
 * manager then runs this script once: it increments when it can, and otherwise restarts the
 * counter at 1 — a counter is disposable state (a rate-limit window, a strike count), and a
 * fresh window is the honest answer to "I cannot read the old one". A key of another type
 * (a hash, a list…) is never overwritten: its WRONGTYPE error is returned as is.
 */
import type { RedisScript } from '../redis-types.js';

/** KEYS[1] counter key; ARGV[1] TTL in seconds, or 0 for none. Returns the new value. */
export const INCR_OR_RESET: RedisScript = Object.freeze({
  name: 'guard-core:incr-or-reset',
  lua: `
local value = redis.pcall('INCR', KEYS[1])
if type(value) == 'table' and value.err then
  if redis.call('TYPE', KEYS[1]).ok ~= 'string' then return value end
  redis.call('SET', KEYS[1], '1')
  value = 1
end
local ttl = tonumber(ARGV[1])
if ttl > 0 and redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ttl)
end
return value
`,
});
