/**
 * HandlerInitializer: the start-up wiring of an app's shared state — connect Redis (or fall back
 * to memory), give the CloudManager its store, and load the cloud ranges without blocking start-up.
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
 */
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardRedisError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { CloudManager } from '../cloud/manager.js';
import type { CloudStatus, ProviderRefreshReport } from '../../core/cloud/status.js';
import type { CloudIpStoreProtocol } from '../cloud/store-protocol.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { RedisManager } from '../redis/manager.js';
import type { HttpClient } from '../seams/http.js';
import { SingleFlight } from '../support/single-flight.js';
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
  /** Redis after start-up, or `not-initialized` before it. */
  readonly redis: RedisState | 'not-initialized';
  /** Where the cloud-IP store came from, `null` before start-up. */
  readonly storeOrigin: StoreOrigin | null;
  /** Per-provider cloud-range status. */
  readonly cloudProviders: CloudStatus;
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

  /** Validates `config` (throws `GuardConfigError`); connects nothing until {@link initializeRedisHandlers}. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: HandlerInitializerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.givenRedis = options.redis;
    this.cloud = options.cloud ?? new CloudManager(this.config, { http: options.http });
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

  /** Redis state, store origin and per-provider cloud status (for health endpoints). */
  getInitializationStatus(): InitializationStatus {
    return {
      redis: this.result?.redis ?? 'not-initialized',
      storeOrigin: this.result?.storeOrigin ?? null,
      cloudProviders: this.cloud.getStatus(),
    };
  }

  /** Closes the Redis connection this initializer opened (a handler passed in is left to its owner). */
  async close(): Promise<void> {
    const own = this.ownRedis;
    this.ownRedis = null;
    this.liveRedis = null;
    if (own !== null) await own.close();
  }

  private async initialize(): Promise<InitializationResult> {
    const { redis, state, problem } = await this.connectRedis();
    this.liveRedis = redis;
    const cloudBlocking = this.config.blockCloudProviders.size > 0;
    const resolution = resolveCloudIpStore({
      setting: this.config.cloudIpStore,
      redis,
      redisProblem: problem,
      cloudBlocking,
    });
    if (resolution.warning !== null) this.logger.warn(resolution.warning);
    this.cloud.setStore(resolution.store);
    this.cloud.setRedisHandler(redis);
    let cloudLoad: CloudLoadMode = 'not-configured';
    let cloudReport: ProviderRefreshReport[] | null = null;
    if (cloudBlocking && this.config.lazyInit) {
      this.cloud.scheduleRefresh(this.config.blockCloudProviders);
      cloudLoad = 'background';
    } else if (cloudBlocking) {
      cloudReport = await this.cloud.refresh(this.config.blockCloudProviders);
      cloudLoad = 'completed';
    }
    const result = { redis: state, store: resolution.store, storeOrigin: resolution.origin, cloudLoad, cloudReport };
    this.result = result;
    return result;
  }

  private async connectRedis(): Promise<{
    redis: RedisHandlerProtocol | null;
    state: RedisState;
    problem: string | null;
  }> {
    if (!this.config.enableRedis || this.givenRedis?.config.enableRedis === false) {
      return { redis: null, state: 'disabled', problem: 'Redis is disabled (enableRedis is false)' };
    }
    if (this.givenRedis === null) return { redis: null, state: 'disabled', problem: 'no Redis handler was given' };
    const handler = this.givenRedis ?? this.makeRedis();
    if (handler === null) {
      return {
        redis: null,
        state: 'disabled',
        problem: 'Redis is enabled but neither redisUrl nor redisClusterNodes is set',
      };
    }
    try {
      await handler.initialize();
    } catch (error) {
      if (!(error instanceof GuardRedisError)) throw error;
      return { redis: null, state: 'unavailable', problem: `Redis is unreachable (${error.detail})` };
    }
    return { redis: handler, state: 'connected', problem: null };
  }

  private makeRedis(): RedisManager | null {
    if (this.config.redisUrl === null && this.config.redisClusterNodes === null) return null;
    this.ownRedis = new RedisManager(this.config);
    return this.ownRedis;
  }
}
