/**
 * Argument checks shared by every store and by RedisManager. Each throws a
 * {@link GuardInputError} naming the parameter, before anything is read or written.
 */
import { GuardInputError } from './errors.js';

/** Largest TTL accepted, in seconds (Redis keeps expiries in milliseconds as int64; this is ~68 years). */
export const MAX_TTL_SECONDS = 2 ** 31 - 1;

/** A non-empty, well-formed string such as a provider, namespace or key name. */
export function requireName(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new GuardInputError(field, `expected a string, got ${describe(value)}`);
  if (value.length === 0) throw new GuardInputError(field, 'must not be empty');
  return requireWellFormed(field, value);
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
// Linear: each alternative looks one code unit around its match.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` is well-formed UTF-16 (no lone surrogate), i.e. encodes to UTF-8 losslessly. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * A string that is well-formed UTF-16. Redis stores bytes: a lone surrogate (`'\ud800'`) is
 * encoded as U+FFFD, so `'\ud800'`, `'\udc00'` and `'\ufffd'` would all name one key or store
 * one value. Such strings are refused instead of being silently aliased.
 */
export function requireWellFormed(field: string, value: string): string {
  const lone = LONE_SURROGATE.exec(value);
  if (lone !== null) {
    const unit = lone[0].charCodeAt(0).toString(16);
    throw new GuardInputError(
      field,
      `contains a lone UTF-16 surrogate (\\u${unit} at index ${lone.index}); Redis would store it as U+FFFD`,
    );
  }
  return value;
}

/**
 * A TTL in whole seconds, or nothing. `undefined` and `null` mean "no expiry".
 * Zero, negatives, fractions and NaN are refused: none of them has an honest meaning in Redis
 * (`EX 0` is an error there) and silently turning them into "lives forever" would hide bugs.
 */
export function requireTtl(ttl: unknown): number | null {
  if (ttl === undefined || ttl === null) return null;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) {
    throw new GuardInputError(
      'ttl',
      `expected a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, or null; got ${describe(ttl)}`,
    );
  }
  return ttl;
}

/** A Set or array (any iterable) of strings; returns a fresh array the caller cannot mutate. */
export function requireRanges(ranges: unknown): string[] {
  if (typeof ranges === 'string' || ranges === null || typeof ranges !== 'object' || !(Symbol.iterator in ranges)) {
    throw new GuardInputError('ranges', `expected a Set or array of strings, got ${describe(ranges)}`);
  }
  const out: string[] = [];
  for (const item of ranges as Iterable<unknown>) {
    if (typeof item !== 'string')
      throw new GuardInputError('ranges', `every range must be a string, got ${describe(item)}`);
    out.push(requireWellFormed('ranges', item));
  }
  return out;
}

/** A finite number (a timestamp, a score). */
export function requireFiniteNumber(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new GuardInputError(field, `expected a finite number, got ${describe(value)}`);
  }
  return value;
}

/** A value Redis stores as a string: strings as they are, finite numbers in decimal. */
export function requireStorable(value: unknown): string {
  if (typeof value === 'string') return requireWellFormed('value', value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new GuardInputError('value', `expected a string or a finite number, got ${describe(value)}`);
}

/** A short description of a value for error messages (never the value of a secret field). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value !== 'object') return typeof value;
  let kind: unknown;
  try {
    kind = (value as { constructor?: { name?: unknown } }).constructor?.name; // a Proxy may throw
  } catch {
    return 'an object';
  }
  return typeof kind !== 'string' || kind === 'Object' ? 'a plain object' : `a ${kind} object`;
}

/** The message of an error, or the text of anything else thrown (for log lines). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when `value` is PEM text (`-----BEGIN … -----`) rather than the path of a PEM file. */
export function isPemText(value: string): boolean {
  return /^\s*-----BEGIN [A-Z0-9 ]+-----/.test(value);
}

/** An options argument: `undefined` (no options) or a plain object; anything else is a `GuardInputError`. */
export function requireOptions<T extends object>(field: string, options: T | undefined): T | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GuardInputError(field, `expected an options object, got ${describe(options)}`);
  }
  return options;
}
