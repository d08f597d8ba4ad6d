/**
 * The logging seam. Any object with these four methods works (console, pino, winston…).
 * guard-core never logs a secret: URLs are redacted before they reach a logger.
 */
export interface Logger {
  /** Detail for troubleshooting (each refresh, each reconnect attempt). */
  debug(message: string, meta?: Record<string, unknown>): void;
  /** A state change worth knowing (connected, back on Redis). */
  info(message: string, meta?: Record<string, unknown>): void;
  /** Something degraded but handled (Redis down: answering from memory). */
  warn(message: string, meta?: Record<string, unknown>): void;
  /** Something failed that the package could not hide (a refresh that kept the last good ranges). */
  error(message: string, meta?: Record<string, unknown>): void;
}

const noop = (): void => undefined;

/**
 * The default logger: warnings and errors go to the console with a `[guard-core]` tag;
 * debug and info are silent unless `GUARD_CORE_LOG=debug` or `=info` is set.
 */
export function defaultLogger(): Logger {
  const level = process.env.GUARD_CORE_LOG ?? 'warn';
  const emit =
    (sink: (...args: unknown[]) => void) =>
    (message: string, meta?: Record<string, unknown>): void => {
      if (meta === undefined) sink(`[guard-core] ${message}`);
      else sink(`[guard-core] ${message}`, meta);
    };
  return {
    debug: level === 'debug' ? emit(console.debug) : noop,
    info: level === 'debug' || level === 'info' ? emit(console.info) : noop,
    warn: level === 'silent' ? noop : emit(console.warn),
    error: level === 'silent' ? noop : emit(console.error),
  };
}

/** A logger that drops everything (handy in tests and CLIs with `--quiet`). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * A logger with pino's call shape: the fields first, then the message (`logger.warn(obj, msg)`).
 * Bunyan's loggers have it too. Only the methods guard-core calls are listed.
 */
export interface ObjectFirstLogger {
  /** Logs `msg` at debug level with the fields of `obj`. */
  debug(obj: Record<string, unknown>, msg?: string): void;
  /** Logs `msg` at info level with the fields of `obj`. */
  info(obj: Record<string, unknown>, msg?: string): void;
  /** Logs `msg` at warn level with the fields of `obj`. */
  warn(obj: Record<string, unknown>, msg?: string): void;
  /** Logs `msg` at error level with the fields of `obj`. */
  error(obj: Record<string, unknown>, msg?: string): void;
}

/**
 * Adapts a pino (or bunyan) logger to the {@link Logger} contract: `warn(message, meta)` becomes
 * `warn(meta, message)`, so the fields land in the JSON line instead of being taken for printf
 * arguments and dropped (pino's `warn('text', { a: 1 })` writes no `a`). A call without fields
 * passes `{}`. Not needed when the pino logger is passed as `config.logger` directly: it is
 * recognised and adapted automatically; use this for loggers wrapped in something else.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * new RedisManager({ redisUrl, logger: pinoLogger(pino()) });
 * ```
 */
export function pinoLogger(logger: ObjectFirstLogger): Logger {
  return {
    debug: (message, meta) => logger.debug(meta ?? {}, message),
    info: (message, meta) => logger.info(meta ?? {}, message),
    warn: (message, meta) => logger.warn(meta ?? {}, message),
    error: (message, meta) => logger.error(meta ?? {}, message),
  };
}

/** The marker every pino logger (and child logger) carries. */
const PINO_MARKER = Symbol.for('pino.serializers');

/**
 * The logger guard-core uses for `logger`: a pino logger (recognised by the marker all pino
 * loggers carry) through {@link pinoLogger}; anything else as is.
 */
export function adaptLogger(logger: Logger): Logger {
  return PINO_MARKER in logger ? pinoLogger(logger as unknown as ObjectFirstLogger) : logger;
}
