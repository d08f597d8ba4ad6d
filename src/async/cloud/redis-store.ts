/**
 * Redis-backed cloud-IP store, byte-compatible with the Python guard-core on a shared Redis.
 */
import { GuardInputError } from '../../core/errors.js';
import { escapeGlob } from '../../core/keys.js';
import { defaultLogger, type Logger } from '../../core/logger.js';
import { parseStringList, pythonJsonStringList, sortByCodePoint } from '../../core/python-json.js';
import { requireName, requireRanges, requireTtl } from '../../core/validate.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import type { CloudIpStoreProtocol, CloudIpStoreRead } from './store-protocol.js';

/** The default namespace of cloud-IP keys, as in the Python original (v3.1; the seed's layout). */
export const DEFAULT_CLOUD_IP_KEY_PREFIX = 'cloud_ip';

/** The namespace of the newest Python guard-core (v3.2.0 and later): the `python-v2` layout's. */
export const PYTHON_V2_CLOUD_IP_KEY_PREFIX = 'cloud_ip_v2';

/** The store namespace of a `cloudCacheLayout` (`seed` → `cloud_ip`, `python-v2` → `cloud_ip_v2`). */
export function cloudIpKeyPrefixOf(layout: unknown): string {
  return layout === 'python-v2' ? PYTHON_V2_CLOUD_IP_KEY_PREFIX : DEFAULT_CLOUD_IP_KEY_PREFIX;
}

/**
 * Writes `<redisPrefix><keyPrefix>:<provider>` = the JSON of the sorted list, in Python's
 * format (`["10.0.0.0/8", "3.5.140.0/22"]`), with the TTL as `EX`. A value that is not a JSON
 * list of strings reads as a miss and is logged, never thrown.
 */
export class RedisCloudIpStore implements CloudIpStoreProtocol {
  /** The namespace under the handler's `redisPrefix`. */
  readonly keyPrefix: string;
  private readonly logger: Logger;

  /**
   * Stores under `<redisPrefix><keyPrefix>:<provider>` through `redis` (a RedisManager or any
   * handler). Throws `GuardInputError` when `redis` is not a handler, or `keyPrefix` is empty or
   * contains `:` — the separator between namespace and provider: with `a:b` allowed, the store
   * `a:b` + provider `c` and the store `a` + provider `b:c` would share a key, and `a`'s `clear()`
   * would delete `a:b`'s entries. Without `keyPrefix`, the namespace follows the handler's
   * `cloudCacheLayout` (`cloud_ip`, or `cloud_ip_v2` for `python-v2`).
   */
  constructor(
    private readonly redis: RedisHandlerProtocol,
    keyPrefix?: string,
  ) {
    if (typeof redis !== 'object' || redis === null || typeof redis.getKey !== 'function') {
      throw new GuardInputError('redis', 'expected a Redis handler (RedisHandlerProtocol)');
    }
    const layout = (redis.config as { readonly cloudCacheLayout?: unknown } | undefined)?.cloudCacheLayout;
    this.keyPrefix = requireName('keyPrefix', keyPrefix ?? cloudIpKeyPrefixOf(layout));
    if (this.keyPrefix.includes(':')) {
      throw new GuardInputError(
        'keyPrefix',
        `must not contain ':' (the namespace/provider separator), got ${JSON.stringify(keyPrefix)}`,
      );
    }
    this.logger = redis.config?.logger ?? defaultLogger();
  }

  /** The cached set; `null` on a miss, when Redis is disabled, or when the value is corrupt (logged). Redis failures reject with `GuardRedisError`. */
  async get(provider: string): Promise<Set<string> | null> {
    const name = requireName('provider', provider);
    const raw = await this.redis.getKey(this.keyPrefix, name);
    if (raw === null) return null;
    const list = parseStringList(raw);
    if (list === null) {
      this.logger.warn(`ignoring corrupt cloud-IP cache entry ${this.keyPrefix}:${name} (not a JSON list of strings)`);
      return null;
    }
    return new Set(list);
  }

  /**
   * The cached value, telling a miss (`absent`) from a value that is not a JSON list of strings
   * (`foreign`: left for its writer, never overwritten by a CloudManager). Redis disabled reads
   * as `absent`; Redis failures reject with `GuardRedisError`.
   */
  async read(provider: string): Promise<CloudIpStoreRead> {
    const name = requireName('provider', provider);
    const raw = await this.redis.getKey(this.keyPrefix, name);
    if (raw === null) return { kind: 'absent' };
    const list = parseStringList(raw);
    if (list === null) return { kind: 'foreign', detail: `${this.keyPrefix}:${name} is not a JSON list of strings` };
    return { kind: 'entries', entries: new Set(list) };
  }

  /** Writes the sorted list in Python's JSON format, with `EX ttl` when a TTL is given (none clears an earlier one). */
  async set(provider: string, ranges: Iterable<string>, ttl?: number | null): Promise<void> {
    const name = requireName('provider', provider);
    const payload = pythonJsonStringList(sortByCodePoint(new Set(requireRanges(ranges))));
    await this.redis.setKey(this.keyPrefix, name, payload, requireTtl(ttl));
  }

  /** Deletes every key of this store's namespace (SCAN with the escaped prefix, batched UNLINK), and nothing else. */
  async clear(): Promise<void> {
    await this.redis.deletePattern(`${escapeGlob(this.keyPrefix)}:*`);
  }
}
