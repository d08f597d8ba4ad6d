/**
 * CIDR parsing and canonical text.
 *
 * A CIDR is valid when its address is valid for {@link parseIp}, its length is a decimal 0–32
 * (IPv4) or 0–128 (IPv6), and no host bit is set (strict, like Python's `ip_network`): a feed
 * entry such as `10.0.0.1/8` is more likely a typo than a wish for `10.0.0.0/8`, so it is skipped
 * and reported rather than silently widened. A bare address is a host network (`/32`, `/128`).
 * An IPv6 network inside `::ffff:0:0/96` is unmapped to its IPv4 equivalent, the same rule
 * addresses follow, so `::ffff:10.0.0.0/104` and `10.0.0.0/8` are one network.
 */
import { formatIpv4, formatIpv6Words, parseIp, type ParsedIp } from './ip.js';

/** A valid, canonical network. */
export interface ParsedCidr {
  /** Address family of the network (after unmapping). */
  readonly family: 4 | 6;
  /** Prefix length: 0–32 for IPv4, 0–128 for IPv6. */
  readonly prefix: number;
  /** The network address (host bits all zero). */
  readonly network: ParsedIp;
  /** Canonical text: `a.b.c.d/n`, or compressed lowercase IPv6 such as `2600:1f14::/35`. */
  readonly text: string;
}

/** The outcome of {@link parseCidr}: the network, or why the text is not one. */
export type CidrParseResult =
  { readonly ok: true; readonly cidr: ParsedCidr } | { readonly ok: false; readonly reason: string };

const PREFIX_DIGITS = /^[0-9]{1,3}$/;

/** Parses CIDR text strictly (see the module notes); never throws. */
export function parseCidr(text: string): CidrParseResult {
  if (typeof text !== 'string') return fail('not a string');
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  if (addressText.includes('%')) return fail('a network cannot carry a zone');
  const ip = parseIp(addressText);
  if (ip === null) return fail('invalid address');
  const writtenAsV6 = addressText.includes(':');
  const maxLength = writtenAsV6 ? 128 : 32;
  let prefix = maxLength;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!PREFIX_DIGITS.test(lengthText)) return fail('invalid prefix length');
    prefix = Number(lengthText);
    if (prefix > maxLength) return fail(`prefix length ${prefix} exceeds ${maxLength}`);
  }
  if (writtenAsV6 && ip.family === 4) {
    // An IPv4-mapped network: below /96 its address necessarily has host bits set.
    if (prefix < 96) return fail('host bits set');
    prefix -= 96;
  }
  if (!hostBitsClear(ip, prefix)) return fail('host bits set');
  return { ok: true, cidr: { family: ip.family, prefix, network: ip, text: `${formatNetwork(ip)}/${prefix}` } };
}

/** The canonical text of a CIDR, or `null` when it is not a valid one. */
export function canonicalCidr(text: string): string | null {
  const parsed = parseCidr(text);
  return parsed.ok ? parsed.cidr.text : null;
}

function fail(reason: string): CidrParseResult {
  return { ok: false, reason };
}

function formatNetwork(ip: ParsedIp): string {
  return ip.family === 4 ? formatIpv4(ip.w3) : formatIpv6Words(ip.w0, ip.w1, ip.w2, ip.w3);
}

/** The host-bit mask of word `index` (0–3) for a network of `bits` significant bits in a 128-bit space. */
function hostMask(bits: number, index: number): number {
  const kept = bits - index * 32;
  if (kept >= 32) return 0;
  if (kept <= 0) return 0xffffffff;
  return 0xffffffff >>> kept;
}

function hostBitsClear(ip: ParsedIp, prefix: number): boolean {
  if (ip.family === 4) return (ip.w3 & hostMask(prefix, 0)) === 0;
  return (
    (ip.w0 & hostMask(prefix, 0)) === 0 &&
    (ip.w1 & hostMask(prefix, 1)) === 0 &&
    (ip.w2 & hostMask(prefix, 2)) === 0 &&
    (ip.w3 & hostMask(prefix, 3)) === 0
  );
}

/** The last address of a network, as word values (the IPv4 value in `w3`). Exposed for the range index. */
export function lastAddressWords(cidr: ParsedCidr): [number, number, number, number] {
  const n = cidr.network;
  if (cidr.family === 4) return [0, 0, 0, (n.w3 | hostMask(cidr.prefix, 0)) >>> 0];
  return [
    (n.w0 | hostMask(cidr.prefix, 0)) >>> 0,
    (n.w1 | hostMask(cidr.prefix, 1)) >>> 0,
    (n.w2 | hostMask(cidr.prefix, 2)) >>> 0,
    (n.w3 | hostMask(cidr.prefix, 3)) >>> 0,
  ];
}
