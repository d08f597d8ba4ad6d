/**
 * The options every command shares and their parsing. Kept free of heavy imports (ioredis, zod)
 * so `--help` and usage errors answer at once; `context.ts` builds the working objects.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CLOUD_PROVIDERS, type CloudProvider } from '../core/providers.js';

/** The environment variable `--redis-url` falls back to (keeps the password out of `ps` and shell history). */
export const REDIS_URL_ENV = 'GUARD_CORE_REDIS_URL';

/** The parsed common options. */
export interface CommonOptions {
  readonly providers?: CloudProvider[];
  readonly feedDir?: string;
  readonly feedUrl?: Partial<Record<CloudProvider, string>>;
  readonly timeout?: number;
  readonly redisUrl?: string;
  readonly redisPrefix?: string;
  readonly keyPrefix?: string;
  /** `cloudCacheLayout`: `seed` (default) or `python-v2` (share the newest Python guard-core's cache). */
  readonly cacheLayout?: 'seed' | 'python-v2';
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/** Adds the options of the commands that load feeds (`lookup`, `refresh`): feeds, Redis and output. */
export function addCommonOptions(command: Command): Command {
  return addRedisOptions(addFeedOptions(addProviderOption(command)));
}

/** `--providers`. */
export function addProviderOption(command: Command): Command {
  return command.addOption(
    new Option(
      '-p, --providers <list>',
      `comma-separated providers (default: all: ${CLOUD_PROVIDERS.join(',')})`,
    ).argParser(parseProviders),
  );
}

/** Where feeds come from and how long each may take. */
function addFeedOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--feed-dir <dir>', "read every feed from files in <dir> instead of the providers' URLs").argParser(
        parseFeedDir,
      ),
    )
    .addOption(
      new Option('--feed-url <provider=url>', 'feed URL (http, https, file) or file path of one provider; repeatable')
        .argParser(collectFeedUrl)
        .default(undefined),
    )
    .addOption(
      new Option('--timeout <ms>', 'time budget per feed, in milliseconds (default: 10000)').argParser(parseMs),
    );
}

/** Redis, key naming and output options (every command). */
export function addRedisOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--redis-url <url>', 'cache ranges in this Redis (default: in memory, gone on exit)').env(
        REDIS_URL_ENV,
      ),
    )
    .addOption(new Option('--redis-prefix <prefix>', 'prefix of every Redis key (default: guard_core:)'))
    .addOption(
      new Option(
        '--key-prefix <namespace>',
        'namespace of the cached ranges (default: cloud_ip; cloud_ip_v2 with --cache-layout python-v2)',
      ),
    )
    .addOption(
      new Option(
        '--cache-layout <layout>',
        "cache layout: seed, or python-v2 to share the newest Python guard-core's cache (default: seed)",
      ).choices(['seed', 'python-v2']),
    )
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('-q, --quiet', 'print only results and errors (no progress)')
    .option('--verbose', "also print guard-core's own log lines on stderr");
}

/** `aws,GCP , azure` → canonical names; case-insensitive for convenience, unknown names refused. */
export function parseProviders(value: string): CloudProvider[] {
  const out: CloudProvider[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const provider = CLOUD_PROVIDERS.find((p) => p.toLowerCase() === name.toLowerCase());
    if (provider === undefined) {
      throw new InvalidArgumentError(`unknown provider "${name}" (known: ${CLOUD_PROVIDERS.join(', ')})`);
    }
    if (!out.includes(provider)) out.push(provider);
  }
  if (out.length === 0) throw new InvalidArgumentError('name at least one provider');
  return out;
}

function parseFeedDir(value: string): string {
  const dir = resolve(value);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InvalidArgumentError(`no such directory: ${value}`);
  return dir;
}

function collectFeedUrl(
  value: string,
  previous: Partial<Record<CloudProvider, string>> | undefined,
): Partial<Record<CloudProvider, string>> {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError('expected <provider>=<url or file path>');
  const [provider] = parseProviders(value.slice(0, eq));
  const target = value.slice(eq + 1);
  return { ...previous, [provider as CloudProvider]: toUrl(target) };
}

function toUrl(target: string): string {
  if (/^(https?|file):/i.test(target)) return target;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new InvalidArgumentError(`unsupported URL scheme in ${JSON.stringify(target)} (use http, https or file)`);
  }
  // Anything else is a file path, relative to the working directory.
  return pathToFileURL(isAbsolute(target) ? target : resolve(target)).href;
}

function parseMs(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a whole number of milliseconds ≥ 1');
  return Number(value);
}
