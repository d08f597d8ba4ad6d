/**
 * Rate-limit keys, byte for byte as the Python original writes them, so a Python replica and a
 * Node replica on one Redis share one budget per client:
 * `{redisPrefix}rate_limit:rate:{ip}` and, for a per-endpoint limit,
 * `{redisPrefix}rate_limit:rate:{ip}:{sha256hex(path)}` (no raw path text in a key).
 */
import { createHash } from 'node:crypto';

/** The namespace of every rate-limit window. */
export const RATE_LIMIT_NAMESPACE = 'rate_limit';

/** The SHA-256 of `text` (UTF-8) in lower-case hex, as Python's `hashlib.sha256(...).hexdigest()`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The key (inside {@link RATE_LIMIT_NAMESPACE}) of `ip`'s window; `pathHash` for a per-endpoint limit. */
export function rateLimitKey(ip: string, pathHash: string | null = null): string {
  return pathHash === null ? `rate:${ip}` : `rate:${ip}:${pathHash}`;
}

/** The SCAN pattern (inside the prefix) of every rate-limit window, for `reset()`. */
export const RATE_LIMIT_PATTERN = `${RATE_LIMIT_NAMESPACE}:rate:*`;
