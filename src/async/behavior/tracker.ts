/**
 * BehaviorTracker: counts how often a client uses an endpoint, or gets a given kind of response
 * from it, in a sliding window shared through Redis (`RedisManager.recordSlidingWindowHit`, one
 * round trip per hit), and flags a violation when the count passes the rule's threshold. Unlike
 * the Python original (whose Redis errors escape), it answers from bounded process memory while
 * Redis is off or down, with the very same window rule.
 */
import { LRUCache } from 'lru-cache';
import { parseSecurityConfig, type SecurityConfig, type SecurityConfigInput } from '../../core/config.js';
import { GuardInputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { BEHAVIOR_RETURNS_NAMESPACE, BEHAVIOR_USAGE_NAMESPACE, returnKey, usageKey } from '../../core/behavior/keys.js';
import {
  compileReturnPattern,
  requireResponse,
  requireRule,
  type BehaviorResponse,
  type BehaviorRule,
  type ResponseMatcher,
} from '../../core/behavior/rule.js';
import { canonicalClientIp } from '../../core/ratelimit/client-ip.js';
import type { WindowSource } from '../../core/ratelimit/decision.js';
import { windowBounds } from '../../core/ratelimit/hit-window.js';
import { MemoryWindows } from '../../core/ratelimit/memory-windows.js';
import { describe } from '../../core/validate.js';
import type { RedisHandlerProtocol } from '../redis/handler-protocol.js';
import { RedisFailover, type StateMode } from '../support/redis-failover.js';
import type { SubsystemManager } from '../support/subsystem.js';

/** Optional collaborators of a {@link BehaviorTracker}. */
export interface BehaviorTrackerOptions {
  /** Wall clock in epoch seconds (fractions allowed); defaults to `Date.now() / 1000`. */
  readonly now?: () => number;
}

/** What one tracked hit found. */
export interface BehaviorResult {
  /** True when the window holds more hits than the rule's threshold. */
  readonly violated: boolean;
  /**
   * Hits in the window, this one included. In memory it saturates at the largest `threshold + 1`
   * of the rules sharing the window (older hits are not kept once no answer can change); 0 when
   * nothing was recorded.
   */
  readonly count: number;
  /** Where the window lives; `none` when a response did not match the pattern (nothing recorded). */
  readonly source: WindowSource;
}

/** Compiled patterns kept; patterns come from rules (configuration), not from traffic. */
const PATTERN_CACHE_SIZE = 1000;

const UNMATCHED: BehaviorResult = Object.freeze({ violated: false, count: 0, source: 'none' });

/** The behaviour tracker (`subsystem` = `behaviour tracker`). */
export class BehaviorTracker implements SubsystemManager {
  /** Name in status reports and log lines. */
  readonly subsystem = 'behaviour tracker';
  /** The validated configuration. */
  readonly config: SecurityConfig;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly memory: MemoryWindows;
  private readonly failover: RedisFailover;
  private readonly matchers = new LRUCache<string, ResponseMatcher>({ max: PATTERN_CACHE_SIZE });

  /** Validates `config` (throws `GuardConfigError`); starts in memory until {@link initializeRedis}. */
  constructor(config: SecurityConfigInput | SecurityConfig = {}, options: BehaviorTrackerOptions = {}) {
    this.config = parseSecurityConfig(config);
    this.logger = this.config.logger;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.memory = new MemoryWindows(this.config.inMemoryMaxKeys);
    this.failover = new RedisFailover({
      name: this.subsystem,
      logger: this.logger,
      failOpen: this.config.redisFailOpen,
      retryAfterMs: this.config.redisRetryAfterMs,
    });
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

  /** Checks Redis now; true when it answered (the tracker then uses it again). */
  async probe(): Promise<boolean> {
    return this.failover.probe((redis) => redis.exists(BEHAVIOR_USAGE_NAMESPACE, 'probe'));
  }

  /** Nothing runs in the background. */
  async close(): Promise<void> {
    return undefined;
  }

  /** Records a use of `endpointId` by `clientIp` under a `usage` rule. */
  async trackEndpointUsage(endpointId: string, clientIp: string, rule: BehaviorRule): Promise<BehaviorResult> {
    const endpoint = requireEndpoint(endpointId);
    const ip = canonicalClientIp(clientIp);
    const valid = requireRule(rule, 'usage');
    return this.record(BEHAVIOR_USAGE_NAMESPACE, usageKey(endpoint, ip), valid);
  }

  /**
   * Records a response of `endpointId` to `clientIp` under a `return_pattern` rule, when it
   * matches the rule's pattern; a response that does not match records nothing.
   */
  async trackReturnPattern(
    endpointId: string,
    clientIp: string,
    response: BehaviorResponse,
    rule: BehaviorRule,
  ): Promise<BehaviorResult> {
    const endpoint = requireEndpoint(endpointId);
    const ip = canonicalClientIp(clientIp);
    const valid = requireRule(rule, 'return_pattern');
    const checked = requireResponse(response);
    const pattern = valid.pattern;
    if (!this.matcher(pattern)(checked)) return UNMATCHED;
    return this.record(BEHAVIOR_RETURNS_NAMESPACE, returnKey(endpoint, ip, pattern as string), valid);
  }

  /**
   * Forgets every window: in memory, and every `behavior_usage:*` / `behavior_returns:*` key
   * under this prefix in Redis. Redis down → memory only (fail-open) or `GuardRedisError` 503.
   */
  async reset(): Promise<void> {
    this.memory.clear();
    const result = await this.failover.run(async (redis) => {
      const usage = await redis.deletePattern(`${BEHAVIOR_USAGE_NAMESPACE}:*`);
      const returns = await redis.deletePattern(`${BEHAVIOR_RETURNS_NAMESPACE}:*`);
      return usage === null || returns === null ? null : usage + returns;
    });
    if (result.source === 'memory' && this.failover.mode === 'memory') {
      this.logger.warn('Behaviour tracker reset: Redis unavailable, only the in-memory windows were cleared');
    }
  }

  private async record(namespace: string, key: string, rule: BehaviorRule): Promise<BehaviorResult> {
    const { threshold, windowSeconds } = rule;
    const bounds = windowBounds(this.now(), windowSeconds);
    const result = await this.failover.run((redis) =>
      redis.recordSlidingWindowHit(namespace, key, bounds.score, bounds.start, windowSeconds),
    );
    if (result.source === 'redis') {
      return { violated: result.value > threshold, count: result.value, source: 'redis' };
    }
    const window = this.memory.window(`${namespace}:${key}`);
    window.add(bounds.score);
    window.prune(bounds.start);
    window.trimTo(threshold + 1);
    const count = window.count;
    return { violated: count > threshold, count, source: 'memory' };
  }

  private matcher(pattern: unknown): ResponseMatcher {
    if (typeof pattern === 'string') {
      const known = this.matchers.get(pattern);
      if (known !== undefined) return known;
    }
    const compiled = compileReturnPattern(pattern);
    this.matchers.set(pattern as string, compiled);
    return compiled;
  }
}

function requireEndpoint(endpointId: unknown): string {
  if (typeof endpointId !== 'string' || endpointId.length === 0) {
    throw new GuardInputError('endpointId', `expected a non-empty string, got ${describe(endpointId)}`);
  }
  return endpointId;
}
