/**
 * RateLimitManager: an exact sliding-window limit per client (and per endpoint), shared by every
 * replica through Redis, answered from process memory while Redis is off or down.
 *
 * One decision is one Redis round trip (the {@link RATE_LIMIT_CHECK} script, run by SHA); the
 * in-memory path applies the same rule ({@link applyLimit}) to an LRU-bounded set of windows.
 * Keys are the Python original's (`rate_limit:rate:{ip}[:{sha256hex(path)}]`).
 */
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { uniqueMember } from '../../core/redis/sliding-window.js';
import { canonicalClientIp } from '../../core/ratelimit/client-ip.js';
import { disabledDecision, toDecision, type RateLimitDecision } from '../../core/ratelimit/decision.js';
import { BoundsMemo } from '../../core/ratelimit/hit-window.js';
import { RATE_LIMIT_NAMESPACE, RATE_LIMIT_PATTERN, rateLimitKey } from '../../core/ratelimit/keys.js';
import { applyLimit, parseLimitReply, RATE_LIMIT_CHECK } from '../../core/ratelimit/limit-step.js';
import { MemoryWindows } from '../../core/ratelimit/memory-windows.js';
import { RateLimitPolicies, type RateLimitCheckOptions } from '../../core/ratelimit/policy.js';
import { SUBSYSTEM_EVENTS_CHANNEL, Telemetry, type AgentHandler } from '../../core/telemetry.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { RedisFailover, type StateMode } from '../support/redis-failover.js';
import type { SubsystemManager } from '../support/subsystem.js';

/** Optional collaborators of a {@link RateLimitManager}. */
export interface RateLimitManagerOptions {
  /**
   * Wall clock in epoch seconds (fractions allowed) used for window times; defaults to
   * `Date.now() / 1000`. Every replica must use the same wall clock, as in the original.
   */
  readonly now?: () => number;
}

/** The sliding-window rate limiter (`subsystem` = `rate limiter`). */
export class RateLimitManager implements SubsystemManager {
  /** Name in status reports and log lines. */
  readonly subsystem = 'rate limiter';
  /** The validated configuration. */
  readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly policies: RateLimitPolicies;
  private readonly memory: MemoryWindows;
  private readonly failover: RedisFailover;
  private readonly clock = new BoundsMemo();
  /** The agent and the `guard-core:subsystem` channel (README, "Telemetry"). */
  private readonly telemetry: Telemetry;

  /** Validates `config` (throws `GuardConfigError`); starts in memory until {@link initializeRedis}. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: RateLimitManagerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.policies = new RateLimitPolicies(this.config);
    this.memory = new MemoryWindows(this.config.inMemoryMaxKeys);
    this.failover = new RedisFailover({
      name: this.subsystem,
      logger: this.logger,
      failOpen: this.config.redisFailOpen,
      retryAfterMs: this.config.redisRetryAfterMs,
    });
    this.telemetry = new Telemetry('rate_limit', SUBSYSTEM_EVENTS_CHANNEL, this.logger);
  }

  /**
   * Sets the agent that receives a `rate_limited` event for every rejected request (`null`
   * removes it). The same events go to `diagnostics_channel` `guard-core:subsystem` with or
   * without an agent; with neither, a rejection costs one `hasSubscribers` check more.
   */
  initializeAgent(agent: AgentHandler | null): void {
    this.telemetry.setAgent(agent);
  }

  /** Where the windows live now: `redis`, `memory` (Redis down) or `disabled` (no Redis). */
  get mode(): StateMode {
    return this.failover.mode;
  }

  /** How many in-memory windows are kept (never more than `inMemoryMaxKeys`). */
  get memoryWindowCount(): number {
    return this.memory.size;
  }

  /** Attaches the Redis handler (`null`: memory only). Never touches the network, never throws. */
  async initializeRedis(handler: RedisHandlerProtocol | null): Promise<void> {
    this.failover.attach(handler);
  }

  /** Checks Redis now; true when it answered (the limiter then uses it again). */
  async probe(): Promise<boolean> {
    return this.failover.probe((redis) => redis.exists(RATE_LIMIT_NAMESPACE, 'probe'));
  }

  /** Nothing runs in the background; the manager keeps answering (from memory once detached). */
  async close(): Promise<void> {
    return undefined;
  }

  /**
   * Decides one request of `clientIp` (canonicalised; an invalid address → `GuardInputError`
   * `clientIp`, nothing recorded). Admitted requests are recorded; rejected ones are not.
   * Fail-closed mode with Redis down → `GuardRedisError` 503.
   */
  async check(clientIp: string, options?: RateLimitCheckOptions): Promise<RateLimitDecision> {
    const ip = canonicalClientIp(clientIp);
    const policy = this.policies.resolve(options);
    const { limit, windowSeconds } = policy;
    if (!this.config.enableRateLimiting) return disabledDecision(limit, windowSeconds);
    const bounds = this.clock.bounds(this.now(), windowSeconds);
    // Without a Redis handler the failover would answer "memory" anyway: skip its promise.
    if (this.failover.mode !== 'disabled') {
      const key = rateLimitKey(ip, policy.pathHash);
      const result = await this.failover.run((redis) =>
        redis.runScript(
          RATE_LIMIT_CHECK,
          RATE_LIMIT_NAMESPACE,
          [key],
          [bounds.scoreText, uniqueMember(), bounds.startText, limit, windowSeconds],
        ),
      );
      if (result.source === 'redis') {
        const decision = toDecision(parseLimitReply(result.value), limit, windowSeconds, bounds.score, 'redis');
        if (!decision.allowed) this.noteLimited(ip, decision, policy.pathHash === null ? null : options?.endpoint);
        return decision;
      }
    }
    // In memory the window of the global limit is keyed by the address itself: the caller's
    // string, whose hash V8 has usually computed already, instead of a fresh concatenation.
    const window = this.memory.window(policy.pathHash === null ? ip : `${ip}:${policy.pathHash}`);
    const decision = toDecision(
      applyLimit(window, bounds.score, bounds.start, limit),
      limit,
      windowSeconds,
      bounds.score,
      'memory',
    );
    if (!decision.allowed) this.noteLimited(ip, decision, policy.pathHash === null ? null : options?.endpoint);
    return decision;
  }

  /** The `rate_limited` event of one rejected request (`endpoint`: the configured path whose limit applied). */
  private noteLimited(ip: string, decision: RateLimitDecision, endpoint: string | null | undefined): void {
    if (!this.telemetry.wanted) return;
    this.telemetry.emit({
      event_type: 'rate_limited',
      action_taken: 'request_blocked',
      reason: `Rate limit exceeded: ${decision.count} requests in ${decision.windowSeconds}s window`,
      ip_address: ip,
      metadata: {
        request_count: decision.count,
        rate_limit: decision.limit,
        window: decision.windowSeconds,
        endpoint: endpoint ?? null,
        source: decision.source,
      },
    });
  }

  /**
   * Forgets every window: the in-memory ones, and every `rate_limit:rate:*` key under this
   * prefix in Redis (SCAN + UNLINK). Redis down → memory only (fail-open) or `GuardRedisError`
   * 503 (fail-closed).
   */
  async reset(): Promise<void> {
    this.memory.clear();
    const result = await this.failover.run((redis) => redis.deletePattern(RATE_LIMIT_PATTERN));
    if (result.source === 'memory' && this.failover.mode === 'memory') {
      this.logger.warn('Rate limiter reset: Redis unavailable, only the in-memory windows were cleared');
    }
  }
}
