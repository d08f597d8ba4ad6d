/**
 * A deliberately naive reference for the range index: ipaddr.js parses, BigInt masks compare, a
 * linear scan finds every containing network and keeps the longest prefix. It shares no code with
 * `src/core/cloud`, so agreement between the two is evidence, not tautology.
 */
import ipaddr from 'ipaddr.js';

/** A network as the reference sees it. */
export interface RefNetwork {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly prefix: number;
  /** ipaddr.js's canonical text (`toString()` is RFC 5952 for IPv6). */
  readonly text: string;
}

const MAPPED_PREFIX = 0xffffn << 32n;

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

/** The address as (family, value), IPv4-mapped IPv6 unmapped; `null` when ipaddr.js rejects it. */
export function refParseIp(text: string): { family: 4 | 6; value: bigint } | null {
  if (!ipaddr.isValid(text)) return null;
  const addr = ipaddr.process(text);
  return { family: addr.kind() === 'ipv4' ? 4 : 6, value: toBigInt(addr.toByteArray()) };
}

/** A network from CIDR text; `null` for bad text or host bits set. Mapped IPv6 networks (≥ /96) become IPv4. */
export function refParseCidr(text: string): RefNetwork | null {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return null;
  }
  const [addr, prefix] = parsed;
  let family: 4 | 6 = addr.kind() === 'ipv4' ? 4 : 6;
  let start = toBigInt(addr.toByteArray());
  let length = prefix;
  if (family === 6 && start >> 32n === MAPPED_PREFIX >> 32n && prefix >= 96) {
    family = 4;
    start &= 0xffffffffn;
    length = prefix - 96;
  }
  const hostBits = bits(family) - length;
  if ((start & ((1n << BigInt(hostBits)) - 1n)) !== 0n) return null;
  return { family, start, prefix: length, text: `${formatRef(family, start)}/${length}` };
}

function formatRef(family: 4 | 6, value: bigint): string {
  const width = family === 4 ? 4 : 16;
  const bytes = Array.from({ length: width }, (_, i) => Number((value >> BigInt(8 * (width - 1 - i))) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** True when `net` contains the address. */
export function refContains(net: RefNetwork, family: 4 | 6, value: bigint): boolean {
  if (net.family !== family) return false;
  const shift = BigInt(bits(family) - net.prefix);
  return value >> shift === net.start >> shift;
}

/** The most specific network of `nets` containing `address`, by linear scan; `null` when none or invalid. */
export function refFind(nets: readonly RefNetwork[], address: string): string | null {
  const ip = refParseIp(address);
  if (ip === null) return null;
  let best: RefNetwork | null = null;
  for (const net of nets) {
    if (refContains(net, ip.family, ip.value) && (best === null || net.prefix > best.prefix)) best = net;
  }
  return best?.text ?? null;
}

/** Text of an address value (for generators): dotted quad or RFC 5952. */
export function refFormatAddress(family: 4 | 6, value: bigint): string {
  return formatRef(family, value);
}
