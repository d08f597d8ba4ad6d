/**
 * `guard-core refresh`: fetch every selected feed now and store it (with the refresh TTL).
 */
import type { Command } from 'commander';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { count, type CliIo } from '../io.js';
import { addCommonOptions, type CommonOptions } from '../options.js';
import { describeReport } from './report.js';

/** Registers `refresh` on `program`; `setExit` receives the command's exit code. */
export function registerRefresh(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('refresh')
    .summary("fetch the providers' feeds now and store the ranges")
    .description(
      'Fetch the feed of every selected provider (even when the cache holds a valid set), install it and ' +
        'write it to the store with the refresh TTL (3600 s). Prints one line per provider as it completes: ' +
        'the number of ranges and how many were added or removed since the cached set. Without --redis-url ' +
        'the store is in memory: the command then only checks that the feeds load.',
    );
  addCommonOptions(command).action(async (options: CommonOptions) => {
    setExit(await runRefresh(options, io));
  });
}

async function runRefresh(options: CommonOptions, io: CliIo): Promise<number> {
  const { openContext } = await import('../context.js'); // on demand: --help need not load ioredis
  const context = await openContext(options, io);
  try {
    if (!options.quiet && !options.json) {
      io.err(`Refreshing ${context.providers.join(', ')} (store: ${context.storeLabel})`);
      if (context.redis === null)
        io.err('note: in-memory store: nothing is kept after exit (pass --redis-url to share)');
    }
    const reports = await context.cloud.refresh(context.providers, { force: true });
    // One line per provider, in the order the providers were named (not completion order), so the
    // output is the same on every run; they are results, so --quiet keeps them.
    if (!options.json) {
      for (const report of reports) {
        const line = describeReport(report, context.redis !== null);
        if (report.outcome === 'failed' || report.storeError !== null) io.err(line);
        else io.out(line);
      }
    }
    const failed = reports.filter((r) => r.outcome === 'failed' || (context.redis !== null && !r.stored));
    if (options.json) {
      io.out(JSON.stringify({ store: context.storeLabel, ok: failed.length === 0, providers: reports }, null, 2));
    } else if (!options.quiet) {
      const total = reports.reduce((sum, r) => sum + (r.outcome === 'failed' ? 0 : r.entries), 0);
      io.err(
        `${reports.length - failed.length} of ${reports.length} providers refreshed, ${count(total)} ranges in total`,
      );
    }
    return failed.length === 0 ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await context.close();
  }
}
