/**
 * The size rules a cached provider set must pass before it is parsed (`cloudFeedLimits`).
 * Checked first because judging and indexing 2,000,000 cached entries blocks the event loop for
 * seconds and costs a gigabyte, on every refresh of every replica, for as long as the key lives.
 */

/** The limits that apply (`maxBytes`, `maxEntries` of `cloudFeedLimits`). */
export interface CacheSizeLimits {
  /** Largest value, in characters of the legacy value. */
  readonly maxBytes: number;
  /** Most entries. */
  readonly maxEntries: number;
}

/** A cached value too large to be a provider's set, refused before it is parsed. */
export interface CacheSizeRejection {
  readonly kind: 'rejected';
  readonly rule: 'too-large' | 'too-many-entries';
  readonly detail: string;
}

/** The rejection of a set of `count` entries, or `null` when it is within `maxEntries`. */
export function cacheEntriesOverLimit(count: number, limits: CacheSizeLimits): CacheSizeRejection | null {
  if (count <= limits.maxEntries) return null;
  return {
    kind: 'rejected',
    rule: 'too-many-entries',
    detail: `${count} entries, more than maxEntries (${limits.maxEntries})`,
  };
}

/** The rejection of a legacy value over `maxBytes` characters or `maxEntries` comma-separated entries, else `null`. */
export function cacheValueOverLimit(raw: string, limits: CacheSizeLimits): CacheSizeRejection | null {
  if (raw.length > limits.maxBytes) {
    return {
      kind: 'rejected',
      rule: 'too-large',
      detail: `${raw.length} characters, more than maxBytes (${limits.maxBytes})`,
    };
  }
  let entries = 1;
  for (let at = raw.indexOf(','); at !== -1; at = raw.indexOf(',', at + 1)) entries++;
  return cacheEntriesOverLimit(entries, limits);
}
