/**
 * The pure half of working with a Redis Cluster's slots: which primaries a scan must walk so that
 * every one of the 16384 hash slots is covered, how a multi-page scan names its position, how
 * slots are described in an error, and how keys are grouped per slot for multi-key scripts. The
 * I/O half is in the ioredis seam (`scanCluster`) and in the callers that split scripts.
 *
 * The primaries come from the client's slot table (ioredis' `cluster.slots`), not from its
 * connection pool: the pool forgets a primary whose connection ended, so walking the pool after
 * a primary died would silently skip its slots — the partial result this module exists to stop.
 */
import calculateSlot from 'cluster-key-slot';
import { GuardInputError } from '../errors.js';

/** Hash slots of a Redis Cluster. */
export const CLUSTER_SLOT_COUNT = 16384;

/** Who serves the slots, as a multi-page scan must walk them. */
export interface ClusterSlotPlan {
  /** The primaries (`host:port`) serving at least one slot, in scan order (sorted). */
  readonly primaries: readonly string[];
  /** The slot ranges each primary serves (`['0-5460']`). */
  readonly rangesOf: ReadonlyMap<string, readonly string[]>;
  /** Slot ranges no primary serves (an incomplete slot table). */
  readonly uncovered: readonly string[];
  /** A short digest of the slot → primary map: a scan whose map changes between pages is not complete. */
  readonly fingerprint: string;
}

/**
 * Reads a slot table (index = slot, value = the nodes serving it, primary first, as ioredis keeps
 * it in `cluster.slots`) into the primaries to scan.
 */
export function planClusterSlots(slots: ArrayLike<readonly string[] | undefined>): ClusterSlotPlan {
  const ranges = new Map<string, string[]>();
  const uncovered: string[] = [];
  let digest = FNV_OFFSET;
  let start = 0;
  let owner: string | undefined = slots[0]?.[0];
  for (let slot = 1; slot <= CLUSTER_SLOT_COUNT; slot++) {
    const next = slot < CLUSTER_SLOT_COUNT ? slots[slot]?.[0] : undefined;
    if (slot < CLUSTER_SLOT_COUNT && next === owner) continue;
    const range = rangeText(start, slot - 1);
    if (owner === undefined) uncovered.push(range);
    else {
      const list = ranges.get(owner);
      if (list) list.push(range);
      else ranges.set(owner, [range]);
    }
    digest = fnv1a(digest, `${range}=${owner ?? ''};`);
    start = slot;
    owner = next;
  }
  return {
    primaries: [...ranges.keys()].sort(),
    rangesOf: ranges,
    uncovered,
    fingerprint: (digest >>> 0).toString(16).padStart(8, '0'),
  };
}

/** Where a multi-page cluster scan stands: the primary being walked, its own cursor, and the map it was planned on. */
export interface ClusterScanPosition {
  /** The cursor of `SCAN` on that primary (`'0'` to start it). */
  readonly nodeCursor: string;
  /** The primary, by address (`host:port`), so a changed slot table cannot point the cursor elsewhere. */
  readonly address: string;
  /** {@link ClusterSlotPlan.fingerprint} of the map the scan started on. */
  readonly fingerprint: string;
}

/** The cursor text of a position: `<node cursor>@<host:port>@<fingerprint>` (never `'0'`). */
export function clusterScanCursor(position: ClusterScanPosition): string {
  return `${position.nodeCursor}@${position.address}@${position.fingerprint}`;
}

/** Reads a cursor made by {@link clusterScanCursor}; anything else is a `GuardInputError`. */
export function parseClusterScanCursor(cursor: string): ClusterScanPosition {
  const match = /^(\d+)@([^@]+)@([0-9a-f]{8})$/.exec(cursor);
  if (!match) throw new GuardInputError('cursor', `not a cluster scan cursor: ${JSON.stringify(cursor.slice(0, 80))}`);
  return { nodeCursor: match[1]!, address: match[2]!, fingerprint: match[3]! };
}

/**
 * The positions of `keys` (full keys) grouped by hash slot, each group in ascending order, the
 * groups in order of their first key: what one multi-key command or script per slot may take on
 * a cluster. Keys sharing a hash tag (`{…}`) share a group.
 */
export function indexesBySlot(keys: readonly string[]): number[][] {
  const groups = new Map<number, number[]>();
  keys.forEach((key, i) => {
    const slot = calculateSlot(key);
    const group = groups.get(slot);
    if (group) group.push(i);
    else groups.set(slot, [i]);
  });
  return [...groups.values()];
}

/** Slot numbers as sorted, merged ranges: `[1, 2, 3, 7]` → `['1-3', '7']`. */
export function slotRanges(slots: Iterable<number>): string[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(rangeText(sorted[i]!, sorted[j]!));
    i = j + 1;
  }
  return out;
}

/** At most `limit` ranges, joined, with a count of the rest (error messages stay short on a fragmented map). */
export function describeRanges(ranges: readonly string[], limit = 4): string {
  const shown = ranges.slice(0, limit).join(', ');
  return ranges.length > limit ? `${shown} and ${ranges.length - limit} more ranges` : shown;
}

function rangeText(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

const FNV_OFFSET = 0x811c9dc5;

/** 32-bit FNV-1a, enough to notice a changed slot map (not a security digest). */
function fnv1a(seed: number, text: string): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash;
}
