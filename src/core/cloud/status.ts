/**
 * What a CloudManager reports: per-provider status and per-provider refresh outcomes.
 */
import type { CloudProvider } from '../providers.js';

/** Where the ranges in use came from. */
export type RangeSource = 'fetch' | 'store' | 'legacy';

/** The state of one provider's ranges in a CloudManager. */
export interface CloudProviderStatus {
  /** True when ranges are loaded (matching against this provider can hit). */
  readonly ready: boolean;
  /** Number of networks in use. */
  readonly entries: number;
  /**
   * When the ranges in use were installed, from a fetch or from the store (a cache hit counts: it
   * tells operators the data is live, unlike the Python original, which left it unset).
   */
  readonly lastRefreshed: Date | null;
  /** Where the ranges in use came from; `null` before the first load. */
  readonly source: RangeSource | null;
  /** The last refresh failure for this provider (fetch or store), cleared by the next success. */
  readonly lastError: string | null;
}

/** Status of every provider, keyed by name. */
export type CloudStatus = Readonly<Record<CloudProvider, CloudProviderStatus>>;

/**
 * How one provider's refresh ended:
 * - `store`: a valid cached set was found and installed (nothing fetched);
 * - `fetched`: the feed was downloaded, parsed and installed;
 * - `failed`: nothing new could be had; the ranges already in use (if any) were kept.
 */
export type RefreshOutcome = 'store' | 'fetched' | 'failed';

/** The outcome of refreshing one provider. */
export interface ProviderRefreshReport {
  /** The provider. */
  readonly provider: CloudProvider;
  /** How it ended (see {@link RefreshOutcome}). */
  readonly outcome: RefreshOutcome;
  /** Networks in use after the refresh. */
  readonly entries: number;
  /** Networks that were not in use before (for a forced refresh: not in the cached set either). */
  readonly added: number;
  /** Networks in use before that are gone. */
  readonly removed: number;
  /** Malformed prefixes skipped in the feed (0 for a cache hit). */
  readonly skipped: number;
  /** True when the fetched set was written to the store (or the legacy namespace). */
  readonly stored: boolean;
  /** Why the refresh failed (`outcome` is `failed`), else `null`. */
  readonly error: string | null;
  /** A store read or write failure that did not stop the refresh, else `null`. */
  readonly storeError: string | null;
}

/** Counts of networks added and removed between two sets of canonical CIDRs. */
export function diffCounts(before: readonly string[], after: readonly string[]): { added: number; removed: number } {
  const old = new Set(before);
  const now = new Set(after);
  let added = 0;
  for (const cidr of now) if (!old.has(cidr)) added++;
  return { added, removed: old.size - (now.size - added) };
}
