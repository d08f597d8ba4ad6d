/**
 * RedisManager: the connection lifecycle and the namespaced key operations of the Python
 * original, made fail-fast. A new instance per construction (never a process singleton).
 */
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardRedisError } from '../../core/errors.js';
import { buildKey, escapeGlob } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { redactUrl } from '../../core/redact.js';
import type { RedisConnectionOptions } from '../../core/redis-types.js';
import { requireName, requireStorable, requireTtl } from '../../core/validate.js';
import { openRedisConnection, type OpenRedisConnection, type RedisConnection } from '../seams/redis.js';
import { SingleFlight } from '../support/single-flight.js';
import type { RedisHandlerProtocol, RedisLease } from './handler-protocol.js';

/** Keys asked for per SCAN page, and deleted per UNLINK. */
const SCAN_COUNT = 500;

/** First pause after a failed connect; it doubles with each further failure. */
const RECONNECT_BACKOFF_MIN_MS = 50;
/**
 * Longest pause between connect attempts while Redis is down. Short on purpose: the pause only
 * spares callers a full connect (up to the connect timeout) each; it must never hide a Redis
 * that is back for longer than this.
 */
const RECONNECT_BACKOFF_MAX_MS = 1000;

/** Optional collaborators of a {@link RedisManager}. */
export interface RedisManagerOptions {
  /** Opens connections; defaults to the ioredis seam. Tests and custom transports replace it. */
  readonly openConnection?: OpenRedisConnection;
  /** Monotonic clock in milliseconds, used for the reconnect pause; inject one in tests. */
  readonly now?: () => number;
}

/** The last failed connect, kept so callers during the pause fail at once. */
interface ConnectFailure {
  readonly error: GuardRedisError;
  readonly retryAt: number;
  readonly attempts: number;
}

/** The shared-state connection manager. Every key operation returns `null` when Redis is disabled. */
export class RedisManager implements RedisHandlerProtocol {
  /** The validated configuration. */
  readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly open: OpenRedisConnection;
  private readonly now: () => number;
  private readonly connecting = new SingleFlight<void>();
  private connection: RedisConnection | null = null;
  private lastFailure: ConnectFailure | null = null;
  private closed = false;

  /** Validates `config` (throws `GuardConfigError`); does not connect. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: RedisManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.open = options.openConnection ?? openRedisConnection;
    this.now = options.now ?? (() => performance.now());
  }

  /** True once {@link close} was called (until an explicit {@link initialize}). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Connects and PINGs. Disabled → drops any connection and returns. Failure → the half-built
   * client is torn down and `GuardRedisError` 503 is thrown. Re-initializing replaces the client,
   * and reopens a closed manager. An explicit call always tries at once, even during the
   * reconnect pause that follows a failed connect.
   */
  async initialize(): Promise<void> {
    if (!this.config.enableRedis) {
      await this.discardConnection();
      return;
    }
    this.closed = false;
    this.lastFailure = null;
    await this.connecting.run(() => this.connect());
  }

  /** Closes the connection. Idempotent; later operations reject with `GuardRedisError`. */
  async close(): Promise<void> {
    const hadConnection = this.connection !== null;
    await this.discardConnection();
    this.closed = true;
    if (hadConnection) this.logger.info('Redis connection closed');
  }

  /**
   * Leases the live connection, connecting first if needed. Rejects with `GuardRedisError` 503
   * when the manager is closed, Redis is disabled, or Redis is unreachable.
   */
  async getConnection(): Promise<RedisLease> {
    const connection = await this.requireConnection();
    return { connection, [Symbol.asyncDispose]: async () => undefined };
  }

  /**
   * Runs `operation(connection, ...args)`. Returns `null` when Redis is disabled; any failure
   * becomes `GuardRedisError` 503 (an existing `GuardRedisError` keeps its own detail).
   */
  async safeOperation<T, A extends unknown[]>(
    operation: (connection: RedisConnection, ...args: A) => Promise<T>,
    ...args: A
  ): Promise<T | null> {
    return this.guarded(operation.name || 'anonymous', (connection) => operation(connection, ...args));
  }

  /** GET `{prefix}{namespace}:{key}`. */
  async getKey(namespace: string, key: string): Promise<string | null> {
    const fullKey = this.keyOf(namespace, key);
    return this.guarded('getKey', (c) => c.get(fullKey));
  }

  /** SET, with `EX ttl` when a TTL (whole seconds) is given; a plain set clears an earlier TTL. */
  async setKey(namespace: string, key: string, value: string | number, ttl?: number | null): Promise<boolean | null> {
    const fullKey = this.keyOf(namespace, key);
    const text = requireStorable(value);
    const seconds = requireTtl(ttl);
    return this.guarded('setKey', (c) => c.set(fullKey, text, seconds));
  }

  /** Atomic INCR in one round trip; the TTL is set when the counter is created (a fixed window). */
  async incr(namespace: string, key: string, ttl?: number | null): Promise<number | null> {
    const fullKey = this.keyOf(namespace, key);
    const seconds = requireTtl(ttl);
    return this.guarded('incr', (c) => c.incr(fullKey, seconds));
  }

  /** EXISTS. */
  async exists(namespace: string, key: string): Promise<boolean | null> {
    const fullKey = this.keyOf(namespace, key);
    return this.guarded('exists', (c) => c.exists(fullKey));
  }

  /** DEL of one key; the number removed. */
  async delete(namespace: string, key: string): Promise<number | null> {
    const fullKey = this.keyOf(namespace, key);
    return this.guarded('delete', (c) => c.del(fullKey));
  }

  /**
   * Full keys (prefix included) matching `pattern` under this manager's prefix. `pattern` is a
   * Redis glob; the prefix is escaped, so it never matches another prefix's keys. Uses SCAN.
   */
  async keys(pattern: string): Promise<string[] | null> {
    const match = this.matchOf(pattern);
    return this.guarded('keys', (c) => this.scanAll(c, match));
  }

  /** Deletes every key `keys(pattern)` would list, page by page with UNLINK; the number removed. */
  async deletePattern(pattern: string): Promise<number | null> {
    const match = this.matchOf(pattern);
    return this.guarded('deletePattern', (c) => this.unlinkAll(c, match));
  }

  /** The one error path of every operation: `null` when disabled, else `GuardRedisError` 503 on any failure, logged. */
  private async guarded<T>(name: string, operation: (connection: RedisConnection) => Promise<T>): Promise<T | null> {
    if (!this.config.enableRedis) return null;
    try {
      const connection = await this.requireConnection();
      return await operation(connection);
    } catch (error) {
      const wrapped =
        error instanceof GuardRedisError ? error : new GuardRedisError(503, 'Redis operation failed', { cause: error });
      this.logger.error(`Redis operation ${name} failed: ${wrapped.detail}`);
      throw wrapped;
    }
  }

  private async scanAll(connection: RedisConnection, match: string): Promise<string[]> {
    const found = new Set<string>(); // SCAN may return a key twice
    let cursor = '0';
    do {
      const page = await connection.scan(match, cursor, SCAN_COUNT);
      for (const key of page.keys) found.add(key);
      cursor = page.cursor;
    } while (cursor !== '0');
    return [...found];
  }

  private async unlinkAll(connection: RedisConnection, match: string): Promise<number> {
    let removed = 0;
    let cursor = '0';
    do {
      const page = await connection.scan(match, cursor, SCAN_COUNT);
      for (let i = 0; i < page.keys.length; i += SCAN_COUNT) {
        removed += await connection.unlink(page.keys.slice(i, i + SCAN_COUNT));
      }
      cursor = page.cursor;
    } while (cursor !== '0');
    return removed;
  }

  private async requireConnection(): Promise<RedisConnection> {
    if (this.closed) throw new GuardRedisError(503, 'Redis connection closed');
    if (!this.config.enableRedis) throw new GuardRedisError(503, 'Redis is disabled (enableRedis is false)');
    if (this.connection === null) {
      this.failFastDuringPause();
      await this.connecting.run(() => this.connect());
    }
    // close() may have run while we were connecting.
    if (this.closed) throw new GuardRedisError(503, 'Redis connection closed');
    if (this.connection === null) throw new GuardRedisError(503, 'Redis connection failed (no redisUrl configured)');
    return this.connection;
  }

  /**
   * While Redis is down, every call would otherwise run a full connect (up to the connect
   * timeout against a black-holed host). After a failure, calls fail at once until a short,
   * growing pause has passed; then one caller tries again.
   */
  private failFastDuringPause(): void {
    const failure = this.lastFailure;
    if (failure === null) return;
    const wait = failure.retryAt - this.now();
    if (wait <= 0) return;
    throw new GuardRedisError(
      503,
      `Redis unavailable, next connect attempt in ${Math.ceil(wait)} ms (last: ${failure.error.detail})`,
      { cause: failure.error },
    );
  }

  private async connect(): Promise<void> {
    await this.discardConnection();
    const options = this.connectionOptions();
    if (options.url === null && options.clusterNodes === null) {
      this.logger.warn('Redis URL is null, skipping connection');
      return;
    }
    let connection: RedisConnection | null = null;
    try {
      connection = await this.open(options);
      await connection.ping();
    } catch (error) {
      if (connection !== null) await connection.close();
      const failure =
        error instanceof GuardRedisError
          ? error
          : new GuardRedisError(503, `Redis connection failed (${this.target()})`, { cause: error });
      this.recordFailure(failure);
      this.logger.error(`Redis connection failed: ${failure.detail}`);
      throw failure;
    }
    if (this.closed) {
      // close() ran while we were connecting: do not leak a client nobody will close.
      await connection.close();
      throw new GuardRedisError(503, 'Redis connection closed');
    }
    this.connection = connection;
    this.lastFailure = null;
    this.logger.info(`Redis connection established (${this.target()})`);
  }

  private recordFailure(error: GuardRedisError): void {
    const attempts = (this.lastFailure?.attempts ?? 0) + 1;
    const pause = Math.min(RECONNECT_BACKOFF_MIN_MS * 2 ** (attempts - 1), RECONNECT_BACKOFF_MAX_MS);
    this.lastFailure = { error, attempts, retryAt: this.now() + pause };
  }

  private async discardConnection(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    if (connection !== null) await connection.close();
  }

  private connectionOptions(): RedisConnectionOptions {
    return {
      url: this.config.redisUrl,
      clusterNodes: this.config.redisClusterNodes,
      connectTimeoutMs: this.config.redisConnectTimeoutMs,
      commandTimeoutMs: this.config.redisCommandTimeoutMs,
      retries: this.config.redisRetries,
    };
  }

  private target(): string {
    const nodes = this.config.redisClusterNodes;
    return nodes
      ? `cluster ${nodes.map((u) => redactUrl(u)).join(',')}`
      : (redactUrl(this.config.redisUrl) ?? 'no URL');
  }

  private keyOf(namespace: string, key: string): string {
    return buildKey(this.config.redisPrefix, requireName('namespace', namespace), requireName('key', key));
  }

  private matchOf(pattern: string): string {
    if (typeof pattern !== 'string') requireName('pattern', pattern);
    return escapeGlob(this.config.redisPrefix) + pattern;
  }
}
