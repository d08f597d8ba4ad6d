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
