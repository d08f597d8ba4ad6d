/**
 * Every provider's ranges in one index, so "is this a cloud IP, whose, which network" costs one
 * binary search however many providers are blocked.
 */
import { GuardInputError } from '../errors.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../providers.js';
import { describe } from '../validate.js';
import { parseCidr, type ParsedCidr } from './cidr.js';
import { parseIp, parseIpWords, type ParsedIp } from './ip.js';
import { findOwner4, findOwner6 } from './segment-table.js';
import { buildFamilies, ownerOf, RangeIndex, type FamilyIndex } from './range-index.js';

/** A cloud match: the provider and its most specific network containing the address. */
export interface CloudMatch {
  /** The provider that publishes the network. */
  readonly provider: CloudProvider;
  /** Canonical CIDR text. */
  readonly network: string;
  /**
   * The provider's region of that network (AWS `region`, GCP `scope`), when known. Absent from
   * `CloudRangeSet` lookups; set by `CloudManager`, which keeps the regions.
   */
  readonly region?: string;
}

/** Providers to consider: a list, a set, or a mask from {@link providerMask} (fastest). */
export type ProviderSelection = Iterable<CloudProvider> | number;

// Scratch for string lookups; safe to share because a lookup never yields before reading it.
const words = new Uint32Array(4);

/** The bit of each provider in a mask, in {@link CLOUD_PROVIDERS} order. */
const BIT: Readonly<Record<CloudProvider, number>> = Object.fromEntries(
  CLOUD_PROVIDERS.map((p, i) => [p, 1 << i]),
) as Record<CloudProvider, number>;

/** Every provider. */
export const ALL_PROVIDERS_MASK = (1 << CLOUD_PROVIDERS.length) - 1;

/** Turns provider names into a mask; unknown names are ignored (as upstream ignores them). */
export function providerMask(providers: ProviderSelection): number {
  if (typeof providers === 'number') return providers & ALL_PROVIDERS_MASK;
  let mask = 0;
  for (const p of providers) mask |= BIT[p] ?? 0;
  return mask;
}

/** The ranges of each provider, as indexes or as CIDR text lists. */
export type ProviderRanges =
  | ReadonlyMap<CloudProvider, RangeIndex | Iterable<string>>
  | Partial<Readonly<Record<CloudProvider, RangeIndex | Iterable<string>>>>;

/**
 * An immutable multi-provider index. A network published by several providers is one node
 * carrying each provider's bit; a lookup finds the most specific node and, under a provider
 * filter, walks up to the nearest enclosing node of a selected provider.
 *
 * Determinism: the network reported is always the most specific one among the selected
 * providers'; when several selected providers publish that same network, the first in
 * {@link CLOUD_PROVIDERS} order is reported.
 */
export class CloudRangeSet {
  /** A set with no ranges. */
  static readonly EMPTY: CloudRangeSet = CloudRangeSet.from({});

  private constructor(
    private readonly v4: FamilyIndex,
    private readonly v6: FamilyIndex,
    private readonly masks4: Uint8Array,
    private readonly masks6: Uint8Array,
    /** Number of distinct networks per provider. */
    readonly sizes: Readonly<Record<CloudProvider, number>>,
  ) {}

  /**
   * Builds the set. Text entries that are not valid CIDRs are ignored (build a `RangeIndex` first to
   * see them). Throws `GuardInputError` when `ranges` is not a map or record of lists (or indexes).
   */
  static from(ranges: ProviderRanges): CloudRangeSet {
    const networks: ParsedCidr[] = [];
    const bits: number[] = [];
    const sizes = Object.fromEntries(CLOUD_PROVIDERS.map((p) => [p, 0])) as Record<CloudProvider, number>;
    if (typeof ranges !== 'object' || ranges === null) {
      throw new GuardInputError('ranges', `expected a Map or a record of range lists, got ${describe(ranges)}`);
    }
    const entries = ranges instanceof Map ? [...ranges.entries()] : Object.entries(ranges);
    for (const [provider, list] of entries as [CloudProvider, RangeIndex | Iterable<string> | undefined][]) {
      const bit = Object.prototype.hasOwnProperty.call(BIT, provider) ? BIT[provider] : undefined;
      if (bit === undefined || list === undefined) continue;
      if (!(list instanceof RangeIndex) && !isIterable(list)) {
        throw new GuardInputError(`ranges.${provider}`, `expected a list of CIDR strings, got ${describe(list)}`);
      }
      const first = networks.length;
      for (const text of list instanceof RangeIndex ? list.cidrs() : list) {
        const parsed = parseCidr(text);
        if (!parsed.ok) continue;
        networks.push(parsed.cidr);
        bits.push(bit);
      }
      sizes[provider] = new Set(networks.slice(first).map((c) => c.text)).size;
    }
    const { v4, v6, tags4, tags6 } = buildFamilies(networks, bits);
    return new CloudRangeSet(v4, v6, tags4, tags6, sizes);
  }

  /** True when `ip` lies in a range of one of `providers` (default: all). */
  isCloudIp(ip: ParsedIp | string, providers: ProviderSelection = ALL_PROVIDERS_MASK): boolean {
    return this.node(ip, providers) >= 0;
  }

  /** The provider and most specific network containing `ip` among `providers` (default: all), or `null`. */
  find(ip: ParsedIp | string, providers: ProviderSelection = ALL_PROVIDERS_MASK): CloudMatch | null {
    const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
    if (parsed === null) return null;
    const filter = providerMask(providers);
    const node = this.nodeOf(parsed, filter);
    if (node < 0) return null;
    const v4 = parsed.family === 4;
    const bits = (v4 ? this.masks4 : this.masks6)[node]! & filter;
    const network = (v4 ? this.v4 : this.v6).texts[node]!;
    // The lowest set bit is the first selected provider in CLOUD_PROVIDERS order.
    return { provider: CLOUD_PROVIDERS[31 - Math.clz32(bits & -bits)]!, network };
  }

  private node(ip: ParsedIp | string, providers: ProviderSelection): number {
    if (typeof ip !== 'string') return this.nodeOf(ip, providerMask(providers));
    // String input: parse into scratch words, no object per lookup.
    const family = parseIpWords(ip, words);
    if (family === 0) return -1;
    const owner =
      family === 4
        ? findOwner4(this.v4.table, words[3]!)
        : findOwner6(this.v6.table, words[0]!, words[1]!, words[2]!, words[3]!);
    return this.climb(family, owner, providerMask(providers));
  }

  private nodeOf(ip: ParsedIp, filter: number): number {
    return this.climb(ip.family, ownerOf(this.v4, this.v6, ip), filter);
  }

  /** From the most specific node, up to the first one a selected provider publishes (or -1). */
  private climb(family: 4 | 6, owner: number, filter: number): number {
    let node = owner;
    if (node < 0 || filter === ALL_PROVIDERS_MASK) return node;
    const v4 = family === 4;
    const parents = v4 ? this.v4.table.parents : this.v6.table.parents;
    const masks = v4 ? this.masks4 : this.masks6;
    while (node >= 0 && (masks[node]! & filter) === 0) node = parents[node]!;
    return node;
  }
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}
