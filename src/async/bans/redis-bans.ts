/**
 * The ban manager's Redis round trips, over `RedisHandlerProtocol`: the full read behind a
 * resync, batched writes (ban/unban + event, one script per batch and namespace), and the
 * start-up migration of non-canonical keys. Every function throws `GuardRedisError` when Redis
 * is down; the manager runs them through its `RedisFailover`.
 *
 * On a Redis Cluster a script may only touch keys of one hash slot, and the ban keys are the
 * original's (`banned_ips:<ip>`, no hash tag, so a Python replica reads them), hence spread over
 * every slot: there a batch is split into one script call per slot (see {@link scriptBatches}).
 * Nothing is lost by the split: no script relies on seeing several keys at once. Each key's
 * write and the event announcing it, and each key's compare-and-delete, stay in one script, so
 * they stay atomic; the keys of a batch were independent before too (a resync's read was never
 * a point-in-time snapshot: the SCAN before it is not one).
 */
import { buildKey } from '../../core/keys.js';
import { indexesBySlot } from '../../core/redis/cluster-slots.js';
import type { BanEntry } from '../../core/bans/local-bans.js';
import { parseBanExpiry, pythonFloatText } from '../../core/bans/python-float.js';
import {
  APPLY_BANS,
  BANNED_IPS_NAMESPACE,
  BANNED_NETWORKS_NAMESPACE,
  DELETE_EXPIRED_BANS,
  READ_BANS,
} from '../../core/bans/scripts.js';
import { canonicalIp, parseBanTarget } from '../../core/bans/target.js';
import type { RedisArg, RedisReply } from '../../core/redis-types.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';

/** Keys per script call: small enough to keep one Lua run short (Redis is single-threaded). */
const BATCH = 500;

/** Script calls in flight at once when a cluster splits a batch per slot (async API; the sync API runs them in turn). */
const CALLS_IN_FLIGHT = 64;

/** One write: a ban (SET with its remaining time) or an unban (DEL), with the event to publish. */
export type BanWrite =
  | {
      readonly op: 'ban';
      readonly kind: 'ip' | 'network';
      readonly target: string;
      readonly expiresAt: number;
      /** Time left in milliseconds (> 0). */
      readonly ttlMs: number;
      readonly event: string;
    }
  | { readonly op: 'unban'; readonly kind: 'ip' | 'network'; readonly target: string; readonly event: string };

/** The namespace of a ban kind. */
export function namespaceOf(kind: 'ip' | 'network'): string {
  return kind === 'ip' ? BANNED_IPS_NAMESPACE : BANNED_NETWORKS_NAMESPACE;
}

/**
 * Writes `writes` (in order) and publishes their events on `channel` (the full channel name): one
 * script per namespace and batch, so 100 bans cost one round trip. A whole number of seconds
 * is written as `EX`, as the original does; a remainder as `PX`. Returns how many keys the
 * unbans removed.
 */
export async function applyBanWrites(
  redis: RedisHandlerProtocol,
  writes: readonly BanWrite[],
  channel: string,
): Promise<number> {
  let removed = 0;
  for (const kind of ['ip', 'network'] as const) {
    const namespace = namespaceOf(kind);
    const mine = writes.filter((w) => w.kind === kind);
    const batches = await scriptBatches(
      redis,
      namespace,
      mine.map((w) => w.target),
    );
    const counts = await inWaves(batches, async (batch) => {
      const keys: string[] = [];
      const args: RedisArg[] = [channel];
      for (const w of batch.map((i) => mine[i]!)) {
        keys.push(w.target);
        if (w.op === 'ban') {
          const whole = w.ttlMs % 1000 === 0;
          args.push(pythonFloatText(w.expiresAt), whole ? 'EX' : 'PX', whole ? w.ttlMs / 1000 : w.ttlMs, w.event);
        } else {
          args.push('', '', '', w.event);
        }
      }
      return Number((await redis.runScript(APPLY_BANS, namespace, keys, args)) ?? 0);
    });
    for (const count of counts) removed += count;
  }
  return removed;
}

/**
 * The batches one script call may take, as positions in `names` (keys of `namespace`, without
 * the prefix), each in order: at most {@link BATCH} keys, and on a Redis Cluster keys of one hash
 * slot only. Whether the handler is on a cluster is asked only when the keys span several slots.
 */
async function scriptBatches(
  redis: RedisHandlerProtocol,
  namespace: string,
  names: readonly string[],
): Promise<number[][]> {
  const prefix = redis.config.redisPrefix;
  let groups = indexesBySlot(names.map((name) => buildKey(prefix, namespace, name)));
  if (groups.length > 1 && !(await onCluster(redis))) groups = [names.map((_, i) => i)];
  const batches: number[][] = [];
  for (const group of groups) {
    for (let i = 0; i < group.length; i += BATCH) batches.push(group.slice(i, i + BATCH));
  }
  return batches;
}

/** Whether `redis` talks to a Redis Cluster (its connection says so; a handler that does not tell is a single server). */
async function onCluster(redis: RedisHandlerProtocol): Promise<boolean> {
  await using lease = await redis.getConnection();
  return lease.connection.cluster === true;
}

/**
 * Runs `work` for every batch, {@link CALLS_IN_FLIGHT} at a time (on a single server there are
 * rarely more than one or two batches; on a cluster there is one per slot). Results in order.
 */
async function inWaves<T>(batches: readonly number[][], work: (batch: number[]) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < batches.length; i += CALLS_IN_FLIGHT) {
    results.push(...(await Promise.all(batches.slice(i, i + CALLS_IN_FLIGHT).map(work))));
  }
  return results;
}

/** What a full read of Redis found. */
export interface BanSnapshot {
  /** Current bans, exact and network, with their stored expiry. */
  readonly entries: readonly BanEntry[];
  /** Keys whose stored expiry had passed, deleted (if unchanged) during the read. */
  readonly expiredRemoved: number;
  /** Keys skipped: an unparseable target, or a corrupt value with no TTL to go by. */
  readonly skipped: number;
  /**
   * Current bans stored under a name that is not the canonical target (a Python replica writes
   * `banned_networks:::ffff:a00:0/104` for `10.0.0.0/8`): target → those key names, so an unban
   * removes them too instead of letting the next read bring the ban back.
   */
  readonly aliases: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads every ban under this prefix: one SCAN walk for `banned_ips:*` and `banned_networks:*`, then one script
 * per page of keys for the values and PTTLs. The stored expiry wins over the key's TTL: a past
 * expiry is not a ban, and its key is deleted (the original's rule). A corrupt value falls back
 * on the key's TTL, or is skipped without one.
 */
export async function readAllBans(redis: RedisHandlerProtocol, nowMs: number): Promise<BanSnapshot | null> {
  const entries: BanEntry[] = [];
  const aliases = new Map<string, string[]>();
  let expiredRemoved = 0;
  let skipped = 0;
  const nowSeconds = nowMs / 1000;
  // One SCAN walk for both namespaces (a SCAN visits the whole keyspace, whatever it matches).
  const fullKeys = await redis.keys('banned_*');
  if (fullKeys === null) return null;
  for (const kind of ['ip', 'network'] as const) {
    const namespace = namespaceOf(kind);
    const head = redis.config.redisPrefix + namespace + ':';
    const names = fullKeys.filter((k) => k.startsWith(head)).map((k) => k.slice(head.length));
    const pages = await inWaves(await scriptBatches(redis, namespace, names), async (batch) => {
      const page = batch.map((i) => names[i]!);
      return { page, reply: await redis.runScript(READ_BANS, namespace, page, []) };
    });
    for (const { page, reply } of pages) {
      if (reply === null) return null;
      const values = reply as readonly RedisReply[];
      const expired: string[] = [];
      const expiredValues: string[] = [];
      page.forEach((name, j) => {
        const raw = values[2 * j];
        const pttl = Number(values[2 * j + 1]);
        const value = typeof raw === 'string' ? raw : null;
        if (value === null) return; // gone since the scan
        const target = kind === 'ip' ? canonicalIp(name) : (parseBanTarget(name)?.key ?? null);
        if (target === null) {
          skipped++;
          return;
        }
        const stored = parseBanExpiry(value);
        const expiresAt = stored ?? (pttl > 0 ? nowSeconds + pttl / 1000 : null);
        if (expiresAt === null) {
          skipped++;
          return;
        }
        if (expiresAt < nowSeconds) {
          expired.push(name);
          expiredValues.push(value);
          return;
        }
        entries.push({ target, kind, expiresAt });
        if (name !== target) aliases.set(target, [...(aliases.get(target) ?? []), name]);
      });
      if (expired.length > 0) {
        expiredRemoved += Number((await redis.runScript(DELETE_EXPIRED_BANS, namespace, expired, expiredValues)) ?? 0);
      }
    }
  }
  return { entries, expiredRemoved, skipped, aliases };
}

/**
 * Reads one exact ban (a local miss when the mirror is incomplete): its expiry, or `null` when
 * there is none or it has passed (then the key is deleted, if unchanged).
 */
export async function readExactBan(redis: RedisHandlerProtocol, key: string, nowMs: number): Promise<number | null> {
  const value = await redis.getKey(BANNED_IPS_NAMESPACE, key);
  const expiresAt = parseBanExpiry(value);
  if (value === null || expiresAt === null) return null;
  if (expiresAt >= nowMs / 1000) return expiresAt;
  await redis.runScript(DELETE_EXPIRED_BANS, BANNED_IPS_NAMESPACE, [key], [value]);
  return null;
}

/** What the start-up migration did. */
export interface MigrationReport {
  /** Non-canonical keys copied to (or already covered by) their canonical key, then deleted. */
  readonly migrated: number;
  /** Non-canonical keys whose ban had ended: deleted. */
  readonly expired: number;
  /** Non-canonical keys left alone: corrupt value and no TTL, so there is no expiry to carry over. */
  readonly kept: number;
}

/**
 * Moves bans stored under a non-canonical address (`banned_ips:2001:DB8::1`, written by an older
 * replica) to the canonical key, keeping the longer remaining time, then deletes the old key.
 * Unlike the original, a key without a TTL (PTTL -1) is migrated using the expiry in its value,
 * never just deleted. Single-key commands only, so it also runs on a cluster; it runs once, at
 * start-up, and touches only non-canonical keys.
 */
export async function migrateNonCanonicalKeys(redis: RedisHandlerProtocol, nowMs: number): Promise<MigrationReport> {
  const prefix = redis.config.redisPrefix;
  const fullKeys = (await redis.keys(`${BANNED_IPS_NAMESPACE}:*`)) ?? [];
  const strip = (prefix + BANNED_IPS_NAMESPACE + ':').length;
  let migrated = 0;
  let expired = 0;
  let kept = 0;
  for (const fullKey of fullKeys) {
    const name = fullKey.slice(strip);
    const canonical = canonicalIp(name);
    if (canonical === null || canonical === name) continue;
    await using lease = await redis.getConnection();
    const c = lease.connection;
    const value = await c.get(fullKey);
    if (value === null) continue;
    let pttl = await c.pttl(fullKey);
    if (pttl === -1) {
      const stored = parseBanExpiry(value);
      if (stored === null) {
        kept++;
        continue;
      }
      pttl = stored === Infinity ? -1 : Math.floor(stored * 1000 - nowMs);
      if (pttl !== -1 && pttl <= 0) {
        await c.del(fullKey);
        expired++;
        continue;
      }
    }
    if (pttl === -2) continue; // expired between the two reads
    const target = buildKey(prefix, BANNED_IPS_NAMESPACE, canonical);
    const current = await c.pttl(target);
    const longer = current === -2 || (current >= 0 && (pttl === -1 || pttl > current));
    if (longer) {
      if (pttl === -1) await c.call('SET', target, value);
      else await c.call('SET', target, value, 'PX', pttl);
    }
    await c.del(fullKey);
    migrated++;
  }
  return { migrated, expired, kept };
}
