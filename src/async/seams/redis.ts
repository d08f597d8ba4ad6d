/**
 * The Redis seam. Every method is exactly one Redis round trip (one command, one pipeline
 * or one script), so the sync API can forward each call across its worker bridge once.
 *
 * This module is hand-written for both APIs: its sync twin lives in `src/bridge/seams/`,
 * and the code generator points the sync mirror there instead of translating it.
 */
import type {
  RedisArg,
  RedisConnectionOptions,
  RedisReply,
  RedisScript,
  ScanPage,
  SubscriptionBatch,
} from '../../core/redis-types.js';
import { openIoredisConnection } from './ioredis-connection.js';

/** A live connection to Redis (single node or cluster). Errors of transport or timeout reject with `GuardRedisError` 503. */
export interface RedisConnection {
  /**
   * True when this connection talks to a Redis Cluster, where one command or script may only
   * touch keys of one hash slot (CROSSSLOT otherwise); absent or false for a single server.
   * Callers that batch several keys into one script split the batch per slot when it is true.
   */
  readonly cluster?: boolean;
  /** PING; resolves when the server answered. */
  ping(): Promise<void>;
  /** GET; `null` on a miss. */
  get(key: string): Promise<string | null>;
  /** SET, with `EX ttlSeconds` when given (a plain SET clears an earlier TTL). */
  set(key: string, value: string, ttlSeconds: number | null): Promise<boolean>;
  /** Atomic INCR that sets `EXPIRE ttlSeconds` when the counter has no TTL yet (one script). */
  incr(key: string, ttlSeconds: number | null): Promise<number>;
  /** EXISTS for one key. */
  exists(key: string): Promise<boolean>;
  /** DEL of one key; the number of keys removed (0 or 1). */
  del(key: string): Promise<number>;
  /** PTTL: milliseconds left, -1 without expiry, -2 when the key is absent. */
  pttl(key: string): Promise<number>;
  /** One SCAN page with `MATCH match COUNT count`; on a cluster the cursor walks every primary. */
  scan(match: string, cursor: string, count: number): Promise<ScanPage>;
  /** UNLINK of the given keys (grouped by slot on a cluster); the number removed. */
  unlink(keys: readonly string[]): Promise<number>;
  /**
   * Runs a Lua script by SHA-1 in one round trip; a `NOSCRIPT` reply is answered transparently by
   * one `EVAL` (which reloads the script). `keys` are full keys; `args` the script's ARGV.
   */
  runScript(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): Promise<RedisReply>;
  /**
   * Any single command, in one round trip: the escape hatch for what the seam does not name,
   * e.g. `call('HGET', key, field)`. Reply errors (WRONGTYPE…) reject with the server's message.
   */
  call(command: string, ...args: RedisArg[]): Promise<RedisReply>;
  /** PUBLISH `message` on `channel`; the number of subscribers that received it. */
  publish(channel: string, message: string): Promise<number>;
  /**
   * Subscribes to `channel` on a dedicated connection and buffers what arrives (at most
   * `capacity` messages; beyond that the batch reports a gap). Resolves once subscribed.
   */
  subscribe(channel: string, capacity: number): Promise<RedisSubscription>;
  /** Closes the connection; never throws. */
  close(): Promise<void>;
}

/** A buffered pub/sub subscription from {@link RedisConnection.subscribe}. */
export interface RedisSubscription {
  /** Returns and forgets what arrived since the last call. Never a Redis round trip. */
  drain(): Promise<SubscriptionBatch>;
  /** Unsubscribes and closes the dedicated connection; never throws. */
  close(): Promise<void>;
}

/** Opens a connection: connects, waits until ready (bounded by `connectTimeoutMs`) and returns it. */
export type OpenRedisConnection = (options: RedisConnectionOptions) => Promise<RedisConnection>;

/** The default opener, over ioredis. */
export const openRedisConnection: OpenRedisConnection = openIoredisConnection;
