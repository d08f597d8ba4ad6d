/**
 * How the conformance factories map the kit's prefix to a RedisCloudIpStore keyPrefix. Keys are
 * `<redisPrefix><keyPrefix>:<provider>`, so a keyPrefix must not contain `:` — otherwise
 * (keyPrefix "ip", provider "x:y") and (keyPrefix "ip:x", provider "y") are one key (P16).
 */
import type { Redis } from 'ioredis';

/** Percent-encodes `%` and `:` only: glob characters stay, so the store's escaping is exercised. */
export function redisKeyPrefix(prefix: string): string {
  return prefix.replace(/[%:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Hex of the UTF-8 bytes: no separator and no glob character at all. */
export function hexKeyPrefix(prefix: string): string {
  return Buffer.from(prefix, 'utf8').toString('hex');
}

/** Every key under `prefix` (a literal prefix), by a full SCAN. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const match = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}
