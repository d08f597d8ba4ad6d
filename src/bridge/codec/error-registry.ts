/**
 * The classes a bridged error can be rebuilt as, by constructor name. guard-core's own classes
 * come from `src/core` (one copy shared by both APIs, so `instanceof` works whichever entry point
 * the caller imported). ioredis' classes are looked up only when such an error arrives: loading
 * ioredis costs ~50 ms, which a sync script should not pay on the caller's thread for nothing.
 */
import { createRequire } from 'node:module';
import { GUARD_ERROR_CLASSES } from '../../core/errors.js';

/** Any error class; instances are made with `Reflect.construct`, so the constructor's signature does not matter. */
type ErrorClass = abstract new (...args: never[]) => Error;

const OWN: Readonly<Record<string, ErrorClass>> = {
  ...GUARD_ERROR_CLASSES,
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
};

/** ioredis (and redis-errors, which it re-exports from) classes, by name → how to load them. */
const IOREDIS: Readonly<Record<string, (load: NodeJS.Require) => unknown>> = {
  ReplyError: (load) => (load('ioredis') as { ReplyError: unknown }).ReplyError,
  MaxRetriesPerRequestError: (load) =>
    (load('ioredis/built/errors/MaxRetriesPerRequestError.js') as { default: unknown }).default,
  ClusterAllFailedError: (load) =>
    (load('ioredis/built/errors/ClusterAllFailedError.js') as { default: unknown }).default,
  RedisError: (load) => redisErrors(load).RedisError,
  ParserError: (load) => redisErrors(load).ParserError,
  AbortError: (load) => redisErrors(load).AbortError,
  InterruptError: (load) => redisErrors(load).InterruptError,
};

const loaded = new Map<string, ErrorClass | null>();

/** The class registered under `className`, or null when it is unknown (or its package is missing). */
export function errorClassFor(className: string): ErrorClass | null {
  const own = Object.prototype.hasOwnProperty.call(OWN, className) ? OWN[className] : undefined;
  if (own) return own;
  const loader = Object.prototype.hasOwnProperty.call(IOREDIS, className) ? IOREDIS[className] : undefined;
  if (!loader) return null;
  if (!loaded.has(className)) loaded.set(className, loadClass(loader));
  return loaded.get(className) ?? null;
}

function loadClass(loader: (load: NodeJS.Require) => unknown): ErrorClass | null {
  try {
    const found = loader(createRequire(import.meta.url));
    return typeof found === 'function' ? (found as ErrorClass) : null;
  } catch {
    return null; // rebuilt as the nearest built-in class with the original name instead
  }
}

function redisErrors(load: NodeJS.Require): Record<string, unknown> {
  const fromIoredis = createRequire(load.resolve('ioredis'));
  return fromIoredis('redis-errors') as Record<string, unknown>;
}
