/**
 * Why a connect over `rediss://` sentinels failed. ioredis reaches each sentinel with a client of
 * its own whose errors it drops, so a certificate the CA does not vouch for surfaces only as "All
 * sentinels are unreachable … Last error: Connection is closed." On that failure (never on the
 * way to a success) one TLS handshake with the first sentinel, with the same TLS options, recovers
 * the real reason, bounded by a short deadline so an unreachable sentinel adds little to the
 * failure's time.
 */
import { connect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { SentinelAddress } from '../../core/redis/sentinel.js';

/** Longest the probe may take: a refused certificate fails within one round trip. */
export const SENTINEL_TLS_PROBE_MS = 300;

/** The error of one TLS handshake with `address`, or null when it succeeded or timed out. */
export function probeSentinelTls(
  address: SentinelAddress,
  tls: TlsConnectionOptions,
  timeoutMs: number,
): Promise<Error | null> {
  return new Promise((resolve) => {
    const socket = connect({ ...tls, host: address.host, port: address.port });
    const finish = (error: Error | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once('secureConnect', () => finish(null));
    socket.once('error', (error: Error) => finish(error));
  });
}
