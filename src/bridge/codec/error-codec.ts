/**
 * Carries a thrown value across the worker boundary with its identity. Structured clone alone
 * keeps only the seven built-in error classes and drops everything else a caller checks: custom
 * classes (`GuardRedisError`, ioredis `ReplyError`), their fields, `AggregateError.errors`, and
 * it boxes a thrown string into an object. So the worker encodes explicitly (class name, nearest
 * built-in base, message, stack, own enumerable fields, `cause` chain, `errors`) and the caller
 * rebuilds the very class through {@link ./error-registry.ts}.
 */
import { errorClassFor } from './error-registry.js';

/** A thrown value, encoded so it survives `postMessage`. */
export type EncodedThrown =
  | { readonly t: 'error'; readonly error: EncodedError }
  | { readonly t: 'value'; readonly value: unknown }
  | { readonly t: 'symbol'; readonly description: string | undefined }
  | { readonly t: 'opaque'; readonly text: string };

/** An Error, as plain data. */
export interface EncodedError {
  /** The constructor's name: the registry key (`GuardRedisError`, `ReplyError`, `TypeError`…). */
  readonly className: string;
  /** The nearest built-in error class in its prototype chain, used when the class is unknown here. */
  readonly nativeBase: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable fields (`statusCode`, `detail`, `command`…), each one cloneable. */
  readonly fields: Readonly<Record<string, unknown>>;
  readonly hasCause: boolean;
  readonly cause: EncodedThrown | undefined;
  /** `AggregateError.errors`, when present. */
  readonly errors: readonly EncodedThrown[] | undefined;
}

/** Causes nested deeper than this (or cyclic) are cut, so a pathological chain cannot blow the stack. */
const MAX_DEPTH = 16;

const NATIVE_BASES = [AggregateError, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError] as const;

/** Encodes anything a `throw` can carry. The result is always cloneable. */
export function encodeThrown(thrown: unknown, depth = 0): EncodedThrown {
  if (typeof thrown === 'symbol') return { t: 'symbol', description: thrown.description };
  if (thrown instanceof Error && depth < MAX_DEPTH) return { t: 'error', error: encodeError(thrown, depth) };
  if (isCloneable(thrown)) return { t: 'value', value: thrown };
  return { t: 'opaque', text: describe(thrown) };
}

function encodeError(error: Error, depth: number): EncodedError {
  const hasCause = Object.prototype.hasOwnProperty.call(error, 'cause');
  const errors = error instanceof AggregateError && Array.isArray(error.errors) ? error.errors : undefined;
  return {
    className: error.constructor?.name || error.name || 'Error',
    nativeBase: NATIVE_BASES.find((base) => error instanceof base)?.name ?? 'Error',
    name: String(error.name),
    message: String(error.message),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
    fields: ownFields(error),
    hasCause,
    cause: hasCause && error.cause !== error ? encodeThrown(error.cause, depth + 1) : undefined,
    errors: errors?.map((inner: unknown) => encodeThrown(inner, depth + 1)),
  };
}

const SKIPPED_FIELDS = new Set(['message', 'stack', 'cause', 'errors']);

/** Own enumerable fields; a value that cannot be cloned is kept as its description. */
function ownFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (SKIPPED_FIELDS.has(key)) continue;
    const value: unknown = (error as unknown as Record<string, unknown>)[key];
    fields[key] = isCloneable(value) ? value : describe(value);
  }
  return fields;
}

function isCloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return typeof value !== 'symbol';
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  try {
    return `[uncloneable ${Object.prototype.toString.call(value).slice(8, -1)}: ${String(value)}]`;
  } catch {
    return '[uncloneable value]';
  }
}

/**
 * Rebuilds what {@link encodeThrown} encoded: the same class (or the nearest built-in one with the
 * original `name`), its fields, `cause` and `errors`; primitives stay primitive. `callerStack`
 * (the calling thread's frames) is appended to the top-level stack so it shows both sides.
 */
export function decodeThrown(encoded: EncodedThrown, callerStack?: string): unknown {
  switch (encoded.t) {
    case 'value':
      return encoded.value;
    case 'symbol':
      return Symbol(encoded.description);
    case 'opaque':
      return new Error(`a value that cannot be copied across the sync bridge was thrown: ${encoded.text}`);
    case 'error':
      return decodeError(encoded.error, callerStack);
  }
}

function decodeError(encoded: EncodedError, callerStack: string | undefined): Error {
  const cause = encoded.hasCause && encoded.cause !== undefined ? decodeThrown(encoded.cause) : undefined;
  const error = construct(encoded);
  hide(error, 'message', encoded.message);
  const stack = encoded.stack ?? `${encoded.name}: ${encoded.message}`;
  hide(error, 'stack', callerStack ? `${stack}\n${callerStack}` : stack);
  if (encoded.hasCause) hide(error, 'cause', cause);
  if (encoded.errors)
    hide(
      error,
      'errors',
      encoded.errors.map((inner) => decodeThrown(inner)),
    );
  for (const [key, value] of Object.entries(encoded.fields)) {
    Object.defineProperty(error, key, { value, enumerable: true, writable: true, configurable: true });
  }
  if (error.name !== encoded.name) hide(error, 'name', encoded.name);
  return error;
}

/** An instance of the registered class without running its constructor (whose signature varies). */
function construct(encoded: EncodedError): Error {
  if (encoded.className === 'DOMException') return new DOMException(encoded.message, encoded.name);
  const known = errorClassFor(encoded.className);
  const base = nativeBase(encoded.nativeBase);
  const args = base === AggregateError ? [[], encoded.message] : [encoded.message];
  return Reflect.construct(base, args, known ?? base) as Error;
}

function nativeBase(name: string): ErrorConstructor | AggregateErrorConstructor {
  return NATIVE_BASES.find((base) => base.name === name) ?? Error;
}

/** Defines a property the way `Error` itself does: non-enumerable, writable. */
function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
}
