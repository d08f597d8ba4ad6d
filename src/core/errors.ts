/**
 * The error classes of guard-core. Both the async and the sync API throw these very classes
 * (the sync bridge rebuilds them on the caller's thread), so `instanceof` works everywhere —
 * also across the package's two builds: a process that loads both the CommonJS and the ESM
 * build has two copies of each class, and `instanceof` recognises the other copy's instances
 * (see {@link GuardCoreError}'s `Symbol.hasInstance`).
 */

/**
 * The brand of guard-core's own error classes: a static own property holding the class's
 * name, under a registry symbol every copy of guard-core shares (`Symbol.for`). Versioned with
 * the class hierarchy's meaning: two copies recognise each other's instances only while a
 * class of a given name means the same thing.
 */
const ERROR_BRAND: unique symbol = Symbol.for('guard-core.error-class.v1');

type Branded = { readonly [ERROR_BRAND]?: string };

/** The brand a constructor carries as its own (inherited statics do not count), else undefined. */
function ownBrand(constructor: unknown): string | undefined {
  if (typeof constructor !== 'function' || !Object.prototype.hasOwnProperty.call(constructor, ERROR_BRAND)) {
    return undefined;
  }
  const brand = (constructor as Branded)[ERROR_BRAND];
  return typeof brand === 'string' ? brand : undefined;
}

/**
 * Whether `value` is an instance of the class branded `brand` in any copy of guard-core: some
 * prototype on its chain belongs (own `constructor`) to a class with that own brand. A
 * subclass's instance has its parent's prototype on its chain, so it counts; a plain `Error`'s
 * chain has no branded prototype.
 */
function hasBrandedPrototype(value: unknown, brand: string): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  for (let proto: unknown = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const own = Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (own !== undefined && 'value' in own && ownBrand(own.value) === brand) return true;
  }
  return false;
}

/**
 * The stable, machine-readable codes of guard-core's errors (`error.code`). Messages may change
 * between versions; these do not, so code that reacts to an error should test the code.
 */
export const GUARD_ERROR_CODES = Object.freeze({
  GuardCoreError: 'GUARD_ERROR',
  GuardRedisError: 'GUARD_REDIS_UNAVAILABLE',
  GuardRedisDataError: 'GUARD_REDIS_DATA',
  GuardRedisClusterError: 'GUARD_REDIS_CLUSTER_INCOMPLETE',
  GuardConfigError: 'GUARD_CONFIG',
  GuardInputError: 'GUARD_INPUT',
  GuardHttpError: 'GUARD_HTTP',
  GuardFeedError: 'GUARD_FEED',
  GuardPatternError: 'GUARD_PATTERN',
  GuardBridgeError: 'GUARD_BRIDGE',
  GuardBridgeStartError: 'GUARD_BRIDGE_START',
  GuardBridgeCrashError: 'GUARD_BRIDGE_CRASH',
  GuardBridgeTimeoutError: 'GUARD_BRIDGE_TIMEOUT',
  GuardBridgeSerializationError: 'GUARD_BRIDGE_SERIALIZATION',
  GuardBridgeClosedError: 'GUARD_BRIDGE_CLOSED',
} as const);

/** One of {@link GUARD_ERROR_CODES}' values. */
export type GuardErrorCode = (typeof GUARD_ERROR_CODES)[keyof typeof GUARD_ERROR_CODES];

/**
 * Base class of every error guard-core throws on purpose. Every subclass has a stable `code`
 * (see {@link GUARD_ERROR_CODES}); it is an own field, so it survives the sync bridge.
 */
export class GuardCoreError extends Error {
  override name = 'GuardCoreError';
  /** Stable machine-readable code, e.g. `GUARD_REDIS_UNAVAILABLE`. */
  readonly code: string = GUARD_ERROR_CODES.GuardCoreError;

  /**
   * `value instanceof X` for `X` this class or any subclass. First the ordinary prototype test;
   * then, for guard-core's own classes, the same test against the other build's copy of `X`
   * (the CommonJS and ESM builds loaded in one process, or two bundles): an instance counts
   * when its prototype chain holds a prototype of a class branded with `X`'s name. A user's
   * subclass has no brand of its own, so for it only the ordinary test applies.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const brand = ownBrand(this);
    return brand !== undefined && hasBrandedPrototype(value, brand);
  }
}

/**
 * Redis is unreachable, closed, timed out or failed a command.
 *
 * `statusCode` is an HTTP status an adapter can answer with (503 for every failure of
 * this layer, as in the Python original); `detail` is a short, secret-free description.
 */
export class GuardRedisError extends GuardCoreError {
  override name = 'GuardRedisError';
  override readonly code: string = GUARD_ERROR_CODES.GuardRedisError;
  /** HTTP status suggested to adapters (503: the shared state is unavailable). */
  readonly statusCode: number;
  /** Human-readable reason; never contains credentials. */
  readonly detail: string;

  /** `statusCode` for adapters (503 for an outage), `detail` a secret-free reason; the message joins them. */
  constructor(statusCode: number, detail: string, options?: { cause?: unknown }) {
    super(`${detail} (status ${statusCode})`, options);
    this.statusCode = statusCode;
    this.detail = detail;
  }
}

/**
 * Redis answered, but refused the command because of the data it found or was given: a key of
 * the wrong type (`WRONGTYPE`), a counter that is not an integer, an unknown command, a script
 * error. Redis itself is up, so this is not an outage: `statusCode` is 500, a subsystem does
 * not switch to memory for it, and the message names the reason (never a secret).
 * A subclass of {@link GuardRedisError}, so `catch (e) { if (e instanceof GuardRedisError) … }`
 * still sees every Redis failure; test `code` or `statusCode` to tell them apart.
 */
export class GuardRedisDataError extends GuardRedisError {
  override name = 'GuardRedisDataError';
  override readonly code: string = GUARD_ERROR_CODES.GuardRedisDataError;
  /** The key at fault (prefix included), when known. */
  readonly key: string | null;

  /** `detail` names the reason, `key` the key at fault when known; `statusCode` is 500. */
  constructor(detail: string, key: string | null = null, options?: { cause?: unknown }) {
    super(500, detail, options);
    this.key = key;
  }
}

/**
 * A Redis Cluster operation that must cover every primary (`keys`, `deletePattern`, a store's
 * `clear()`) could not: a primary was unreachable or failed mid-way, some slots had no primary,
 * or the slot map changed during a multi-page scan. The operation rejects instead of resolving
 * with what the reachable primaries hold, so partial work is never reported as success; a
 * `deletePattern` may still have deleted keys on primaries reached before the failure.
 * `statusCode` is 503 (the shared state is unavailable), like every outage, and it is a
 * subclass of {@link GuardRedisError}, so code that handles outages handles this too; test
 * `code` (`GUARD_REDIS_CLUSTER_INCOMPLETE`) to tell it apart.
 */
export class GuardRedisClusterError extends GuardRedisError {
  override name = 'GuardRedisClusterError';
  override readonly code: string = GUARD_ERROR_CODES.GuardRedisClusterError;
  /** The primaries (`host:port`) that could not be reached or failed; empty when none is to blame. */
  readonly unreachable: readonly string[];
  /** The slot ranges not covered, e.g. `['10923-16383']`. */
  readonly slots: readonly string[];

  /** `detail` says what could not be covered; `unreachable` the primaries, `slots` the uncovered ranges. */
  constructor(
    detail: string,
    unreachable: readonly string[] = [],
    slots: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(503, detail, options);
    this.unreachable = [...unreachable];
    this.slots = [...slots];
  }
}

/** One problem found while validating a configuration. */
export interface ConfigIssue {
  /** Dotted path of the offending field, e.g. `redisPrefix`. */
  readonly field: string;
  /** What is wrong with it. */
  readonly message: string;
}

/** A `SecurityConfig` field is missing, unknown or invalid. `field` names the first one. */
export class GuardConfigError extends GuardCoreError {
  override name = 'GuardConfigError';
  override readonly code: string = GUARD_ERROR_CODES.GuardConfigError;
  /** The first offending field. */
  readonly field: string;
  /** Every problem found, in schema order. */
  readonly issues: readonly ConfigIssue[];

  /** Every problem found; the message lists them, `field` is the first one's. */
  constructor(issues: readonly ConfigIssue[]) {
    const first = issues[0] ?? { field: '(config)', message: 'invalid configuration' };
    const list = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    super(`Invalid guard-core configuration: ${list}`);
    this.field = first.field;
    this.issues = issues;
  }
}

/** An argument passed to a guard-core method is invalid. Nothing was read or written. */
export class GuardInputError extends GuardCoreError {
  override name = 'GuardInputError';
  override readonly code: string = GUARD_ERROR_CODES.GuardInputError;
  /** The parameter at fault, e.g. `ttl` or `provider`. */
  readonly field: string;

  /** The message is `Invalid {field}: {message}`. */
  constructor(field: string, message: string) {
    super(`Invalid ${field}: ${message}`);
    this.field = field;
  }
}

/** A provider feed could not be fetched: network failure, timeout, or a non-2xx answer. */
export class GuardHttpError extends GuardCoreError {
  override name = 'GuardHttpError';
  override readonly code: string = GUARD_ERROR_CODES.GuardHttpError;
  /** The feed URL, redacted (no user info or secret query values). */
  readonly url: string;
  /** The HTTP status when the server answered, `null` on a network failure or timeout. */
  readonly status: number | null;

  /** `url` must already be redacted; `status` the HTTP status or `null`; `detail` what went wrong. */
  constructor(url: string, status: number | null, detail: string, options?: { cause?: unknown }) {
    super(`${detail} (${url}${status === null ? '' : `, HTTP ${status}`})`, options);
    this.url = url;
    this.status = status;
  }
}

/**
 * The sync API's worker bridge failed (`guard-core/sync` runs each call on a worker thread).
 * Redis calls surface these as the `cause` of a `GuardRedisError` 503 and feed downloads as the
 * `cause` of a `GuardHttpError`, so the async contract holds; the bridge's own controls throw them
 * directly.
 */
export class GuardBridgeError extends GuardCoreError {
  override name = 'GuardBridgeError';
  override readonly code: string = GUARD_ERROR_CODES.GuardBridgeError;
  /** The bridged operation (e.g. `redis.get`, `http.getText`), or null when not tied to one call. */
  readonly operation: string | null;

  /** `operation` is the bridged call (`redis.get`…) or `null`. */
  constructor(message: string, operation: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = operation;
  }
}

/** The bridge worker could not be started: entry file missing, failed to load, or not ready in time. */
export class GuardBridgeStartError extends GuardBridgeError {
  override name = 'GuardBridgeStartError';
  override readonly code: string = GUARD_ERROR_CODES.GuardBridgeStartError;
}

/** The bridge worker died during a call (`process.exit`, an uncaught exception); the next call starts a fresh one. */
export class GuardBridgeCrashError extends GuardBridgeError {
  override name = 'GuardBridgeCrashError';
  override readonly code: string = GUARD_ERROR_CODES.GuardBridgeCrashError;
  /** The worker's exit code when it announced one, else null. */
  readonly exitCode: number | null;

  /** `exitCode` is the worker's, when it announced one. */
  constructor(message: string, operation: string | null, exitCode: number | null, options?: { cause?: unknown }) {
    super(message, operation, options);
    this.exitCode = exitCode;
  }
}

/** A bridged call got no answer within its deadline; a late answer is discarded, never handed to a later call. */
export class GuardBridgeTimeoutError extends GuardBridgeError {
  override name = 'GuardBridgeTimeoutError';
  override readonly code: string = GUARD_ERROR_CODES.GuardBridgeTimeoutError;
  /** The deadline that expired, in milliseconds. */
  readonly timeoutMs: number;

  /** `timeoutMs` is the deadline that expired. */
  constructor(message: string, operation: string | null, timeoutMs: number) {
    super(message, operation);
    this.timeoutMs = timeoutMs;
  }
}

/** An argument or a result of a bridged call cannot be copied to the other thread (structured clone). */
export class GuardBridgeSerializationError extends GuardBridgeError {
  override name = 'GuardBridgeSerializationError';
  override readonly code: string = GUARD_ERROR_CODES.GuardBridgeSerializationError;
  /** Which side could not be copied. */
  readonly direction: 'argument' | 'result';

  /** `direction` says which side could not be copied. */
  constructor(
    message: string,
    operation: string | null,
    direction: 'argument' | 'result',
    options?: { cause?: unknown },
  ) {
    super(message, operation, options);
    this.direction = direction;
  }
}

/** The bridge was closed with `closeSyncBridge()`; sync calls after that throw this. */
export class GuardBridgeClosedError extends GuardBridgeError {
  override name = 'GuardBridgeClosedError';
  override readonly code: string = GUARD_ERROR_CODES.GuardBridgeClosedError;
}

/**
 * A provider feed was downloaded but cannot be used as a whole: not JSON or CSV of the expected
 * shape (a truncated download, an error page served with status 200, a missing `AzureCloud` tag).
 * A single malformed prefix inside a good payload is not an error: it is skipped and counted.
 */
export class GuardFeedError extends GuardCoreError {
  override name = 'GuardFeedError';
  override readonly code: string = GUARD_ERROR_CODES.GuardFeedError;
  /** The provider whose feed failed, e.g. `AWS`. */
  readonly provider: string;
  /** The feed URL, redacted, or `null` when the payload did not come from a URL. */
  readonly url: string | null;

  /** `provider` whose feed failed, `url` redacted (or `null`), `detail` why the payload is unusable. */
  constructor(provider: string, url: string | null, detail: string, options?: { cause?: unknown }) {
    super(`${provider} feed unusable: ${detail}${url === null ? '' : ` (${url})`}`, options);
    this.provider = provider;
    this.url = url;
  }
}

/** Why a detection pattern was refused. */
export type PatternRefusal = 'syntax' | 'unsafe' | 'too-long' | 'too-many' | 'empty';

/**
 * A detection pattern was refused: invalid regular-expression syntax, a risk of catastrophic
 * backtracking (ReDoS), too long, or one pattern too many. Nothing was stored. A subclass of
 * {@link GuardInputError}, so code that handles bad input in general handles this too.
 */
export class GuardPatternError extends GuardInputError {
  override name = 'GuardPatternError';
  override readonly code: string = GUARD_ERROR_CODES.GuardPatternError;
  /** The refused pattern (as given; long ones are not shortened; a value that is not a string is described, e.g. `an object`). */
  readonly pattern: string;
  /** The reason, as a code. */
  readonly reason: PatternRefusal;
  /** The reason in words, without the field (e.g. `may backtrack catastrophically (ReDoS): …`). */
  readonly detail: string;

  /** `field` is the parameter (`pattern`), `reason` the refusal as a code, `detail` in words. */
  constructor(field: string, pattern: string, reason: PatternRefusal, detail: string) {
    super(field, detail);
    this.pattern = pattern;
    this.reason = reason;
    this.detail = detail;
  }
}

/**
 * guard-core's own error classes by name: branded here (see `ERROR_BRAND`), and the classes the
 * sync bridge rebuilds a worker's error as. Internal (not re-exported by the package).
 */
export const GUARD_ERROR_CLASSES = Object.freeze({
  GuardCoreError,
  GuardRedisError,
  GuardRedisDataError,
  GuardRedisClusterError,
  GuardConfigError,
  GuardInputError,
  GuardHttpError,
  GuardFeedError,
  GuardPatternError,
  GuardBridgeError,
  GuardBridgeStartError,
  GuardBridgeCrashError,
  GuardBridgeTimeoutError,
  GuardBridgeSerializationError,
  GuardBridgeClosedError,
} satisfies Record<keyof typeof GUARD_ERROR_CODES, abstract new (...args: never[]) => GuardCoreError>);

for (const [name, constructor] of Object.entries(GUARD_ERROR_CLASSES)) {
  Object.defineProperty(constructor, ERROR_BRAND, { value: name, enumerable: false, writable: false });
}
