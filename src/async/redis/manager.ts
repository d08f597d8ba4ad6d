/**
 * RedisManager: the connection lifecycle and the namespaced key operations of the Python
 * original, made fail-fast. A new instance per construction (never a process singleton).
 */
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardInputError, GuardRedisDataError, GuardRedisError } from '../../core/errors.js';
import { buildKey, escapeGlob } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { describeRedisTarget, redactUrl, scrubError, scrubSecrets } from '../../core/redact.js';
import { INCR_OR_RESET } from '../../core/redis/counter-reset.js';
import {
  failureReason,
  isNotAnInteger,
  isReplyError,
  replyCode,
  replyKind,
  replyReason,
} from '../../core/redis/reply-errors.js';
import { requireCapacity, requireScript, requireScriptArgs } from '../../core/redis/script-args.js';
import { SLIDING_WINDOW_HIT, scoreText, uniqueMember } from '../../core/redis/sliding-window.js';
import { sentinelSecretsUrl } from '../../core/redis/sentinel.js';
import {
  REDIS_EVENTS_CHANNEL,
  Telemetry,
  redisCommandTraced,
  traceRedisCommand,
  type AgentHandler,
  type RedisCommandTraceContext,
  type TelemetryMetadata,
} from '../../core/telemetry.js';
import type { RedisArg, RedisConnectionOptions, RedisReply, RedisScript } from '../../core/redis-types.js';
import {
  describe,
  requireFiniteNumber,
  requireName,
  requireStorable,
  requireTtl,
  requireWellFormed,
} from '../../core/validate.js';
import { openRedisConnection, type RedisConnection, type RedisSubscription } from '../seams/redis.js';
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

/** A data error of one reason is logged at most once per this many milliseconds. */
const DATA_ERROR_LOG_INTERVAL_MS = 60_000;

/** Distinct data-error reasons remembered for that pause (a bound: reasons come from the server). */
const DATA_ERROR_REASONS_KEPT = 64;

/**
 * An opener as the manager calls it: with an `AbortSignal` that `close()` aborts while a connect
 * is in progress. Openers that ignore it (a plain `OpenRedisConnection`) are accepted.
 */
export type RedisConnectionOpener = (options: RedisConnectionOptions, signal?: AbortSignal) => Promise<RedisConnection>;

/** Optional collaborators of a {@link RedisManager}. */
export interface RedisManagerOptions {
  /**
   * Opens connections; defaults to the ioredis seam. Tests and custom transports replace it, and
   * `useIoredisClient(client)` (async API) runs the manager over an ioredis client you own. An
   * opener may take a second argument, an `AbortSignal` aborted when `close()` interrupts a connect.
   */
  readonly openConnection?: RedisConnectionOpener;
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
  private readonly open: RedisConnectionOpener;
  /** Aborts the connect in progress, if any (see {@link close}). */
  private connectAbort: AbortController | null = null;
  private readonly now: () => number;
  private readonly connecting = new SingleFlight<void>();
  private connection: RedisConnection | null = null;
  private lastFailure: ConnectFailure | null = null;
  private closed = false;
  /** True from the first failure of an outage until the next success: one log line per change. */
  private outageLogged = false;
  private readonly dataErrorsLoggedAt = new Map<string, number>();
  /** The agent and the `guard-core:redis` channel (README, "Telemetry"). */
  private readonly telemetry: Telemetry;

  /** Validates `config` (throws `GuardConfigError`); does not connect. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: RedisManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.open = options.openConnection ?? openRedisConnection;
    this.now = options.now ?? (() => performance.now());
    this.telemetry = new Telemetry('redis', REDIS_EVENTS_CHANNEL, this.logger);
  }

  /**
   * Sets the agent that receives this manager's events (`null` removes it): `redis_connection`
   * (`connection_established`, `connection_restored`, `connection_closed`) and `redis_error`
   * (`connection_failed`, `operation_failed`), with URLs redacted. The same events are published
   * on `diagnostics_channel` `guard-core:redis` with or without an agent. Set it before
   * {@link initialize} to see the first connection.
   */
  initializeAgent(agent: AgentHandler | null): void {
    this.telemetry.setAgent(agent);
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

  /**
   * Closes the connection. Idempotent; later operations reject with `GuardRedisError`. A connect
   * in progress is aborted at once: the pending `initialize()` (or operation) rejects with
   * `GuardRedisError` 503 instead of waiting for its timeout.
   */
  async close(): Promise<void> {
    const hadConnection = this.connection !== null;
    this.closed = true;
    this.connectAbort?.abort();
    this.connectAbort = null;
    await this.discardConnection();
    if (hadConnection) {
      this.logger.info('Redis connection closed');
      this.telemetry.emit({
        event_type: 'redis_connection',
        action_taken: 'connection_closed',
        reason: 'Redis connection closed',
      });
    }
  }

  /** `await using manager = new RedisManager(…)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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
    if (typeof operation !== 'function') {
      throw new GuardInputError('operation', `expected a function, got ${describe(operation)}`);
    }
    return this.guarded(operation.name || 'anonymous', (connection) => operation(connection, ...args));
  }

  /** GET `{prefix}{namespace}:{key}`. */
  async getKey(namespace: string, key: string): Promise<string | null> {
    const fullKey = this.keyOf(namespace, key);
    return this.guarded('getKey', (c) => c.get(fullKey), fullKey);
  }

  /** SET, with `EX ttl` when a TTL (whole seconds) is given; a plain set clears an earlier TTL. */
  async setKey(namespace: string, key: string, value: string | number, ttl?: number | null): Promise<boolean | null> {
    const fullKey = this.keyOf(namespace, key);
    const text = requireStorable(value);
    const seconds = requireTtl(ttl);
    return this.guarded('setKey', (c) => c.set(fullKey, text, seconds), fullKey);
  }

  /** Atomic INCR in one round trip; the TTL is set when the counter is created (a fixed window). */
  async incr(namespace: string, key: string, ttl?: number | null): Promise<number | null> {
    const fullKey = this.keyOf(namespace, key);
    const seconds = requireTtl(ttl);
    return this.guarded(
      'incr',
      async (c) => {
        try {
          return await c.incr(fullKey, seconds);
        } catch (error) {
          if (!isNotAnInteger(error)) throw error;
          // A counter holding garbage would fail on every call, forever without a TTL: restart it
          // at 1 (one script; a key of another type is left alone and reported as a data error).
          const value = Number(await c.runScript(INCR_OR_RESET, [fullKey], [seconds ?? 0]));
          this.logger.warn(`Counter ${fullKey} held a value that is not an integer; it was restarted at ${value}`);
          return value;
        }
      },
      fullKey,
    );
  }

  /** EXISTS. */
  async exists(namespace: string, key: string): Promise<boolean | null> {
    const fullKey = this.keyOf(namespace, key);
    return this.guarded('exists', (c) => c.exists(fullKey), fullKey);
  }

  /** DEL of one key; the number removed. */
  async delete(namespace: string, key: string): Promise<number | null> {
    const fullKey = this.keyOf(namespace, key);
    return this.guarded('delete', (c) => c.del(fullKey), fullKey);
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

  /**
   * Records one hit in the sliding window `{prefix}{namespace}:{key}` and returns how many hits
   * the window holds, this one included — in one round trip (a script): add a unique member
   * scored `now`, prune every hit scored `<= windowStart`, count, set the TTL. Times are epoch
   * seconds (fractions allowed); `ttl` is whole seconds.
   */
  async recordSlidingWindowHit(
    namespace: string,
    key: string,
    now: number,
    windowStart: number,
    ttl: number,
  ): Promise<number | null> {
    const fullKey = this.keyOf(namespace, key);
    const score = scoreText(requireFiniteNumber('now', now));
    const start = scoreText(requireFiniteNumber('windowStart', windowStart));
    const seconds = requireTtl(ttl) ?? 1;
    const args = [score, uniqueMember(), start, seconds];
    return this.guarded(
      'recordSlidingWindowHit',
      async (c) => Number(await c.runScript(SLIDING_WINDOW_HIT, [fullKey], args)),
      fullKey,
    );
  }

  /**
   * Runs a Lua script (by SHA, reloaded transparently after `NOSCRIPT`) over keys of one
   * namespace: `keys` are names inside `namespace`, prefixed here. One round trip.
   */
  async runScript(
    script: RedisScript,
    namespace: string,
    keys: readonly string[],
    args: readonly RedisArg[],
  ): Promise<RedisReply | null> {
    requireScript(script);
    if (!Array.isArray(keys)) throw new GuardInputError('keys', `expected an array, got ${describe(keys)}`);
    if (!Array.isArray(args)) throw new GuardInputError('args', `expected an array, got ${describe(args)}`);
    const fullKeys: string[] = [];
    for (const key of keys as readonly unknown[]) fullKeys.push(this.keyOf(namespace, key as string));
    requireScriptArgs(args);
    if (!this.config.enableRedis) return null;
    if (redisCommandTraced()) {
      const context = this.traceContext('runScript', fullKeys[0] ?? null, script.name);
      const run = (c: RedisConnection) => c.runScript(script, fullKeys, args);
      return await traceRedisCommand(context, () => this.guarded(script.name, run, fullKeys[0] ?? null, true));
    }
    // guarded(), inlined: this is the per-request path of every subsystem, and one async layer
    // and closure fewer per call is measurable there (see bench:rate-limit).
    let reply: RedisReply;
    try {
      const connection = (this.closed ? null : this.connection) ?? (await this.requireConnection());
      reply = await connection.runScript(script, fullKeys, args);
    } catch (error) {
      throw this.failure(script.name, error, fullKeys[0] ?? null);
    }
    this.noteSuccess();
    return reply;
  }

  /** PUBLISH on `{prefix}{channel}`; the number of subscribers reached. */
  async publish(channel: string, message: string): Promise<number | null> {
    const fullChannel = this.config.redisPrefix + requireName('channel', channel);
    if (typeof message !== 'string')
      throw new GuardInputError('message', `expected a string, got ${describe(message)}`);
    requireWellFormed('message', message);
    return this.guarded('publish', (c) => c.publish(fullChannel, message));
  }

  /**
   * Subscribes to `{prefix}{channel}` on a dedicated connection that buffers up to `capacity`
   * messages between drains. `null` when Redis is disabled.
   */
  async subscribe(channel: string, capacity = 10_000): Promise<RedisSubscription | null> {
    const fullChannel = this.config.redisPrefix + requireName('channel', channel);
    requireCapacity(capacity);
    return this.guarded('subscribe', (c) => c.subscribe(fullChannel, capacity));
  }

  /**
   * The one error path of every operation: `null` when disabled; else the result, or a typed
   * error whose detail says why (secret-free): `GuardRedisDataError` (500) when Redis refused the
   * data (WRONGTYPE, not an integer, a script error), `GuardRedisError` 503 for everything else.
   * An outage is logged once when it starts (and once when Redis answers again), never once per
   * failed call; a data error once per reason per minute. Traced on `guard-core:redis:command`
   * when that channel has a subscriber (`traced` is true for the inner call of a trace).
   */
  private async guarded<T>(
    name: string,
    operation: (connection: RedisConnection) => Promise<T>,
    key: string | null = null,
    traced = false,
  ): Promise<T | null> {
    if (!this.config.enableRedis) return null;
    if (!traced && redisCommandTraced()) {
      const context = this.traceContext(name, key, name === 'recordSlidingWindowHit' ? SLIDING_WINDOW_HIT.name : null);
      return await traceRedisCommand(context, () => this.guarded(name, operation, key, true));
    }
    let result: T;
    try {
      // The common case (connected, open) skips requireConnection's extra await: this path runs
      // once per request for every subsystem.
      const live = this.closed ? null : this.connection;
      const connection = live ?? (await this.requireConnection());
      result = await operation(connection);
    } catch (error) {
      throw this.failure(name, error, key);
    }
    this.noteSuccess();
    return result;
  }

  /** The message of every `guard-core:redis:command` channel for one operation. */
  private traceContext(operation: string, key: string | null, script: string | null): RedisCommandTraceContext {
    return { operation, script, key, prefix: this.config.redisPrefix };
  }

  /** Classifies, scrubs and logs one failure, and reports it to telemetry; returns the error to throw. */
  private failure(name: string, error: unknown, key: string | null): GuardRedisError {
    const failure = this.classify(name, error, key);
    if (this.telemetry.wanted) {
      const errorType = this.closed
        ? 'connection_closed'
        : failure instanceof GuardRedisDataError
          ? 'data_error'
          : 'operation_error';
      this.telemetry.emit({
        event_type: 'redis_error',
        action_taken: 'operation_failed',
        reason: failure.detail,
        metadata: { operation: name, error_type: errorType, status_code: failure.statusCode },
      });
    }
    return failure;
  }

  private classify(name: string, error: unknown, key: string | null): GuardRedisError {
    this.scrub(error);
    if (error instanceof GuardRedisError) {
      if (error.statusCode === 503) this.noteOutage(name, error.detail);
      return error;
    }
    if (isReplyError(error)) {
      const reason = this.scrubText(replyReason(error));
      if (replyKind(error) === 'data') {
        const where = key === null ? '' : ` on ${key}`;
        const wrapped = new GuardRedisDataError(`Redis refused ${name}${where}: ${reason}`, key, { cause: error });
        this.noteDataError(replyCode(error), wrapped.detail);
        return wrapped;
      }
      const hint = replyCode(error) === 'READONLY' ? this.readOnlyHint() : '';
      const wrapped = new GuardRedisError(503, `Redis cannot serve ${name}: ${reason}${hint}`, { cause: error });
      this.noteOutage(name, wrapped.detail);
      return wrapped;
    }
    const reason = this.scrubText(failureReason(error));
    const wrapped = new GuardRedisError(503, `Redis operation ${name} failed: ${reason}`, { cause: error });
    this.noteOutage(name, wrapped.detail);
    return wrapped;
  }

  private noteOutage(name: string, detail: string): void {
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.logger.error(
      `Redis operation ${name} failed: ${detail}; further failures are not logged until Redis answers again`,
    );
  }

  private noteSuccess(): void {
    if (!this.outageLogged) return;
    this.outageLogged = false;
    this.logger.info(`Redis answers again (${this.target()})`);
    this.telemetry.emit({
      event_type: 'redis_connection',
      action_taken: 'connection_restored',
      reason: 'Redis answers again',
      metadata: this.targetMetadata(),
    });
  }

  private noteDataError(code: string, detail: string): void {
    const now = this.now();
    const last = this.dataErrorsLoggedAt.get(code);
    if (last !== undefined && now - last < DATA_ERROR_LOG_INTERVAL_MS) return;
    if (this.dataErrorsLoggedAt.size >= DATA_ERROR_REASONS_KEPT) this.dataErrorsLoggedAt.clear();
    this.dataErrorsLoggedAt.set(code, now);
    this.logger.error(detail);
  }

  /** Removes the configured URLs' secrets from an error and its causes, in place (see `scrubError`). */
  private scrub(error: unknown): void {
    scrubError(error, this.secretUrls());
  }

  private scrubText(text: string): string {
    let out = text;
    for (const url of this.secretUrls()) out = scrubSecrets(out, url);
    return out;
  }

  /** Every configured URL holding a secret, the sentinels' credentials as one (see `sentinelSecretsUrl`). */
  private secretUrls(): (string | null)[] {
    const sentinel = sentinelSecretsUrl(this.config.redisSentinelUsername, this.config.redisSentinelPassword);
    return [this.config.redisUrl, ...(this.config.redisClusterNodes ?? []), sentinel];
  }

  /**
   * Why a write got READONLY and what happens next. The ioredis seam reconnects on READONLY: over
   * Sentinel it reaches the master the sentinels name; a plain `redisUrl` can only reach the same
   * address again, which stays a replica until someone promotes it.
   */
  private readOnlyHint(): string {
    if (this.config.redisSentinels !== null) {
      return ' (a failover moved the master: reconnecting to the master the sentinels name)';
    }
    if (this.config.redisClusterNodes !== null) return '';
    return (
      ` (${this.target()} is a replica now, e.g. after a failover: the client reconnects, but a redisUrl can only ` +
      'reach that same address; with Redis Sentinel, set redisSentinels and redisSentinelMasterName to follow the master)'
    );
  }

  /** What `util.inspect` and `console.log` show: no URL secret, no driver internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.publicView();
  }

  /** The secret-free view `util.inspect` and `JSON.stringify` show. */
  private publicView(): Record<string, unknown> {
    return {
      target: this.target(),
      redisPrefix: this.config.redisPrefix,
      enableRedis: this.config.enableRedis,
      connected: this.connection !== null,
      closed: this.closed,
    };
  }

  /** What `JSON.stringify` shows: the same view as `util.inspect`, without URL secrets or driver internals. */
  toJSON(): Record<string, unknown> {
    return this.publicView();
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
    if (options.url === null && options.clusterNodes === null && !options.sentinel) {
      this.logger.warn('Redis URL is null, skipping connection');
      return;
    }
    let connection: RedisConnection | null = null;
    const abort = new AbortController();
    this.connectAbort = abort;
    try {
      connection = await this.open(options, abort.signal);
      await connection.ping();
    } catch (error) {
      if (connection !== null) await connection.close();
      if (this.connectAbort === abort) this.connectAbort = null;
      if (abort.signal.aborted) {
        // close() interrupted this connect: not an outage, nothing to log or pause for.
        throw new GuardRedisError(503, `Redis connection closed while connecting (${this.target()})`);
      }
      this.scrub(error);
      const failure = isReplyError(error)
        ? new GuardRedisError(
            503,
            `Redis connection failed (${this.target()}): ${this.scrubText(replyReason(error))}`,
            {
              cause: error,
            },
          )
        : error instanceof GuardRedisError
          ? error
          : new GuardRedisError(
              503,
              `Redis connection failed (${this.target()}): ${this.scrubText(failureReason(error))}`,
              { cause: error },
            );
      this.recordFailure(failure);
      this.telemetry.emit({
        event_type: 'redis_error',
        action_taken: 'connection_failed',
        reason: failure.detail,
        metadata: { ...this.targetMetadata(), error_type: 'connection_error' },
      });
      if (!this.outageLogged) {
        this.outageLogged = true;
        this.logger.error(
          `Redis connection failed: ${failure.detail}; further failures are not logged until Redis answers again`,
        );
      }
      throw failure;
    }
    if (this.connectAbort === abort) this.connectAbort = null;
    if (this.closed) {
      // close() ran while we were connecting: do not leak a client nobody will close.
      await connection.close();
      throw new GuardRedisError(503, 'Redis connection closed');
    }
    this.connection = connection;
    this.lastFailure = null;
    this.outageLogged = false;
    this.logger.info(`Redis connection established (${this.target()})`);
    this.telemetry.emit({
      event_type: 'redis_connection',
      action_taken: 'connection_established',
      reason: 'Redis connection established',
      metadata: this.targetMetadata(),
    });
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
      ...(this.config.redisTls === null ? {} : { tls: this.config.redisTls }),
      ...(this.config.redisSentinels === null
        ? {}
        : {
            sentinel: {
              sentinels: this.config.redisSentinels,
              masterName: this.config.redisSentinelMasterName ?? '',
              username: this.config.redisSentinelUsername,
              password: this.config.redisSentinelPassword,
            },
          }),
    };
  }

  /**
   * `redis_url` (redacted; `null` on a cluster), plus `redis_cluster_nodes` (redacted) on a cluster,
   * or `redis_sentinels` and `redis_sentinel_master` with Sentinel.
   */
  private targetMetadata(): TelemetryMetadata {
    const nodes = this.config.redisClusterNodes;
    const sentinels = this.config.redisSentinels;
    if (nodes === null && sentinels !== null) {
      return {
        redis_url: redactUrl(this.config.redisUrl),
        redis_sentinels: [...sentinels],
        redis_sentinel_master: this.config.redisSentinelMasterName,
      };
    }
    if (nodes === null) return { redis_url: redactUrl(this.config.redisUrl) };
    return { redis_url: null, redis_cluster_nodes: nodes.map((u) => redactUrl(u) ?? '<none>') };
  }

  private target(): string {
    return describeRedisTarget(this.connectionOptions());
  }

  private keyOf(namespace: string, key: string): string {
    return buildKey(this.config.redisPrefix, requireName('namespace', namespace), requireName('key', key));
  }

  private matchOf(pattern: string): string {
    if (typeof pattern !== 'string') requireName('pattern', pattern);
    return escapeGlob(this.config.redisPrefix) + requireWellFormed('pattern', pattern);
  }
}
