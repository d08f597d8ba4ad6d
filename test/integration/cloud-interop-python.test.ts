/**
 * One Redis shared with the newest Python guard-core, for both APIs, with the original's bytes
 * (test/fixtures/python-interop): a value "Python" wrote is read and used here (regions and
 * carve-outs included), a value written here in the `python-v2` layout equals the original's
 * bytes, the newer legacy namespace `cloud_ranges_v2`, and "never overwrite what you do not
 * understand": a key holding a foreign format is byte-identical after a refresh here.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { CloudProvider, SecurityConfigInput } from '../../src/index.js';
import type { ManagerUnderTest } from '../support/apis.js';
import { startFeedServer, type FeedServer } from '../support/feed-server.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { openContext } from '../../src/cli/context.js';
import { cloudApis } from './cloud-support.js';

const DIR = join(import.meta.dirname, '../fixtures/python-interop');
const vector = (name: string) => readFileSync(join(DIR, name), 'utf8');
const FOREIGN = JSON.parse(vector('foreign-values.json')) as { label: string; value: string }[];
const FEED_FILES: Partial<Record<CloudProvider, string>> = { AWS: 'aws-feed.json', GCP: 'gcp-feed.json' };

const raw = rawClient();
const quiet = captureLogger().logger;
let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
  await raw.quit();
});

/** Serves the interop feeds under a fresh path; counts requests per provider. */
function serveFeeds() {
  const base = `/interop-${randomBytes(4).toString('hex')}`;
  const urls: Partial<Record<CloudProvider, string>> = {};
  for (const [provider, file] of Object.entries(FEED_FILES) as [CloudProvider, string][]) {
    server.route(`${base}/${provider}`, { body: vector(file), contentType: 'application/json' });
    urls[provider] = server.url(`${base}/${provider}`);
  }
  return { urls, count: (provider: CloudProvider) => server.requestCount(`${base}/${provider}`) };
}

describe.each(cloudApis)('mixed fleet with Python guard-core ($name API)', (api) => {
  const prefixes: string[] = [];
  const handlers: ManagerUnderTest[] = [];

  async function connect(extra: SecurityConfigInput = {}): Promise<ManagerUnderTest> {
    const prefix = uniquePrefix('interop');
    prefixes.push(prefix);
    const handler = api.createRedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: quiet, ...extra });
    handlers.push(handler);
    await handler.initialize();
    return handler;
  }

  afterEach(async () => {
    for (const handler of handlers.splice(0)) await handler.close();
    await deleteByPrefix(raw, ...prefixes.splice(0));
  });

  test('python-v2: a value Python wrote at cloud_ip_v2 is used as is (regions, carve-outs) and never rewritten', async () => {
    const feeds = serveFeeds();
    const layout = { cloudCacheLayout: 'python-v2' } as const;
    const redis = await connect(layout);
    const p = redis.config.redisPrefix;
    await raw.set(`${p}cloud_ip_v2:AWS`, vector('cloud_ip_v2-AWS.txt'), 'EX', 600);
    await raw.set(`${p}cloud_ip_v2:GCP`, vector('cloud_ip_v2-GCP.txt'), 'EX', 600);
    const config = {
      ...layout,
      cloudFeedUrls: feeds.urls,
      blockCloudProviders: ['AWS:!us-east-1', 'GCP'],
      logger: quiet,
    };
    const m = api.createCloudManager(config, { store: api.createRedisStore(redis) });

    const reports = await m.refresh();
    expect(reports.map((r) => [r.provider, r.outcome, r.entries])).toEqual([
      ['AWS', 'store', 6],
      ['GCP', 'store', 5],
    ]);
    expect([feeds.count('AWS'), feeds.count('GCP')]).toEqual([0, 0]);
    // Carve-out: us-east-1 is exempt, unless an enclosing network of another region covers it.
    expect(m.isCloudIp('44.192.0.1')).toBe(false);
    expect(m.getCloudProviderDetails('44.192.0.1')).toBeNull();
    expect(m.getCloudProviderDetails('15.230.39.5')).toEqual({
      provider: 'AWS',
      network: '15.230.0.0/16',
      region: 'GLOBAL',
    });
    expect(m.getCloudProviderDetails('52.94.76.1')).toEqual({
      provider: 'AWS',
      network: '52.94.76.0/22',
      region: 'us-west-2',
    });
    expect(m.getCloudProviderDetails('2600:1900:4000::1')).toMatchObject({ provider: 'GCP', region: 'us-central1' });
    // Without the carve-out the same address is blocked.
    const plain = api.createCloudManager(
      { ...config, blockCloudProviders: ['AWS'] },
      { store: api.createRedisStore(redis) },
    );
    await plain.refresh();
    expect(plain.isCloudIp('44.192.0.1')).toBe(true);
    // Python's bytes are untouched.
    expect(await raw.get(`${p}cloud_ip_v2:AWS`)).toBe(vector('cloud_ip_v2-AWS.txt'));
    expect(await raw.get(`${p}cloud_ip_v2:GCP`)).toBe(vector('cloud_ip_v2-GCP.txt'));
  });

  test.each(['AWS', 'GCP'] as const)(
    'python-v2: %s fetched here is written at cloud_ip_v2 with exactly the original bytes',
    async (provider) => {
      const feeds = serveFeeds();
      const redis = await connect({ cloudCacheLayout: 'python-v2' });
      const config = { cloudCacheLayout: 'python-v2', cloudFeedUrls: feeds.urls, logger: quiet } as const;
      const m = api.createCloudManager(config, { store: api.createRedisStore(redis) });
      const [report] = await m.refresh([provider]);
      expect(report).toMatchObject({ outcome: 'fetched', stored: true });
      const p = redis.config.redisPrefix;
      expect(await raw.get(`${p}cloud_ip_v2:${provider}`)).toBe(vector(`cloud_ip_v2-${provider}.txt`));
      expect(await raw.ttl(`${p}cloud_ip_v2:${provider}`)).toBeGreaterThan(3500);
      expect(await raw.exists(`${p}cloud_ip:${provider}`)).toBe(0);
    },
  );

  test('seed layout (default): plain CIDRs at cloud_ip; a cidr|region value at its own key is kept, regions and all', async () => {
    const feeds = serveFeeds();
    const redis = await connect();
    const p = redis.config.redisPrefix;
    const m = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, logger: quiet },
      { store: api.createRedisStore(redis) },
    );
    await m.refresh(['AWS']);
    const seed = JSON.parse((await raw.get(`${p}cloud_ip:AWS`)) ?? '[]') as string[];
    expect(seed).toContain('52.94.76.0/22');
    expect(seed.some((e) => e.includes('|'))).toBe(false);

    // The bug of the issue: a store pointed at Python's namespace read cidr|region as corrupt and
    // rewrote plain CIDRs. Now it is a hit, and even a forced refetch writes the regions back.
    await raw.set(`${p}cloud_ip_v2:AWS`, vector('cloud_ip_v2-AWS.txt'), 'EX', 600);
    const shared = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, logger: quiet },
      {
        store: api.createRedisStore(redis, 'cloud_ip_v2'),
      },
    );
    expect((await shared.refresh(['AWS']))[0]).toMatchObject({ outcome: 'store', entries: 6 });
    expect((await shared.refresh(['AWS'], { force: true }))[0]).toMatchObject({ outcome: 'fetched', stored: true });
    expect(await raw.get(`${p}cloud_ip_v2:AWS`)).toBe(vector('cloud_ip_v2-AWS.txt'));
  });

  test('legacy path: cloud_ranges_v2 is read (both layouts) and written with the original bytes (python-v2)', async () => {
    const feeds = serveFeeds();
    const v2 = await connect({ cloudCacheLayout: 'python-v2' });
    const p = v2.config.redisPrefix;
    await raw.set(`${p}cloud_ranges_v2:AWS`, vector('cloud_ranges_v2-AWS.txt'), 'EX', 600);
    const config = { cloudCacheLayout: 'python-v2', cloudFeedUrls: feeds.urls, logger: quiet } as const;
    const m = api.createCloudManager(config, { store: null, redis: v2 });
    const [aws, gcp] = await m.refresh(['AWS', 'GCP']);
    expect(aws).toMatchObject({ outcome: 'store', entries: 6 });
    expect(m.getCloudProviderDetails('52.94.76.1', ['AWS'])).toMatchObject({ region: 'us-west-2' });
    expect(gcp).toMatchObject({ outcome: 'fetched', stored: true });
    expect(await raw.get(`${p}cloud_ranges_v2:GCP`)).toBe(vector('cloud_ranges_v2-GCP.txt'));
    expect(feeds.count('AWS')).toBe(0);

    // The seed layout reads Python's newer legacy key when its own is absent, and writes only its own.
    const seedRedis = api.createRedisManager({ redisUrl: redisUrl(), redisPrefix: p, logger: quiet });
    handlers.push(seedRedis);
    await seedRedis.initialize();
    const seed = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, logger: quiet },
      { store: null, redis: seedRedis },
    );
    expect((await seed.refresh(['AWS']))[0]).toMatchObject({ outcome: 'store', entries: 6 });
    expect((await seed.refresh(['AWS'], { force: true }))[0]).toMatchObject({ outcome: 'fetched', stored: true });
    expect((await raw.get(`${p}cloud_ranges:AWS`))?.includes('|')).toBe(false);
    expect(await raw.get(`${p}cloud_ranges_v2:AWS`)).toBe(vector('cloud_ranges_v2-AWS.txt'));
  });

  test.each(FOREIGN.map((f) => [f.label, f.value]))(
    'never overwrite what is not understood: %s stays byte-identical, logged once, served from a fetch',
    async (_label, value) => {
      const feeds = serveFeeds();
      const log = captureLogger();
      const redis = await connect({ cloudCacheLayout: 'python-v2' });
      const key = `${redis.config.redisPrefix}cloud_ip_v2:AWS`;
      await raw.set(key, value, 'EX', 900);
      const before = await raw.getBuffer(key);
      const config = { cloudCacheLayout: 'python-v2', cloudFeedUrls: feeds.urls, logger: log.logger } as const;
      const m = api.createCloudManager(config, { store: api.createRedisStore(redis) });

      const [first] = await m.refresh(['AWS']);
      const [second] = await m.refresh(['AWS'], { force: true });
      for (const report of [first, second])
        expect(report).toMatchObject({ outcome: 'fetched', stored: false, error: null });
      expect(m.isCloudIp('52.94.76.1')).toBe(true);
      expect(await raw.getBuffer(key)).toEqual(before);
      expect(await raw.ttl(key)).toBeGreaterThan(800);
      const warnings = log.lines.filter((l) => l.message.includes('does not fully understand'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.level).toBe('warn');
    },
  );

  test('python-v2 through HandlerInitializer: the auto-wired store shares cloud_ip_v2 with carve-outs', async () => {
    const feeds = serveFeeds();
    const prefix = uniquePrefix('interop-init');
    prefixes.push(prefix);
    const init = api.createInitializer({
      redisUrl: redisUrl(),
      redisPrefix: prefix,
      cloudCacheLayout: 'python-v2',
      blockCloudProviders: ['AWS:!us-east-1'],
      cloudFeedUrls: feeds.urls,
      lazyInit: false,
      logger: quiet,
    });
    try {
      const result = await init.initializeRedisHandlers();
      expect(result).toMatchObject({ storeOrigin: 'auto-redis', cloudLoad: 'completed' });
      expect(await raw.get(`${prefix}cloud_ip_v2:AWS`)).toBe(vector('cloud_ip_v2-AWS.txt'));
      expect(await raw.exists(`${prefix}cloud_ip:AWS`)).toBe(0);
      expect(init.cloud.isCloudIp('44.192.0.1')).toBe(false);
      expect(init.cloud.isCloudIp('44.224.0.1')).toBe(true);
    } finally {
      await init.close();
    }
  });
});

describe('CLI --cache-layout python-v2', () => {
  test('refresh writes the original bytes at cloud_ip_v2', async () => {
    const feeds = serveFeeds();
    const prefix = uniquePrefix('interop-cli');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const context = await openContext(
      { redisUrl: redisUrl(), redisPrefix: prefix, cacheLayout: 'python-v2', providers: ['GCP'], feedUrl: feeds.urls },
      io,
    );
    try {
      expect((await context.cloud.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', stored: true });
      expect(await raw.get(`${prefix}cloud_ip_v2:GCP`)).toBe(vector('cloud_ip_v2-GCP.txt'));
    } finally {
      await context.close();
      await deleteByPrefix(raw, prefix);
    }
  });
});
