/**
 * The byte formats of cached cloud ranges shared with the Python guard-core, and how this package
 * judges a cached value before it decides to use it or to write over it.
 *
 * Entries: `"cidr"` or, since Python v3.2.0, `"cidr|region"` (AWS `region`, GCP `scope`). The
 * store layouts hold a JSON list of entries (Python `json.dumps(sorted(entries))`); the legacy
 * layouts hold the entries joined by commas.
 *
 * A value is judged in one of three ways:
 * - `entries`: every entry is a CIDR, optionally followed by `|region` — used as is;
 * - `invalid`: the shape is known (a list of CIDR-like words, maybe with regions) but some entry
 *   is not a valid network, or the list is empty — a broken value of a format this package
 *   writes, so it is refetched and overwritten;
 * - `foreign`: anything else (not a JSON list of strings, an entry with two `|`, an empty region,
 *   characters no CIDR has…) — a format this package does not fully understand, written by some
 *   other (maybe newer) program: it is never overwritten.
 */
import { parseCidr } from './cidr.js';

/** The separator between a network and its region in a cached entry. */
export const REGION_SEPARATOR = '|';

/** A cached value, judged (see the module notes). */
export type CachedValueVerdict =
  | {
      readonly kind: 'entries';
      /** Canonical CIDRs, deduplicated. */
      readonly cidrs: readonly string[];
      /** Region of each CIDR that has one. */
      readonly regions: ReadonlyMap<string, string>;
      /** True when at least one entry carries a region. */
      readonly hasRegions: boolean;
    }
  | { readonly kind: 'invalid'; readonly detail: string }
  | { readonly kind: 'foreign'; readonly detail: string };

// What the network part of an entry may look like for the value to count as "a list of CIDRs":
// digits, hex letters, dots, colons, one slash, a zone-less address. Words such as `not-a-cidr`
// fit (an invalid entry of a known format); JSON, spaces or brackets do not (a foreign format).
const NETWORK_WORD = /^[0-9A-Za-z.:/_-]+$/;
// A region as written back verbatim: no separator of either layout, no control or space character.
const REGION_WORD = /^[^\s|,\p{Cc}]+$/u;

/**
 * The region selector syntax accepted in configuration (`AWS:!us-east-1`): letters, digits, `.`,
 * `_` and `-`, starting with a letter or digit — every AWS region and GCP scope fits.
 */
export const REGION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The providers whose feeds carry regions (AWS `region`, GCP `scope`); only they can have carve-outs. */
export const PROVIDERS_WITH_REGIONS = ['AWS', 'GCP'] as const;

/** Encodes one entry: `cidr|region` when the region is known, else `cidr`. */
export function encodeCachedRange(cidr: string, region: string | null | undefined): string {
  return region ? `${cidr}${REGION_SEPARATOR}${region}` : cidr;
}

/** Encodes every CIDR, with its region from `regions` when `withRegions` and one is known. */
export function encodeCachedRanges(
  cidrs: readonly string[],
  regions: ReadonlyMap<string, string>,
  withRegions: boolean,
): string[] {
  return cidrs.map((cidr) => encodeCachedRange(cidr, withRegions ? regions.get(cidr) : null));
}

/** Judges a list of entries (already split out of its JSON or comma form). */
export function judgeEntries(entries: readonly string[]): CachedValueVerdict {
  const regions = new Map<string, string>();
  const cidrs = new Set<string>();
  const invalid: string[] = [];
  let hasRegions = false;
  for (const entry of entries) {
    const bar = entry.indexOf(REGION_SEPARATOR);
    const network = bar < 0 ? entry : entry.slice(0, bar);
    const region = bar < 0 ? null : entry.slice(bar + 1);
    if (!NETWORK_WORD.test(network) || (region !== null && !REGION_WORD.test(region))) {
      return { kind: 'foreign', detail: `entry ${sample(entry)} is not "cidr" or "cidr|region"` };
    }
    const parsed = parseCidr(network);
    if (!parsed.ok) {
      invalid.push(entry);
      continue;
    }
    cidrs.add(parsed.cidr.text);
    if (region !== null) {
      hasRegions = true;
      regions.set(parsed.cidr.text, region);
    }
  }
  if (invalid.length > 0) {
    return {
      kind: 'invalid',
      detail: `${invalid.length} invalid entries, e.g. ${invalid.slice(0, 3).map(sample).join(', ')}`,
    };
  }
  if (cidrs.size === 0) return { kind: 'invalid', detail: 'the cached set is empty' };
  return { kind: 'entries', cidrs: [...cidrs].sort(), regions, hasRegions };
}

/** Judges a store value: a JSON list of entries (Python's `json.dumps` or any other JSON spelling). */
export function judgeJsonValue(raw: string): CachedValueVerdict {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'foreign', detail: 'not JSON' };
  }
  if (!Array.isArray(value)) return { kind: 'foreign', detail: 'not a JSON list' };
  if (!value.every((v): v is string => typeof v === 'string')) {
    return { kind: 'foreign', detail: 'not a JSON list of strings' };
  }
  return judgeEntries(value);
}

/**
 * Judges a legacy value: entries joined by commas (`cloud_ranges`: plain CIDRs; `cloud_ranges_v2`:
 * sorted `cidr|region`). Spaces around commas and empty items are tolerated, as some writers
 * produced them.
 */
export function judgeLegacyValue(raw: string): CachedValueVerdict {
  return judgeEntries(splitLegacyEntries(raw));
}

/**
 * The entries of a legacy value: split at commas, spaces around them trimmed, empty items dropped
 * (some writers produced `", "` and trailing commas). The one reading of the legacy format, for
 * the range cache ({@link judgeLegacyValue}) and the migration (`parseLegacyValue`).
 */
export function splitLegacyEntries(raw: string): string[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** A parsed `blockCloudProviders` selector: `AWS`, or `AWS:!us-east-1` (block AWS except that region). */
export interface CloudSelector {
  /** The provider name as written (checked against the known providers by the caller). */
  readonly provider: string;
  /** The exempted region, or `null` for a plain provider name. */
  readonly carveOut: string | null;
}

/**
 * Parses one selector, as the Python original splits it (at the first `:!`), but strictly: a
 * `:` without `!`, an empty or malformed region, or a second `:!` is an error (returned as text).
 */
export function parseCloudSelector(selector: string): CloudSelector | string {
  const at = selector.indexOf(':');
  if (at < 0) return { provider: selector, carveOut: null };
  const provider = selector.slice(0, at);
  if (selector[at + 1] !== '!') {
    return `malformed selector ${JSON.stringify(selector)}: a region carve-out is written "Provider:!region"`;
  }
  const region = selector.slice(at + 2);
  if (!REGION_PATTERN.test(region)) {
    return `malformed selector ${JSON.stringify(selector)}: the region after ":!" must be letters, digits, ".", "_" or "-"`;
  }
  return { provider, carveOut: region };
}

function sample(entry: string): string {
  return JSON.stringify(entry.slice(0, 60));
}
