/**
 * The search structure behind the range index: one address family's networks flattened into
 * disjoint segments.
 *
 * Any two CIDRs are either nested or disjoint, so a set of them is a forest (each network's
 * parent is the smallest network strictly containing it). Sweeping the networks in order of
 * (start, prefix length) cuts the address space into segments whose owner is the most specific
 * network covering them (or none). A lookup is then one binary search over the segment starts and
 * an array read — no walk, no allocation. Parent links are kept for callers that must skip some
 * networks (a provider filter): they walk from the owner to the first acceptable ancestor.
 *
 * Segment starts are unsigned 32-bit words in a `Uint32Array`: one word per segment for IPv4,
 * four (most significant first) for IPv6. Measured against BigInt keys, word compares keep IPv6
 * lookups within a few times the IPv4 cost, while building (once per refresh) may use BigInt.
 */
import { lastAddressWords, type ParsedCidr } from './cidr.js';

/** One family's networks, flattened. Node ids index the `networks` array given to {@link buildSegmentTable}. */
export interface SegmentTable {
  /** 1 (IPv4) or 4 (IPv6) words per segment start. */
  readonly width: 1 | 4;
  /** Segment starts, ascending; the first segment starts at address 0. */
  readonly starts: Uint32Array;
  /** The most specific network (node id) covering each segment, or -1. */
  readonly owners: Int32Array;
  /** The parent network of each node, or -1 for a root. */
  readonly parents: Int32Array;
}

/** An empty table (every address unowned), per width. */
export function emptySegmentTable(width: 1 | 4): SegmentTable {
  return { width, starts: new Uint32Array(width), owners: Int32Array.of(-1), parents: new Int32Array(0) };
}

function toBig(w: readonly number[], width: 1 | 4): bigint {
  if (width === 1) return BigInt(w[3]!);
  return (BigInt(w[0]!) << 96n) | (BigInt(w[1]!) << 64n) | (BigInt(w[2]!) << 32n) | BigInt(w[3]!);
}

/**
 * Builds the table of `networks` (all of one family, pairwise distinct, **already sorted** by
 * {@link compareCidrs}).
 */
export function buildSegmentTable(networks: readonly ParsedCidr[], width: 1 | 4): SegmentTable {
  const max = width === 1 ? 0xffffffffn : (1n << 128n) - 1n;
  const segStarts: bigint[] = [0n];
  const segOwners: number[] = [-1];
  const parents = new Int32Array(networks.length);
  const ends: bigint[] = [];
  const stack: number[] = [];

  const emit = (start: bigint, owner: number): void => {
    const last = segStarts.length - 1;
    if (segStarts[last] === start) {
      segOwners[last] = owner;
      if (last > 0 && segOwners[last - 1] === owner) {
        segStarts.pop();
        segOwners.pop();
      }
    } else if (segOwners[last] !== owner) {
      segStarts.push(start);
      segOwners.push(owner);
    }
  };
  const close = (): void => {
    const node = stack.pop()!;
    const end = ends[node]!;
    if (end < max) emit(end + 1n, stack.length > 0 ? stack[stack.length - 1]! : -1);
  };

  networks.forEach((cidr, node) => {
    const n = cidr.network;
    const start = toBig([n.w0, n.w1, n.w2, n.w3], width);
    ends.push(toBig(lastAddressWords(cidr), width));
    while (stack.length > 0 && ends[stack[stack.length - 1]!]! < start) close();
    parents[node] = stack.length > 0 ? stack[stack.length - 1]! : -1;
    emit(start, node);
    stack.push(node);
  });
  while (stack.length > 0) close();

  return { width, starts: packStarts(segStarts, width), owners: Int32Array.from(segOwners), parents };
}

function packStarts(starts: readonly bigint[], width: 1 | 4): Uint32Array {
  const out = new Uint32Array(starts.length * width);
  starts.forEach((value, i) => {
    for (let k = 0; k < width; k++) out[i * width + k] = Number((value >> BigInt(32 * (width - 1 - k))) & 0xffffffffn);
  });
  return out;
}

/** Orders networks of one family by start address, then shorter prefix (the container) first. */
export function compareCidrs(a: ParsedCidr, b: ParsedCidr): number {
  const x = a.network;
  const y = b.network;
  return x.w0 - y.w0 || x.w1 - y.w1 || x.w2 - y.w2 || x.w3 - y.w3 || a.prefix - b.prefix;
}

/** The node owning the IPv4 address `value` (an unsigned 32-bit number), or -1. */
export function findOwner4(table: SegmentTable, value: number): number {
  const starts = table.starts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return table.owners[lo]!;
}

/** The node owning the IPv6 address given as four words, or -1. */
export function findOwner6(table: SegmentTable, w0: number, w1: number, w2: number, w3: number): number {
  const starts = table.starts;
  let lo = 0;
  let hi = (starts.length >>> 2) - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const k = mid << 2;
    const s0 = starts[k]!;
    let atOrBelow: boolean;
    if (s0 !== w0) atOrBelow = s0 < w0;
    else {
      const s1 = starts[k + 1]!;
      if (s1 !== w1) atOrBelow = s1 < w1;
      else {
        const s2 = starts[k + 2]!;
        atOrBelow = s2 !== w2 ? s2 < w2 : starts[k + 3]! <= w3;
      }
    }
    if (atOrBelow) lo = mid;
    else hi = mid - 1;
  }
  return table.owners[lo]!;
}
