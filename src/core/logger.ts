/**
 * The logging seam. Any object with these four methods works (console, pino, winston…).
 * guard-core never logs a secret: URLs are redacted before they reach a logger.
 */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
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
