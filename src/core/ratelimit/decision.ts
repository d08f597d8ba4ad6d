/**
 * What `RateLimitManager.check` answers, built the same way whichever store decided.
 */
import type { LimitOutcome } from './limit-step.js';

/**
 * Where a decision (or a behaviour count) came from: the shared window in Redis, the process's
 * in-memory window, or `none` when no window was consulted (rate limiting disabled; a response
 * that does not match a return pattern).
 */
export type WindowSource = 'redis' | 'memory' | 'none';

/** One rate-limit decision. */
export interface RateLimitDecision {
  /** True when the request is admitted (it was recorded in the window). */
  readonly allowed: boolean;
  /** Hits in the window after this decision, this request included when admitted. */
  readonly count: number;
  /** The limit that applied. */
  readonly limit: number;
  /** The window that applied, in seconds. */
  readonly windowSeconds: number;
  /** How many more requests the window admits now (`limit - count`, never below 0). */
  readonly remaining: number;
  /**
   * When rejected: whole seconds until a request would be admitted (for `Retry-After`), at
   * least 1; 0 when admitted.
   */
  readonly retryAfterSeconds: number;
  /** Where the decision was made. */
  readonly source: WindowSource;
}

/** Builds the decision from a window outcome; `now` is the normalised score of this request. */
export function toDecision(
  outcome: LimitOutcome,
  limit: number,
  windowSeconds: number,
  now: number,
  source: WindowSource,
): RateLimitDecision {
  const retryAfterSeconds = outcome.edge === null ? 0 : Math.max(1, Math.ceil(outcome.edge + windowSeconds - now));
  return {
    allowed: outcome.allowed,
    count: outcome.count,
    limit,
    windowSeconds,
    remaining: Math.max(0, limit - outcome.count),
    retryAfterSeconds,
    source,
  };
}

/** The decision when rate limiting is disabled: admitted, nothing recorded, no window consulted. */
export function disabledDecision(limit: number, windowSeconds: number): RateLimitDecision {
  return { allowed: true, count: 0, limit, windowSeconds, remaining: limit, retryAfterSeconds: 0, source: 'none' };
}
