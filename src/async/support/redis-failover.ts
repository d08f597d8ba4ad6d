/**
 * The fallback rule every subsystem manager shares: state lives in Redis; when Redis is off or
 * down the manager answers from process memory (the seed's "Fault Tolerance" table), or — in
 * fail-closed mode — refuses with `GuardRedisError` 503 (the original's `redis_fail_open=False`).
 *
 * It is a small circuit breaker driven by the calls themselves (no timer, so the sync mirror is
 * a plain translation): after a failure, calls go straight to memory for `retryAfterMs`, so an
 * outage costs at most one command timeout per retry period instead of one per request; the
 * first call after that period probes Redis again, and the first success switches back and runs
 * the recovery hooks (write-back of what was decided in memory) before answering. A warning is
 * logged once per state change, never once per request.
 */
import { GuardRedisError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';

/** Where a manager's state currently lives. */
export type StateMode = 'redis' | 'memory' | 'disabled';

/** Where one answer came from. */
export type StateSource = 'redis' | 'memory';

/** Default pause after a Redis failure before the next call probes Redis again. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/** Options of a {@link RedisFailover}. */
export interface RedisFailoverOptions {
  /** The subsystem's name in log lines (`rate limiter`, `IP bans`…). */
  readonly name: string;
  /** Receives the one warning per outage and the "back on Redis" line. */
  readonly logger: Logger;
  /** True: fall back to memory (the seed). False: throw `GuardRedisError` 503 while Redis is down. */
  readonly failOpen: boolean;
  /** Pause after a failure before the next probe, in milliseconds. */
  readonly retryAfterMs?: number;
  /** Monotonic clock in milliseconds; inject one in tests. */
  readonly now?: () => number;
}

/** The answer of {@link RedisFailover.run}: Redis's value, or a sign to use memory. */
export type FailoverResult<T> = { readonly source: 'redis'; readonly value: T } | { readonly source: 'memory' };

const MEMORY: FailoverResult<never> = { source: 'memory' };

/**
 * Outages already reported, per Redis handler: every manager of an app shares one handler, so
 * one outage is one warning (and one "back" line) for the whole app, not one per subsystem.
 */
const reportedOutages = new WeakMap<object, true>();

/**
 * Records that an outage of `handler` was already reported (by the initializer's start-up
 * warning), so managers that find Redis down stay silent until it is back.
 */
export function markOutageReported(handler: RedisHandlerProtocol): void {
  reportedOutages.set(handler, true);
}

/** Whether an outage of `handler` is currently reported (it has not been seen back since). */
export function isOutageReported(handler: RedisHandlerProtocol): boolean {
  return reportedOutages.has(handler);
}

/** One subsystem's view of Redis: attached handler, up/down state, recovery hooks. */
export class RedisFailover {
  private handler: RedisHandlerProtocol | null = null;
  private down = false;
  private retryAt = 0;
  private recovering = false;
  private readonly hooks: Array<(redis: RedisHandlerProtocol) => Promise<void>> = [];
  private readonly now: () => number;
  private readonly retryAfterMs: number;

  /** Starts detached (`disabled`) until {@link RedisFailover.attach} gives it a handler. */
  constructor(private readonly options: RedisFailoverOptions) {
    this.now = options.now ?? (() => performance.now());
    this.retryAfterMs = options.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  }

  /**
   * Attaches (or detaches, with `null`) the Redis handler. A new handler starts as "up", unless an
   * outage of it is already reported (the initializer found it down): then it starts in memory and
   * the first call probes it.
   */
  attach(handler: RedisHandlerProtocol | null): void {
    this.handler = handler;
    this.down = handler !== null && reportedOutages.has(handler);
    this.retryAt = 0;
  }

  /** The attached handler, or `null`. */
  get redis(): RedisHandlerProtocol | null {
    return this.handler;
  }

  /** Where state lives right now: `disabled` without a handler (or with Redis switched off). */
  get mode(): StateMode {
    if (this.handler === null || !this.handler.config.enableRedis) return 'disabled';
    return this.down ? 'memory' : 'redis';
  }

  /**
   * Registers work to run on the first success after an outage, before that call answers (e.g.
   * writing bans made in memory back to Redis). A hook that fails leaves Redis marked down.
   */
  onRecover(hook: (redis: RedisHandlerProtocol) => Promise<void>): void {
    this.hooks.push(hook);
  }

  /**
   * Runs `work` on Redis unless Redis is off, or down and not yet due for a probe. Returns the
   * value, or `{ source: 'memory' }` when the caller must answer from memory. In fail-closed mode
   * a Redis failure (or a call during the pause) throws `GuardRedisError` 503 instead. Errors
   * that are not an outage (bad input, a `GuardRedisDataError` such as WRONGTYPE) propagate
   * unchanged: Redis is up, so switching to memory would only hide the problem.
   */
  async run<T>(work: (redis: RedisHandlerProtocol) => Promise<T | null>): Promise<FailoverResult<T>> {
    const handler = this.handler;
    if (handler === null || !handler.config.enableRedis) return MEMORY;
    if (this.down && this.now() < this.retryAt) return this.refuse(null);
    try {
      const value = await work(handler);
      if (value === null) return MEMORY; // the handler reports Redis disabled
      if (this.down) await this.recover(handler);
      return { source: 'redis', value };
    } catch (error) {
      if (!isOutage(error)) throw error;
      this.markDown(error);
      return this.refuse(error);
    }
  }

  /**
   * Probes Redis now (ignoring the pause) with `work`, and on success runs the recovery hooks.
   * True when Redis answered. For health checks and explicit recovery.
   */
  async probe(work: (redis: RedisHandlerProtocol) => Promise<unknown>): Promise<boolean> {
    const handler = this.handler;
    if (handler === null || !handler.config.enableRedis) return false;
    try {
      await work(handler);
      if (this.down) await this.recover(handler);
      return true;
    } catch (error) {
      if (!isOutage(error)) throw error;
      this.markDown(error);
      return false;
    }
  }

  private async recover(handler: RedisHandlerProtocol): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    try {
      for (const hook of this.hooks) await hook(handler);
      this.down = false;
      if (reportedOutages.delete(handler)) {
        this.options.logger.warn(`Redis is back (seen by the ${this.options.name}); shared state is used again`);
      }
    } finally {
      this.recovering = false;
    }
  }

  private markDown(error: GuardRedisError): void {
    this.retryAt = this.now() + this.retryAfterMs;
    if (this.down) return;
    this.down = true;
    const handler = this.handler;
    if (handler === null || reportedOutages.has(handler)) return;
    reportedOutages.set(handler, true);
    const fallback = this.options.failOpen
      ? 'subsystems answer from process memory until it answers again'
      : `the ${this.options.name} refuses requests (fail-closed) until it answers again`;
    this.options.logger.warn(`Redis unavailable (seen by the ${this.options.name}: ${error.detail}); ${fallback}`);
  }

  private refuse(error: GuardRedisError | null): FailoverResult<never> {
    if (this.options.failOpen) return MEMORY;
    throw new GuardRedisError(503, `${this.options.name}: Redis unavailable (fail-closed)`, {
      cause: error ?? undefined,
    });
  }
}

/** Only an outage (503) switches a subsystem to memory; a data error (500) is the caller's to see. */
function isOutage(error: unknown): error is GuardRedisError {
  return error instanceof GuardRedisError && error.statusCode === 503;
}
