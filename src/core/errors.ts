/**
 * The error classes of guard-core. Both the async and the sync API throw these very classes
 * (the sync bridge rebuilds them on the caller's thread), so `instanceof` works everywhere.
 */

/** Base class of every error guard-core throws on purpose. */
export class GuardCoreError extends Error {
  override name = 'GuardCoreError';
}

/**
 * Redis is unreachable, closed, timed out or failed a command.
 *
 * `statusCode` is an HTTP status an adapter can answer with (503 for every failure of
 * this layer, as in the Python original); `detail` is a short, secret-free description.
 */
export class GuardRedisError extends GuardCoreError {
  override name = 'GuardRedisError';
  /** HTTP status suggested to adapters (503: the shared state is unavailable). */
  readonly statusCode: number;
  /** Human-readable reason; never contains credentials. */
  readonly detail: string;

  constructor(statusCode: number, detail: string, options?: { cause?: unknown }) {
    super(`${detail} (status ${statusCode})`, options);
    this.statusCode = statusCode;
    this.detail = detail;
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
  /** The first offending field. */
  readonly field: string;
  /** Every problem found, in schema order. */
  readonly issues: readonly ConfigIssue[];

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
  /** The parameter at fault, e.g. `ttl` or `provider`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`Invalid ${field}: ${message}`);
    this.field = field;
  }
}

/** A provider feed could not be fetched: network failure, timeout, or a non-2xx answer. */
export class GuardHttpError extends GuardCoreError {
  override name = 'GuardHttpError';
  /** The feed URL, redacted (no user info or secret query values). */
  readonly url: string;
  /** The HTTP status when the server answered, `null` on a network failure or timeout. */
  readonly status: number | null;

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
  /** The bridged operation (e.g. `redis.get`, `http.getText`), or null when not tied to one call. */
  readonly operation: string | null;

  constructor(message: string, operation: string | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = operation;
  }
}

/** The bridge worker could not be started: entry file missing, failed to load, or not ready in time. */
export class GuardBridgeStartError extends GuardBridgeError {
  override name = 'GuardBridgeStartError';
}

/** The bridge worker died during a call (`process.exit`, an uncaught exception); the next call starts a fresh one. */
export class GuardBridgeCrashError extends GuardBridgeError {
  override name = 'GuardBridgeCrashError';
  /** The worker's exit code when it announced one, else null. */
  readonly exitCode: number | null;

  constructor(message: string, operation: string | null, exitCode: number | null, options?: { cause?: unknown }) {
    super(message, operation, options);
    this.exitCode = exitCode;
  }
}

/** A bridged call got no answer within its deadline; a late answer is discarded, never handed to a later call. */
export class GuardBridgeTimeoutError extends GuardBridgeError {
  override name = 'GuardBridgeTimeoutError';
  /** The deadline that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(message: string, operation: string | null, timeoutMs: number) {
    super(message, operation);
    this.timeoutMs = timeoutMs;
  }
}

/** An argument or a result of a bridged call cannot be copied to the other thread (structured clone). */
export class GuardBridgeSerializationError extends GuardBridgeError {
  override name = 'GuardBridgeSerializationError';
  /** Which side could not be copied. */
  readonly direction: 'argument' | 'result';

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
}

/**
 * A provider feed was downloaded but cannot be used as a whole: not JSON or CSV of the expected
 * shape (a truncated download, an error page served with status 200, a missing `AzureCloud` tag).
 * A single malformed prefix inside a good payload is not an error: it is skipped and counted.
 */
export class GuardFeedError extends GuardCoreError {
  override name = 'GuardFeedError';
  /** The provider whose feed failed, e.g. `AWS`. */
  readonly provider: string;
  /** The feed URL, redacted, or `null` when the payload did not come from a URL. */
  readonly url: string | null;

  constructor(provider: string, url: string | null, detail: string, options?: { cause?: unknown }) {
    super(`${provider} feed unusable: ${detail}${url === null ? '' : ` (${url})`}`, options);
    this.provider = provider;
    this.url = url;
  }
}
