/**
 * `guard-core migrate-legacy`: copy the old `cloud_ranges` keys into the `cloud_ip` layout.
 */
import type { Command } from 'commander';
import type { LegacyMigrationEntry } from '../../async/cloud/legacy.js';
import { EXIT_OK } from '../exit-codes.js';
import { CliUsageError, count, type CliIo } from '../io.js';
import { addProviderOption, addRedisOptions, type CommonOptions } from '../options.js';

/** Registers `migrate-legacy` on `program`; `setExit` receives the command's exit code. */
export function registerMigrateLegacy(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program
    .command('migrate-legacy')
    .summary('copy legacy cloud_ranges keys into the cloud_ip layout')
    .description(
      "Copy each provider's legacy key <prefix>cloud_ranges:<provider> (comma-separated CIDRs, written by old " +
        'versions) to <prefix>cloud_ip:<provider> (the JSON layout of RedisCloudIpStore), keeping the legacy ' +
        "key's remaining TTL. The legacy keys are left in place. Safe to run again: copied providers then " +
        'report "unchanged". A provider whose new key already holds other ranges is kept unless --overwrite.',
    )
    .option('--overwrite', 'replace ranges already present in the new layout');
  // Only what it uses: no feed options (it fetches nothing).
  addRedisOptions(addProviderOption(command)).action(async (options: CommonOptions & { overwrite?: boolean }) => {
    setExit(await runMigrate(options, io));
  });
}

async function runMigrate(options: CommonOptions & { overwrite?: boolean }, io: CliIo): Promise<number> {
  if (options.cacheLayout === 'python-v2') {
    // The copy is plain CIDRs in RedisCloudIpStore's JSON: the seed layout's format, not python-v2's.
    throw new CliUsageError(
      'migrate-legacy copies cloud_ranges into the seed layout only; --cache-layout python-v2 is not supported',
    );
  }
  // Loaded on demand: --help need not load ioredis.
  const [{ openRedis }, { migrateLegacyCloudRanges }] = await Promise.all([
    import('../context.js'),
    import('../../async/cloud/legacy.js'),
  ]);
  const { redis, label } = await openRedis(options, io);
  try {
    const keyPrefix = options.keyPrefix ?? 'cloud_ip';
    if (!options.quiet && !options.json) io.err(`Migrating legacy cloud ranges in ${label} to ${keyPrefix}:<provider>`);
    const entries = await migrateLegacyCloudRanges(redis, {
      providers: options.providers,
      keyPrefix,
      overwrite: options.overwrite === true,
    });
    // Per-provider lines are results: printed even with --quiet (which drops progress only).
    if (options.json) io.out(JSON.stringify({ redis: label, keyPrefix, providers: entries }, null, 2));
    else for (const entry of entries) io.out(describeEntry(entry));
    return EXIT_OK;
  } finally {
    await redis.close();
  }
}

function describeEntry(entry: LegacyMigrationEntry): string {
  const name = `${entry.provider}:`.padEnd(14);
  if (entry.outcome === 'absent') return `${name}absent        (no legacy key)`;
  const skipped = entry.skipped > 0 ? `, ${count(entry.skipped)} malformed skipped` : '';
  const ttl = entry.ttlSeconds === null ? 'no TTL' : `TTL ${count(entry.ttlSeconds)} s`;
  return `${name}${entry.outcome.padEnd(14)}${count(entry.ranges)} ranges${skipped}, ${ttl}`;
}
