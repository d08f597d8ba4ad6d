/**
 * Which cloud-IP store an app gets, from `config.cloudIpStore` and the state of Redis.
 */
import type { CloudIpStoreSetting } from '../../core/config.js';
import { GuardConfigError } from '../../core/errors.js';
import { describe } from '../../core/validate.js';
import { InMemoryCloudIpStore } from '../cloud/in-memory-store.js';
import { RedisCloudIpStore } from '../cloud/redis-store.js';
import type { CloudIpStoreFactory, CloudIpStoreProtocol } from '../cloud/store-protocol.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';

/**
 * Where the store in use came from:
 * - `instance`: the `cloudIpStore` instance, used as is (never swapped, whatever its class);
 * - `factory`: built by the `cloudIpStore` factory, called once with the live Redis handler;
 * - `auto-redis`: a `RedisCloudIpStore` wired automatically (Redis up, cloud blocking on);
 * - `in-memory-fallback`: an `InMemoryCloudIpStore` because Redis is off or unreachable;
 * - `default`: an `InMemoryCloudIpStore` because nothing needs more (no cloud blocking, no setting).
 */
export type StoreOrigin = 'instance' | 'factory' | 'auto-redis' | 'in-memory-fallback' | 'default';

/** The resolved store, and the one warning to log about it (if any). */
export interface StoreResolution {
  /** The store the cloud manager will use. */
  readonly store: CloudIpStoreProtocol;
  /** Where it came from (see {@link StoreOrigin}). */
  readonly origin: StoreOrigin;
  /** The one warning to log about the choice, or `null`. */
  readonly warning: string | null;
}

/** What the resolution depends on. */
export interface StoreResolutionInput {
  /** `config.cloudIpStore`. */
  readonly setting: CloudIpStoreSetting | null;
  /** The live Redis handler, or `null` when Redis is off or unreachable. */
  readonly redis: RedisHandlerProtocol | null;
  /** Why `redis` is `null` (for the warning), e.g. `Redis is disabled (enableRedis is false)`. */
  readonly redisProblem: string | null;
  /** True when `blockCloudProviders` is not empty. */
  readonly cloudBlocking: boolean;
}

/**
 * Resolves the store as the seed describes, without the original's traps: an instance is
 * always used as is (even an `InMemoryCloudIpStore` with Redis on), a factory is called only
 * with a live handler (never with `null`), and a fallback says so once.
 */
export function resolveCloudIpStore(input: StoreResolutionInput): StoreResolution {
  const { setting, redis } = input;
  if (setting !== null && typeof setting !== 'function') {
    return { store: setting as CloudIpStoreProtocol, origin: 'instance', warning: null };
  }
  if (setting !== null && redis !== null) {
    return { store: callFactory(setting as unknown as CloudIpStoreFactory, redis), origin: 'factory', warning: null };
  }
  if (redis !== null && input.cloudBlocking) {
    return { store: new RedisCloudIpStore(redis), origin: 'auto-redis', warning: null };
  }
  if (redis !== null || (setting === null && !input.cloudBlocking)) {
    return { store: new InMemoryCloudIpStore(), origin: 'default', warning: null };
  }
  const problem = input.redisProblem ?? 'Redis is not available';
  const skipped = setting !== null ? ' the cloudIpStore factory was not called (it needs a live Redis handler);' : '';
  return {
    store: new InMemoryCloudIpStore(),
    origin: 'in-memory-fallback',
    warning:
      `${problem}:${skipped} cloud-IP ranges are cached in process memory (InMemoryCloudIpStore), ` +
      'not shared between replicas and lost on restart',
  };
}

/** Calls a factory (or constructs a store class passed in its place) and checks what it returns. */
function callFactory(factory: CloudIpStoreFactory, redis: RedisHandlerProtocol): CloudIpStoreProtocol {
  // A class such as RedisCloudIpStore may be passed as the factory, as the Python original allows;
  // calling a class without `new` throws, so construct it instead.
  const made = isClass(factory)
    ? new (factory as unknown as new (redis: RedisHandlerProtocol) => CloudIpStoreProtocol)(redis)
    : factory(redis);
  const shape = made as unknown as Record<string, unknown> | null;
  if (
    typeof made !== 'object' ||
    shape === null ||
    !['get', 'set', 'clear'].every((m) => typeof shape[m] === 'function')
  ) {
    throw new GuardConfigError([
      { field: 'cloudIpStore', message: `the factory returned ${describe(made)}, not a store with get, set and clear` },
    ]);
  }
  return made;
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}
