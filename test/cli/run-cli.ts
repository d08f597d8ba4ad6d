/**
 * Runs the built CLI (`dist/cli.js`) as a child process, as users do.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The built executable. */
export const CLI_PATH = resolve(REPO_ROOT, 'dist/cli.js');

/** What a CLI run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails loudly when the CLI was not built (the test command builds it first). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} does not exist: run \`npm run build\` before the CLI tests`);
}

/** Runs `node dist/cli.js ...args` in the repository root; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = execFile(
      process.execPath,
      [CLI_PATH, ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, GUARD_CORE_REDIS_URL: undefined, GUARD_CORE_LOG: undefined, ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          fail(error);
          return;
        }
        done({ code: child.exitCode ?? (error?.code as number | undefined) ?? 0, stdout, stderr });
      },
    );
  });
}
