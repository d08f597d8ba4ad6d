/**
 * The `guard-core` command line, built on commander: a well-kept, dependency-free CLI library that
 * gives subcommands, generated `--help`, option validation with suggestions ("did you mean…"),
 * repeatable options and environment-variable fallbacks — everything a hand-rolled argv parser
 * would get subtly wrong.
 */
import { Command, CommanderError } from 'commander';
import { GuardConfigError, GuardInputError } from '../core/errors.js';
import { scrubSecrets } from '../core/redact.js';
import { registerLookup } from './commands/lookup.js';
import { registerMigrateLegacy } from './commands/migrate-legacy.js';
import { registerRefresh } from './commands/refresh.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { CliUsageError, type CliIo } from './io.js';
import { CLOUD_PROVIDERS } from '../core/providers.js';
import { DEFAULT_FEED_FILES } from '../core/cloud/feeds.js';
import { REDIS_URL_ENV } from './options.js';

const HELP_FOOTER = `
Exit codes:
  0  success
  1  runtime failure (a feed could not be loaded, Redis unreachable or failing)
  2  usage error (unknown command or option, invalid argument); nothing was done

Feed files read from --feed-dir (named as the providers publish them):
  ${CLOUD_PROVIDERS.map((p) => `${p.padEnd(13)} ${DEFAULT_FEED_FILES[p]}`).join('\n  ')}

Environment:
  ${REDIS_URL_ENV}  used when --redis-url is not given (keeps the password out of ps and shell history)

Examples:
  guard-core lookup 3.5.140.1 2600:1f14::1 8.8.8.8
  guard-core lookup --feed-dir ./feeds --providers aws,gcp 34.35.0.1
  guard-core refresh --redis-url redis://localhost:6379 --redis-prefix myapp:
  guard-core migrate-legacy --redis-url redis://localhost:6379 --json`;

/**
 * Builds the program. Output goes to `io`; commands report their exit code through `setExit`;
 * commander's own error messages (which quote the argument as typed) go through `scrub`.
 */
export function buildProgram(
  io: CliIo,
  version: string,
  setExit: (code: number) => void,
  scrub: (text: string) => string = (text) => text,
): Command {
  const program = new Command('guard-core')
    .description(
      'Cloud-provider IP ranges for guard-core: look addresses up, refresh the shared cache, migrate old keys.',
    )
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(scrub(text.replace(/\n$/, ''))),
    })
    .showSuggestionAfterError()
    .addHelpText('after', HELP_FOOTER);
  registerLookup(program, io, setExit);
  registerRefresh(program, io, setExit);
  registerMigrateLegacy(program, io, setExit);
  return program;
}

/**
 * Runs the CLI on `argv` (the arguments after the executable and script) and returns the exit
 * code. Never throws; never prints a Redis password (messages are scrubbed with the URL given).
 */
export async function runCli(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  let exitCode = EXIT_OK;
  const scrub = scrubberOf(argv);
  const program = buildProgram(
    io,
    version,
    (code) => {
      exitCode = code;
    },
    scrub,
  );
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io, scrub, argv.includes('--json'));
  }
}

/**
 * Reports a failure on stderr — and, with `--json`, also as one JSON document on stdout
 * (`{ "ok": false, "error": { "kind", "message", "exitCode" } }`), so a script parsing stdout
 * never meets plain text.
 */
function handleError(error: unknown, io: CliIo, scrub: (text: string) => string, json: boolean): number {
  if (error instanceof CommanderError) {
    // Help and version exit with 0; every other commander error is about how the command was typed
    // (commander has already printed its message on stderr).
    if (error.exitCode === 0) return EXIT_OK;
    if (json) io.out(errorDocument('usage', scrub(error.message.replace(/^error: /, '')), EXIT_USAGE));
    return EXIT_USAGE;
  }
  const message = scrub(error instanceof Error ? error.message : String(error));
  const usage = error instanceof CliUsageError || error instanceof GuardConfigError || error instanceof GuardInputError;
  const exitCode = usage ? EXIT_USAGE : EXIT_FAILURE;
  io.err(`error: ${message}`);
  if (usage) io.err("(run 'guard-core <command> --help' for usage)");
  if (json) io.out(errorDocument(usage ? 'usage' : 'runtime', message, exitCode));
  return exitCode;
}

function errorDocument(kind: 'usage' | 'runtime', message: string, exitCode: number): string {
  return JSON.stringify({ ok: false, error: { kind, message, exitCode } }, null, 2);
}

/** The URLs in play (arguments and `$REDIS_URL`), whose secrets must never reach the output. */
function secretUrls(argv: readonly string[]): string[] {
  // Every URL typed anywhere (`--redis-url`, `--feed-url aws=…`, `--x=…`), and the environment's.
  const urls = argv.flatMap((arg) => arg.match(/[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []);
  const fromEnv = process.env[REDIS_URL_ENV];
  return fromEnv ? [...urls, fromEnv] : urls;
}

/** Removes the secrets of every URL in `argv` (and `$REDIS_URL`) from a text before it is printed. */
function scrubberOf(argv: readonly string[]): (text: string) => string {
  const urls = secretUrls(argv);
  return (text) => urls.reduce((out, url) => scrubSecrets(out, url), text);
}
