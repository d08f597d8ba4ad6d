/**
 * The legacy `cloud_ranges` namespace: what guard-core wrote before the pluggable store (Python
 * < v2.0), one key per provider, `{redisPrefix}cloud_ranges:{provider}` = the provider's CIDRs
 * joined by commas. This module names the legacy namespaces, reads `cloud_ranges` and copies it
 * into the `cloud_ip` layout of `RedisCloudIpStore` (the migration). A `CloudManager` whose store
 * is `null` reads and writes the legacy keys itself, regions included (`range-cache.ts`).
 */
import { splitLegacyEntries } from '../../core/cloud/cache-format.js';
import { RangeIndex } from '../../core/cloud/range-index.js';
import { buildKey } from '../../core/keys.js';
import { CLOUD_PROVIDERS, requireProviders, type CloudProvider } from '../../core/providers.js';
import { requireOptions, requireTtl } from '../../core/validate.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { DEFAULT_CLOUD_IP_KEY_PREFIX, RedisCloudIpStore } from './redis-store.js';

/** The namespace old versions wrote cloud ranges to. */
export const LEGACY_CLOUD_RANGES_NAMESPACE = 'cloud_ranges';

/**
 * The newer legacy namespace of the Python original (v3.2.0 and later, its `_store = None` path):
 * sorted, comma-joined `cidr|region` entries.
 */
export const LEGACY_CLOUD_RANGES_V2_NAMESPACE = 'cloud_ranges_v2';

/** The legacy namespace a `cloudCacheLayout` writes (`seed` → `cloud_ranges`, `python-v2` → `cloud_ranges_v2`). */
export function legacyNamespaceOf(layout: unknown): string {
  return layout === 'python-v2' ? LEGACY_CLOUD_RANGES_V2_NAMESPACE : LEGACY_CLOUD_RANGES_NAMESPACE;
}

/** A legacy value, parsed. */
export interface LegacyRanges {
  /** The valid networks of the value, indexed (canonical text). */
  readonly index: RangeIndex;
  /** Entries of the value that are not valid CIDRs (dropped). */
  readonly skipped: readonly string[];
}

/**
 * Parses a legacy value for the migration: CIDRs separated by commas, read as the range cache
 * reads them (`splitLegacyEntries`), except that an entry that is not a CIDR is listed in
 * `skipped` and the others are kept, where the cache refuses the whole value.
 */
export function parseLegacyValue(raw: string): LegacyRanges {
  return RangeIndex.build(splitLegacyEntries(raw));
}

/** Reads `cloud_ranges:{provider}`; `null` when absent (or when Redis is disabled). Redis errors propagate. */
export async function readLegacyRanges(
  redis: RedisHandlerProtocol,
  provider: CloudProvider,
): Promise<LegacyRanges | null> {
  const raw = await redis.getKey(LEGACY_CLOUD_RANGES_NAMESPACE, provider);
  return raw === null ? null : parseLegacyValue(raw);
}

/**
 * What the migration did for one provider:
 * - `copied`: the legacy value was written to the new layout;
 * - `unchanged`: the new layout already held exactly these ranges (nothing written; a re-run ends here);
 * - `kept-existing`: the new layout held different ranges, newer by construction (written by a
 *   current version), so they were kept; pass `overwrite: true` to replace them;
 * - `absent`: no legacy key (or it expired while being read);
 * - `invalid`: the legacy value holds no valid CIDR (nothing written).
 */
export type LegacyMigrationOutcome = 'copied' | 'unchanged' | 'kept-existing' | 'absent' | 'invalid';

/** The migration's report for one provider. */
export interface LegacyMigrationEntry {
  /** The provider. */
  readonly provider: CloudProvider;
  /** What happened (see {@link LegacyMigrationOutcome}). */
  readonly outcome: LegacyMigrationOutcome;
  /** Valid CIDRs found in the legacy value (0 when absent). */
  readonly ranges: number;
  /** Entries of the legacy value that were not valid CIDRs and were dropped. */
  readonly skipped: number;
  /** The legacy key's remaining TTL in whole seconds (rounded up), `null` when it has none or is absent. */
  readonly ttlSeconds: number | null;
}

/** Options of {@link migrateLegacyCloudRanges}. */
export interface LegacyMigrationOptions {
  /** Providers to migrate; default all six. */
  readonly providers?: Iterable<string>;
  /** Namespace of the target `RedisCloudIpStore`; default `cloud_ip`. */
  readonly keyPrefix?: string;
  /** Replace a different value already present in the new layout (default false: keep it). */
  readonly overwrite?: boolean;
  /**
   * Longest TTL given to a copy, in seconds (default: the handler's `cloudIpRefreshInterval`, else
   * 3600). A legacy key without a TTL is copied with this one.
   */
  readonly maxTtlSeconds?: number;
}

/** The refresh interval's default, for handlers whose config does not carry one. */
const DEFAULT_MAX_TTL_SECONDS = 3600;

/**
 * Copies every legacy `cloud_ranges:{provider}` value into the `cloud_ip` layout through
 * {@link RedisCloudIpStore}, keeping the legacy key's remaining TTL when it has one and it is
 * shorter than `cloudIpRefreshInterval` (else that interval: a copy never lives forever). The legacy
 * keys are left in place, so replicas still running an old version keep working during a
 * rolling upgrade. Idempotent: a second run reports `unchanged`. Redis errors propagate
 * (`GuardRedisError`); a provider already copied stays copied.
 */
export async function migrateLegacyCloudRanges(
  redis: RedisHandlerProtocol,
  migrationOptions?: LegacyMigrationOptions,
): Promise<LegacyMigrationEntry[]> {
  const options = requireOptions('options', migrationOptions) as LegacyMigrationOptions;
  const providers = requireProviders(options.providers ?? CLOUD_PROVIDERS);
  const store = new RedisCloudIpStore(redis, options.keyPrefix ?? DEFAULT_CLOUD_IP_KEY_PREFIX);
  const configured = (redis.config as { readonly cloudIpRefreshInterval?: unknown }).cloudIpRefreshInterval;
  const maxTtl =
    requireTtl(options.maxTtlSeconds) ?? (typeof configured === 'number' ? configured : DEFAULT_MAX_TTL_SECONDS);
  const report: LegacyMigrationEntry[] = [];
  for (const provider of providers) {
    report.push(await migrateOne(redis, store, provider, options.overwrite === true, maxTtl));
  }
  return report;
}

async function migrateOne(
  redis: RedisHandlerProtocol,
  store: RedisCloudIpStore,
  provider: CloudProvider,
  overwrite: boolean,
  maxTtl: number,
): Promise<LegacyMigrationEntry> {
  const legacy = await readLegacyRanges(redis, provider);
  const ttlSeconds = legacy === null ? null : await remainingTtl(redis, provider);
  if (legacy === null || ttlSeconds === 'expired') {
    return { provider, outcome: 'absent', ranges: 0, skipped: 0, ttlSeconds: null };
  }
  const counts = { ranges: legacy.index.size, skipped: legacy.skipped.length, ttlSeconds };
  if (legacy.index.size === 0) return { provider, outcome: 'invalid', ...counts };
  const cidrs = legacy.index.cidrs();
  const existing = await store.get(provider);
  if (existing !== null && sameSet(existing, cidrs)) return { provider, outcome: 'unchanged', ...counts };
  if (existing !== null && !overwrite) return { provider, outcome: 'kept-existing', ...counts };
  // Never an eternal entry: a legacy key without a TTL (or with a longer one) is copied with the
  // refresh interval, so the copy is refetched like any cached set.
  const interval = maxTtl;
  await store.set(provider, cidrs, ttlSeconds === null ? interval : Math.min(ttlSeconds, interval));
  return { provider, outcome: 'copied', ...counts };
}

/** Seconds left on the legacy key (rounded up), `null` without expiry, `'expired'` when it vanished. */
async function remainingTtl(redis: RedisHandlerProtocol, provider: CloudProvider): Promise<number | null | 'expired'> {
  const key = buildKey(redis.config.redisPrefix, LEGACY_CLOUD_RANGES_NAMESPACE, provider);
  await using lease = await redis.getConnection();
  const ms = await lease.connection.pttl(key);
  if (ms === -2) return 'expired';
  if (ms < 0) return null;
  return Math.max(1, Math.ceil(ms / 1000));
}

function sameSet(existing: ReadonlySet<string>, cidrs: readonly string[]): boolean {
  return existing.size === cidrs.length && cidrs.every((cidr) => existing.has(cidr));
}
