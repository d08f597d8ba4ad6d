/**
 * Which limit and window apply to a check, resolved from the configuration once (per-endpoint
 * path hashes are computed at construction, never per request).
 */
import type { SecurityConfig } from '../config.js';
import { GuardInputError } from '../errors.js';
import { describe } from '../validate.js';
import { sha256Hex } from './keys.js';

/** Per-call overrides of {@link RateLimitPolicies.resolve}. */
export interface RateLimitCheckOptions {
  /**
   * The request path. When `endpointRateLimits` has an entry for exactly this path, that
   * entry's limit and window apply, on the window `rate:{ip}:{sha256hex(path)}`; otherwise the
   * global window `rate:{ip}`. Empty means no endpoint.
   */
  readonly endpoint?: string;
  /** Overrides the limit (a whole number >= 1). */
  readonly limit?: number;
  /** Overrides the window (whole seconds >= 1). */
  readonly windowSeconds?: number;
}

/** The limit, window and key suffix of one check. */
export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
  /** SHA-256 hex of the endpoint path for a per-endpoint window, else `null` (the global window). */
  readonly pathHash: string | null;
}

/** Longest window accepted, as in the config schema (366 days). */
const MAX_WINDOW_SECONDS = 86_400 * 366;

/** The configured policies: global and per endpoint. */
export class RateLimitPolicies {
  /** The global policy (`rateLimit`, `rateLimitWindow`). */
  readonly global: RateLimitPolicy;
  private readonly endpoints = new Map<string, RateLimitPolicy>();

  /** Reads the global and per-endpoint limits of `config`, hashing each endpoint path once. */
  constructor(config: SecurityConfig) {
    this.global = { limit: config.rateLimit, windowSeconds: config.rateLimitWindow, pathHash: null };
    for (const [path, { limit, windowSeconds }] of Object.entries(config.endpointRateLimits)) {
      this.endpoints.set(path, { limit, windowSeconds, pathHash: sha256Hex(path) });
    }
  }

  /** The policy of a check; throws `GuardInputError` naming a bad option. */
  resolve(options: RateLimitCheckOptions | undefined): RateLimitPolicy {
    if (options === undefined) return this.global;
    if (typeof options !== 'object' || options === null) {
      throw new GuardInputError('options', `expected an object, got ${describe(options)}`);
    }
    const { endpoint, limit, windowSeconds } = options;
    let base = this.global;
    if (endpoint !== undefined) {
      if (typeof endpoint !== 'string')
        throw new GuardInputError('endpoint', `expected a string, got ${describe(endpoint)}`);
      base = this.endpoints.get(endpoint) ?? this.global;
    }
    if (limit === undefined && windowSeconds === undefined) return base;
    return {
      limit: limit === undefined ? base.limit : wholeNumber('limit', limit, Number.MAX_SAFE_INTEGER),
      windowSeconds:
        windowSeconds === undefined
          ? base.windowSeconds
          : wholeNumber('windowSeconds', windowSeconds, MAX_WINDOW_SECONDS),
      pathHash: base.pathHash,
    };
  }
}

function wholeNumber(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new GuardInputError(field, `expected a whole number from 1 to ${max}, got ${describe(value)}`);
  }
  return value;
}
