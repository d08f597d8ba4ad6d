/**
 * The ban manager's local state: every ban this process knows of, exact addresses and networks,
 * bounded. It is the Redis mirror while Redis is up and the whole truth while Redis is off or
 * down. Pure (no I/O), shared by both APIs.
 *
 * - Exact bans live in an LRU of `capacity` entries (the original: 10,000). When the LRU has to
 *   evict, the mirror is no longer complete and {@link LocalBans.complete} turns false: a local
 *   miss then proves nothing and the manager asks Redis.
 * - Network bans must always be held (they cannot be looked up by key), so they get their own
 *   bound of `capacity` networks and are never evicted: a new network beyond it is refused.
 *   Lookup masks the address once per distinct prefix length held (at most 33 for IPv4 and 129
 *   for IPv6, in practice a handful) and probes by canonical text: O(distinct prefixes), not
 *   O(networks).
 */
import { LRUCache } from 'lru-cache';
import { formatNetwork, maskWords, type BanNetwork } from './target.js';

/** One ban as the manager reports it. */
export interface BanEntry {
  /** Canonical address (`1.2.3.4`, `2001:db8::1`) or network (`10.0.0.0/8`). */
  readonly target: string;
  /** `ip` for an address ban (`banned_ips`), `network` for a CIDR ban (`banned_networks`). */
  readonly kind: 'ip' | 'network';
  /** When the ban ends, in epoch seconds (`Infinity` for a stored `inf`). */
  readonly expiresAt: number;
  /** Why, when known (the original stores no reason in Redis: bans read from there have none). */
  readonly reason?: string;
}

/** A held network ban: the entry and its parsed network. */
interface NetworkBan {
  readonly entry: BanEntry;
  readonly network: BanNetwork;
}

/** The bounded local set of bans; see the module notes. */
export class LocalBans {
  private readonly exact: LRUCache<string, BanEntry>;
  private readonly networks: LRUCache<string, NetworkBan>;
  /** How many held networks have each (family, prefix): key `family * 256 + prefix`. */
  private readonly prefixCounts = new Map<number, number>();
  private evicted = false;

  /** `capacity` bounds the exact bans and, separately, the network bans. */
  constructor(readonly capacity: number) {
    this.exact = new LRUCache<string, BanEntry>({
      max: capacity,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.evicted = true;
      },
    });
    // Never evicts: set() refuses a new network once the bound is reached.
    this.networks = new LRUCache<string, NetworkBan>({ max: capacity });
  }

  /** False once an exact ban had to be evicted: a local miss is then not authoritative. */
  get complete(): boolean {
    return !this.evicted;
  }

  /** Marks the set incomplete (the source held more exact bans than fit). */
  markIncomplete(): void {
    this.evicted = true;
  }

  /** Number of exact bans and of network bans held. */
  get size(): { readonly exact: number; readonly networks: number } {
    return { exact: this.exact.size, networks: this.networks.size };
  }

  /** Whether a new network ban (one not held yet) would fit. */
  canHoldNetwork(target: string): boolean {
    return this.networks.has(target) || this.networks.size < this.capacity;
  }

  /**
   * Holds `entry` (replacing an earlier ban of the same target). A network needs `network`.
   * Returns false, holding nothing, when a new network would exceed the bound.
   */
  set(entry: BanEntry, network?: BanNetwork): boolean {
    if (entry.kind === 'ip') {
      this.exact.set(entry.target, entry);
      return true;
    }
    if (network === undefined || !this.canHoldNetwork(entry.target)) return false;
    if (!this.networks.has(entry.target)) this.countPrefix(network, 1);
    this.networks.set(entry.target, { entry, network });
    return true;
  }

  /** The ban held for `target` (an address or network key), expired or not; `undefined` when none. */
  get(target: string): BanEntry | undefined {
    return this.exact.get(target) ?? this.networks.peek(target)?.entry;
  }

  /** Forgets the ban of `target`; true when one was held. */
  delete(target: string): boolean {
    if (this.exact.delete(target)) return true;
    const held = this.networks.peek(target);
    if (held === undefined) return false;
    this.networks.delete(target);
    this.countPrefix(held.network, -1);
    return true;
  }

  /**
   * The held network ban containing `address` (family and words as parsed), if any — the longest
   * prefix first, so the most specific ban is reported. Expired bans count too: the caller
   * decides (and forgets them).
   */
  findNetwork(family: 4 | 6, words: readonly [number, number, number, number]): BanEntry | undefined {
    if (this.prefixCounts.size === 0) return undefined;
    let best: BanEntry | undefined;
    let bestPrefix = -1;
    for (const code of this.prefixCounts.keys()) {
      if (code >> 8 !== family) continue;
      const prefix = code & 255;
      if (prefix <= bestPrefix) continue;
      const text = formatNetwork({ family, prefix, words: maskWords(words, family, prefix) });
      const held = this.networks.peek(text);
      if (held !== undefined) {
        best = held.entry;
        bestPrefix = prefix;
      }
    }
    return best;
  }

  /** Every held ban whose expiry is at or after `nowSeconds`, networks first. */
  entries(nowSeconds: number): BanEntry[] {
    const out: BanEntry[] = [];
    for (const { entry } of this.networks.values()) if (entry.expiresAt >= nowSeconds) out.push(entry);
    for (const entry of this.exact.values()) if (entry.expiresAt >= nowSeconds) out.push(entry);
    return out;
  }

  /** Forgets every ban and becomes complete again. */
  clear(): void {
    this.exact.clear();
    this.networks.clear();
    this.prefixCounts.clear();
    this.evicted = false;
  }

  private countPrefix(network: BanNetwork, delta: 1 | -1): void {
    const code = network.family * 256 + network.prefix;
    const next = (this.prefixCounts.get(code) ?? 0) + delta;
    if (next > 0) this.prefixCounts.set(code, next);
    else this.prefixCounts.delete(code);
  }
}
