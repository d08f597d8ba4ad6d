/**
 * How custom patterns live on Redis, shared with Python replicas.
 *
 * The original keeps them at `{prefix}patterns:custom` as `",".join(patterns)` and splits on
 * `,` when it reads them back, so a pattern containing a comma (`a{1,3}b`) comes back as two.
 * Here:
 *
 * - `patterns:custom_list…` (a Redis SET) is the lossless list: one member per pattern, any text.
 *   A set makes add and remove single atomic commands, so two replicas adding at once both
 *   survive (a JSON list rewritten whole would need a read-modify-write per change anyway).
 * - `patterns:custom` keeps the original's format and is rewritten by the same script as a
 *   mirror of the comma-free patterns, comma-joined: exactly the bytes a Python replica writes
 *   for them (order aside; Python's own order is its set's), so a Python replica reads every
 *   pattern it can represent and nothing it would split wrongly.
 * - A replica back from an outage that finds no pattern state at all (Redis restarted without
 *   its data) shares again the list it knew (seed ops); otherwise it writes only its own changes.
 * - A Python replica writes `patterns:custom` only. Every script run first merges that key's
 *   entries the set does not hold into the set — except fragments of our comma-containing
 *   patterns and patterns removed here (kept in a bounded tombstone set, so a Python replica
 *   that rewrites its stale list does not bring back what was removed).
 *
 * On Redis Cluster the three keys must share a slot: the two new keys carry a hash tag naming
 * the original key (`patterns:custom_list:{guard_core:patterns:custom}`), which hashes like the
 * original key itself. A prefix containing `{` or `}` gets plain names instead (one slot only if
 * the prefix's own hash tag puts them there).
 */
import type { RedisArg, RedisReply, RedisScript } from '../redis-types.js';

/** The namespace of every pattern key (`{prefix}patterns:…`). */
export const PATTERNS_NAMESPACE = 'patterns';

/** The original's key, inside {@link PATTERNS_NAMESPACE}. */
export const COMMA_KEY = 'custom';

/** The pub/sub channel (prefixed) on which a change is announced to other replicas. */
export const PATTERNS_CHANNEL = 'patterns_events';

/** Most tombstones (patterns removed here) kept to ignore a Python replica's stale rewrite. */
export const MAX_TOMBSTONES = 10_000;

/** The three keys (without the prefix, inside {@link PATTERNS_NAMESPACE}) for `prefix`. */
export function patternKeys(prefix: string): readonly [comma: string, list: string, tombstones: string] {
  const tag = /[{}]/.test(prefix) ? '' : `:{${prefix}${PATTERNS_NAMESPACE}:${COMMA_KEY}}`;
  return [COMMA_KEY, `custom_list${tag}`, `custom_removed${tag}`];
}

/**
 * One change: add or remove a pattern, clear every custom pattern, or `seed` — add a pattern
 * only if Redis holds no pattern state at all (a replica coming back from an outage re-shares
 * what it knew when Redis restarted without its data).
 */
export type PatternOp =
  { readonly kind: 'add' | 'remove' | 'seed'; readonly pattern: string } | { readonly kind: 'clear' };

const OP_CODES = { add: '+', remove: '-', seed: '=' } as const;

/** Arguments of {@link PATTERNS_APPLY} for `ops`, announcing on `channel` (full name) as `sender`. */
export function applyArgs(channel: string, sender: string, ops: readonly PatternOp[]): RedisArg[] {
  const encoded = ops.map((op) => (op.kind === 'clear' ? '!' : `${OP_CODES[op.kind]}${op.pattern}`));
  return [channel, sender, MAX_TOMBSTONES, ...encoded];
}

/** What {@link PATTERNS_APPLY} answered. */
export interface ApplyReply {
  /** Whether the last op changed the set (added a new pattern, removed a present one). */
  readonly changed: boolean;
  /** Every shared custom pattern after the ops. */
  readonly patterns: readonly string[];
}

/** Reads the script's reply; anything else than the expected shape is an empty answer. */
export function parseApplyReply(reply: RedisReply): ApplyReply {
  if (!Array.isArray(reply)) return { changed: false, patterns: [] };
  const [first, ...rest] = reply as readonly RedisReply[];
  return { changed: first === 1, patterns: rest.filter((p): p is string => typeof p === 'string') };
}

/**
 * KEYS[1] the comma key, KEYS[2] the set, KEYS[3] the tombstones. ARGV[1] channel ('' = no
 * announcement), ARGV[2] message, ARGV[3] tombstone cap, ARGV[4…] ops: `+pattern`, `-pattern`,
 * `!` (clear), `=pattern` (seed: add only when Redis held no pattern state at all). Merges a Python replica's additions, applies the ops, rewrites the comma key
 * when its text changes, announces when there were ops; returns `{changed, member…}`.
 */
export const PATTERNS_APPLY: RedisScript = {
  name: 'guard.patterns.apply',
  lua: `
local comma, list, tomb = KEYS[1], KEYS[2], KEYS[3]
local function split(text)
  local out, start = {}, 1
  while true do
    local i = string.find(text, ',', start, true)
    if not i then out[#out + 1] = string.sub(text, start); return out end
    out[#out + 1] = string.sub(text, start, i - 1)
    start = i + 1
  end
end
local members = {}
for _, m in ipairs(redis.call('SMEMBERS', list)) do members[m] = true end
local raw = redis.call('GET', comma)
-- Nothing at all (not even tombstones): Redis lost its data, or patterns were never shared.
local blank = (not raw) and next(members) == nil and redis.call('EXISTS', tomb) == 0
if raw and raw ~= '' then
  local fragments = {}
  for m in pairs(members) do
    if string.find(m, ',', 1, true) then
      for _, f in ipairs(split(m)) do fragments[f] = true end
    end
  end
  for _, entry in ipairs(split(raw)) do
    if entry ~= '' and not members[entry] and not fragments[entry]
        and redis.call('SISMEMBER', tomb, entry) == 0 then
      redis.call('SADD', list, entry)
      members[entry] = true
    end
  end
end
local changed = 0
for i = 4, #ARGV do
  local op, p = string.sub(ARGV[i], 1, 1), string.sub(ARGV[i], 2)
  if op == '=' then
    if blank then redis.call('SADD', list, p); members[p] = true end
  elseif op == '!' then
    for m in pairs(members) do redis.call('SADD', tomb, m) end
    redis.call('DEL', list)
    changed = next(members) and 1 or 0
    members = {}
  elseif op == '+' then
    changed = redis.call('SADD', list, p)
    redis.call('SREM', tomb, p)
    members[p] = true
  elseif op == '-' then
    changed = redis.call('SREM', list, p)
    redis.call('SADD', tomb, p)
    members[p] = nil
  end
end
local extra = redis.call('SCARD', tomb) - tonumber(ARGV[3])
if extra > 0 then redis.call('SPOP', tomb, extra) end
local plain = {}
for m in pairs(members) do
  if not string.find(m, ',', 1, true) then plain[#plain + 1] = m end
end
table.sort(plain)
local text = table.concat(plain, ',')
-- Python writes '' for an empty list; an absent key stays absent.
if (raw or '') ~= text then
  redis.call('SET', comma, text)
end
if #ARGV >= 4 and ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
local out = { changed }
for m in pairs(members) do out[#out + 1] = m end
return out
`,
};
