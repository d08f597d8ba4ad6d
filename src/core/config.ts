/**
 * The `SecurityConfig` subset this layer reads, validated with zod (a well-kept schema
 * library: typed output, defaults and readable issues for free, instead of hand-written checks).
 * Unknown keys are rejected, so a typo such as `redisPrefx` fails loudly instead of being ignored.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';
import { GuardConfigError, type ConfigIssue } from './errors.js';
import { adaptLogger, defaultLogger, type Logger } from './logger.js';
import { CLOUD_PROVIDERS, type CloudProvider } from './providers.js';
import { parseCidr } from './cloud/cidr.js';
import { parseCloudSelector, PROVIDERS_WITH_REGIONS, REGION_PATTERN } from './cloud/cache-format.js';
import { redactUrl } from './redact.js';
import { parseSentinelAddress, sentinelsMixTls, sentinelsUseTls } from './redis/sentinel.js';
import { describe, isPemText } from './validate.js';
import { securityHeadersSchema } from './headers/schema.js';

/** The structural shape every cloud-IP store has, async or sync. */
export interface CloudIpStoreShape {
  /** A provider's cached ranges (see `CloudIpStoreProtocol.get`). */
  get(provider: string): unknown;
  /** Caches a provider's ranges (see `CloudIpStoreProtocol.set`). */
  set(provider: string, ranges: Set<string>, ttl?: number | null): unknown;
  /** Forgets every cached provider (see `CloudIpStoreProtocol.clear`). */
  clear(): unknown;
}

/**
 * `cloudIpStore` as configured: a store instance, or a factory that receives the live Redis
 * handler once Redis is up. The async and sync entry points narrow this to their own protocols.
 */
export type CloudIpStoreSetting = CloudIpStoreShape | ((redis: never) => CloudIpStoreShape);

const REDIS_SCHEMES = new Set(['redis:', 'rediss:']);

/**
 * Query parameters a `redisUrl` may carry. ioredis copies every query parameter into its options
 * and lets them win over the options the package passes (`?commandTimeout=8000` would silently
 * replace `redisCommandTimeoutMs`, `?enableOfflineQueue=true` would queue commands during an
 * outage), so anything that is not plain addressing or credentials is refused.
 */
export const ALLOWED_REDIS_URL_PARAMS: ReadonlySet<string> = new Set([
  'password',
  'username',
  'db',
  'family',
  'connectionName',
]);

const redisUrl = z
  .string()
  .refine(isRedisUrl, { message: 'must be a redis:// or rediss:// URL' })
  .superRefine((value, ctx) => {
    const refused = refusedUrlParams(value);
    if (refused.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          `query parameter ${refused.map((p) => JSON.stringify(p)).join(', ')} is not allowed: it would override ` +
          `the package's connection safety options (use redisConnectTimeoutMs, redisCommandTimeoutMs, ` +
          `redisRetries); allowed: ${[...ALLOWED_REDIS_URL_PARAMS].join(', ')}`,
      });
    }
  });

const redisPrefix = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  // Whitespace and control characters make keys impossible to type in redis-cli and are
  // almost always a configuration mistake; glob characters are allowed and escaped later.
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace or control characters');

const timeoutMs = z.number().int('must be a whole number of milliseconds').min(1).max(600_000);

/** One `redisSentinels` entry: `host:port`, `[ipv6]:port`, `host` (port 26379) or `redis://host:port`. */
const sentinelAddress = z.string().superRefine((value, ctx) => {
  const parsed = parseSentinelAddress(value);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** A Sentinel master group name, as in `sentinel monitor <name> …` (no whitespace or control characters). */
const sentinelMasterName = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters')
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace or control characters');

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

/**
 * Provider names, or region carve-out selectors as in the Python original (`AWS:!us-east-1` =
 * block AWS except that region). The output keeps the bare provider names; the carve-outs are
 * collected into `cloudRegionCarveOuts` by {@link parseSecurityConfig}.
 */
const providers = z.union([z.array(z.string()), z.instanceof(Set<string>)]).transform((v, ctx) => {
  const out = new Set<CloudProvider>();
  for (const item of v) {
    const selector = typeof item === 'string' ? parseCloudSelector(item) : null;
    if (typeof selector === 'string') {
      ctx.addIssue({ code: 'custom', message: selector });
      continue;
    }
    const name = selector?.provider ?? item;
    if (!(CLOUD_PROVIDERS as readonly string[]).includes(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown provider ${describe(name)} (known: ${CLOUD_PROVIDERS.join(', ')})`,
      });
      continue;
    }
    if (selector?.carveOut != null && !hasRegions(name)) {
      ctx.addIssue({ code: 'custom', message: noRegionsMessage(name, item) });
      continue;
    }
    out.add(name as CloudProvider);
  }
  return out;
});

/** Per provider, the regions exempted from blocking (`{ AWS: ['us-east-1'] }`); AWS and GCP only. */
const carveOuts = z
  .partialRecord(
    z.enum(CLOUD_PROVIDERS),
    z.array(z.string().regex(REGION_PATTERN, 'must be a region name: letters, digits, ".", "_" or "-"')),
  )
  .superRefine((value, ctx) => {
    for (const [provider, regions] of Object.entries(value)) {
      if (regions !== undefined && regions.length > 0 && !hasRegions(provider)) {
        ctx.addIssue({ code: 'custom', path: [provider], message: noRegionsMessage(provider, provider) });
      }
    }
  })
  .transform((value) => {
    const out: Partial<Record<CloudProvider, string[]>> = {};
    for (const [provider, regions] of Object.entries(value) as [CloudProvider, string[] | undefined][]) {
      if (regions !== undefined && regions.length > 0) out[provider] = [...new Set(regions)].sort();
    }
    return out;
  });

function hasRegions(provider: string): boolean {
  return (PROVIDERS_WITH_REGIONS as readonly string[]).includes(provider);
}

function noRegionsMessage(provider: string, shown: string): string {
  return (
    `${describe(shown)}: ${provider}'s feed carries no regions, so a carve-out would exempt nothing ` +
    `(carve-outs work for ${PROVIDERS_WITH_REGIONS.join(' and ')})`
  );
}

const feedUrl = z.string().refine(isHttpUrl, { message: 'must be an http:// or https:// URL' });

// Per-provider feed URL overrides, so tests and air-gapped deployments can point at a mirror.
const feedUrls = z.partialRecord(z.enum(CLOUD_PROVIDERS), feedUrl);

const positiveInt = z.number().int('must be a whole number').min(1);

/**
 * A per-path limit: Python's `(limit, window)` tuple as `[limit, windowSeconds]`, or an object.
 * Normalised to the object form.
 */
const endpointLimit = z
  .union([z.tuple([positiveInt, positiveInt]), z.strictObject({ limit: positiveInt, windowSeconds: positiveInt })])
  .transform((v) => (Array.isArray(v) ? { limit: v[0], windowSeconds: v[1] } : v));

/**
 * The sanity rules every cloud-range set must pass before it is used or cached, whether it comes
 * from a provider's feed or from the shared store. Defaults are measured on the real feeds
 * (`test/fixtures/cloud-ranges`: shortest prefixes /11 and /32, at most 12,362 entries and
 * 4.1 MB) with a wide margin.
 */
const cloudFeedLimits = z
  .strictObject({
    /** Shortest IPv4 prefix accepted (a /0–/7 would cover a large part of the Internet). */
    minPrefixV4: z.number().int().min(0).max(32).default(8),
    /** Shortest IPv6 prefix accepted. */
    minPrefixV6: z.number().int().min(0).max(128).default(24),
    /** Accept private, loopback, link-local, multicast, documentation and other reserved space (tests only). */
    allowReserved: z.boolean().default(false),
    /** Largest fraction of a provider's entries that may disappear in one refresh (0–1; 1 disables). */
    maxShrinkRatio: z.number().min(0).max(1).default(0.5),
    /** Largest factor by which a provider's entry count may grow in one refresh (≥ 1). */
    maxGrowthRatio: z.number().min(1).max(1_000_000).default(3),
    /** Largest feed response accepted, in bytes. */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(32 * 1024 * 1024),
    /** Most entries (prefixes) accepted in one provider's set. */
    maxEntries: z.number().int().min(1).max(10_000_000).default(100_000),
  })
  .prefault({});

/** The validated `cloudFeedLimits`. */
export type CloudFeedLimits = z.output<typeof cloudFeedLimits>;

/** An address or network (CIDR) in canonical text; a bare address becomes a host network. */
const networkText = z.string().transform((v, ctx) => {
  const parsed = parseCidr(v);
  if (parsed.ok) return parsed.cidr.text;
  ctx.addIssue({
    code: 'custom',
    message: `not an IP address or CIDR network: ${JSON.stringify(v)} (${parsed.reason})`,
  });
  return z.NEVER;
});

/**
 * A PEM value of `redisTls`: PEM text, or the path of a readable file holding it. The value is
 * never echoed in an issue (it may be a private key).
 */
const pemOrPath = z.string().superRefine((value, ctx) => {
  if (isPemText(value) || isReadableFile(value)) return;
  ctx.addIssue({ code: 'custom', message: 'must be PEM text (-----BEGIN …) or the path of a readable PEM file' });
});

/**
 * `redisTls`: TLS for `rediss://` URLs (see `RedisTlsOptions` in redis-types.ts). Requires every
 * Redis URL to be `rediss://` (checked in {@link parseSecurityConfig}), so a TLS setting never
 * silently goes unused on a plain-text connection.
 */
const redisTls = z
  .strictObject({
    ca: z
      .union([pemOrPath, z.array(pemOrPath).min(1, 'must list at least one CA')])
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .nullable()
      .default(null),
    cert: pemOrPath.nullable().default(null),
    key: pemOrPath.nullable().default(null),
    passphrase: z.string().min(1).nullable().default(null),
    servername: z.string().min(1).max(253).nullable().default(null),
    rejectUnauthorized: z.boolean().default(true),
  })
  .superRefine((tls, ctx) => {
    if ((tls.cert === null) !== (tls.key === null)) {
      ctx.addIssue({ code: 'custom', message: 'cert and key go together (mutual TLS needs both)' });
    }
  });

/** The zod schema of {@link SecurityConfig}; exported for tools that compose configs. */
export const securityConfigSchema = z.strictObject({
  enableRedis: z.boolean().default(true),
  redisUrl: redisUrl.nullable().default('redis://localhost:6379'),
  redisPrefix: redisPrefix.default('guard_core:'),
  redisClusterNodes: z.array(redisUrl).min(1, 'must list at least one node').nullable().default(null),
  /**
   * Redis Sentinel: the sentinels to ask for the current master (`host:port` each). The data
   * servers' credentials and database come from `redisUrl` (its host and port are not used).
   */
  redisSentinels: z.array(sentinelAddress).min(1, 'must list at least one sentinel').nullable().default(null),
  /** The master group name the sentinels monitor; required with `redisSentinels`. */
  redisSentinelMasterName: sentinelMasterName.nullable().default(null),
  /** User name for AUTH on the sentinels themselves (ACL); `null` = none. */
  redisSentinelUsername: z.string().min(1, 'must not be empty').nullable().default(null),
  /** Password for AUTH on the sentinels themselves; `null` = none. Redacted like a URL password. */
  redisSentinelPassword: z.string().min(1, 'must not be empty').nullable().default(null),
  redisConnectTimeoutMs: timeoutMs.default(2000),
  redisCommandTimeoutMs: timeoutMs.default(2000),
  redisRetries: z.number().int().min(0).max(10).default(1),
  /** TLS for `rediss://` connections: CA, client certificate and key (mTLS), servername; `null` = Node's defaults. */
  redisTls: redisTls.nullable().default(null),
  blockCloudProviders: providers.default(new Set<CloudProvider>()),
  cloudIpStore: cloudIpStore.nullable().default(null),
  cloudIpRefreshInterval: z.number().int('must be a whole number of seconds').min(60).max(86_400).default(3600),
  lazyInit: z.boolean().default(true),
  cloudFeedUrls: feedUrls.default({}),
  cloudFeedTimeoutMs: timeoutMs.default(10_000),
  cloudFeedLimits,
  /**
   * Regions exempted from cloud blocking, per provider (AWS and GCP). `blockCloudProviders`
   * selectors such as `'AWS:!us-east-1'` are merged in here.
   */
  cloudRegionCarveOuts: carveOuts.default({}),
  /**
   * The shared cache layout: `'seed'` (default: namespace `cloud_ip`, plain CIDRs; legacy
   * `cloud_ranges`) or `'python-v2'` (what the newest Python guard-core reads and writes: namespace
   * `cloud_ip_v2`, `cidr|region` entries; legacy `cloud_ranges_v2`), for a fleet mixing both.
   */
  cloudCacheLayout: z.enum(['seed', 'python-v2']).default('seed'),
  logger: logger.optional(),
  // Shared by every subsystem's Redis state (rate limit, bans, patterns, headers, behaviour).
  redisFailOpen: z.boolean().default(true),
  redisRetryAfterMs: timeoutMs.default(1000),
  inMemoryMaxKeys: z.number().int().min(1).max(10_000_000).default(10_000),
  // Rate limiting.
  enableRateLimiting: z.boolean().default(true),
  rateLimit: positiveInt.default(10),
  rateLimitWindow: positiveInt.max(86_400 * 366).default(60),
  endpointRateLimits: z.record(z.string().min(1), endpointLimit).default({}),
  // IP bans.
  enableIpBanning: z.boolean().default(true),
  trustedProxies: z.array(networkText).default([]),
  ipBanSyncIntervalMs: z.number().int().min(100).max(3_600_000).default(1000),
  // Custom detection patterns (SusPatternsManager).
  /** Longest custom pattern accepted, in characters (default 1000). */
  patternMaxLength: z.number().int().min(1).max(10_000).default(1000),
  /** Most custom patterns active at once (default 1000). */
  patternMaxCount: z.number().int().min(1).max(100_000).default(1000),
  /**
   * Longest text `matchContent` inspects, in UTF-16 code units (default 10,000, the original's
   * `detection_max_content_length`); a longer text is truncated to it and the result says so.
   */
  patternMaxContentLength: z.number().int().min(1).max(1_048_576).default(10_000),
  /** Re-read of the shared pattern list at most this often on use, in ms (default 5000), for writers that do not publish (Python replicas). */
  patternSyncIntervalMs: z.number().int().min(100).max(3_600_000).default(5000),
  // Security headers (SecurityHeadersManager).
  /** Header configuration; absent fields take documented defaults and are not "explicit". */
  securityHeaders: securityHeadersSchema.default({}),
  /** Re-read of the shared header configuration at most this often on use, in ms (default 5000). */
  securityHeadersSyncIntervalMs: z.number().int().min(100).max(3_600_000).default(5000),
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
  const sentinelProblems = sentinelIssues(result.data);
  if (sentinelProblems.length > 0) throw new GuardConfigError(sentinelProblems);
  const tlsIssue = tlsWithoutRediss(result.data);
  if (tlsIssue !== null) throw new GuardConfigError([tlsIssue]);
  const config = {
    ...result.data,
    cloudRegionCarveOuts: mergeCarveOuts(result.data.cloudRegionCarveOuts, input.blockCloudProviders),
    // A pino logger is adapted to the (message, meta) contract, so its fields are not dropped.
    logger: result.data.logger === undefined ? defaultLogger() : adaptLogger(result.data.logger),
  };
  Object.defineProperty(config, PARSED, { value: true });
  // util.inspect, console.log and JSON.stringify of a config (or of anything holding one, such as
  // a manager) show the Redis URLs redacted; the real URLs stay readable by the code that connects.
  Object.defineProperty(config, INSPECT, { value: () => redactedView(config) });
  Object.defineProperty(config, 'toJSON', { value: () => redactedView(config) });
  return Object.freeze(config);
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The carve-outs of the field plus those of the `Provider:!region` selectors (already validated). */
function mergeCarveOuts(
  field: Partial<Record<CloudProvider, string[]>>,
  selectors: Iterable<string> | undefined,
): Partial<Record<CloudProvider, string[]>> {
  const merged = new Map<CloudProvider, Set<string>>();
  for (const [provider, regions] of Object.entries(field) as [CloudProvider, string[]][]) {
    merged.set(provider, new Set(regions));
  }
  for (const item of selectors ?? []) {
    const selector = parseCloudSelector(item);
    if (typeof selector === 'string' || selector.carveOut === null) continue;
    const provider = selector.provider as CloudProvider;
    merged.set(provider, (merged.get(provider) ?? new Set()).add(selector.carveOut));
  }
  const out: Partial<Record<CloudProvider, string[]>> = {};
  for (const [provider, regions] of merged) out[provider] = [...regions].sort();
  return Object.freeze(out);
}

/** The config as people may read it: every Redis URL without its secrets. */
function redactedView(config: Record<string, unknown>): Record<string, unknown> {
  const nodes = config.redisClusterNodes as string[] | null;
  const feeds = Object.entries(config.cloudFeedUrls as Record<string, string>);
  return {
    ...config,
    redisUrl: redactUrl(config.redisUrl as string | null),
    redisClusterNodes: nodes === null ? null : nodes.map((u) => redactUrl(u)),
    redisTls: redactedTls(config.redisTls as z.output<typeof redisTls> | null),
    redisSentinelUsername: config.redisSentinelUsername === null ? null : '<redacted>',
    redisSentinelPassword: config.redisSentinelPassword === null ? null : '<redacted>',
    cloudFeedUrls: Object.fromEntries(feeds.map(([provider, url]) => [provider, redactUrl(url)])),
  };
}

/** `redisTls` as people may read it: file paths kept, PEM text summarised, secrets hidden. */
function redactedTls(tls: z.output<typeof redisTls> | null): Record<string, unknown> | null {
  if (tls === null) return null;
  const pem = (v: string | null): string | null => (v === null ? null : isPemText(v) ? '<PEM text>' : v);
  return {
    ...tls,
    ca: tls.ca === null ? null : tls.ca.map(pem),
    cert: pem(tls.cert),
    key: tls.key === null ? null : isPemText(tls.key) ? '<redacted PEM>' : tls.key,
    passphrase: tls.passphrase === null ? null : '<redacted>',
  };
}

/**
 * The Sentinel fields together: a master name with the sentinels, never with a cluster, none of
 * them without the sentinels (they would go unused), and the sentinels all over TLS or none.
 */
function sentinelIssues(config: z.output<typeof securityConfigSchema>): ConfigIssue[] {
  if (!config.enableRedis) return [];
  const issues: ConfigIssue[] = [];
  if (config.redisSentinels === null) {
    const unused = (['redisSentinelMasterName', 'redisSentinelUsername', 'redisSentinelPassword'] as const).filter(
      (field) => config[field] !== null,
    );
    for (const field of unused) {
      issues.push({ field, message: 'is set but redisSentinels is not (it would go unused)' });
    }
    return issues;
  }
  if (config.redisClusterNodes !== null) {
    issues.push({
      field: 'redisSentinels',
      message:
        'cannot be combined with redisClusterNodes: a Sentinel deployment and a Cluster are set up differently; set one of them',
    });
  }
  if (config.redisSentinelMasterName === null) {
    issues.push({
      field: 'redisSentinelMasterName',
      message:
        'is required with redisSentinels: the master group name the sentinels monitor (sentinel monitor <name> …)',
    });
  }
  if (sentinelsMixTls(config.redisSentinels)) {
    issues.push({
      field: 'redisSentinels',
      message:
        'mixes rediss:// and plain entries: one client reaches every sentinel the same way; make them all rediss:// (TLS) or none',
    });
  }
  return issues;
}

/** `redisTls` set while a Redis URL is plain `redis://`: the TLS setting would go unused. */
function tlsWithoutRediss(config: z.output<typeof securityConfigSchema>): ConfigIssue | null {
  if (config.redisTls === null || !config.enableRedis) return null;
  if (config.redisSentinels !== null && config.redisClusterNodes === null) {
    // Over Sentinel the TLS setting serves rediss:// sentinels, a rediss:// redisUrl (the data
    // servers), or both; it is unused only when neither is rediss://.
    const dataTls = config.redisUrl !== null && new URL(config.redisUrl).protocol === 'rediss:';
    if (dataTls || sentinelsUseTls(config.redisSentinels)) return null;
    return {
      field: 'redisTls',
      message:
        'is set but neither the sentinels (rediss://host:port) nor redisUrl (rediss://, the data servers) use TLS (it would not be used)',
    };
  }
  const urls = config.redisClusterNodes ?? (config.redisUrl === null ? [] : [config.redisUrl]);
  const plain = urls.filter((u) => new URL(u).protocol !== 'rediss:');
  if (plain.length === 0) return null;
  return {
    field: 'redisTls',
    message: `is set but ${plain.map((u) => redactUrl(u)).join(', ')} is not a rediss:// URL (TLS would not be used)`,
  };
}

function isReadableFile(value: string): boolean {
  if (value.length === 0 || value.length > 4096 || value.includes('\n')) return false;
  try {
    accessSync(value, constants.R_OK);
    return statSync(value).isFile();
  } catch {
    return false;
  }
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

function refusedUrlParams(value: string): string[] {
  try {
    return [...new URL(value).searchParams.keys()].filter((key) => !ALLOWED_REDIS_URL_PARAMS.has(key));
  } catch {
    return []; // reported by isRedisUrl
  }
}
