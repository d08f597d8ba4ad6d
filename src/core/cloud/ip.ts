/**
 * Strict, allocation-light IP address parsing for the cloud lookup hot path.
 *
 * Decisions (each one tested):
 * - IPv4 is the dotted quad only: four decimal parts 0–255, **no leading zeros** (`010.0.0.1` is
 *   invalid). Some stacks read a leading zero as octal, others as decimal; refusing it removes the
 *   ambiguity, as Python's `ipaddress` (since 3.9.5) and Node's `net.isIPv4` do. Shorthand forms
 *   (`10.1`, `0x7f.1`, a bare integer) are invalid too.
 * - IPv6 follows RFC 4291 text: 1–4 hex digits per group (either case), one `::`, an optional
 *   trailing dotted quad, and an optional zone (`%eth0`, RFC 6874 characters) that is ignored for
 *   matching. Brackets, prefixes and surrounding whitespace are invalid.
 * - An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, any spelling) is unmapped to IPv4, so a client
 *   reaching a dual-stack socket over IPv4 matches the IPv4 ranges.
 *
 * Both families are parsed by hand (no regex, no split) because this runs once per request.
 */

/**
 * A parsed address. The value is held as four unsigned 32-bit words, most significant first:
 * an IPv6 address uses all four; an IPv4 address is `w3` (the others are 0).
 */
export interface ParsedIp {
  /** 4 for IPv4 (including unmapped `::ffff:a.b.c.d`), 6 for IPv6. */
  readonly family: 4 | 6;
  /** Bits 127–96 of an IPv6 address; 0 for IPv4. */
  readonly w0: number;
  /** Bits 95–64 of an IPv6 address; 0 for IPv4. */
  readonly w1: number;
  /** Bits 63–32 of an IPv6 address; 0 for IPv4. */
  readonly w2: number;
  /** Bits 31–0 of an IPv6 address, or the whole IPv4 address. */
  readonly w3: number;
}

/** One class for both families keeps every parsed address the same hidden shape (a monomorphic hot path). */
class Ip implements ParsedIp {
  constructor(
    readonly family: 4 | 6,
    readonly w0: number,
    readonly w1: number,
    readonly w2: number,
    readonly w3: number,
  ) {}
}

/** Parses an IPv4 or IPv6 address; `null` for anything that is not a valid address (see the module notes). */
export function parseIp(text: string): ParsedIp | null {
  const family = parseIpWords(text, scratch);
  if (family === 0) return null;
  return new Ip(family, scratch[0]!, scratch[1]!, scratch[2]!, scratch[3]!);
}

const scratch = new Uint32Array(4);

/**
 * {@link parseIp} without allocating: writes the four words into `out` (IPv4: `out[3]`, others 0)
 * and returns the family, or 0 when `text` is not a valid address (`out` is then unspecified).
 * For per-request lookups on string input, where an object per call is measurable.
 */
export function parseIpWords(text: string, out: Uint32Array): 0 | 4 | 6 {
  if (typeof text !== 'string') return 0;
  const v4 = parseIpv4Range(text, 0, text.length);
  if (v4 >= 0) {
    out[0] = out[1] = out[2] = 0;
    out[3] = v4;
    return 4;
  }
  if (text.indexOf(':') < 0) return 0;
  const end = addressEnd(text);
  if (end < 0 || parseIpv6Groups(text, end) !== 8) return 0;
  const g = groups;
  out[0] = g[0]! * 65536 + g[1]!;
  out[1] = g[2]! * 65536 + g[3]!;
  out[2] = g[4]! * 65536 + g[5]!;
  out[3] = g[6]! * 65536 + g[7]!;
  if (out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
    out[2] = 0; // IPv4-mapped: unmap
    return 4;
  }
  return 6;
}

/**
 * Parses a strict dotted quad in `text[start, end)`. Returns the address as an unsigned 32-bit
 * number, or -1 when the text is not one.
 */
export function parseIpv4Range(text: string, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let leadingZero = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (leadingZero) return -1; // "01", "00"
      if (digits === 0 && c === 48) leadingZero = true;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      leadingZero = false;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

// Scratch space for the eight 16-bit groups; safe because parsing never yields mid-way.
const groups = new Uint16Array(8);

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function isZoneChar(c: number): boolean {
  // RFC 6874 "unreserved": ALPHA / DIGIT / "-" / "." / "_" / "~"
  return (
    (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 122) || c === 45 || c === 46 || c === 95 || c === 126
  );
}

/** The end of the address part, i.e. the index of a valid `%zone`, or -1 when the zone is malformed. */
function addressEnd(text: string): number {
  const percent = text.indexOf('%');
  if (percent < 0) return text.length;
  if (percent === text.length - 1) return -1;
  for (let i = percent + 1; i < text.length; i++) if (!isZoneChar(text.charCodeAt(i))) return -1;
  return percent;
}

/** Parses IPv6 text into `groups`; returns the number of groups written after expanding `::`, or -1. */
function parseIpv6Groups(text: string, end: number): number {
  let i = 0;
  let count = 0;
  let gap = -1;
  if (end < 2) return -1;
  if (text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return -1;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const start = i;
    let value = 0;
    let h: number;
    while (i < end && i - start < 5 && (h = hexValue(text.charCodeAt(i))) >= 0) {
      value = value * 16 + h;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // A trailing dotted quad fills the last two groups.
      if (count > 6) return -1;
      const v4 = parseIpv4Range(text, start, end);
      if (v4 < 0) return -1;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    const digits = i - start;
    if (digits === 0 || digits > 4 || count >= 8) return -1;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return -1;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return -1;
      gap = count;
      i++;
    } else if (i === end) {
      return -1; // a single trailing colon
    }
  }
  if (gap < 0) return count === 8 ? 8 : -1;
  if (count > 7) return -1; // "::" must stand for at least one group
  const tail = count - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  return 8;
}

/** The canonical text of an address: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`). */
export function formatIp(ip: ParsedIp): string {
  return ip.family === 4 ? formatIpv4(ip.w3) : formatIpv6Words(ip.w0, ip.w1, ip.w2, ip.w3);
}

/** Dotted-quad text of an unsigned 32-bit value. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 text of a 128-bit value given as four 32-bit words. */
export function formatIpv6Words(w0: number, w1: number, w2: number, w3: number): string {
  const parts = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  let bestStart = -1;
  let bestLength = 1; // RFC 5952 §4.2.2: a single zero group is never compressed
  for (let i = 0; i < 8;) {
    if (parts[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && parts[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((p) => p.toString(16)).join(':');
  if (bestStart < 0) return hex(parts);
  return `${hex(parts.slice(0, bestStart))}::${hex(parts.slice(bestStart + bestLength))}`;
}
