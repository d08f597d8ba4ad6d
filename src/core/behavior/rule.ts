/**
 * Behaviour rules: how many times a client may use an endpoint (`usage`), or get a given kind
 * of response from it (`return_pattern`), within a sliding window before it counts as a
 * violation (`count > threshold`, as in the Python original).
 */
import { GuardInputError } from '../errors.js';
import { describe } from '../validate.js';

/** A behaviour rule. */
export interface BehaviorRule {
  /** `usage`: every call counts. `return_pattern`: only responses matching {@link BehaviorRule.pattern}. */
  readonly type: 'usage' | 'return_pattern';
  /** Violation when the window holds more hits than this (a whole number >= 0). */
  readonly threshold: number;
  /** The window, in whole seconds >= 1 (also the key's TTL). */
  readonly windowSeconds: number;
  /**
   * For `return_pattern` rules: `status:404` (the exact status code), `status:4xx` (a status
   * class), or any other text, matched as a case-insensitive substring of the body (as the
   * original's plain patterns). The original's `regex:` and `json:` forms are refused here:
   * user regexes are compiled (and checked for ReDoS) by the pattern subsystem, not per response.
   */
  readonly pattern?: string;
}

/** The response a return-pattern rule looks at. */
export interface BehaviorResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Response body text, when the caller has it. */
  readonly body?: string;
}

/** A compiled return pattern: a predicate over responses. */
export type ResponseMatcher = (response: BehaviorResponse) => boolean;

const MAX_WINDOW_SECONDS = 86_400 * 366;
const STATUS_EXACT = /^status:([1-5]\d\d)$/;
const STATUS_CLASS = /^status:([1-5])xx$/i;

/** Validates a rule for `expected` type; throws `GuardInputError` naming the bad field. */
export function requireRule(rule: unknown, expected: BehaviorRule['type']): BehaviorRule {
  if (typeof rule !== 'object' || rule === null) {
    throw new GuardInputError('rule', `expected a behaviour rule object, got ${describe(rule)}`);
  }
  const { type, threshold, windowSeconds } = rule as Record<string, unknown>;
  if (type !== expected) throw new GuardInputError('rule.type', `expected "${expected}", got ${describe(type)}`);
  if (
    typeof threshold !== 'number' ||
    !Number.isInteger(threshold) ||
    threshold < 0 ||
    threshold > Number.MAX_SAFE_INTEGER
  ) {
    throw new GuardInputError('rule.threshold', `expected a whole number >= 0, got ${describe(threshold)}`);
  }
  if (
    typeof windowSeconds !== 'number' ||
    !Number.isInteger(windowSeconds) ||
    windowSeconds < 1 ||
    windowSeconds > MAX_WINDOW_SECONDS
  ) {
    throw new GuardInputError(
      'rule.windowSeconds',
      `expected a whole number from 1 to ${MAX_WINDOW_SECONDS}, got ${describe(windowSeconds)}`,
    );
  }
  return rule as BehaviorRule;
}

/** Compiles a return pattern (see {@link BehaviorRule.pattern}); throws `GuardInputError` `rule.pattern`. */
export function compileReturnPattern(pattern: unknown): ResponseMatcher {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new GuardInputError('rule.pattern', `expected a non-empty string, got ${describe(pattern)}`);
  }
  const exact = STATUS_EXACT.exec(pattern);
  if (exact !== null) {
    const status = Number(exact[1]);
    return (response) => response.status === status;
  }
  const statusClass = STATUS_CLASS.exec(pattern);
  if (statusClass !== null) {
    const first = Number(statusClass[1]);
    return (response) => Math.floor(response.status / 100) === first;
  }
  if (pattern.startsWith('status:')) {
    throw new GuardInputError('rule.pattern', `a status pattern is status:NNN or status:Nxx, got ${describe(pattern)}`);
  }
  if (pattern.startsWith('regex:') || pattern.startsWith('json:')) {
    throw new GuardInputError(
      'rule.pattern',
      `the regex: and json: forms are not supported; use status:NNN, status:Nxx or plain text`,
    );
  }
  const needle = pattern.toLowerCase();
  return (response) => typeof response.body === 'string' && response.body.toLowerCase().includes(needle);
}

/** Validates the response argument; throws `GuardInputError` `response`. */
export function requireResponse(response: unknown): BehaviorResponse {
  if (typeof response !== 'object' || response === null) {
    throw new GuardInputError('response', `expected { status, body? }, got ${describe(response)}`);
  }
  const { status, body } = response as Record<string, unknown>;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new GuardInputError('response.status', `expected an HTTP status code, got ${describe(status)}`);
  }
  if (body !== undefined && typeof body !== 'string') {
    throw new GuardInputError('response.body', `expected a string, got ${describe(body)}`);
  }
  return response as BehaviorResponse;
}
