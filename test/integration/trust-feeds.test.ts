/**
 * Issue 10 (trust), items 1 and 3: a poisoned or broken feed never reaches the lookup or the
 * shared cache — on the fetch path, the store-read path and across two replicas — and nothing
 * cached is trusted forever. Both APIs, real Redis, the local fixture feed server.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { CloudProvider, SecurityConfigInput } from '../../src/index.js';
import type { ManagerUnderTest } from '../support/apis.js';
import { startFeedServer, type FeedServer, type RouteResponse } from '../support/feed-server.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { cloudApis } from './cloud-support.js';

const raw = rawClient();
let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
  await raw.quit();
});

/** `count` distinct public /24s (inside 34.0.0.0/8, a cloud block: never reserved space). */
function publicRanges(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return `34.${Math.floor(n / 256)}.${n % 256}.0/24`;
  });
}

/** A GCP-format feed body holding `prefixes`. */
function gcpFeed(prefixes: readonly string[]): RouteResponse {
  return {
    body: JSON.stringify({
      prefixes: prefixes.map((p) => (p.includes(':') ? { ipv6Prefix: p } : { ipv4Prefix: p })),
    }),
  };
}

function serve(routes: Partial<Record<CloudProvider, RouteResponse>>) {
  const base = `/trust-${randomBytes(4).toString('hex')}`;
  const urls: Partial<Record<CloudProvider, string>> = {};
  for (const [provider, response] of Object.entries(routes) as [CloudProvider, RouteResponse][]) {
    server.route(`${base}/${provider}`, response);
    urls[provider] = server.url(`${base}/${provider}`);
  }
  return {
    urls,
    route: (provider: CloudProvider, response: RouteResponse) => server.route(`${base}/${provider}`, response),
    count: (provider: CloudProvider) => server.requestCount(`${base}/${provider}`),
  };
}

const POISONS: ReadonlyArray<[string, string[], string]> = [
  ['0.0.0.0/0', ['0.0.0.0/0'], '8.8.8.8'],
  ['::/0', ['::/0'], '2a00:1450::1'],
  ['::ffff:0:0/96 (all of IPv4, mapped)', ['::ffff:0:0/96'], '8.8.8.8'],
  ['0.0.0.0/1 + 128.0.0.0/1', ['0.0.0.0/1', '128.0.0.0/1'], '8.8.8.8'],
  ['10.0.0.0/8 (private)', ['10.0.0.0/8'], '10.1.2.3'],
  ['127.0.0.0/8 (loopback)', ['127.0.0.0/8'], '127.0.0.1'],
  ['192.168.0.0/16 (private)', ['192.168.0.0/16'], '192.168.1.1'],
  ['fe80::/10 (link-local)', ['fe80::/10'], 'fe80::1'],
];

describe.each(cloudApis)('poisoned feeds ($name API)', (api) => {
  const prefixes: string[] = [];
  const handlers: ManagerUnderTest[] = [];

  afterEach(async () => {
    for (const h of handlers.splice(0)) await h.close();
    for (const p of prefixes.splice(0)) await deleteByPrefix(raw, p);
  });

  async function shared(label: string) {
    const prefix = uniquePrefix(label);
    prefixes.push(prefix);
    const connect = async () => {
      const redis = api.createRedisManager({
        redisUrl: redisUrl(),
        redisPrefix: prefix,
        logger: captureLogger().logger,
      });
      await redis.initialize();
      handlers.push(redis);
      return api.createRedisStore(redis);
    };
    return { prefix, connect, key: (p: string) => `${prefix}cloud_ip:${p}` };
  }

  test.each(POISONS)(
    'fetch path: a feed holding %s is rejected, never matched, never cached',
    async (_, poison, probe) => {
      const cache = await shared('trust-poison');
      const feeds = serve({ GCP: gcpFeed([...publicRanges(30), ...poison]) });
      const log = captureLogger();
      const m = api.createCloudManager(
        { cloudFeedUrls: feeds.urls, logger: log.logger },
        { store: await cache.connect() },
      );
      const [report] = await m.refresh(['GCP']);
      expect(report).toMatchObject({ outcome: 'failed', entries: 0, stored: false });
      expect(report?.error).toMatch(/sanity rules/);
      expect(m.isCloudIp(probe)).toBe(false);
      expect(m.isCloudIp('34.0.1.9')).toBe(false); // the good part of a poisoned feed is not trusted either
      expect(await raw.exists(cache.key('GCP'))).toBe(0);
      expect(log.lines.some((l) => l.level === 'error' && l.message.includes('GCP'))).toBe(true);
    },
  );

  test('fetch path: a feed that shrinks from 273 ranges to 1 keeps the last good ranges and logs an error', async () => {
    const cache = await shared('trust-shrink');
    const good = publicRanges(273);
    const feeds = serve({ GCP: gcpFeed(good) });
    const log = captureLogger();
    const m = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, logger: log.logger },
      { store: await cache.connect() },
    );
    expect((await m.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', entries: 273 });
    const stored = await raw.get(cache.key('GCP'));

    feeds.route('GCP', gcpFeed(good.slice(0, 1)));
    const [shrunk] = await m.refresh(['GCP'], { force: true });
    expect(shrunk).toMatchObject({ outcome: 'failed', entries: 273 });
    expect(shrunk?.error).toMatch(/shrink/);
    expect(m.isCloudIp('34.1.0.7')).toBe(true); // still the last good set
    expect(await raw.get(cache.key('GCP'))).toBe(stored);
    expect(log.lines.some((l) => l.level === 'error' && /keeping the 273 ranges/.test(l.message))).toBe(true);

    // A CSV cut to 10 % is refused the same way.
    feeds.route('GCP', gcpFeed(good.slice(0, 27)));
    expect((await m.refresh(['GCP'], { force: true }))[0]).toMatchObject({ outcome: 'failed', entries: 273 });

    // So is a set that grows beyond maxGrowthRatio (default 3).
    feeds.route('GCP', gcpFeed(publicRanges(1200)));
    expect((await m.refresh(['GCP'], { force: true }))[0]?.error).toMatch(/growth/);

    // A small, ordinary change passes.
    feeds.route('GCP', gcpFeed([...good.slice(0, 270), ...publicRanges(5, 5000)]));
    expect((await m.refresh(['GCP'], { force: true }))[0]).toMatchObject({ outcome: 'fetched', entries: 275 });
  });

  test('store-read path: a poisoned cached set is rejected, refetched, and overwritten with the good feed', async () => {
    const cache = await shared('trust-cached');
    await raw.set(cache.key('GCP'), JSON.stringify(['0.0.0.0/0', '34.0.0.0/24']), 'EX', 600);
    const feeds = serve({ GCP: gcpFeed(publicRanges(40)) });
    const log = captureLogger();
    const m = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, logger: log.logger },
      { store: await cache.connect() },
    );
    const [report] = await m.refresh(['GCP']);
    expect(report).toMatchObject({ outcome: 'fetched', entries: 40, stored: true });
    expect(feeds.count('GCP')).toBe(1);
    expect(m.isCloudIp('8.8.8.8')).toBe(false);
    expect(JSON.parse((await raw.get(cache.key('GCP'))) ?? '[]')).toHaveLength(40);
    expect(log.lines.some((l) => l.level === 'error' && /Rejected the cached GCP/.test(l.message))).toBe(true);
  });

  test('store and legacy reads: a cached set over maxEntries is refused before it is parsed, refetched and overwritten', async () => {
    // A garbage entry among too many: parsed first, it would be judged "corrupt" (a warning);
    // refused on size first, it is the maxEntries rule (an error), with no parsing at all.
    const cache = await shared('trust-cached-big');
    const feeds = serve({ GCP: gcpFeed(publicRanges(10)) });
    const limits = { cloudFeedLimits: { maxEntries: 20 } } as const;
    const big = [...publicRanges(30, 100), 'not-a-cidr'];
    await raw.set(cache.key('GCP'), JSON.stringify(big), 'EX', 600);
    await raw.set(`${cache.prefix}cloud_ranges:GCP`, big.join(','), 'EX', 600);
    const redis = api.createRedisManager({
      redisUrl: redisUrl(),
      redisPrefix: cache.prefix,
      logger: captureLogger().logger,
    });
    await redis.initialize();
    handlers.push(redis);
    for (const options of [{ store: await cache.connect() }, { store: null, redis }]) {
      const log = captureLogger();
      const m = api.createCloudManager({ cloudFeedUrls: feeds.urls, logger: log.logger, ...limits }, options);
      const [report] = await m.refresh(['GCP']);
      expect(report).toMatchObject({ outcome: 'fetched', entries: 10, stored: true });
      const errors = log.lines.filter((l) => l.level === 'error').map((l) => l.message);
      expect(errors.join('\n')).toMatch(
        /Rejected the cached GCP IP ranges \(31 entries, more than maxEntries \(20\)\)/,
      );
      expect(log.text()).not.toMatch(/corrupt/);
    }
    expect(JSON.parse((await raw.get(cache.key('GCP'))) ?? '[]')).toHaveLength(10);
    expect((await raw.get(`${cache.prefix}cloud_ranges:GCP`))?.split(',')).toHaveLength(10);
  });

  test('store-read path: a poisoned cached set is not used even when the refetch fails, and is never written back', async () => {
    const cache = await shared('trust-cached-down');
    const poisoned = JSON.stringify(['128.0.0.0/1', '0.0.0.0/1']);
    await raw.set(cache.key('GCP'), poisoned, 'EX', 600);
    const feeds = serve({ GCP: { status: 503, body: 'down' } });
    const m = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, logger: captureLogger().logger },
      { store: await cache.connect() },
    );
    expect((await m.refresh(['GCP']))[0]).toMatchObject({ outcome: 'failed', entries: 0 });
    expect(m.isCloudIp('8.8.8.8')).toBe(false);
    expect(await raw.get(cache.key('GCP'))).toBe(poisoned); // untouched: nothing was written
  });

  test("two replicas: replica A's poisoned fetch never reaches Redis, so replica B never loads it", async () => {
    const cache = await shared('trust-spread');
    const good = publicRanges(100);
    const feeds = serve({ GCP: gcpFeed(good) });
    const config: SecurityConfigInput = { cloudFeedUrls: feeds.urls, logger: captureLogger().logger };
    const a = api.createCloudManager(config, { store: await cache.connect() });
    expect((await a.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', entries: 100 });

    feeds.route('GCP', gcpFeed([...good, '0.0.0.0/0']));
    expect((await a.refresh(['GCP'], { force: true }))[0]?.outcome).toBe('failed');
    expect(JSON.parse((await raw.get(cache.key('GCP'))) ?? '[]')).toEqual([...good].sort());

    const b = api.createCloudManager(config, { store: await cache.connect() });
    expect((await b.refresh(['GCP']))[0]).toMatchObject({ outcome: 'store', entries: 100 });
    expect(b.isCloudIp('8.8.8.8')).toBe(false);
    expect(b.isCloudIp('34.0.5.5')).toBe(true);

    // With nothing cached, B fetches the same poisoned feed itself and refuses it too.
    await raw.del(cache.key('GCP'));
    const c = api.createCloudManager(config, { store: await cache.connect() });
    expect((await c.refresh(['GCP']))[0]?.outcome).toBe('failed');
    expect(c.isCloudIp('8.8.8.8')).toBe(false);
    expect(await raw.exists(cache.key('GCP'))).toBe(0);
  });

  test('a response larger than cloudFeedLimits.maxBytes is refused; so is a feed with more than maxEntries', async () => {
    const feeds = serve({ GCP: gcpFeed(publicRanges(300)), Vultr: { body: JSON.stringify({ subnets: [] }) } });
    const m = api.createCloudManager({
      cloudFeedUrls: feeds.urls,
      logger: captureLogger().logger,
      cloudFeedLimits: { maxBytes: 4096 },
    });
    const [big] = await m.refresh(['GCP']);
    expect(big).toMatchObject({ outcome: 'failed', entries: 0 });
    expect(big?.error).toMatch(/larger than the 4096 bytes/);

    const few = api.createCloudManager({
      cloudFeedUrls: feeds.urls,
      logger: captureLogger().logger,
      cloudFeedLimits: { maxEntries: 100 },
    });
    expect((await few.refresh(['GCP']))[0]?.error).toMatch(/maxEntries/);
  });

  test('a cached set without a TTL is refetched within one cloudIpRefreshInterval', async () => {
    const cache = await shared('trust-eternal');
    const good = publicRanges(50);
    await raw.set(cache.key('GCP'), JSON.stringify(good)); // no TTL: as migrate-legacy used to write
    const feeds = serve({ GCP: gcpFeed(publicRanges(52)) });
    let now = Date.parse('2025-07-01T00:00:00Z');
    const m = api.createCloudManager(
      { cloudFeedUrls: feeds.urls, cloudIpRefreshInterval: 600, logger: captureLogger().logger },
      { store: await cache.connect(), clock: () => now },
    );
    expect((await m.refresh(['GCP']))[0]?.outcome).toBe('store');
    now += 300_000;
    expect((await m.refresh(['GCP']))[0]?.outcome).toBe('store'); // within the interval: trusted
    expect(feeds.count('GCP')).toBe(0);
    now += 300_000;
    expect((await m.refresh(['GCP']))[0]).toMatchObject({ outcome: 'fetched', entries: 52, stored: true });
    expect(feeds.count('GCP')).toBe(1);
    const ttl = await raw.ttl(cache.key('GCP'));
    expect(ttl).toBeGreaterThan(0); // the rewrite carries a TTL
    expect(ttl).toBeLessThanOrEqual(600);
  });

  test('migrate-legacy never creates an eternal entry', async () => {
    const cache = await shared('trust-migrate');
    const redis = api.createRedisManager({
      redisUrl: redisUrl(),
      redisPrefix: cache.prefix,
      cloudIpRefreshInterval: 900,
      logger: captureLogger().logger,
    });
    await redis.initialize();
    handlers.push(redis);
    await raw.set(`${cache.prefix}cloud_ranges:Vultr`, '8.3.29.0/24'); // no TTL
    await raw.set(`${cache.prefix}cloud_ranges:Linode`, '2600:3c00::/32', 'EX', 86_000); // longer than the interval
    const report = await api.migrateLegacy(redis, { providers: ['Vultr', 'Linode'] });
    expect(report.map((e) => e.outcome)).toEqual(['copied', 'copied']);
    for (const provider of ['Vultr', 'Linode']) {
      const ttl = await raw.ttl(cache.key(provider));
      expect(ttl, provider).toBeGreaterThan(890);
      expect(ttl, provider).toBeLessThanOrEqual(900);
    }
  });
});
