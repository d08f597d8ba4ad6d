/**
 * Client addresses as they appear in rate-limit and behaviour keys: canonical text, so that
 * `::FFFF:10.0.0.1`, `::ffff:a00:1` and `10.0.0.1` share one budget, and so that the key matches
 * what the Python original writes for the same address (IPv4-mapped → IPv4, IPv6 lower-case and
 * compressed).
 */
import { GuardInputError } from '../errors.js';
import { describe } from '../validate.js';
import { formatIpv4, formatIpv6Words, parseIpv4Range, parseIpWords } from '../cloud/ip.js';

const words = new Uint32Array(4);

/**
 * The canonical text of `clientIp`, or `GuardInputError(field)` when it is not an IPv4 or IPv6
 * address. A bracketed IPv6 literal (`[2001:db8::1]`) is accepted; an IPv6 zone is dropped.
 */
export function canonicalClientIp(clientIp: unknown, field = 'clientIp'): string {
  if (typeof clientIp !== 'string')
    throw new GuardInputError(field, `expected an IP address, got ${describe(clientIp)}`);
  // Fast path (most traffic): a strict dotted quad is already canonical (no leading zeros).
  if (parseIpv4Range(clientIp, 0, clientIp.length) >= 0) return clientIp;
  const text =
    clientIp.length > 2 && clientIp.charCodeAt(0) === 91 && clientIp.charCodeAt(clientIp.length - 1) === 93
      ? clientIp.slice(1, -1)
      : clientIp;
  const family = parseIpWords(text, words);
  if (family === 4) return formatIpv4(words[3]!);
  if (family === 6) return formatIpv6Words(words[0]!, words[1]!, words[2]!, words[3]!);
  throw new GuardInputError(field, `not an IPv4 or IPv6 address: ${describe(clientIp)}`);
}
