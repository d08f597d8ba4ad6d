/**
 * A logger that records every line, for tests that check what guard-core logs (and that it
 * never logs a secret).
 */
import type { Logger } from '../../src/index.js';

/** One recorded log call. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly meta: Record<string, unknown> | undefined;
}

/** A recording logger and what it recorded. */
export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Every line rendered as text (message and JSON of meta), for substring checks. */
  text(): string;
}

/** Creates a recording logger. */
export function captureLogger(): CapturedLogger {
  const lines: LogLine[] = [];
  const record =
    (level: LogLine['level']) =>
    (message: string, meta?: Record<string, unknown>): void => {
      lines.push({ level, message, meta });
    };
  return {
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    lines,
    text: () =>
      lines.map((l) => `${l.level} ${l.message} ${l.meta === undefined ? '' : JSON.stringify(l.meta)}`).join('\n'),
  };
}
