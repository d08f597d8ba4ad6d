/**
 * The `SecurityConfig` subset this layer reads, validated with zod (a well-kept schema
 * library: typed output, defaults and readable issues for free, instead of hand-written checks).
 * Unknown keys are rejected, so a typo such as `redisPrefx` fails loudly instead of being ignored.
 */
import { z } from 'zod';
import { GuardConfigError, type ConfigIssue } from './errors.js';
import { defaultLogger, type Logger } from './logger.js';
import { CLOUD_PROVIDERS, type CloudProvider } from './providers.js';

/** The structural shape every cloud-IP store has, async or sync. */
export interface CloudIpStoreShape {
  get(provider: string): unknown;
  set(provider: string, ranges: Set<string>, ttl?: number | null): unknown;
  clear(): unknown;
}

/**
 * `cloudIpStore` as configured: a store instance, or a factory that receives the live Redis
 * handler once Redis is up. The async and sync entry points narrow this to their own protocols.
 */
export type CloudIpStoreSetting = CloudIpStoreShape | ((redis: never) => CloudIpStoreShape);

const REDIS_SCHEMES = new Set(['redis:', 'rediss:']);

const redisUrl = z.string().refine(isRedisUrl, {
  message: 'must be a redis:// or rediss:// URL',
});

const redisPrefix = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  // Whitespace and control characters make keys impossible to type in redis-cli and are
  // almost always a configuration mistake; glob characters are allowed and escaped later.
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace or control characters');

const timeoutMs = z.number().int('must be a whole number of milliseconds').min(1).max(600_000);

const logger = z.custom<Logger>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'must have debug, info, warn and error methods' },
);

const cloudIpStore = z.custom<CloudIpStoreSetting>(
  (v) =>
    typeof v === 'function' ||
    (typeof v === 'object' &&
      v !== null &&
      ['get', 'set', 'clear'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function')),
  { message: 'must be a store (with get, set and clear methods) or a factory function' },
);

const providers = z.union([z.array(z.string()), z.instanceof(Set<string>)]).transform((v, ctx) => {
  const out = new Set<CloudProvider>();
  for (const name of v) {
    if ((CLOUD_PROVIDERS as readonly string[]).includes(name)) out.add(name as CloudProvider);
    else
      ctx.addIssue({
        code: 'custom',
        message: `unknown provider ${JSON.stringify(name)} (known: ${CLOUD_PROVIDERS.join(', ')})`,
      });
  }
  return out;
});

const feedUrl = z.string().refine(isHttpUrl, { message: 'must be an http:// or https:// URL' });

// Per-provider feed URL overrides, so tests and air-gapped deployments can point at a mirror.
const feedUrls = z.partialRecord(z.enum(CLOUD_PROVIDERS), feedUrl);

/** The zod schema of {@link SecurityConfig}; exported for tools that compose configs. */
export const securityConfigSchema = z.strictObject({
  enableRedis: z.boolean().default(true),
  redisUrl: redisUrl.nullable().default('redis://localhost:6379'),
  redisPrefix: redisPrefix.default('guard_core:'),
  redisClusterNodes: z.array(redisUrl).min(1, 'must list at least one node').nullable().default(null),
  redisConnectTimeoutMs: timeoutMs.default(2000),
  redisCommandTimeoutMs: timeoutMs.default(2000),
  redisRetries: z.number().int().min(0).max(10).default(1),
  blockCloudProviders: providers.default(new Set<CloudProvider>()),
  cloudIpStore: cloudIpStore.nullable().default(null),
  cloudIpRefreshInterval: z.number().int('must be a whole number of seconds').min(60).max(86_400).default(3600),
  lazyInit: z.boolean().default(true),
  cloudFeedUrls: feedUrls.default({}),
  cloudFeedTimeoutMs: timeoutMs.default(10_000),
  logger: logger.optional(),
});

/** What users pass in: every field optional, providers as an array or a Set. */
export type SecurityConfigInput = z.input<typeof securityConfigSchema>;

/** A validated, frozen configuration with every default filled in. */
export type SecurityConfig = Readonly<Omit<z.output<typeof securityConfigSchema>, 'logger'> & { logger: Logger }>;

const PARSED = Symbol.for('guard-core.parsed-config');

/**
 * Validates `input` and fills in defaults. Throws {@link GuardConfigError} naming every bad
 * field. A config that was already parsed is returned as is.
 */
export function parseSecurityConfig(input: SecurityConfigInput | SecurityConfig = {}): SecurityConfig {
  if (isParsed(input)) return input;
  const result = securityConfigSchema.safeParse(input);
  if (!result.success) throw new GuardConfigError(result.error.issues.flatMap(toIssues));
  const config = { ...result.data, logger: result.data.logger ?? defaultLogger() };
  Object.defineProperty(config, PARSED, { value: true });
  return Object.freeze(config);
}

function isParsed(input: unknown): input is SecurityConfig {
  // A non-object (null, a string…) falls through to the schema, which reports it as a GuardConfigError.
  return typeof input === 'object' && input !== null && (input as Record<symbol, unknown>)[PARSED] === true;
}

function toIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    // Nested records (cloudFeedUrls) report their unknown keys here too: keep the parent path.
    return issue.keys.map((key) => ({ field: [...issue.path.map(String), key].join('.'), message: 'unknown field' }));
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(config)';
  return [{ field, message: issue.message }];
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function isRedisUrl(value: string): boolean {
  try {
    return REDIS_SCHEMES.has(new URL(value).protocol);
  } catch {
    return false;
  }
}
