/**
 * The legacy `cloud_ranges` namespace: what guard-core wrote before the pluggable store (Python
 * < v2.0), one key per provider, `{redisPrefix}cloud_ranges:{provider}` = the provider's CIDRs
 * joined by commas. This module reads and writes that layout (for a `CloudManager` whose store is
 * `null`) and copies it into the `cloud_ip` layout of `RedisCloudIpStore` (the migration).
 */
import { RangeIndex } from '../../core/cloud/range-index.js';
import { buildKey } from '../../core/keys.js';
import { CLOUD_PROVIDERS, requireProviders, type CloudProvider } from '../../core/providers.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { DEFAULT_CLOUD_IP_KEY_PREFIX, RedisCloudIpStore } from './redis-store.js';

/** The namespace old versions wrote cloud ranges to. */
export const LEGACY_CLOUD_RANGES_NAMESPACE = 'cloud_ranges';

/** A legacy value, parsed. */
export interface LegacyRanges {
  /** The valid networks of the value, indexed (canonical text). */
  readonly index: RangeIndex;
  /** Entries of the value that are not valid CIDRs (dropped). */
  readonly skipped: readonly string[];
}

/**
 * Parses a legacy value: CIDRs separated by commas. Blank entries and spaces around commas are
 * tolerated (some writers used `", "`); anything else that is not a CIDR is listed in `skipped`.
 */
export function parseLegacyValue(raw: string): LegacyRanges {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return RangeIndex.build(entries);
}

/** Formats ranges the way old versions wrote them: comma-joined, no spaces (sorted, for stable diffs). */
export function formatLegacyValue(cidrs: readonly string[]): string {
  return [...cidrs].sort().join(',');
}

/** Reads `cloud_ranges:{provider}`; `null` when absent (or when Redis is disabled). Redis errors propagate. */
export async function readLegacyRanges(
  redis: RedisHandlerProtocol,
  provider: CloudProvider,
): Promise<LegacyRanges | null> {
  const raw = await redis.getKey(LEGACY_CLOUD_RANGES_NAMESPACE, provider);
  return raw === null ? null : parseLegacyValue(raw);
}

/** Writes `cloud_ranges:{provider}` in the legacy format with the given TTL (seconds, `null` = none). */
export async function writeLegacyRanges(
  redis: RedisHandlerProtocol,
  provider: CloudProvider,
  cidrs: readonly string[],
  ttl: number | null,
): Promise<void> {
  await redis.setKey(LEGACY_CLOUD_RANGES_NAMESPACE, provider, formatLegacyValue(cidrs), ttl);
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
}

/**
 * Copies every legacy `cloud_ranges:{provider}` value into the `cloud_ip` layout through
 * {@link RedisCloudIpStore}, keeping the legacy key's remaining TTL when it has one. The legacy
 * keys are left in place, so replicas still running an old version keep working during a
 * rolling upgrade. Idempotent: a second run reports `unchanged`. Redis errors propagate
 * (`GuardRedisError`); a provider already copied stays copied.
 */
export async function migrateLegacyCloudRanges(
  redis: RedisHandlerProtocol,
  options: LegacyMigrationOptions = {},
): Promise<LegacyMigrationEntry[]> {
  const providers = requireProviders(options.providers ?? CLOUD_PROVIDERS);
  const store = new RedisCloudIpStore(redis, options.keyPrefix ?? DEFAULT_CLOUD_IP_KEY_PREFIX);
  const report: LegacyMigrationEntry[] = [];
  for (const provider of providers) {
    report.push(await migrateOne(redis, store, provider, options.overwrite === true));
  }
  return report;
}

async function migrateOne(
  redis: RedisHandlerProtocol,
  store: RedisCloudIpStore,
  provider: CloudProvider,
  overwrite: boolean,
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
  await store.set(provider, cidrs, ttlSeconds);
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
