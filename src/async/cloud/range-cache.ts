/**
 * Where a CloudManager caches ranges between processes: its store, or — when the store is
 * `null` — the legacy `cloud_ranges` namespace of the Redis handler, or nowhere.
 */
import { RangeIndex } from '../../core/cloud/range-index.js';
import type { CloudProvider } from '../../core/providers.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { readLegacyRanges, writeLegacyRanges } from './legacy.js';
import type { RangeSource } from '../../core/cloud/status.js';
import type { CloudIpStoreProtocol } from './store-protocol.js';

/** A cache read: the valid cached ranges, or why there are none. */
export type CacheRead =
  | { readonly kind: 'hit'; readonly index: RangeIndex; readonly source: RangeSource }
  | { readonly kind: 'miss' }
  | { readonly kind: 'corrupt'; readonly detail: string };

/** The cache a manager reads from and writes to. */
export interface RangeCacheTarget {
  readonly store: CloudIpStoreProtocol | null;
  readonly redis: RedisHandlerProtocol | null;
}

/**
 * Reads `provider`'s cached ranges. A set holding any entry that is not a valid CIDR, or no entry
 * at all (this package never writes an empty set), is reported as `corrupt`: the caller then
 * fetches and overwrites it, instead of failing on every refresh until the TTL runs out (the
 * Python original's behaviour). Store errors propagate.
 */
export async function readCachedRanges(target: RangeCacheTarget, provider: CloudProvider): Promise<CacheRead> {
  if (target.store !== null) {
    const cached = await target.store.get(provider);
    if (cached === null) return { kind: 'miss' };
    return judge(RangeIndex.build(cached), cached.size, 'store');
  }
  if (target.redis === null) return { kind: 'miss' };
  const legacy = await readLegacyRanges(target.redis, provider);
  if (legacy === null) return { kind: 'miss' };
  return judge(legacy, legacy.index.size + legacy.skipped.length, 'legacy');
}

/** Writes `provider`'s ranges; returns false when there is nowhere to write. Store errors propagate. */
export async function writeCachedRanges(
  target: RangeCacheTarget,
  provider: CloudProvider,
  cidrs: readonly string[],
  ttl: number,
): Promise<boolean> {
  if (target.store !== null) {
    await target.store.set(provider, new Set(cidrs), ttl);
    return true;
  }
  if (target.redis === null) return false;
  await writeLegacyRanges(target.redis, provider, cidrs, ttl);
  return true;
}

function judge(
  built: { readonly index: RangeIndex; readonly skipped: readonly string[] },
  total: number,
  source: RangeSource,
): CacheRead {
  if (total === 0) return { kind: 'corrupt', detail: 'the cached set is empty' };
  if (built.skipped.length > 0) {
    const sample = built.skipped.slice(0, 3).map((entry) => JSON.stringify(entry.slice(0, 60)));
    return { kind: 'corrupt', detail: `${built.skipped.length} invalid entries, e.g. ${sample.join(', ')}` };
  }
  return { kind: 'hit', index: built.index, source };
}
