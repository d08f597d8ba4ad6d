/**
 * The client-IP rule of the example (the same file sits in `examples/express`, so each example can
 * be copied on its own): the socket peer is the client, unless the peer is a trusted proxy
 * (`trustedProxies`); then `X-Forwarded-For` is read from the right, skipping trusted proxies, and
 * the first address that is not one is the client. Entries to its left were written by the client
 * itself and are never believed. Without `trustedProxies`, `X-Forwarded-For` is ignored.
 */
import { formatIp, parseIp, RangeIndex } from 'guard-core';

/** Resolves the client address of a request from its socket peer and `X-Forwarded-For`. */
export class ClientIpResolver {
  private readonly trusted: RangeIndex;

  /** `trustedProxies`: addresses or CIDR networks, as in the guard's configuration. */
  constructor(trustedProxies: readonly string[]) {
    this.trusted = RangeIndex.build(trustedProxies).index;
  }

  /**
   * The canonical client address (IPv4-mapped IPv6 unmapped), or `null` when it cannot be known:
   * no peer address, or a hop written by a trusted proxy that is not an address (a proxy that
   * forwards ports or garbage is misconfigured; guessing would rate-limit or ban the wrong client).
   */
  resolve(peer: string | undefined, forwardedFor: string | readonly string[] | undefined): string | null {
    let hop = peer === undefined ? null : parseIp(peer);
    if (hop === null) return null;
    const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor?.join(',');
    if (header === undefined || header.trim() === '' || !this.trusted.contains(hop)) return formatIp(hop);
    const entries = header.split(',');
    for (let i = entries.length - 1; i >= 0; i--) {
      const next = parseIp(entries[i]!.trim());
      if (next === null) return null;
      hop = next;
      if (!this.trusted.contains(hop)) return formatIp(hop);
    }
    // Every hop is a trusted proxy: the left-most one is as far as the chain can be followed.
    return formatIp(hop);
  }
}
