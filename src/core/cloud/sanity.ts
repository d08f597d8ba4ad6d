/**
 * Sanity rules for a provider's set of cloud ranges. A set that breaks one is never installed
 * for lookups nor written to the shared store, whether it came from the provider's feed or from
 * the store itself: one poisoned response (`0.0.0.0/0`, `10.0.0.0/8`, a feed cut to 10 %) must not
 * turn every client into a cloud address, or none, on every replica.
 *
 * The limits are `SecurityConfig.cloudFeedLimits`; see the README's "Trust and limits".
 */
import type { CloudFeedLimits } from '../config.js';
import { lastAddressWords, parseCidr, type ParsedCidr } from './cidr.js';

/** Which rule a set broke. */
export type SanityRule =
  'empty' | 'invalid' | 'too-many-entries' | 'prefix-too-short' | 'reserved' | 'shrink' | 'growth';

/** The verdict on one set. */
export type SanityVerdict =
  { readonly ok: true } | { readonly ok: false; readonly rule: SanityRule; readonly detail: string };

/**
 * The shrink and growth rules only judge a change from a set of at least this many entries: tiny
 * sets (mirrors, tests, a provider that publishes a handful) change by large ratios legitimately.
 */
export const CHANGE_RULE_MIN_BASELINE = 20;

/**
 * Address space no cloud provider can own: unspecified, private, shared (CGNAT), loopback,
 * link-local, IETF protocol assignments, documentation, benchmarking, multicast, reserved,
 * NAT64/6to4 translation prefixes (they embed all of IPv4), ULA and site-local. A network that
 * overlaps one of them (inside it, or containing it) breaks the `reserved` rule. IPv4-mapped
 * IPv6 (`::ffff:0:0/96`) is unmapped to IPv4 by the CIDR parser, so it is judged as IPv4.
 */
export const RESERVED_NETWORKS: readonly string[] = Object.freeze([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/8',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/23',
  '2001:db8::/32',
  '2002::/16',
  '3fff::/20',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
]);

interface Span {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
  readonly text: string;
}

const RESERVED_SPANS: readonly Span[] = RESERVED_NETWORKS.map((text) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bad built-in reserved network ${text}`);
  return spanOf(parsed.cidr);
});

/**
 * Judges `cidrs` (canonical CIDR texts, as a `RangeIndex` lists them) against `limits`, and against
 * `previous` (the provider's last good set, or `null` when there is none) for the change rules.
 * Linear in the size of both sets.
 */
export function checkRangeSanity(
  cidrs: readonly string[],
  previous: readonly string[] | null,
  limits: CloudFeedLimits,
): SanityVerdict {
  if (cidrs.length === 0) return bad('empty', 'the set holds no valid prefix');
  if (cidrs.length > limits.maxEntries) {
    return bad('too-many-entries', `${cidrs.length} entries, more than maxEntries (${limits.maxEntries})`);
  }
  for (const text of cidrs) {
    const parsed = parseCidr(text);
    if (!parsed.ok) return bad('invalid', `an entry is not a valid CIDR: ${JSON.stringify(text.slice(0, 60))}`);
    const cidr = parsed.cidr;
    const min = cidr.family === 4 ? limits.minPrefixV4 : limits.minPrefixV6;
    if (cidr.prefix < min) {
      const name = cidr.family === 4 ? 'minPrefixV4' : 'minPrefixV6';
      return bad('prefix-too-short', `${cidr.text} is shorter than /${min} (${name})`);
    }
    if (!limits.allowReserved) {
      const reserved = reservedOverlap(cidr);
      if (reserved !== null) return bad('reserved', `${cidr.text} overlaps reserved space ${reserved}`);
    }
  }
  if (previous === null || previous.length < CHANGE_RULE_MIN_BASELINE) return { ok: true };
  const current = new Set(cidrs);
  let removed = 0;
  for (const text of previous) if (!current.has(text)) removed++;
  if (removed / previous.length > limits.maxShrinkRatio) {
    return bad(
      'shrink',
      `${removed} of the ${previous.length} ranges in use would disappear (more than maxShrinkRatio ${limits.maxShrinkRatio})`,
    );
  }
  if (cidrs.length > previous.length * limits.maxGrowthRatio) {
    return bad(
      'growth',
      `${cidrs.length} ranges instead of ${previous.length} (more than maxGrowthRatio ${limits.maxGrowthRatio} times)`,
    );
  }
  return { ok: true };
}

/** The reserved network `cidr` overlaps, or `null`. */
export function reservedOverlap(cidr: ParsedCidr): string | null {
  const span = spanOf(cidr);
  for (const reserved of RESERVED_SPANS) {
    if (reserved.family === span.family && span.first <= reserved.last && reserved.first <= span.last) {
      return reserved.text;
    }
  }
  return null;
}

function spanOf(cidr: ParsedCidr): Span {
  const n = cidr.network;
  const last = lastAddressWords(cidr);
  if (cidr.family === 4) return { family: 4, first: BigInt(n.w3 >>> 0), last: BigInt(last[3]), text: cidr.text };
  return { family: 6, first: words(n.w0, n.w1, n.w2, n.w3), last: words(...last), text: cidr.text };
}

function words(w0: number, w1: number, w2: number, w3: number): bigint {
  return (BigInt(w0 >>> 0) << 96n) | (BigInt(w1 >>> 0) << 64n) | (BigInt(w2 >>> 0) << 32n) | BigInt(w3 >>> 0);
}

function bad(rule: SanityRule, detail: string): SanityVerdict {
  return { ok: false, rule, detail };
}
