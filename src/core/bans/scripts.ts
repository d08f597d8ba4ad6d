/**
 * The ban manager's Redis scripts. Keys and values are the Python original's
 * (`banned_ips:<ip>`, `banned_networks:<cidr>`, value = expiry in Python float text); every write
 * by this package also announces itself on the `ban_events` channel in the same round trip, so
 * other replicas update their local mirror without asking Redis.
 *
 * The scripts take any number of keys; on a Redis Cluster the caller passes keys of one hash slot
 * per call (`redis-bans.ts` splits its batches), since the keys carry no hash tag.
 */
import type { RedisScript } from '../redis-types.js';

/** Namespace of exact-address bans (the original's). */
export const BANNED_IPS_NAMESPACE = 'banned_ips';
/** Namespace of network (CIDR) bans (the original's). */
export const BANNED_NETWORKS_NAMESPACE = 'banned_networks';
/** Channel of ban events, under the Redis prefix (`{redisPrefix}ban_events`). */
export const BAN_EVENTS_CHANNEL = 'ban_events';

/** Fields per key in the ARGV of {@link APPLY_BANS}, after the channel. */
export const APPLY_FIELDS = 4;

/**
 * KEYS: the ban keys. ARGV[1]: the full event channel; then per key four fields: the value (empty
 * for a delete), the TTL unit (`EX`, `PX`, or empty for a delete), the TTL, and the event JSON to
 * publish (empty: publish nothing). A value means `SET key value unit ttl`, none means `DEL key`.
 * Returns how many keys a delete removed, in total.
 */
export const APPLY_BANS: RedisScript = {
  name: 'guard.bans.apply',
  lua: `
local removed = 0
for i = 1, #KEYS do
  local base = 1 + (i - 1) * 4
  local value, unit, ttl, event = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3], ARGV[base + 4]
  if value ~= '' then
    redis.call('SET', KEYS[i], value, unit, ttl)
  else
    removed = removed + redis.call('DEL', KEYS[i])
  end
  if event ~= '' then redis.call('PUBLISH', ARGV[1], event) end
end
return removed
`,
};

/** KEYS: ban keys. Returns, per key, its value (or false → nil) and its PTTL, flattened. */
export const READ_BANS: RedisScript = {
  name: 'guard.bans.read',
  lua: `
local out = {}
for i = 1, #KEYS do
  out[#out + 1] = redis.call('GET', KEYS[i])
  out[#out + 1] = redis.call('PTTL', KEYS[i])
end
return out
`,
};

/**
 * KEYS: ban keys whose stored expiry has passed; ARGV: the value each was read with. Deletes a
 * key only if it still holds that value, so a ban renewed meanwhile by another writer survives.
 * Returns the number deleted.
 */
export const DELETE_EXPIRED_BANS: RedisScript = {
  name: 'guard.bans.deleteExpired',
  lua: `
local removed = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i] then removed = removed + redis.call('DEL', KEYS[i]) end
end
return removed
`,
};
