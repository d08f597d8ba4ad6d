/**
 * Per-test helpers over the run's shared private Redis: a unique key prefix per test, a raw
 * client to inspect bytes, and cleanup that leaves no key behind.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The run's Redis URL (private server, or REDIS_URL). */
export function redisUrl(): string {
  return inject('redisUrl');
}

/** A prefix no other test uses, e.g. `t:1234:9f2c1a:`. */
export function uniquePrefix(label = 't'): string {
  return `${label}:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

/** A raw ioredis client on the run's Redis, for reading what the code under test wrote. */
export function rawClient(url = redisUrl()): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key that starts with one of `prefixes` (literal prefixes, escaped). */
export async function deleteByPrefix(client: Redis, ...prefixes: string[]): Promise<void> {
  for (const prefix of prefixes) {
    const match = prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`) + '*';
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 500);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}
