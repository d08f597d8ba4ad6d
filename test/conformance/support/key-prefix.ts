/**
 * Key-prefix helpers of the conformance tests. (The mapping a user needs for RedisCloudIpStore,
 * `encodePrefix(prefix, ':')`, is exported by guard-core/testing.)
 */
import type { Redis } from 'ioredis';

/**
 * Hex of the UTF-8 bytes: no separator and no glob character at all (for ioredis-mock, whose
 * SCAN MATCH ignores backslash escapes).
 */
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
