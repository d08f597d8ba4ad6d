/** The rate limiter's public exports. */
export { RateLimitManager, type RateLimitManagerOptions } from './manager.js';
export { RATE_LIMIT_CHECK, type LimitOutcome } from '../../core/ratelimit/limit-step.js';
export type { RateLimitDecision, WindowSource } from '../../core/ratelimit/decision.js';
export type { RateLimitCheckOptions } from '../../core/ratelimit/policy.js';
export { RATE_LIMIT_NAMESPACE, rateLimitKey } from '../../core/ratelimit/keys.js';
