/**
 * The public API as a test parameter. The async API returns promises, the sync API plain
 * values; `await` on a plain value is harmless, so one test body serves both (`describe.each`).
 */
import * as asyncApi from '../../src/index.js';
import type { RedisArg, RedisReply, RedisScript, SecurityConfigInput, SubscriptionBatch } from '../../src/index.js';
import * as syncApi from '../../src/sync.js';

/** A value, or a promise of it (the async API returns the latter, the sync API the former). */
export type Awaitable<T> = T | Promise<T>;

/** The part of the Redis seam tests drive through `getConnection()` and `safeOperation()`. */
export interface ConnectionUnderTest {
  get(key: string): Awaitable<string | null>;
  set(key: string, value: string, ttlSeconds: number | null): Awaitable<boolean>;
  pttl(key: string): Awaitable<number>;
  call(command: string, ...args: RedisArg[]): Awaitable<RedisReply>;
  runScript(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): Awaitable<RedisReply>;
}

/** A pub/sub subscription as both APIs expose it. */
export interface SubscriptionUnderTest {
  drain(): Awaitable<SubscriptionBatch>;
  close(): Awaitable<void>;
}

/** A leased connection; disposable with `await using` whichever API made it. */
export interface LeaseUnderTest {
  readonly connection: ConnectionUnderTest;
}

/** RedisManager as both APIs expose it. */
export interface ManagerUnderTest {
  readonly config: { readonly redisPrefix: string; readonly enableRedis: boolean };
  readonly isClosed: boolean;
  initialize(): Awaitable<void>;
  close(): Awaitable<void>;
  getKey(namespace: string, key: string): Awaitable<string | null>;
  setKey(namespace: string, key: string, value: string | number, ttl?: number | null): Awaitable<boolean | null>;
  incr(namespace: string, key: string, ttl?: number | null): Awaitable<number | null>;
  exists(namespace: string, key: string): Awaitable<boolean | null>;
  delete(namespace: string, key: string): Awaitable<number | null>;
  keys(pattern: string): Awaitable<string[] | null>;
  deletePattern(pattern: string): Awaitable<number | null>;
  recordSlidingWindowHit(
    namespace: string,
    key: string,
    now: number,
    windowStart: number,
    ttl: number,
  ): Awaitable<number | null>;
  runScript(
    script: RedisScript,
    namespace: string,
    keys: readonly string[],
    args: readonly RedisArg[],
  ): Awaitable<RedisReply | null>;
  publish(channel: string, message: string): Awaitable<number | null>;
  subscribe(channel: string, capacity?: number): Awaitable<SubscriptionUnderTest | null>;
  getConnection(): Awaitable<LeaseUnderTest & (AsyncDisposable | Disposable)>;
  safeOperation<T, A extends unknown[]>(
    operation: (connection: ConnectionUnderTest, ...args: A) => Awaitable<T>,
    ...args: A
  ): Awaitable<T | null>;
}

/** A cloud-IP store as both APIs expose it. */
export interface StoreUnderTest {
  get(provider: string): Awaitable<Set<string> | null>;
  set(provider: string, ranges: Iterable<string>, ttl?: number | null): Awaitable<void>;
  clear(): Awaitable<void>;
}

/** One API (async or sync) reduced to the constructors the shared tests need. */
export interface ApiUnderTest {
  /** `async` or `sync`, used in test names. */
  readonly name: string;
  createManager(config: SecurityConfigInput): ManagerUnderTest;
  createInMemoryStore(options?: { now?: () => number }): StoreUnderTest;
  createRedisStore(handler: ManagerUnderTest, keyPrefix?: string): StoreUnderTest;
}

/** The async API (`guard-core`, `guard-core/async`). */
export const asyncApiUnderTest: ApiUnderTest = {
  name: 'async',
  createManager: (config) => new asyncApi.RedisManager(config),
  createInMemoryStore: (options) => new asyncApi.InMemoryCloudIpStore(options),
  createRedisStore: (handler, keyPrefix) =>
    new asyncApi.RedisCloudIpStore(handler as unknown as asyncApi.RedisHandlerProtocol, keyPrefix),
};

/**
 * The sync API (`guard-core/sync`): generated classes over the worker-thread bridge. Its worker
 * runs from `dist/`, so `npm run build` must have run (`npm test` does).
 */
export const syncApiUnderTest: ApiUnderTest = {
  name: 'sync',
  createManager: (config) => new syncApi.RedisManager(config),
  createInMemoryStore: (options) => new syncApi.InMemoryCloudIpStore(options),
  createRedisStore: (handler, keyPrefix) =>
    new syncApi.RedisCloudIpStore(handler as unknown as syncApi.SyncRedisHandlerProtocol, keyPrefix),
};

/** Every API the shared integration and fault tests run against. */
export const apisUnderTest: readonly ApiUnderTest[] = [asyncApiUnderTest, syncApiUnderTest];

/**
 * Runs `next` after `value` is available, without making a sync call async: for a
 * `safeOperation` body that must stay synchronous under the sync API.
 */
export function andThen<T, U>(value: Awaitable<T>, next: (value: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * Runs `call` and returns what it threw or rejected with; fails the test when it succeeded.
 * A sync throw and an async rejection land in the same `catch`.
 */
export async function captureFailure(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Like {@link captureFailure}, plus how long the call took to fail, in milliseconds. */
export async function timeFailure(call: () => unknown): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  const error = await captureFailure(call);
  return { error, elapsedMs: performance.now() - started };
}

/**
 * Retries `call` until it succeeds or `timeoutMs` passes (for "works again after a restart",
 * where the client reconnects in the background). Returns the first success.
 */
export async function eventually<T>(call: () => Awaitable<T>, timeoutMs = 5000, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
