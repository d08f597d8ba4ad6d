/**
 * The command line: `npm run codegen` writes src/sync, `npm run codegen -- --check` only compares.
 */
import { parseArgs } from 'node:util';
import { compareGeneration, createGenerator, writeGeneration, type Generation } from './generate.js';
import { shown } from './layout.js';
import { formatRefusal } from './refusals.js';

/** Where the CLI prints; tests capture it. */
export interface CliOutput {
  log(line: string): void;
  error(line: string): void;
}

interface CliOptions {
  readonly check?: boolean;
  readonly help?: boolean;
  readonly root?: string;
  readonly src?: string;
  readonly out?: string;
}

const USAGE = `usage: codegen [--check] [--root <dir>] [--src <dir>] [--out <dir>]
  (default) regenerate the sync tree from the async source
  --check   exit 1 and list MISSING / CHANGED / ORPHAN files when the sync tree is stale`;

/**
 * Runs the generator; resolves to the process exit code (0 done, 1 refused or stale, 2 bad
 * arguments). `generator` replaces the one built from `--root/--src/--out` (tests pass one that
 * keeps its project between runs).
 */
export async function runCli(
  argv: readonly string[],
  output: CliOutput = console,
  generator?: () => Promise<Generation>,
): Promise<number> {
  const options = parseOptions(argv, output);
  if (options === null) return 2;
  if (options.help) {
    output.log(USAGE);
    return 0;
  }
  const started = performance.now();
  const run = generator ?? createGenerator({ rootDir: options.root, srcDir: options.src, outDir: options.out });
  const generation = await run();
  const elapsed = `${Math.round(performance.now() - started)} ms`;
  if (generation.refusals.length > 0) return reportRefusals(generation, output);
  return options.check ? check(generation, output, elapsed) : write(generation, output, elapsed);
}

function parseOptions(argv: readonly string[], output: CliOutput): CliOptions | null {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        root: { type: 'string' },
        src: { type: 'string' },
        out: { type: 'string' },
      },
    });
    return values;
  } catch (error) {
    output.error(`codegen: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return null;
  }
}

function reportRefusals(generation: Generation, output: CliOutput): number {
  for (const refusal of generation.refusals) output.error(formatRefusal(refusal));
  output.error(
    `codegen: ${generation.refusals.length} construct(s) have no faithful sync translation; nothing written.`,
  );
  return 1;
}

function check(generation: Generation, output: CliOutput, elapsed: string): number {
  const where = shown(generation.layout, generation.layout.outDir);
  const differences = compareGeneration(generation);
  for (const difference of differences) output.error(`${difference.kind} ${where}/${difference.path}`);
  if (differences.length > 0) {
    output.error('FAIL: the sync tree is out of date; run `npm run codegen` and commit the result.');
    return 1;
  }
  output.log(`codegen --check: OK, ${generation.files.length} generated files are up to date (${elapsed}).`);
  return 0;
}

function write(generation: Generation, output: CliOutput, elapsed: string): number {
  const where = shown(generation.layout, generation.layout.outDir);
  const summary = writeGeneration(generation);
  for (const file of summary.written) output.log(`wrote   ${where}/${file}`);
  for (const file of summary.removed) output.log(`removed ${where}/${file}`);
  const counts = `${summary.written.length} written, ${summary.unchanged} unchanged, ${summary.removed.length} removed`;
  output.log(`codegen: ${counts} in ${where} (${elapsed}).`);
  return 0;
}
