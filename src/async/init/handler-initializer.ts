/**
 * HandlerInitializer: the start-up wiring of an app's shared state — connect Redis (or fall back
 * to memory), give every subsystem manager (rate limiter, behaviour tracker, IP bans, patterns,
 * security headers) its handler, give the CloudManager its store, load the cloud ranges without
 * blocking start-up — and bring everything back to Redis by itself after an outage.
 *
 * Decisions where the Python original is weak (each one tested):
 * - Redis on and reachable + `blockCloudProviders` → a `RedisCloudIpStore` is wired automatically.
 * - `cloudIpStore` as an instance is used as is, never swapped (the original replaced any
 *   `InMemoryCloudIpStore` with a Redis store, unable to tell a user's choice from its default);
 *   as a factory it is called once, with the live Redis handler — never with `null`.
 * - Redis disabled or unreachable → `InMemoryCloudIpStore` and exactly one warning saying so (and
 *   that a configured factory was not called). Start-up does not fail because Redis is down.
 * - `lazyInit` (default true) applies with or without Redis: the first fetch runs in the
 *   background and start-up never waits on it; `lazyInit: false` awaits it. (The original, without
 *   Redis and with `lazyInit`, never applied the configured store nor loaded anything.)
 * - Redis off or down at start-up → one warning for the whole app (not one per subsystem).
 * - Recovery (the original stays in memory for the life of the process): while Redis is enabled, a
 *   background health check runs every `redisRetryAfterMs`; when Redis answers again every
 *   subsystem returns to it (writing back what was decided in memory), the cloud-IP store the
 *   outage kept in memory is replaced by the Redis store (a factory is called then), and the
 *   status says so. `close()` stops it, and any cloud refresh still running.
 */
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardRedisError } from '../../core/errors.js';
import { errorText } from '../../core/validate.js';
import type { Logger } from '../../core/logger.js';
import { requireAgent, type AgentHandler } from '../../core/telemetry.js';
import { IPBanManager } from '../bans/manager.js';
import { BehaviorTracker } from '../behavior/tracker.js';
import { CloudManager } from '../cloud/manager.js';
import { SecurityHeadersManager } from '../headers/manager.js';
import { SusPatternsManager } from '../patterns/manager.js';
import { RateLimitManager } from '../ratelimit/manager.js';
import type { CloudStatus, ProviderRefreshReport } from '../../core/cloud/status.js';
import type { CloudIpStoreProtocol } from '../cloud/store-protocol.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { RedisManager } from '../redis/manager.js';
import type { HttpClient } from '../seams/http.js';
import { markOutageReported, type StateMode } from '../support/redis-failover.js';
import { SingleFlight } from '../support/single-flight.js';
import type { SubsystemManager } from '../support/subsystem.js';
import { startTicker, type Ticker } from '../support/ticker.js';
import { resolveCloudIpStore, type StoreOrigin } from './store-resolution.js';

/** Optional collaborators of a {@link HandlerInitializer}. */
export interface HandlerInitializerOptions {
  /**
   * The Redis handler to use. Default: a `RedisManager` built from the config when `enableRedis`
   * is true (closed by {@link HandlerInitializer.close}). `null`: run without Redis.
   */
  readonly redis?: RedisHandlerProtocol | null;
  /** The CloudManager to wire. Default: a new one built from the config. */
  readonly cloud?: CloudManager;
  /** The HTTP client of the CloudManager built here (ignored when `cloud` is given). */
  readonly http?: HttpClient;
  /** The rate limiter to wire. Default: a new one built from the config. */
  readonly rateLimiter?: RateLimitManager;
  /** The behaviour tracker to wire. Default: a new one built from the config. */
  readonly behaviorTracker?: BehaviorTracker;
  /** The IP-ban manager to wire. Default: a new one built from the config. */
  readonly ipBans?: IPBanManager;
  /** The custom-pattern manager to wire. Default: a new one built from the config. */
  readonly patterns?: SusPatternsManager;
  /** The security-headers manager to wire. Default: a new one built from the config. */
  readonly securityHeaders?: SecurityHeadersManager;
  /**
   * Extra subsystem managers to wire, report and recover with the built-in ones (a custom
   * subsystem that implements {@link SubsystemManager}).
   */
  readonly subsystems?: readonly SubsystemManager[];
  /**
   * The agent that receives every wired part's events (README, "Telemetry"): it is given to the
   * Redis handler (before it connects, when the handler has `initializeAgent`), the CloudManager
   * and every subsystem manager that has `initializeAgent`. Default: none (the events still go to
   * `diagnostics_channel`).
   */
  readonly agent?: AgentHandler | null;
}

/** The state of Redis after start-up. */
export type RedisState = 'connected' | 'disabled' | 'unavailable';

/**
 * How the first cloud-range load was run: `background` (lazyInit), `completed` (awaited), or
 * `not-configured` (`blockCloudProviders` is empty: nothing to load).
 */
export type CloudLoadMode = 'background' | 'completed' | 'not-configured';

/** What {@link HandlerInitializer.initializeRedisHandlers} did. */
export interface InitializationResult {
  /** Whether Redis is connected, disabled, or was unreachable (then everything runs in memory). */
  readonly redis: RedisState;
  /** The store the CloudManager uses. */
  readonly store: CloudIpStoreProtocol;
  /** Where that store came from. */
  readonly storeOrigin: StoreOrigin;
  /** How the first cloud-range load was run. */
  readonly cloudLoad: CloudLoadMode;
  /** The per-provider outcome of the first load when it was awaited (`lazyInit: false`), else `null`. */
  readonly cloudReport: readonly ProviderRefreshReport[] | null;
}

/** A snapshot for health endpoints. */
export interface InitializationStatus {
  /**
   * Redis as last seen (at start-up, then by the health check every `redisRetryAfterMs`), or
   * `not-initialized` before start-up.
   */
  readonly redis: RedisState | 'not-initialized';
  /** Where the cloud-IP store came from, `null` before start-up. */
  readonly storeOrigin: StoreOrigin | null;
  /** Per-provider cloud-range status. */
  readonly cloudProviders: CloudStatus;
  /** Where each subsystem's state lives now, by subsystem name (`cloud IP store` included). */
  readonly subsystems: Readonly<Record<string, StateMode>>;
}

/** Wires Redis, the cloud-IP store and the CloudManager of one app at start-up. */
export class HandlerInitializer {
  /** The validated configuration. */
  readonly config: SecurityConfig;
  /** The app's CloudManager (the one passed in, or one built from the config). */
  readonly cloud: CloudManager;
  private readonly logger: Logger;
  private readonly givenRedis: RedisHandlerProtocol | null | undefined;
  private ownRedis: RedisManager | null = null;
  private liveRedis: RedisHandlerProtocol | null = null;
  private result: InitializationResult | null = null;
  private readonly starting = new SingleFlight<InitializationResult>();
  /** The app's rate limiter (sliding windows on Redis, memory fallback). */
  readonly rateLimiter: RateLimitManager;
  /** The app's behaviour tracker (usage and return-pattern rules). */
  readonly behaviorTracker: BehaviorTracker;
  /** The app's IP bans (exact and CIDR, shared by every replica). */
  readonly ipBans: IPBanManager;
  /** The app's custom detection patterns. */
  readonly patterns: SusPatternsManager;
  /** The app's security-header configuration and rendered headers. */
  readonly securityHeaders: SecurityHeadersManager;
  /** Every subsystem manager wired here: the built-in ones, then any extra ones given. */
  readonly subsystems: readonly SubsystemManager[];
  /** The handler the subsystems use: the live one, or the one that was down at start-up. */
  private managedRedis: RedisHandlerProtocol | null = null;
  private redisState: RedisState | 'not-initialized' = 'not-initialized';
  private storeOrigin: StoreOrigin | null = null;
  /** Set when the cloud-IP store is in memory only because Redis was down at start-up. */
  private storePending = false;
  private ticker: Ticker | null = null;
  private closed = false;
  private readonly agent: AgentHandler | null;

  /** Validates `config` (throws `GuardConfigError`); connects nothing until {@link initializeRedisHandlers}. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: HandlerInitializerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.givenRedis = options.redis;
    this.cloud = options.cloud ?? new CloudManager(this.config, { http: options.http });
    this.rateLimiter = options.rateLimiter ?? new RateLimitManager(this.config);
    this.behaviorTracker = options.behaviorTracker ?? new BehaviorTracker(this.config);
    this.ipBans = options.ipBans ?? new IPBanManager(this.config);
    this.patterns = options.patterns ?? new SusPatternsManager(this.config);
    this.securityHeaders = options.securityHeaders ?? new SecurityHeadersManager(this.config);
    this.subsystems = [
      this.rateLimiter,
      this.behaviorTracker,
      this.ipBans,
      this.patterns,
      this.securityHeaders,
      ...(options.subsystems ?? []),
    ];
    this.agent = requireAgent(options.agent ?? null);
    if (this.agent !== null) {
      this.cloud.initializeAgent(this.agent);
      for (const manager of this.subsystems) manager.initializeAgent?.(this.agent);
    }
  }

  /** The connected Redis handler after start-up, `null` when running without Redis. */
  get redisHandler(): RedisHandlerProtocol | null {
    return this.liveRedis;
  }

  /**
   * Connects Redis (a failure is a fallback to memory, not an error), resolves and installs the
   * cloud-IP store, and starts the first cloud-range load (in the background with `lazyInit`).
   * Idempotent: later calls return the first result without calling a factory again.
   */
  async initializeRedisHandlers(): Promise<InitializationResult> {
    if (this.result !== null) return this.result;
    return await this.starting.run(() => this.initialize());
  }

  /** Redis state, store origin, each subsystem's mode and per-provider cloud status (for health endpoints). */
  getInitializationStatus(): InitializationStatus {
    const subsystems: Record<string, StateMode> = { 'cloud IP store': this.cloudStoreMode() };
    for (const manager of this.subsystems) subsystems[manager.subsystem] = manager.mode;
    return {
      redis: this.redisState,
      storeOrigin: this.storeOrigin,
      cloudProviders: this.cloud.getStatus(),
      subsystems,
    };
  }

  /**
   * Checks Redis now (the background health check runs this every `redisRetryAfterMs`): when it
   * answers, a cloud-IP store kept in memory since start-up is replaced by the Redis one, and every
   * subsystem that is in memory returns to Redis, writing back what it decided meanwhile. When it
   * does not, the subsystems learn it (their status turns to `memory`). True when Redis answered.
   */
  async checkRedis(): Promise<boolean> {
    const handler = this.managedRedis;
    if (handler === null || this.closed) return false;
    let up = true;
    try {
      await handler.exists('guard_health', 'probe');
    } catch (error) {
      if (!(error instanceof GuardRedisError)) throw error;
      up = false;
    }
    if (up && this.redisState === 'unavailable') this.redisReturned(handler);
    if (!up) this.redisState = 'unavailable';
    for (const manager of this.subsystems) {
      if (!up || manager.mode !== 'redis') await manager.probe();
    }
    return up;
  }

  /**
   * Stops the health check and any cloud refresh still running, closes the subsystems'
   * subscriptions, and closes the Redis connection this initializer opened (a handler passed in
   * is left to its owner). The managers keep answering from memory.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.ticker?.stop();
    this.ticker = null;
    this.cloud.close();
    for (const manager of this.subsystems) await manager.close();
    const own = this.ownRedis;
    this.ownRedis = null;
    this.liveRedis = null;
    this.managedRedis = null;
    if (own !== null) await own.close();
  }

  /** {@link close}, for `await using init = new HandlerInitializer(config)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async initialize(): Promise<InitializationResult> {
    const { handler, state, problem } = await this.connectRedis();
    const redis = state === 'connected' ? handler : null;
    this.liveRedis = redis;
    this.managedRedis = handler;
    this.redisState = state;
    const cloudBlocking = this.config.blockCloudProviders.size > 0;
    const resolution = resolveCloudIpStore({
      setting: this.config.cloudIpStore,
      redis,
      redisProblem: problem,
      cloudBlocking,
    });
    this.storeOrigin = resolution.origin;
    this.storePending = state === 'unavailable' && resolution.origin === 'in-memory-fallback';
    this.warnOnce(problem, resolution.warning, state);
    if (state === 'unavailable' && handler !== null) markOutageReported(handler);
    this.cloud.setStore(resolution.store);
    this.cloud.setRedisHandler(redis);
    // A close() while this runs wins: no manager is attached and no background work starts after it.
    for (const manager of this.subsystems) if (!this.closed) await this.attach(manager, handler);
    if (handler !== null && !this.closed) {
      this.ticker = startTicker(
        this.config.redisRetryAfterMs,
        async () => {
          await this.checkRedis();
        },
        (error) => this.logger.error(`Redis health check failed: ${errorText(error)}`),
      );
    }
    let cloudLoad: CloudLoadMode = 'not-configured';
    let cloudReport: ProviderRefreshReport[] | null = null;
    const loadCloud = cloudBlocking && !this.closed;
    if (loadCloud && this.config.lazyInit) {
      this.cloud.scheduleRefresh(this.config.blockCloudProviders);
      cloudLoad = 'background';
    } else if (loadCloud) {
      cloudReport = await this.cloud.refresh(this.config.blockCloudProviders);
      cloudLoad = 'completed';
    }
    const result = { redis: state, store: resolution.store, storeOrigin: resolution.origin, cloudLoad, cloudReport };
    this.result = result;
    return result;
  }

  /**
   * The one start-up warning when Redis is off or down: what lives in memory, and (when Redis is
   * enabled but down) that it is retried. The cloud store's own warning is part of it.
   */
  private warnOnce(problem: string | null, storeWarning: string | null, state: RedisState): void {
    if (problem === null) return;
    const parts: string[] = [];
    if (storeWarning !== null) parts.push(storeWarning);
    if (this.subsystems.length > 0) {
      const names = this.subsystems.map((m) => m.subsystem).join(', ');
      parts.push(`${names}: state lives in process memory, not shared between replicas`);
    }
    if (parts.length === 0) {
      if (state !== 'unavailable') return;
      parts.push('running without shared state');
    }
    if (state === 'unavailable') {
      parts.push(`Redis is retried every ${this.config.redisRetryAfterMs} ms and used again when it answers`);
    }
    const text = parts.join('; ');
    // The store's warning starts with the problem already.
    this.logger.warn(storeWarning !== null ? text : `${problem}: ${text}`);
  }

  private async connectRedis(): Promise<{
    handler: RedisHandlerProtocol | null;
    state: RedisState;
    problem: string | null;
  }> {
    if (!this.config.enableRedis || this.givenRedis?.config.enableRedis === false) {
      return { handler: null, state: 'disabled', problem: 'Redis is disabled (enableRedis is false)' };
    }
    if (this.givenRedis === null) return { handler: null, state: 'disabled', problem: 'no Redis handler was given' };
    const handler = this.givenRedis ?? this.makeRedis();
    if (handler !== null && this.agent !== null) handler.initializeAgent?.(this.agent);
    if (handler === null) {
      return {
        handler: null,
        state: 'disabled',
        problem: 'Redis is enabled but none of redisUrl, redisClusterNodes and redisSentinels is set',
      };
    }
    try {
      await handler.initialize();
    } catch (error) {
      if (!(error instanceof GuardRedisError)) throw error;
      return { handler, state: 'unavailable', problem: `Redis is unreachable (${error.detail})` };
    }
    return { handler, state: 'connected', problem: null };
  }

  /**
   * Gives a manager the handler. In fail-closed mode a manager whose start-up load finds Redis
   * down throws `GuardRedisError`; start-up still completes (every manager attached, the health
   * check running): that manager refuses requests with 503 until Redis answers, then recovers.
   */
  private async attach(manager: SubsystemManager, handler: RedisHandlerProtocol | null): Promise<void> {
    try {
      await manager.initializeRedis(handler);
    } catch (error) {
      if (!(error instanceof GuardRedisError)) throw error;
      this.logger.debug(`${manager.subsystem}: start-up load deferred (${error.detail})`);
    }
  }

  /** Redis answered after being down since start-up: the cloud store moves to it. */
  private redisReturned(handler: RedisHandlerProtocol): void {
    this.redisState = 'connected';
    this.liveRedis = handler;
    this.cloud.setRedisHandler(handler);
    if (!this.storePending) return;
    const resolution = resolveCloudIpStore({
      setting: this.config.cloudIpStore,
      redis: handler,
      redisProblem: null,
      cloudBlocking: this.config.blockCloudProviders.size > 0,
    });
    this.storePending = false;
    this.storeOrigin = resolution.origin;
    this.cloud.setStore(resolution.store);
    // The Redis cache may be empty: refill it now rather than at the next scheduled refresh.
    if (this.config.blockCloudProviders.size > 0) this.cloud.scheduleRefresh(this.config.blockCloudProviders);
  }

  private cloudStoreMode(): StateMode {
    if (this.storeOrigin === null || this.storeOrigin === 'default') return 'disabled';
    if (this.storeOrigin === 'instance') return this.redisState === 'connected' ? 'redis' : 'memory';
    if (this.storeOrigin === 'in-memory-fallback') return this.storePending ? 'memory' : 'disabled';
    return this.redisState === 'connected' ? 'redis' : 'memory';
  }

  private makeRedis(): RedisManager | null {
    const config = this.config;
    if (config.redisUrl === null && config.redisClusterNodes === null && config.redisSentinels === null) return null;
    this.ownRedis = new RedisManager(this.config);
    return this.ownRedis;
  }
}
