/**
 * What a ban is about: an address or a network, in the canonical text the Python original uses in
 * its keys (`banned_ips:2001:db8::1`, `banned_networks:10.0.0.0/8`), plus the containment and
 * overlap tests the ban manager needs.
 *
 * Canonical rules (the original's): surrounding `[]` are stripped, an IPv4-mapped IPv6 address is
 * unmapped (`::ffff:1.2.3.4` → `1.2.3.4`), IPv6 is lower-case and compressed (RFC 5952). A zone
 * (`%eth0`) is dropped: bans are about hosts, not interfaces.
 *
 * Networks: the original reads ban input with `ip_network(x, strict=False)`, i.e. host bits are
 * masked (`10.1.2.3/8` bans `10.0.0.0/8`); so does {@link parseBanTarget}, whereas the cloud
 * code's `parseCidr` refuses host bits. One difference: a network written in the IPv4-mapped space
 * (`::ffff:10.0.0.0/104`) is unmapped here (`10.0.0.0/8`), like addresses, where Python keeps it
 * as IPv6 text (`::ffff:a00:0/104`).
 */
import { parseCidr } from '../cloud/cidr.js';
import { formatIp, formatIpv4, formatIpv6Words, parseIp, type ParsedIp } from '../cloud/ip.js';

/** An address or network, parsed: family, prefix length and the network's four 32-bit words. */
export interface BanNetwork {
  /** 4 or 6 (after unmapping). */
  readonly family: 4 | 6;
  /** Prefix length: 32 / 128 for a single address. */
  readonly prefix: number;
  /** The network address as four words, most significant first (IPv4: `words[3]`). */
  readonly words: readonly [number, number, number, number];
}

/** A validated ban target. */
export interface BanTarget extends BanNetwork {
  /** `ip` for a single address (stored under `banned_ips`), `network` for a CIDR (`banned_networks`). */
  readonly kind: 'ip' | 'network';
  /** Canonical text: the Redis key inside its namespace. */
  readonly key: string;
}

/** Strips one pair of brackets around the address part (`[2001:db8::1]`, `[2001:db8::]/32`). */
function stripBrackets(text: string): string {
  if (!text.startsWith('[')) return text;
  const close = text.indexOf(']');
  return close < 0 ? text : text.slice(1, close) + text.slice(close + 1);
}

/** Canonical text of an address (see the module notes), or `null` when `text` is not one. */
export function canonicalIp(text: string): string | null {
  if (typeof text !== 'string') return null;
  const ip = parseIp(stripBrackets(text));
  return ip === null ? null : formatIp(ip);
}

/** The parsed address behind {@link canonicalIp}, or `null`. */
export function parseBanAddress(text: string): ParsedIp | null {
  if (typeof text !== 'string') return null;
  return parseIp(stripBrackets(text));
}

/**
 * Parses a ban target: an address, or (anything with a `/`, as in the original) a network whose
 * host bits are masked. `null` when `text` is neither.
 */
export function parseBanTarget(text: string): BanTarget | null {
  if (typeof text !== 'string') return null;
  const stripped = stripBrackets(text);
  const slash = stripped.indexOf('/');
  if (slash < 0) {
    const ip = parseIp(stripped);
    if (ip === null) return null;
    return { kind: 'ip', key: formatIp(ip), ...networkOf(ip, ip.family === 4 ? 32 : 128) };
  }
  const addressText = stripped.slice(0, slash);
  const lengthText = stripped.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(lengthText) || addressText.includes('%')) return null;
  const ip = parseIp(addressText);
  if (ip === null) return null;
  let prefix = Number(lengthText);
  let family = ip.family;
  let words: [number, number, number, number] = [ip.w0, ip.w1, ip.w2, ip.w3];
  if (addressText.includes(':')) {
    if (prefix > 128) return null;
    if (ip.family === 4) {
      // Written as IPv4-mapped IPv6: inside ::ffff:0:0/96 it is an IPv4 network, else IPv6.
      if (prefix >= 96) prefix -= 96;
      else {
        family = 6;
        words = [0, 0, 0xffff, ip.w3];
      }
    }
  } else if (prefix > 32) return null;
  // As in the original, anything written with a prefix is a network ban, `/32` included.
  const network: BanNetwork = { family, prefix, words: maskWords(words, family, prefix) };
  return { kind: 'network', key: formatNetwork(network), ...network };
}

/** The host network of a parsed address. */
function networkOf(ip: ParsedIp, prefix: number): BanNetwork {
  return { family: ip.family, prefix, words: [ip.w0, ip.w1, ip.w2, ip.w3] };
}

/** Canonical `address/prefix` text of a network. */
export function formatNetwork(network: BanNetwork): string {
  const [w0, w1, w2, w3] = network.words;
  const address = network.family === 4 ? formatIpv4(w3) : formatIpv6Words(w0, w1, w2, w3);
  return `${address}/${network.prefix}`;
}

/** The host-bit mask of word `index` (0–3) for `bits` significant bits counted from word 0. */
function hostMask(bits: number, index: number): number {
  const kept = bits - index * 32;
  if (kept >= 32) return 0;
  if (kept <= 0) return 0xffffffff;
  return 0xffffffff >>> kept;
}

/** The words of `words` with every bit after `prefix` cleared. */
export function maskWords(
  words: readonly [number, number, number, number],
  family: 4 | 6,
  prefix: number,
): [number, number, number, number] {
  // IPv4 lives in word 3, so its prefix counts from bit 96 of the 128-bit space.
  const bits = family === 4 ? prefix + 96 : prefix;
  return [
    (words[0] & ~hostMask(bits, 0)) >>> 0,
    (words[1] & ~hostMask(bits, 1)) >>> 0,
    (words[2] & ~hostMask(bits, 2)) >>> 0,
    (words[3] & ~hostMask(bits, 3)) >>> 0,
  ];
}

/** Whether `outer` contains every address of `inner` (same family, shorter or equal prefix). */
export function networkContains(outer: BanNetwork, inner: BanNetwork): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const masked = maskWords(inner.words, inner.family, outer.prefix);
  return (
    masked[0] === outer.words[0] &&
    masked[1] === outer.words[1] &&
    masked[2] === outer.words[2] &&
    masked[3] === outer.words[3]
  );
}

/** Whether two networks share at least one address (for CIDRs: one contains the other). */
export function networksOverlap(a: BanNetwork, b: BanNetwork): boolean {
  return networkContains(a, b) || networkContains(b, a);
}

function parsedNetworks(texts: readonly string[]): BanNetwork[] {
  return texts.map((text) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw new Error(`bad built-in network ${text}`);
    const n = parsed.cidr.network;
    return { family: parsed.cidr.family, prefix: parsed.cidr.prefix, words: [n.w0, n.w1, n.w2, n.w3] };
  });
}

/** Networks a ban must never cover (the original's rule): IPv4 and IPv6 loopback. */
export const LOOPBACK_NETWORKS: readonly BanNetwork[] = parsedNetworks(['127.0.0.0/8', '::1/128']);

/**
 * Private and link-local networks: banning one is allowed but warned about (behind a proxy that
 * is not listed in `trustedProxies`, every client may appear to come from one of these).
 */
export const PRIVATE_NETWORKS: readonly BanNetwork[] = parsedNetworks([
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
]);

/** Parses canonical CIDR texts (such as the config's `trustedProxies`) into networks; invalid ones are skipped. */
export function networksOf(texts: readonly string[]): BanNetwork[] {
  const out: BanNetwork[] = [];
  for (const text of texts) {
    const target = parseBanTarget(text);
    if (target !== null) out.push(target);
  }
  return out;
}
