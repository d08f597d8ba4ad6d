/**
 * The legacy `cloud_ranges` namespace on a real (private) Redis, for every API: the reader a
 * CloudManager uses when its store is `null`, and the migration into the `cloud_ip` layout.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GuardInputError, type CloudProvider } from '../../src/index.js';
import { captureFailure, type ManagerUnderTest } from '../support/apis.js';
import { FIXTURES_DIR, startFeedServer, type FeedServer } from '../support/feed-server.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { cloudApis } from './cloud-support.js';

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

/** GCP prefixes of the snapshot, read naively. */
function gcpPrefixes(): string[] {
  const data = JSON.parse(readFileSync(join(FIXTURES_DIR, 'google-cloud-ip-ranges.json'), 'utf8')) as {
    prefixes: { ipv4Prefix?: string; ipv6Prefix?: string }[];
  };
  return [...new Set(data.prefixes.map((p) => p.ipv4Prefix ?? p.ipv6Prefix ?? ''))].filter((p) => p !== '');
}

function serveFixtures(providers: Partial<Record<CloudProvider, string>>) {
  const base = `/legacy-${randomBytes(4).toString('hex')}`;
  const urls: Partial<Record<CloudProvider, string>> = {};
  for (const [provider, file] of Object.entries(providers) as [CloudProvider, string][]) {
    server.route(`${base}/${provider}`, { file });
    urls[provider] = server.url(`${base}/${provider}`);
  }
  return { urls, count: (provider: CloudProvider) => server.requestCount(`${base}/${provider}`) };
}

describe.each(cloudApis)('legacy cloud_ranges namespace ($name API)', (api) => {
  let prefix: string;
  let redis: ManagerUnderTest;

  afterEach(async () => {
    await redis.close();
    await deleteByPrefix(raw, prefix);
  });

  async function connect(): Promise<ManagerUnderTest> {
    prefix = uniquePrefix('legacy');
    redis = api.createRedisManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: quiet });
    await redis.initialize();
    return redis;
  }

  test('reader: with store null a CloudManager reads cloud_ranges, and writes a miss back in the legacy format', async () => {
    await connect();
    const feeds = serveFixtures({ AWS: 'aws-ip-ranges.json', GCP: 'google-cloud-ip-ranges.json' });
    await raw.set(`${prefix}cloud_ranges:AWS`, '3.5.140.0/22, 10.0.0.0/8,', 'EX', 900);
    // 10.0.0.0/8 is reserved space, refused by default since issue 10: allowed here on purpose.
    const m = api.createCloudManager(
      {
        cloudFeedUrls: feeds.urls,
        cloudIpRefreshInterval: 300,
        logger: quiet,
        cloudFeedLimits: { allowReserved: true },
      },
      { store: null, redis },
    );
    expect(m.store).toBeNull();

    const reports = await m.refresh(['AWS', 'GCP']);
    expect(reports.map((r) => [r.provider, r.outcome, r.entries])).toEqual([
      ['AWS', 'store', 2],
      ['GCP', 'fetched', gcpPrefixes().length],
    ]);
    expect(m.getStatus().AWS.source).toBe('legacy');
    expect(feeds.count('AWS')).toBe(0);
    expect(m.getCloudProviderDetails('10.9.8.7')).toEqual({ provider: 'AWS', network: '10.0.0.0/8' });

    const written = (await raw.get(`${prefix}cloud_ranges:GCP`)) ?? '';
    expect(written).not.toContain(' ');
    expect(new Set(written.split(','))).toEqual(new Set(gcpPrefixes()));
    const ttl = await raw.ttl(`${prefix}cloud_ranges:GCP`);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await raw.keys(`${prefix}cloud_ip*`)).toEqual([]);

    // A corrupt legacy value is a miss: fetched and overwritten.
    await raw.set(`${prefix}cloud_ranges:AWS`, 'bogus,3.5.140.0/22');
    const [aws] = await m.refresh(['AWS']);
    expect(aws).toMatchObject({ outcome: 'fetched', stored: true });
    expect(feeds.count('AWS')).toBe(1);
    expect((await raw.get(`${prefix}cloud_ranges:AWS`))?.split(',')).toContain('3.5.140.0/22');
  });

  test('reader: with store null and no Redis handler, every refresh fetches and nothing is cached', async () => {
    const feeds = serveFixtures({ GCP: 'google-cloud-ip-ranges.json' });
    prefix = uniquePrefix('legacy');
    redis = api.createRedisManager({ enableRedis: false, logger: quiet });
    const m = api.createCloudManager({ cloudFeedUrls: feeds.urls, logger: quiet }, { store: null });
    expect((await m.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', stored: false });
    expect((await m.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', stored: false });
    expect(feeds.count('GCP')).toBe(2);
    // Giving it a store again switches to the store path.
    m.setStore(api.createInMemoryStore());
    expect((await m.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', stored: true });
    expect((await m.refresh(['GCP']))[0]!.outcome).toBe('store');
    expect(feeds.count('GCP')).toBe(3);
  });

  test('migration: copies each legacy value into cloud_ip with its remaining TTL, idempotently', async () => {
    await connect();
    const legacy = (p: string) => `${prefix}cloud_ranges:${p}`;
    const modern = (p: string) => `${prefix}cloud_ip:${p}`;
    await raw.set(legacy('AWS'), '3.5.140.0/22,10.0.0.0/8', 'EX', 500);
    await raw.set(legacy('GCP'), '34.35.0.0/16,not-a-cidr,2600:1900::/28');
    await raw.set(legacy('Azure'), 'x,y');
    await raw.set(legacy('Linode'), '2600:3c00::/32');
    await raw.set(modern('Linode'), '["172.104.0.0/15"]');
    await raw.set(legacy('Vultr'), '8.3.29.0/24');
    await raw.set(modern('Vultr'), '["8.3.29.0/24"]');

    const report = await api.migrateLegacy(redis);
    expect(report.map((e) => [e.provider, e.outcome, e.ranges, e.skipped])).toEqual([
      ['AWS', 'copied', 2, 0],
      ['GCP', 'copied', 2, 1],
      ['Azure', 'invalid', 0, 2],
      ['DigitalOcean', 'absent', 0, 0],
      ['Linode', 'kept-existing', 1, 0],
      ['Vultr', 'unchanged', 1, 0],
    ]);
    const awsTtl = report[0]!.ttlSeconds!;
    expect(awsTtl).toBeGreaterThan(490);
    expect(awsTtl).toBeLessThanOrEqual(500);
    expect(report[1]!.ttlSeconds).toBeNull();

    expect(await raw.get(modern('AWS'))).toBe('["10.0.0.0/8", "3.5.140.0/22"]');
    const ttl = await raw.ttl(modern('AWS'));
    expect(ttl).toBeGreaterThan(490);
    expect(ttl).toBeLessThanOrEqual(500);
    expect(await raw.get(modern('GCP'))).toBe('["2600:1900::/28", "34.35.0.0/16"]');
    // A TTL-less legacy key is copied with the refresh interval (issue 10: no eternal entry).
    expect(await raw.ttl(modern('GCP'))).toBeGreaterThan(3590);
    expect(await raw.ttl(modern('GCP'))).toBeLessThanOrEqual(3600);
    expect(await raw.exists(modern('Azure'), modern('DigitalOcean'))).toBe(0);
    expect(await raw.get(modern('Linode'))).toBe('["172.104.0.0/15"]');
    expect(await raw.exists(legacy('AWS'), legacy('GCP'), legacy('Linode'))).toBe(3); // left for old replicas

    const again = await api.migrateLegacy(redis);
    expect(again.map((e) => e.outcome)).toEqual([
      'unchanged',
      'unchanged',
      'invalid',
      'absent',
      'kept-existing',
      'unchanged',
    ]);

    const forced = await api.migrateLegacy(redis, { providers: ['Linode'], overwrite: true });
    expect(forced.map((e) => [e.provider, e.outcome])).toEqual([['Linode', 'copied']]);
    expect(await raw.get(modern('Linode'))).toBe('["2600:3c00::/32"]');

    // What was migrated is what a CloudManager on RedisCloudIpStore then reads, without fetching.
    const m = api.createCloudManager(
      { logger: quiet, cloudFeedLimits: { allowReserved: true } }, // 10.0.0.0/8 on purpose
      { store: api.createRedisStore(redis) },
    );
    expect((await m.refresh(['AWS']))[0]).toMatchObject({ outcome: 'store', entries: 2 });
  });

  test('migration: into another namespace, and bad arguments are refused before anything is written', async () => {
    await connect();
    await raw.set(`${prefix}cloud_ranges:DigitalOcean`, '5.101.96.0/21');
    const report = await api.migrateLegacy(redis, { providers: ['DigitalOcean'], keyPrefix: 'cloud_ip_v9' });
    expect(report).toEqual([{ provider: 'DigitalOcean', outcome: 'copied', ranges: 1, skipped: 0, ttlSeconds: null }]);
    expect(await raw.get(`${prefix}cloud_ip_v9:DigitalOcean`)).toBe('["5.101.96.0/21"]');

    const error = await captureFailure(() => api.migrateLegacy(redis, { providers: ['AWS', 'Oracle'] }));
    expect(error).toBeInstanceOf(GuardInputError);
    expect((error as Error).message).toContain('"Oracle"');
    expect(await raw.keys(`${prefix}cloud_ip:*`)).toEqual([]);
  });
});
