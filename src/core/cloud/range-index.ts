/**
 * A set of CIDRs parsed once and searched in O(log n): the structure behind "is this client IP in
 * a provider's ranges, and in which network".
 */
import { parseCidr, type ParsedCidr } from './cidr.js';
import { parseIp, type ParsedIp } from './ip.js';
import {
  buildSegmentTable,
  compareCidrs,
  emptySegmentTable,
  findOwner4,
  findOwner6,
  type SegmentTable,
} from './segment-table.js';

/** What {@link RangeIndex.build} returns: the index, and the entries it refused. */
export interface BuiltRangeIndex {
  /** The index of every valid CIDR. */
  readonly index: RangeIndex;
  /** Entries that are not valid CIDRs (bad text, host bits set, length out of range), as given. */
  readonly skipped: readonly string[];
}

/**
 * One address family's half of an index: the flattened segments plus, per node, its CIDR text.
 * Shared with {@link CloudRangeSet}, which adds a provider mask per node.
 */
export interface FamilyIndex {
  readonly table: SegmentTable;
  /** Canonical CIDR text of each node, in table order. */
  readonly texts: readonly string[];
}

/** Both families' halves, plus the per-node tags (OR-merged over repeats of a network). */
export interface BuiltFamilies {
  readonly v4: FamilyIndex;
  readonly v6: FamilyIndex;
  readonly tags4: Uint8Array;
  readonly tags6: Uint8Array;
}

/**
 * Sorts and deduplicates parsed networks and builds both families' tables. `tags[i]` (a small bit
 * set, e.g. a provider bit) goes with `networks[i]`; a network given twice gets the union of its
 * tags. Sorting then merging neighbours avoids a Map per build (this runs on every refresh).
 */
export function buildFamilies(networks: readonly ParsedCidr[], tags?: readonly number[]): BuiltFamilies {
  const order = Array.from(networks.keys()).sort((a, b) => {
    const x = networks[a]!;
    const y = networks[b]!;
    return x.family - y.family || compareCidrs(x, y);
  });
  const lists: Record<4 | 6, ParsedCidr[]> = { 4: [], 6: [] };
  const merged: Record<4 | 6, number[]> = { 4: [], 6: [] };
  let previous: ParsedCidr | null = null;
  for (const i of order) {
    const cidr = networks[i]!;
    const list = lists[cidr.family];
    const marks = merged[cidr.family];
    const tag = tags?.[i] ?? 0;
    if (previous !== null && previous.family === cidr.family && compareCidrs(previous, cidr) === 0) {
      marks[marks.length - 1]! |= tag;
      continue;
    }
    list.push(cidr);
    marks.push(tag);
    previous = cidr;
  }
  const family = (list: ParsedCidr[], width: 1 | 4): FamilyIndex => ({
    table: buildSegmentTable(list, width),
    texts: list.map((c) => c.text),
  });
  return {
    v4: family(lists[4], 1),
    v6: family(lists[6], 4),
    tags4: Uint8Array.from(merged[4]),
    tags6: Uint8Array.from(merged[6]),
  };
}

/** The node owning `ip` in the matching family, or -1. */
export function ownerOf(v4: FamilyIndex, v6: FamilyIndex, ip: ParsedIp): number {
  return ip.family === 4 ? findOwner4(v4.table, ip.w3) : findOwner6(v6.table, ip.w0, ip.w1, ip.w2, ip.w3);
}

/**
 * An immutable index of CIDRs (IPv4 and IPv6 together). Build it once per refresh; look up per
 * request. IPv4 and IPv6 are kept apart, so `32.0.0.1` never matches `2000::/8`, and an
 * IPv4-mapped IPv6 address (already unmapped by {@link parseIp}) matches the IPv4 networks.
 */
export class RangeIndex {
  /** An index with no networks: every lookup misses. */
  static readonly EMPTY: RangeIndex = new RangeIndex(
    { table: emptySegmentTable(1), texts: [] },
    { table: emptySegmentTable(4), texts: [] },
  );

  /** Number of distinct valid CIDRs indexed. */
  readonly size: number;

  private constructor(
    private readonly v4: FamilyIndex,
    private readonly v6: FamilyIndex,
  ) {
    this.size = v4.texts.length + v6.texts.length;
  }

  /**
   * Parses every CIDR once. Malformed entries (bad text, host bits set, out-of-range length) are
   * skipped and listed, never fatal; duplicates (after canonicalisation) are indexed once.
   */
  static build(cidrs: Iterable<string>): BuiltRangeIndex {
    const valid: ParsedCidr[] = [];
    const skipped: string[] = [];
    for (const text of cidrs) {
      const parsed = parseCidr(text);
      if (parsed.ok) valid.push(parsed.cidr);
      else skipped.push(text);
    }
    if (valid.length === 0) return { index: RangeIndex.EMPTY, skipped };
    const { v4, v6 } = buildFamilies(valid);
    return { index: new RangeIndex(v4, v6), skipped };
  }

  /** The canonical CIDR texts indexed, sorted by code unit (the order the Redis store writes them in). */
  cidrs(): string[] {
    return [...this.v4.texts, ...this.v6.texts].sort();
  }

  /** The most specific indexed network containing `ip` (canonical CIDR text), or `null`. O(log n). */
  find(ip: ParsedIp): string | null {
    if (ip.family === 4) {
      const owner = findOwner4(this.v4.table, ip.w3);
      return owner < 0 ? null : this.v4.texts[owner]!;
    }
    const owner = findOwner6(this.v6.table, ip.w0, ip.w1, ip.w2, ip.w3);
    return owner < 0 ? null : this.v6.texts[owner]!;
  }

  /** True when some indexed network contains `ip`. */
  contains(ip: ParsedIp): boolean {
    return ownerOf(this.v4, this.v6, ip) >= 0;
  }

  /** Parses `address` and returns its most specific network; `null` for no match or an invalid address. */
  lookup(address: string): string | null {
    const ip = parseIp(address);
    return ip === null ? null : this.find(ip);
  }
}
