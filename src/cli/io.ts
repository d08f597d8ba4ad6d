/**
 * Where the CLI writes: results on stdout, progress and errors on stderr (so `--json` output and
 * pipes stay clean). Injectable so the program can run inside another process's streams.
 */

/** The CLI's two output streams, one line at a time (no trailing newline). */
export interface CliIo {
  /** A result line (stdout). */
  out(line: string): void;
  /** A progress, warning or error line (stderr). */
  err(line: string): void;
}

/** The process's own stdout and stderr. */
export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A usage error found after parsing (e.g. an invalid IP address): exit code 2, nothing done. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Formats a count with thousands separators, the same on every machine. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
