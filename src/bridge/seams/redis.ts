/**
 * The sync twin of `src/async/seams/redis.ts`. The generated sync RedisManager imports it in
 * place of the async seam. Each method is one Redis round trip, forwarded as one call to the
 * bridge worker, which owns the real ioredis connection.
 */
import { GuardBridgeError, GuardRedisError } from '../../core/errors.js';
import type { RedisConnectionOptions, ScanPage } from '../../core/redis-types.js';
import type { SyncChannel } from '../channel/sync-channel.js';
import { bridgeChannel, bridgeGraceMs } from '../runtime.js';

/** A live connection to Redis (single node or cluster). Transport failures and timeouts throw `GuardRedisError` 503. */
export interface SyncRedisConnection {
  /** PING; returns when the server answered. */
  ping(): void;
  /** GET; `null` on a miss. */
  get(key: string): string | null;
  /** SET, with `EX ttlSeconds` when given (a plain SET clears an earlier TTL). */
  set(key: string, value: string, ttlSeconds: number | null): boolean;
  /** Atomic INCR that sets `EXPIRE ttlSeconds` when the counter has no TTL yet (one script). */
  incr(key: string, ttlSeconds: number | null): number;
  /** EXISTS for one key. */
  exists(key: string): boolean;
  /** DEL of one key; the number of keys removed (0 or 1). */
  del(key: string): number;
  /** PTTL: milliseconds left, -1 without expiry, -2 when the key is absent. */
  pttl(key: string): number;
  /** One SCAN page with `MATCH match COUNT count`; on a cluster the cursor walks every primary. */
  scan(match: string, cursor: string, count: number): ScanPage;
  /** UNLINK of the given keys (grouped by slot on a cluster); the number removed. */
  unlink(keys: readonly string[]): number;
  /** Closes the connection; never throws. */
  close(): void;
}

/** Opens a connection: connects, waits until ready (bounded by `connectTimeoutMs`) and returns it. */
export type SyncOpenRedisConnection = (options: RedisConnectionOptions) => SyncRedisConnection;

/** The default opener: an ioredis connection owned by the sync bridge's worker. */
export const openRedisConnection: SyncOpenRedisConnection = (options) => openBridgedRedisConnection(options);

/** Opens a bridge-backed connection over `channel` (the process's bridge by default). */
export function openBridgedRedisConnection(
  options: RedisConnectionOptions,
  channel: () => SyncChannel = bridgeChannel,
): SyncRedisConnection {
  const connection = new BridgedRedisConnection(channel, options);
  connection.connect();
  return connection;
}

/**
 * Remembers its options so that, when the worker was replaced (after a crash or a wedge), the
 * next call transparently opens a new connection on the fresh worker instead of stranding the
 * RedisManager that holds this object.
 */
class BridgedRedisConnection implements SyncRedisConnection {
  private handle = 0;
  private generation = -1;
  private closed = false;

  constructor(
    private readonly channel: () => SyncChannel,
    private readonly options: RedisConnectionOptions,
  ) {}

  connect(): void {
    this.guard('open', () => this.ensureOpen(this.channel()));
  }

  ping(): void {
    this.call('ping', []);
  }

  get(key: string): string | null {
    return this.call('get', [key]) as string | null;
  }

  set(key: string, value: string, ttlSeconds: number | null): boolean {
    return this.call('set', [key, value, ttlSeconds]) as boolean;
  }

  incr(key: string, ttlSeconds: number | null): number {
    return this.call('incr', [key, ttlSeconds]) as number;
  }

  exists(key: string): boolean {
    return this.call('exists', [key]) as boolean;
  }

  del(key: string): number {
    return this.call('del', [key]) as number;
  }

  pttl(key: string): number {
    return this.call('pttl', [key]) as number;
  }

  scan(match: string, cursor: string, count: number): ScanPage {
    return this.call('scan', [match, cursor, count]) as ScanPage;
  }

  unlink(keys: readonly string[]): number {
    return this.call('unlink', [keys]) as number;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const channel = this.channel();
    if (channel.isClosed || channel.generation !== this.generation) return; // died with its worker
    try {
      channel.call('redis.close', [this.handle], this.options.commandTimeoutMs + bridgeGraceMs());
    } catch {
      // closing is best effort, as in the async seam
    }
  }

  private call(method: string, args: readonly unknown[]): unknown {
    if (this.closed) throw new GuardRedisError(503, 'Redis connection closed');
    return this.guard(method, () => {
      const channel = this.channel();
      this.ensureOpen(channel);
      return channel.call(`redis.${method}`, [this.handle, ...args], this.commandDeadlineMs());
    });
  }

  private ensureOpen(channel: SyncChannel): void {
    if (this.generation === channel.generation && this.generation !== 0) return;
    const deadline = this.options.connectTimeoutMs + bridgeGraceMs();
    this.handle = channel.call('redis.open', [this.options], deadline) as number;
    this.generation = channel.generation;
  }

  /** ioredis may retry a command `retries` times, each bounded by the command timeout. */
  private commandDeadlineMs(): number {
    return this.options.commandTimeoutMs * (this.options.retries + 1) + bridgeGraceMs();
  }

  /** A bridge failure becomes what the async seam would throw for an unreachable Redis: 503. */
  private guard<T>(method: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (!(error instanceof GuardBridgeError)) throw error;
      throw new GuardRedisError(503, `Redis ${method} failed in the sync bridge: ${error.name}`, { cause: error });
    }
  }
}
