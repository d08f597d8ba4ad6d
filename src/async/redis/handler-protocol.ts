/**
 * What stores and handlers need from a Redis handler. Unlike the Python protocol it lists
 * every member callers really use, so a custom backend that satisfies it works at runtime too.
 */
import type { Logger } from '../../core/logger.js';
import type { RedisArg, RedisReply, RedisScript } from '../../core/redis-types.js';
import type { AgentHandler } from '../../core/telemetry.js';
import type { RedisConnection, RedisSubscription } from '../seams/redis.js';

/** A leased connection from {@link RedisHandlerProtocol.getConnection}; use it with `await using`. */
export interface RedisLease extends AsyncDisposable {
  /** The live connection; valid until the lease is disposed. */
  readonly connection: RedisConnection;
}

/** The Redis handler contract that stores, handlers and factories depend on. */
export interface RedisHandlerProtocol {
  /** The parts of the configuration callers read. */
  readonly config: { readonly redisPrefix: string; readonly enableRedis: boolean; readonly logger?: Logger };
  /** Connects (idempotent); rejects with `GuardRedisError` 503 when Redis is unreachable. */
  initialize(): Promise<void>;
  /** Closes the connection; later calls reject with `GuardRedisError`. */
  close(): Promise<void>;
  /** Value of `{prefix}{namespace}:{key}`, `null` on a miss or when Redis is disabled. */
  getKey(namespace: string, key: string): Promise<string | null>;
  /** Stores a value, with a TTL in seconds when given; `null` when Redis is disabled. */
  setKey(namespace: string, key: string, value: string | number, ttl?: number | null): Promise<boolean | null>;
  /** Atomic increment; the TTL is set when the counter is created. `null` when disabled. */
  incr(namespace: string, key: string, ttl?: number | null): Promise<number | null>;
  /** Whether the key exists; `null` when disabled. */
  exists(namespace: string, key: string): Promise<boolean | null>;
  /** Deletes one key; the number removed, `null` when disabled. */
  delete(namespace: string, key: string): Promise<number | null>;
  /** Full keys matching `{escaped prefix}{pattern}` (SCAN); `null` when disabled. */
  keys(pattern: string): Promise<string[] | null>;
  /** Deletes every key matching `{escaped prefix}{pattern}` (SCAN + batched UNLINK); `null` when disabled. */
  deletePattern(pattern: string): Promise<number | null>;
  /**
   * Adds a hit to the sliding window `{prefix}{namespace}:{key}` (unique member scored `now`),
   * prunes hits scored `<= windowStart`, sets the TTL and returns the count; one round trip.
   */
  recordSlidingWindowHit(
    namespace: string,
    key: string,
    now: number,
    windowStart: number,
    ttl: number,
  ): Promise<number | null>;
  /** Runs a script over keys of one namespace (prefixed by the handler); `null` when disabled. */
  runScript(
    script: RedisScript,
    namespace: string,
    keys: readonly string[],
    args: readonly RedisArg[],
  ): Promise<RedisReply | null>;
  /** PUBLISH on `{prefix}{channel}`; `null` when disabled. */
  publish(channel: string, message: string): Promise<number | null>;
  /** A buffered subscription to `{prefix}{channel}`; `null` when disabled. */
  subscribe(channel: string, capacity?: number): Promise<RedisSubscription | null>;
  /** Leases the raw connection (escape hatch for commands not listed here). */
  getConnection(): Promise<RedisLease>;
  /**
   * Optional: sets the agent that receives the handler's connection events (`RedisManager` has
   * it). `HandlerInitializer` calls it, when present, with the agent of its options.
   */
  initializeAgent?(agent: AgentHandler | null): void;
}
