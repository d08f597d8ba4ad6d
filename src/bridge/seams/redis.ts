/**
 * The sync twin of `src/async/seams/redis.ts`. The generated sync RedisManager imports it in
 * place of the async seam. Each method is one Redis round trip, forwarded as one call to the
 * bridge worker, which owns the real ioredis connection.
 */
import { GuardBridgeError, GuardRedisError } from '../../core/errors.js';
import { describeRedisTarget } from '../../core/redact.js';
import { connectBudgetMs } from '../../core/redis/sentinel.js';
import type {
  RedisArg,
  RedisConnectionOptions,
  RedisReply,
  RedisScript,
  ScanPage,
  SubscriptionBatch,
} from '../../core/redis-types.js';
import type { SyncChannel } from '../channel/sync-channel.js';
import { bridgeChannel, bridgeGraceMs } from '../runtime.js';

/** A live connection to Redis (single node or cluster). Transport failures and timeouts throw `GuardRedisError` 503. */
export interface SyncRedisConnection {
  /**
   * True when this connection talks to a Redis Cluster, where one command or script may only
   * touch keys of one hash slot (CROSSSLOT otherwise); absent or false for a single server.
   */
  readonly cluster?: boolean;
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
  /**
   * Runs a Lua script by SHA-1 in one round trip; a `NOSCRIPT` reply is answered transparently by
   * one `EVAL` (which reloads the script). `keys` are full keys; `args` the script's ARGV.
   */
  runScript(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): RedisReply;
  /**
   * Any single command, in one round trip: the escape hatch for what the seam does not name,
   * e.g. `call('HGET', key, field)`. Reply errors (WRONGTYPE…) throw with the server's message.
   */
  call(command: string, ...args: RedisArg[]): RedisReply;
  /** PUBLISH `message` on `channel`; the number of subscribers that received it. */
  publish(channel: string, message: string): number;
  /**
   * Subscribes to `channel` on a dedicated connection (owned by the bridge worker) and buffers
   * what arrives (at most `capacity` messages; beyond that the batch reports a gap).
   */
  subscribe(channel: string, capacity: number): SyncRedisSubscription;
  /** Closes the connection; never throws. */
  close(): void;
}

/** A buffered pub/sub subscription from {@link SyncRedisConnection.subscribe}. */
export interface SyncRedisSubscription {
  /** Returns and forgets what arrived since the last call: one bridge crossing, no Redis round trip. */
  drain(): SubscriptionBatch;
  /** Unsubscribes and closes the dedicated connection; never throws. */
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
  private readonly scripts = new Map<string, string>();

  constructor(
    private readonly channel: () => SyncChannel,
    private readonly options: RedisConnectionOptions,
  ) {}

  /** What `util.inspect` shows: never the options (they hold the password and the TLS key). */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return { target: describeRedisTarget(this.options), open: this.handle !== 0, closed: this.closed };
  }

  /** The worker's client is a Cluster exactly when the options name cluster nodes. */
  get cluster(): boolean {
    return this.options.clusterNodes !== null;
  }

  connect(): void {
    this.guard('open', () => this.ensureOpen(this.channel()));
  }

  ping(): void {
    this.call_('ping', []);
  }

  get(key: string): string | null {
    return this.call_('get', [key]) as string | null;
  }

  set(key: string, value: string, ttlSeconds: number | null): boolean {
    return this.call_('set', [key, value, ttlSeconds]) as boolean;
  }

  incr(key: string, ttlSeconds: number | null): number {
    return this.call_('incr', [key, ttlSeconds]) as number;
  }

  exists(key: string): boolean {
    return this.call_('exists', [key]) as boolean;
  }

  del(key: string): number {
    return this.call_('del', [key]) as number;
  }

  pttl(key: string): number {
    return this.call_('pttl', [key]) as number;
  }

  scan(match: string, cursor: string, count: number): ScanPage {
    return this.call_('scan', [match, cursor, count]) as ScanPage;
  }

  unlink(keys: readonly string[]): number {
    return this.call_('unlink', [keys]) as number;
  }

  runScript(script: RedisScript, keys: readonly string[], args: readonly RedisArg[]): RedisReply {
    if (this.closed) throw new GuardRedisError(503, 'Redis connection closed');
    return this.guard(script.name, () => {
      const channel = this.channel();
      this.ensureOpen(channel);
      this.ensureScript(channel, script);
      return channel.call(
        'redis.runScript',
        [this.handle, script.name, keys, args],
        this.commandDeadlineMs(),
      ) as RedisReply;
    });
  }

  call(command: string, ...args: RedisArg[]): RedisReply {
    return this.call_('call', [command, args]) as RedisReply;
  }

  publish(channel: string, message: string): number {
    return this.call_('publish', [channel, message]) as number;
  }

  subscribe(channel: string, capacity: number): SyncRedisSubscription {
    const subscription = new BridgedSubscription(this, channel, capacity);
    subscription.open();
    return subscription;
  }

  /** Opens a worker-side subscription on the current worker; its id and the worker generation. */
  openSubscription(name: string, capacity: number): { id: number; generation: number } {
    const id = this.call_('subscribe', [name, capacity]) as number;
    return { id, generation: this.generation };
  }

  /** Runs a subscription operation on the worker that owns it (no Redis handle needed). */
  subscriptionCall(method: 'drain' | 'unsubscribe', id: number): unknown {
    return this.guard(method, () =>
      this.channel().call(`redis.${method}`, [id], this.options.commandTimeoutMs + bridgeGraceMs()),
    );
  }

  /** The current worker's generation (changes when the worker was replaced). */
  currentGeneration(): number {
    const channel = this.channel();
    return channel.isClosed ? -1 : channel.generation;
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

  private call_(method: string, args: readonly unknown[]): unknown {
    if (this.closed) throw new GuardRedisError(503, 'Redis connection closed');
    return this.guard(method, () => {
      const channel = this.channel();
      this.ensureOpen(channel);
      return channel.call(`redis.${method}`, [this.handle, ...args], this.commandDeadlineMs());
    });
  }

  private ensureOpen(channel: SyncChannel): void {
    if (this.generation === channel.generation && this.generation !== 0) return;
    const deadline = connectBudgetMs(this.options) + bridgeGraceMs();
    this.handle = channel.call('redis.open', [this.options], deadline) as number;
    this.generation = channel.generation;
    this.scripts.clear(); // a fresh worker knows no script yet
  }

  /** Sends a script's source to the worker once per worker; later calls name it only. */
  private ensureScript(channel: SyncChannel, script: RedisScript): void {
    if (this.scripts.get(script.name) === script.lua) return;
    channel.call('redis.defineScript', [script.name, script.lua], this.commandDeadlineMs());
    this.scripts.set(script.name, script.lua);
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

/**
 * A subscription whose connection and buffer live in the bridge worker. Draining is one bridge
 * crossing. When the worker was replaced, the subscription is opened again on the new one and
 * the next batch reports a gap (what arrived meanwhile is lost).
 */
class BridgedSubscription implements SyncRedisSubscription {
  private id = 0;
  private generation = -1;
  private closed = false;

  constructor(
    private readonly connection: BridgedRedisConnection,
    private readonly name: string,
    private readonly capacity: number,
  ) {}

  open(): void {
    const opened = this.connection.openSubscription(this.name, this.capacity);
    this.id = opened.id;
    this.generation = opened.generation;
  }

  drain(): SubscriptionBatch {
    if (this.closed) return { messages: [], gap: false, live: false };
    if (this.connection.currentGeneration() !== this.generation) {
      this.open();
      return { messages: [], gap: true, live: true };
    }
    return this.connection.subscriptionCall('drain', this.id) as SubscriptionBatch;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.connection.currentGeneration() !== this.generation) return;
    try {
      this.connection.subscriptionCall('unsubscribe', this.id);
    } catch {
      // best effort, as in the async seam
    }
  }
}
