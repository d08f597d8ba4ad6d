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
 * four (most significant first) for IPv6, compared word by word (no BigInt on the lookup path).
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

/** Compares `width` words of `a` at `i` with those of `b` at `j`, most significant first. */
function compareAt(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, width: number): number {
  for (let k = 0; k < width; k++) {
    const x = a[i + k]!;
    const y = b[j + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Builds the table of `networks` (all of one family, pairwise distinct, **already sorted** by
 * {@link compareCidrs}). Works on flat arrays of plain number words rather than BigInt: this runs on
 * every refresh, and BigInt arithmetic made it about three times slower.
 */
export function buildSegmentTable(networks: readonly ParsedCidr[], width: 1 | 4): SegmentTable {
  const n = networks.length;
  const firsts = new Uint32Array(n * width);
  const lasts = new Uint32Array(n * width);
  networks.forEach((cidr, node) => {
    const a = cidr.network;
    const last = lastAddressWords(cidr);
    const words = [a.w0, a.w1, a.w2, a.w3];
    for (let k = 0; k < width; k++) {
      firsts[node * width + k] = words[4 - width + k]!;
      lasts[node * width + k] = last[4 - width + k]!;
    }
  });

  const segStarts: number[] = new Array<number>(width).fill(0);
  const segOwners: number[] = [-1];
  const parents = new Int32Array(n);
  const stack: number[] = [];
  const scratch = new Uint32Array(width);
  const top = (): number => (stack.length > 0 ? stack[stack.length - 1]! : -1);

  const emit = (source: ArrayLike<number>, at: number, owner: number): void => {
    const last = segOwners.length - 1;
    if (compareAt(segStarts, last * width, source, at, width) === 0) {
      segOwners[last] = owner;
      if (last > 0 && segOwners[last - 1] === owner) {
        segStarts.length -= width;
        segOwners.pop();
      }
    } else if (segOwners[last] !== owner) {
      for (let k = 0; k < width; k++) segStarts.push(source[at + k]!);
      segOwners.push(owner);
    }
  };
  /** Ends the innermost open network: from the address after it, its parent (or nothing) owns the space. */
  const close = (): void => {
    const node = stack.pop()!;
    let carry = true;
    for (let k = width - 1; k >= 0; k--) {
      const word = lasts[node * width + k]!;
      scratch[k] = carry ? (word + 1) >>> 0 : word;
      carry = carry && word === 0xffffffff;
    }
    if (!carry) emit(scratch, 0, top()); // carry left over = it ended at the family's last address
  };

  for (let node = 0; node < n; node++) {
    while (stack.length > 0 && compareAt(lasts, top() * width, firsts, node * width, width) < 0) close();
    parents[node] = top();
    emit(firsts, node * width, node);
    stack.push(node);
  }
  while (stack.length > 0) close();

  return { width, starts: Uint32Array.from(segStarts), owners: Int32Array.from(segOwners), parents };
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
