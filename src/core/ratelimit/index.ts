/** The pure part of the rate limiter, shared by the async and the sync API. */
export { canonicalClientIp } from './client-ip.js';
export { BoundsMemo, HitWindow, windowBounds, type WindowBounds } from './hit-window.js';
export { RATE_LIMIT_CHECK, applyLimit, parseLimitReply, type LimitOutcome } from './limit-step.js';
export { toDecision, disabledDecision, type RateLimitDecision, type WindowSource } from './decision.js';
export { RATE_LIMIT_NAMESPACE, RATE_LIMIT_PATTERN, rateLimitKey, sha256Hex } from './keys.js';
export { MemoryWindows } from './memory-windows.js';
export { RateLimitPolicies, type RateLimitCheckOptions, type RateLimitPolicy } from './policy.js';
