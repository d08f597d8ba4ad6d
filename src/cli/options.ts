/**
 * The options every command shares, their parsing, and the objects built from them (Redis,
 * store, CloudManager).
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CloudManager } from '../async/cloud/manager.js';
import { InMemoryCloudIpStore } from '../async/cloud/in-memory-store.js';
import { DEFAULT_CLOUD_IP_KEY_PREFIX, RedisCloudIpStore } from '../async/cloud/redis-store.js';
import type { CloudIpStoreProtocol } from '../async/cloud/store-protocol.js';
import { RedisManager } from '../async/redis/manager.js';
import { parseSecurityConfig, type SecurityConfig } from '../core/config.js';
import { GuardConfigError } from '../core/errors.js';
import { defaultLogger, silentLogger, type Logger } from '../core/logger.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../core/providers.js';
import { redactUrl } from '../core/redact.js';
import { fileAwareHttpClient } from './file-http-client.js';
import { CliUsageError, type CliIo } from './io.js';

/** The file each provider's feed is read from in a `--feed-dir` (the names of the fixtures). */
export const DEFAULT_FEED_FILES: Readonly<Record<CloudProvider, string>> = Object.freeze({
  AWS: 'aws-ip-ranges.json',
  GCP: 'google-cloud-ip-ranges.json',
  Azure: 'microsoft-azure-ip-ranges.json',
  DigitalOcean: 'digitalocean.csv',
  Linode: 'linode.txt',
  Vultr: 'vultr-geofeed.json',
});

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
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/** Adds the shared options to `command`. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '-p, --providers <list>',
        `comma-separated providers (default: all: ${CLOUD_PROVIDERS.join(',')})`,
      ).argParser(parseProviders),
    )
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
    )
    .addOption(
      new Option('--redis-url <url>', 'cache ranges in this Redis (default: in memory, gone on exit)').env(
        REDIS_URL_ENV,
      ),
    )
    .addOption(new Option('--redis-prefix <prefix>', 'prefix of every Redis key (default: guard_core:)'))
    .addOption(
      new Option(
        '--key-prefix <namespace>',
        `namespace of the cached ranges (default: ${DEFAULT_CLOUD_IP_KEY_PREFIX})`,
      ),
    )
    .option('--json', 'print one JSON document on stdout instead of text')
    .option('-q, --quiet', 'print only results and errors (no progress)')
    .option('--verbose', "also print guard-core's own log lines on stderr");
}

/** What a command works with. */
export interface CliContext {
  readonly config: SecurityConfig;
  readonly cloud: CloudManager;
  /** The connected Redis, or `null` for the in-memory store. */
  readonly redis: RedisManager | null;
  /** `memory`, or the redacted Redis URL. */
  readonly storeLabel: string;
  readonly providers: CloudProvider[];
  /** Releases the Redis connection. */
  close(): Promise<void>;
}

/**
 * Validates the options into a config (a bad value is a usage error naming the option), connects
 * Redis when asked (unreachable → `GuardRedisError`, a runtime failure) and builds the CloudManager.
 */
export async function openContext(options: CommonOptions, io: CliIo): Promise<CliContext> {
  const providers = options.providers ?? [...CLOUD_PROVIDERS];
  const config = configFrom(options, providers, io);
  let redis: RedisManager | null = null;
  let store: CloudIpStoreProtocol = new InMemoryCloudIpStore();
  if (options.redisUrl !== undefined) {
    redis = new RedisManager(config);
    try {
      await redis.initialize();
    } catch (error) {
      await redis.close();
      throw error;
    }
    store = new RedisCloudIpStore(redis, options.keyPrefix ?? DEFAULT_CLOUD_IP_KEY_PREFIX);
  }
  const cloud = new CloudManager(config, { http: fileAwareHttpClient(), store, feedUrls: feedUrlsOf(options) });
  const storeLabel = options.redisUrl === undefined ? 'memory' : (redactUrl(options.redisUrl) ?? 'redis');
  return {
    config,
    cloud,
    redis,
    storeLabel,
    providers,
    close: async () => {
      if (redis !== null) await redis.close();
    },
  };
}

/** Connects only Redis (for commands that need nothing else); `--redis-url` is required. */
export async function openRedis(options: CommonOptions, io: CliIo): Promise<{ redis: RedisManager; label: string }> {
  if (options.redisUrl === undefined) {
    throw new CliUsageError(`--redis-url (or ${REDIS_URL_ENV}) is required: the legacy keys live in Redis`);
  }
  const redis = new RedisManager(configFrom(options, options.providers ?? [...CLOUD_PROVIDERS], io));
  try {
    await redis.initialize();
  } catch (error) {
    await redis.close();
    throw error;
  }
  return { redis, label: redactUrl(options.redisUrl) ?? 'redis' };
}

const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  redisUrl: '--redis-url',
  redisPrefix: '--redis-prefix',
  cloudFeedTimeoutMs: '--timeout',
  blockCloudProviders: '--providers',
};

function configFrom(options: CommonOptions, providers: CloudProvider[], io: CliIo): SecurityConfig {
  try {
    return parseSecurityConfig({
      enableRedis: options.redisUrl !== undefined,
      redisUrl: options.redisUrl ?? null,
      ...(options.redisPrefix !== undefined && { redisPrefix: options.redisPrefix }),
      ...(options.timeout !== undefined && { cloudFeedTimeoutMs: options.timeout }),
      blockCloudProviders: providers,
      logger: options.verbose ? verboseLogger(io) : silentLogger,
    });
  } catch (error) {
    if (!(error instanceof GuardConfigError)) throw error;
    const issues = error.issues.map((issue) => `${OPTION_OF_FIELD[issue.field] ?? issue.field}: ${issue.message}`);
    throw new CliUsageError(issues.join('; '));
  }
}

function verboseLogger(io: CliIo): Logger {
  const base = defaultLogger();
  const line =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void =>
      io.err(`[guard-core ${level}] ${message}${meta === undefined ? '' : ` ${JSON.stringify(meta)}`}`);
  return { ...base, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

function feedUrlsOf(options: CommonOptions): Partial<Record<CloudProvider, string>> {
  const urls: Partial<Record<CloudProvider, string>> = {};
  if (options.feedDir !== undefined) {
    for (const provider of CLOUD_PROVIDERS) {
      urls[provider] = pathToFileURL(join(options.feedDir, DEFAULT_FEED_FILES[provider])).href;
    }
  }
  return { ...urls, ...options.feedUrl };
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
