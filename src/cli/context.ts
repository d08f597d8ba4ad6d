/**
 * The objects a command works with, built from the parsed options: the config (a bad value is a
 * usage error naming the option), the Redis connection, the store and the CloudManager.
 * Loaded on demand by the commands, so `--help` does not pay for ioredis.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudManager } from '../async/cloud/manager.js';
import { InMemoryCloudIpStore } from '../async/cloud/in-memory-store.js';
import { RedisCloudIpStore } from '../async/cloud/redis-store.js';
import type { CloudIpStoreProtocol } from '../async/cloud/store-protocol.js';
import { RedisManager } from '../async/redis/manager.js';
import { parseSecurityConfig, type SecurityConfig } from '../core/config.js';
import { GuardConfigError, GuardInputError } from '../core/errors.js';
import { defaultLogger, silentLogger, type Logger } from '../core/logger.js';
import { CLOUD_PROVIDERS, type CloudProvider } from '../core/providers.js';
import { redactUrl } from '../core/redact.js';
import { fileAwareHttpClient } from './file-http-client.js';
import { CliUsageError, type CliIo } from './io.js';
import { DEFAULT_FEED_FILES } from '../core/cloud/feeds.js';
import { REDIS_URL_ENV, type CommonOptions } from './options.js';

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
    // The store validates --key-prefix: before connecting, so a bad value leaves no open socket
    // behind to keep the process alive.
    // Without --key-prefix the namespace follows the layout (cloud_ip, or cloud_ip_v2 for python-v2).
    store = usageChecked(() => new RedisCloudIpStore(redis!, options.keyPrefix));
    try {
      await redis.initialize();
    } catch (error) {
      await redis.close();
      throw error;
    }
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

/** Runs an argument check; its `GuardInputError` becomes a usage error naming the option. */
function usageChecked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof GuardInputError && error.field === 'keyPrefix') {
      throw new CliUsageError(`--key-prefix: ${error.message.replace(/^Invalid keyPrefix: /, '')}`);
    }
    throw error;
  }
}

const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  redisUrl: '--redis-url',
  redisPrefix: '--redis-prefix',
  cloudFeedTimeoutMs: '--timeout',
  blockCloudProviders: '--providers',
  cloudCacheLayout: '--cache-layout',
};

function configFrom(options: CommonOptions, providers: CloudProvider[], io: CliIo): SecurityConfig {
  try {
    return parseSecurityConfig({
      enableRedis: options.redisUrl !== undefined,
      redisUrl: options.redisUrl ?? null,
      ...(options.redisPrefix !== undefined && { redisPrefix: options.redisPrefix }),
      ...(options.timeout !== undefined && { cloudFeedTimeoutMs: options.timeout }),
      ...(options.cacheLayout !== undefined && { cloudCacheLayout: options.cacheLayout }),
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
