/**
 * Where a CloudManager caches ranges between processes: its store, or — when the store is
 * `null` — a legacy namespace of the Redis handler (`cloud_ranges`, or `cloud_ranges_v2` for the
 * `python-v2` layout), or nowhere.
 */
import {
  encodeCachedRanges,
  judgeEntries,
  judgeLegacyValue,
  type CachedValueVerdict,
} from '../../core/cloud/cache-format.js';
import { RangeIndex } from '../../core/cloud/range-index.js';
import type { RangeSource } from '../../core/cloud/status.js';
import type { CloudProvider } from '../../core/providers.js';
import {
  cacheEntriesOverLimit,
  cacheValueOverLimit,
  type CacheSizeLimits,
  type CacheSizeRejection,
} from '../../core/cloud/cache-size.js';
import { sortByCodePoint } from '../../core/python-json.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { LEGACY_CLOUD_RANGES_V2_NAMESPACE, legacyNamespaceOf } from './legacy.js';
import type { CloudIpStoreProtocol } from './store-protocol.js';

/** A cache read: the valid cached ranges, or why there are none. */
export type CacheRead =
  | {
      readonly kind: 'hit';
      readonly index: RangeIndex;
      /** Region of each cached network that has one. */
      readonly regions: ReadonlyMap<string, string>;
      /**
       * True when the value read carries regions and sits at the key this manager writes: a
       * rewrite keeps regions, so a Python replica's carve-outs survive it.
       */
      readonly keepRegions: boolean;
      readonly source: RangeSource;
    }
  | { readonly kind: 'miss' }
  | { readonly kind: 'corrupt'; readonly detail: string }
  | { readonly kind: 'foreign'; readonly detail: string }
  /** Too large to be a provider's set: refused before it is parsed. */
  | CacheSizeRejection;

/** The cache a manager reads from and writes to. */
export interface RangeCacheTarget {
  readonly store: CloudIpStoreProtocol | null;
  readonly redis: RedisHandlerProtocol | null;
  /** `config.cloudCacheLayout`: which legacy namespace, and whether entries carry regions. */
  readonly layout: 'seed' | 'python-v2';
}

/**
 * Reads `provider`'s cached ranges. A value in a known format with an invalid entry, or no entry
 * at all (this package never writes an empty set), is `corrupt`: the caller fetches and overwrites
 * it, instead of failing on every refresh until the TTL runs out (the Python original's
 * behaviour). A value in a format this package does not fully understand is `foreign`: the caller
 * fetches but never writes over it. Store errors propagate.
 */
export async function readCachedRanges(
  target: RangeCacheTarget,
  provider: CloudProvider,
  limits: CacheSizeLimits,
): Promise<CacheRead> {
  if (target.store !== null) {
    const store = target.store;
    if (typeof store.read === 'function') {
      const read = await store.read(provider);
      if (read.kind === 'absent') return { kind: 'miss' };
      if (read.kind === 'foreign') return read;
      return cacheEntriesOverLimit(read.entries.size, limits) ?? judge(judgeEntries([...read.entries]), 'store', true);
    }
    const cached = await store.get(provider);
    if (cached === null) return { kind: 'miss' };
    return cacheEntriesOverLimit(cached.size, limits) ?? judge(judgeEntries([...cached]), 'store', true);
  }
  if (target.redis === null) return { kind: 'miss' };
  const namespace = legacyNamespaceOf(target.layout);
  const raw = await target.redis.getKey(namespace, provider);
  if (raw !== null) return cacheValueOverLimit(raw, limits) ?? judge(judgeLegacyValue(raw), 'legacy', true);
  if (namespace === LEGACY_CLOUD_RANGES_V2_NAMESPACE) return { kind: 'miss' };
  // The seed layout also reads what the newest Python original writes on its legacy path (never
  // writing there: that key belongs to the Python fleet).
  const newer = await target.redis.getKey(LEGACY_CLOUD_RANGES_V2_NAMESPACE, provider);
  if (newer === null) return { kind: 'miss' };
  return cacheValueOverLimit(newer, limits) ?? judge(judgeLegacyValue(newer), 'legacy', false);
}

/**
 * Writes `provider`'s ranges — `cidr|region` entries when `withRegions`, else plain CIDRs — and
 * returns false when there is nowhere to write. Store errors propagate.
 */
export async function writeCachedRanges(
  target: RangeCacheTarget,
  provider: CloudProvider,
  cidrs: readonly string[],
  regions: ReadonlyMap<string, string>,
  withRegions: boolean,
  ttl: number,
): Promise<boolean> {
  const entries = encodeCachedRanges(cidrs, regions, withRegions);
  if (target.store !== null) {
    await target.store.set(provider, new Set(entries), ttl);
    return true;
  }
  if (target.redis === null) return false;
  // Python: `",".join(sorted(encoded))` — code-point order, no spaces.
  await target.redis.setKey(legacyNamespaceOf(target.layout), provider, sortByCodePoint(entries).join(','), ttl);
  return true;
}

function judge(verdict: CachedValueVerdict, source: RangeSource, sameKey: boolean): CacheRead {
  if (verdict.kind === 'foreign') return verdict;
  if (verdict.kind === 'invalid') return { kind: 'corrupt', detail: verdict.detail };
  return {
    kind: 'hit',
    index: RangeIndex.build(verdict.cidrs).index,
    regions: verdict.regions,
    keepRegions: sameKey && verdict.hasRegions,
    source,
  };
}
