/**
 * `guard-core lookup <ip...>`: which provider and network each address belongs to.
 */
import type { Command } from 'commander';
import type { CloudMatch } from '../../core/cloud/range-set.js';
import { parseIp } from '../../core/cloud/ip.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { CliUsageError, type CliIo } from '../io.js';
import { addCommonOptions, type CommonOptions } from '../options.js';
import { describeLoad, failedProviders } from './report.js';

/** One answer of `lookup`. */
export interface LookupResult {
  readonly ip: string;
  readonly provider: string | null;
  readonly network: string | null;
  /** Why the address could not be looked up (`not an IP address`), else absent. */
  readonly error?: string;
}

const NOT_AN_IP = 'not an IP address';

/** Registers `lookup` on `program`; `setExit` receives the command's exit code. */
export function registerLookup(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('lookup')
    .summary('say which cloud provider and network each address belongs to')
    .description(
      'Load the ranges of the selected providers (from the cache, else from their feeds) and print, for each ' +
        'address, the provider and the most specific network containing it, or "-" when it is in none. ' +
        'IPv4, IPv6 and IPv4-mapped IPv6 (::ffff:a.b.c.d) addresses are accepted.',
    )
    .argument('<ip...>', 'addresses to look up');
  addCommonOptions(command).action(async (ips: string[], options: CommonOptions) => {
    setExit(await runLookup(ips, options, io));
  });
}

async function runLookup(ips: string[], options: CommonOptions, io: CliIo): Promise<number> {
  const invalid = ips.filter((ip) => parseIp(ip) === null);
  // Nothing to look up at all is a usage error; otherwise the valid addresses are still answered.
  if (invalid.length === ips.length) {
    throw new CliUsageError(`${NOT_AN_IP}: ${invalid.map((ip) => JSON.stringify(ip)).join(', ')}`);
  }
  const { openContext } = await import('../context.js'); // on demand: --help need not load ioredis
  const context = await openContext(options, io);
  try {
    if (!options.quiet && !options.json)
      io.err(`Loading ${context.providers.join(', ')} (store: ${context.storeLabel})`);
    const reports = await context.cloud.refresh(context.providers);
    if (!options.json) {
      // In the order the providers were named, not completion order: the same output every run.
      for (const report of reports) {
        if (report.outcome === 'failed' || !options.quiet) io.err(`  ${describeLoad(report)}`);
      }
    }
    const results = ips.map((ip) =>
      parseIp(ip) === null
        ? { ip, provider: null, network: null, error: NOT_AN_IP }
        : toResult(ip, context.cloud.getCloudProviderDetails(ip, context.providers)),
    );
    const failed = failedProviders(reports);
    if (options.json) {
      io.out(JSON.stringify({ results, providers: reports, store: context.storeLabel }, null, 2));
    } else {
      printTable(results, io, options.quiet === true);
    }
    if (invalid.length > 0) io.err(`error: ${NOT_AN_IP}: ${invalid.map((ip) => JSON.stringify(ip)).join(', ')}`);
    if (failed.length > 0) {
      io.err(`error: no ranges for ${failed.join(', ')}: their addresses cannot be recognised (see above)`);
    }
    return failed.length === 0 && invalid.length === 0 ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await context.close();
  }
}

function toResult(ip: string, match: CloudMatch | null): LookupResult {
  return { ip, provider: match?.provider ?? null, network: match?.network ?? null };
}

function printTable(results: readonly LookupResult[], io: CliIo, quiet: boolean): void {
  const ipWidth = Math.max(...results.map((r) => r.ip.length));
  const providerWidth = Math.max(1, ...results.map((r) => (r.provider ?? '-').length));
  for (const r of results) {
    const network = r.error !== undefined ? `(${r.error})` : (r.network ?? '-');
    io.out(`${r.ip.padEnd(ipWidth)}  ${(r.provider ?? '-').padEnd(providerWidth)}  ${network}`.trimEnd());
  }
  const hits = results.filter((r) => r.provider !== null).length;
  if (results.length > 1 && !quiet) io.err(`${hits} of ${results.length} addresses are in a cloud provider's ranges`);
}
