/**
 * The real provider snapshots, served by the local fixture server and read through
 * `fetchProviderRanges` over the real fetch-based HttpClient: exact counts (established here by a
 * separate, naive reading of each file), lookups checked against a linear BigInt reference, and
 * every way a download can go wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchProviderRanges } from '../../../src/async/cloud/feeds.js';
import { fetchHttpClient, type HttpClient, type HttpRequestOptions } from '../../../src/async/seams/http.js';
import { CloudRangeSet } from '../../../src/core/cloud/range-set.js';
import { DEFAULT_FEED_URLS } from '../../../src/core/cloud/feeds.js';
import { RangeIndex } from '../../../src/core/cloud/range-index.js';
import { GuardFeedError, GuardHttpError } from '../../../src/core/errors.js';
import type { CloudProvider } from '../../../src/core/providers.js';
import * as asyncApi from '../../../src/index.js';
import * as syncApi from '../../../src/sync.js';
import { FIXTURE_FILES, FIXTURES_DIR, startFeedServer, type FeedServer } from '../../support/feed-server.js';
import { refFind, refFormatAddress, refParseCidr, type RefNetwork } from '../../property/reference-matcher.js';

const read = (provider: CloudProvider) => readFileSync(join(FIXTURES_DIR, FIXTURE_FILES[provider]), 'utf8');

/** The raw prefix strings of a snapshot, read the plain way (JSON walk / line split), with no guard-core code. */
function naivePrefixes(provider: CloudProvider): string[] {
  const text = read(provider);
  type Doc = Record<string, { [k: string]: unknown }[]>;
  switch (provider) {
    case 'AWS': {
      const doc = JSON.parse(text) as Doc;
      const v4 = doc.prefixes!.filter((p) => p.service === 'AMAZON').map((p) => p.ip_prefix as string);
      const v6 = doc.ipv6_prefixes!.filter((p) => p.service === 'AMAZON').map((p) => p.ipv6_prefix as string);
      return [...v4, ...v6];
    }
    case 'GCP':
      return (JSON.parse(text) as Doc).prefixes!.map((p) => (p.ipv4Prefix ?? p.ipv6Prefix) as string);
    case 'Azure': {
      const values = (JSON.parse(text) as { values: { name: string; properties: { addressPrefixes: string[] } }[] })
        .values;
      return values.filter((v) => v.name === 'AzureCloud').flatMap((v) => v.properties.addressPrefixes);
    }
    case 'Vultr':
      return (JSON.parse(text) as Doc).subnets!.map((s) => s.ip_prefix as string);
    default:
      return text
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.startsWith('#'))
        .map((line) => line.split(',')[0]!.trim());
  }
}

/** Counts published in SOURCES.md or counted once by hand (Python `ipaddress`), pinned so a drift is seen. */
const PINNED_COUNTS: Record<CloudProvider, number> = {
  AWS: 5171 + 2113,
  GCP: 782,
  Azure: 12_362,
  DigitalOcean: 1182,
  Linode: 4552,
  Vultr: 513,
};

/** Readable spot checks: an address, the provider and network it must resolve to. */
const KNOWN: [CloudProvider, string, string][] = [
  ['AWS', '3.5.140.1', '3.5.140.0/22'],
  ['AWS', '::ffff:3.5.140.1', '3.5.140.0/22'],
  ['AWS', '3.6.70.130', '3.6.70.128/26'], // nested inside 3.6.0.0/15
  ['AWS', '3.6.1.1', '3.6.0.0/15'],
  ['AWS', '2400:7fc0:4000::1', '2400:7fc0:4000::/56'], // nested inside …::/40
  ['AWS', '2400:7fc0:40ff::1', '2400:7fc0:4000::/40'],
  ['GCP', '34.35.200.7', '34.35.0.0/16'],
  ['GCP', '2600:1900:8000::abcd', '2600:1900:8000::/44'],
  ['Azure', '4.144.0.1', '4.144.0.0/17'],
  ['Azure', '::ffff:4.144.128.1', '4.144.128.0/17'],
  ['Azure', '2602:fd5e:1:2::1', '2602:fd5e:1:2::/64'],
  ['DigitalOcean', '5.101.96.1', '5.101.96.0/21'],
  ['DigitalOcean', '2400:6180:0:d0::1', '2400:6180:0:d0::/64'],
  ['Linode', '72.14.177.10', '72.14.177.0/24'],
  ['Linode', '2600:3c12:b00::5', '2600:3c12:b00::/40'], // written 2600:3c12:0b00::/40 in the feed
  ['Vultr', '8.3.29.9', '8.3.29.0/24'],
  ['Vultr', '2001:19f0:9800::5', '2001:19f0:9800::/38'],
];

/** Private, documentation, loopback and link-local addresses: in no provider's ranges. */
const NOWHERE = [
  '127.0.0.1',
  '10.0.0.1',
  '192.168.1.1',
  '192.0.2.1',
  '::1',
  '2001:db8::1',
  'fe80::1',
  '::ffff:10.1.1.1',
];

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server?.close();
});

const fetchFrom = (provider: CloudProvider, url: string, timeoutMs?: number) =>
  fetchProviderRanges(provider, { http: fetchHttpClient, url, timeoutMs });

/** Addresses probing a network: its first and last address, just outside it, and the IPv4-mapped spelling. */
function probes(net: RefNetwork): string[] {
  const size = 1n << BigInt((net.family === 4 ? 32 : 128) - net.prefix);
  const max = net.family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
  const values = [net.start, net.start + size - 1n, net.start + size / 2n, net.start - 1n, net.start + size];
  const out = values.filter((v) => v >= 0n && v <= max).map((v) => refFormatAddress(net.family, v));
  if (net.family === 4) out.push(`::ffff:${refFormatAddress(4, net.start + size - 1n)}`);
  return out;
}

describe('real snapshots fetched from the fixture server', () => {
  it.each(Object.keys(FIXTURE_FILES) as CloudProvider[])(
    '%s: exact count, canonical set, lookups agree with a linear reference',
    async (provider) => {
      const raw = naivePrefixes(provider);
      const reference = raw.map((p) => refParseCidr(p)!);
      expect(reference.every((n) => n !== null)).toBe(true);
      const expected = [...new Set(reference.map((n) => n.text))].sort();
      expect(new Set(raw).size).toBe(PINNED_COUNTS[provider]);
      expect(expected).toHaveLength(PINNED_COUNTS[provider]);

      const result = await fetchFrom(provider, server.url(FIXTURE_FILES[provider]));
      expect(result.skipped).toBe(0);
      expect(result.ranges).toHaveLength(PINNED_COUNTS[provider]);
      expect(result.ranges).toEqual(expected);

      const { index, skipped } = RangeIndex.build(result.ranges);
      expect(skipped).toEqual([]);
      expect(index.size).toBe(PINNED_COUNTS[provider]);
      // Probe every n-th network (about 25 per provider) against the linear reference.
      const step = Math.max(1, Math.floor(reference.length / 25));
      for (let i = 0; i < reference.length; i += step) {
        for (const address of probes(reference[i]!)) {
          expect(index.lookup(address), `${provider} ${address}`).toBe(refFind(reference, address));
        }
      }
      for (const [p, address, network] of KNOWN.filter(([p]) => p === provider)) {
        expect(index.lookup(address), `${p} ${address}`).toBe(network);
      }
      for (const address of NOWHERE) expect(index.lookup(address), address).toBeNull();
    },
  );

  it('AWS: 5,171 IPv4 AMAZON prefixes plus 2,113 IPv6 ones', async () => {
    const { ranges } = await fetchFrom('AWS', server.url('aws-ip-ranges.json'));
    expect(ranges.filter((r) => !r.includes(':'))).toHaveLength(5171);
    expect(ranges.filter((r) => r.includes(':'))).toHaveLength(2113);
  });

  it('all six providers in one CloudRangeSet: known addresses resolve to their provider, others to nothing', async () => {
    const all = Object.keys(FIXTURE_FILES) as CloudProvider[];
    const results = await Promise.all(all.map((p) => fetchFrom(p, server.url(FIXTURE_FILES[p]))));
    const set = CloudRangeSet.from(Object.fromEntries(all.map((p, i) => [p, results[i]!.ranges])));
    for (const [provider, address, network] of KNOWN) expect(set.find(address), address).toEqual({ provider, network });
    for (const address of NOWHERE) expect(set.find(address), address).toBeNull();
    expect(set.isCloudIp('3.5.140.1', ['GCP', 'Azure'])).toBe(false);
    expect(set.sizes).toEqual(PINNED_COUNTS);
  });

  it('Azure through its download page: the failoverLink is followed, with a browser User-Agent on the page', async () => {
    const page = '/en-us/download/details.aspx?id=56519';
    const jsonUrl = server.url('download/ServiceTags_Public_20250721.json');
    server.route('/download/ServiceTags_Public_20250721.json', { file: FIXTURE_FILES.Azure });
    server.route(page, {
      contentType: 'text/html',
      body: `<html><a id="failoverLink" href="${jsonUrl}">click here to download manually</a></html>`,
    });
    const before = server.requests().length;
    const result = await fetchFrom('Azure', server.url(page));
    expect(result.ranges).toHaveLength(12_362);
    const seen = server.requests().slice(before);
    expect(seen.map((r) => r.path + r.search)).toEqual([page, '/download/ServiceTags_Public_20250721.json']);
    expect(seen[0]!.userAgent).toMatch(/Mozilla/);
  });

  it('Azure: a page whose only link leaves the trusted hosts is refused without following it', async () => {
    server.route('/azure/evil-page', {
      body: '<a id="failoverLink" href="https://evil.example/ServiceTags_Public_20250721.json">x</a>',
    });
    const error = await fetchFrom('Azure', server.url('azure/evil-page')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardFeedError);
    expect((error as GuardFeedError).message).toContain('no ServiceTags JSON link');
  });
});

describe('broken downloads', () => {
  it('truncated JSON → GuardFeedError naming the provider and URL', async () => {
    server.route('/broken/aws-truncated.json', { file: FIXTURE_FILES.AWS, truncateAt: 100_000 });
    const error = await fetchFrom('AWS', server.url('broken/aws-truncated.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardFeedError);
    expect(error).toMatchObject({ provider: 'AWS', url: server.url('broken/aws-truncated.json') });
    expect((error as Error).message).toContain('not valid JSON');
  });

  it('a truncated CSV keeps every complete line and skips the cut one', async () => {
    const text = read('Linode');
    const cut = text.indexOf('\n', 20_000) + 8; // a few characters into the next line
    server.route('/broken/linode-cut.txt', {
      file: FIXTURE_FILES.Linode,
      truncateAt: Buffer.byteLength(text.slice(0, cut)),
    });
    const complete = text
      .slice(0, cut)
      .split('\n')
      .slice(0, -1)
      .filter((l) => l !== '' && !l.startsWith('#')).length;
    const result = await fetchFrom('Linode', server.url('broken/linode-cut.txt'));
    expect(result.ranges).toHaveLength(complete);
    expect(result.skipped).toBe(1);
  });

  it('bad prefixes among good ones → skipped and counted, the rest kept', async () => {
    const doc = JSON.parse(read('AWS')) as { prefixes: object[]; ipv6_prefixes: object[] };
    doc.prefixes.push(
      { ip_prefix: '10.0.0.1/8', service: 'AMAZON' },
      { ip_prefix: '300.1.2.0/24', service: 'AMAZON' },
      { ip_prefix: 'not-a-prefix', service: 'AMAZON' },
    );
    doc.ipv6_prefixes.push({ ipv6_prefix: '2600:1f14::/129', service: 'AMAZON' });
    server.route('/broken/aws-some-bad.json', { body: JSON.stringify(doc), contentType: 'application/json' });
    const result = await fetchFrom('AWS', server.url('broken/aws-some-bad.json'));
    expect(result.skipped).toBe(4);
    expect(result.skippedExamples).toEqual(['10.0.0.1/8', '300.1.2.0/24', 'not-a-prefix', '2600:1f14::/129']);
    expect(result.ranges).toHaveLength(PINNED_COUNTS.AWS);
  });

  it('HTTP 500 → GuardHttpError carrying the status', async () => {
    server.route('/broken/500', { status: 500, body: 'Internal Server Error' });
    const error = await fetchFrom('GCP', server.url('broken/500')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardHttpError);
    expect(error).toMatchObject({ status: 500, url: server.url('broken/500') });
  });

  it('a hung server → GuardHttpError (status null) once the timeout passes', { timeout: 10_000 }, async () => {
    server.route('/broken/hang', { hang: true });
    const error = await fetchFrom('Vultr', server.url('broken/hang'), 300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardHttpError);
    expect(error).toMatchObject({ status: null });
    expect((error as Error).message).toContain('timed out after 300 ms');
  });

  it('a connection dropped mid-body → GuardHttpError', async () => {
    server.route('/broken/aws-dropped.json', { file: FIXTURE_FILES.AWS, truncateAt: 50_000, abort: true });
    const error = await fetchFrom('AWS', server.url('broken/aws-dropped.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuardHttpError);
    expect(error).toMatchObject({ status: null });
  });

  it('an error page served with status 200 → GuardFeedError', async () => {
    server.route('/broken/html-200', { contentType: 'text/html', body: '<html><body>Please sign in</body></html>' });
    await expect(fetchFrom('GCP', server.url('broken/html-200'))).rejects.toBeInstanceOf(GuardFeedError);
    await expect(fetchFrom('DigitalOcean', server.url('broken/html-200'))).rejects.toBeInstanceOf(GuardFeedError);
  });
});

describe('fetchProviderRanges without a server', () => {
  /** An HttpClient that answers from a table and records each call; `advance` moves the fake clock per call. */
  function fakeHttp(answers: Record<string, string>, clock: { now: number }, advance = 0) {
    const calls: { url: string; options: HttpRequestOptions | undefined }[] = [];
    const http: HttpClient = {
      async getText(url, options) {
        calls.push({ url, options });
        clock.now += advance;
        const body = answers[url];
        if (body === undefined) throw new GuardHttpError(url, 404, 'unexpected HTTP status');
        return { status: 200, url, body };
      },
    };
    return { http, calls };
  }
  const page = (link: string) => `<a id="failoverLink" href="${link}">x</a>`;
  const azureJson = JSON.stringify({
    values: [{ name: 'AzureCloud', properties: { addressPrefixes: ['4.144.0.0/17'] } }],
  });
  const jsonUrl = 'https://download.microsoft.com/d/ServiceTags_Public_20250721.json';

  it('uses the default feed URL when none is given, with a 10 s default timeout', async () => {
    const clock = { now: 0 };
    const { http, calls } = fakeHttp({ [DEFAULT_FEED_URLS.Vultr]: JSON.stringify({ subnets: [] }) }, clock);
    await fetchProviderRanges('Vultr', { http, clock: () => clock.now });
    expect(calls).toEqual([
      { url: DEFAULT_FEED_URLS.Vultr, options: { timeoutMs: 10_000, headers: undefined, maxBytes: 32 * 1024 * 1024 } },
    ]);
  });

  it('Azure: the JSON download gets only what is left of the one deadline', async () => {
    const clock = { now: Date.parse('2025-07-24T00:00:00Z') };
    const { http, calls } = fakeHttp({ [DEFAULT_FEED_URLS.Azure]: page(jsonUrl), [jsonUrl]: azureJson }, clock, 3_500);
    const result = await fetchProviderRanges('Azure', { http, timeoutMs: 8_000, clock: () => clock.now });
    expect(result.ranges).toEqual(['4.144.0.0/17']);
    expect(calls.map((c) => [c.url, c.options?.timeoutMs])).toEqual([
      [DEFAULT_FEED_URLS.Azure, 8_000],
      [jsonUrl, 4_500],
    ]);
  });

  it('Azure: when the page used the whole budget, fails with GuardHttpError without a second request', async () => {
    const clock = { now: Date.parse('2025-07-24T00:00:00Z') };
    const { http, calls } = fakeHttp({ [DEFAULT_FEED_URLS.Azure]: page(jsonUrl), [jsonUrl]: azureJson }, clock, 8_000);
    const error = await fetchProviderRanges('Azure', { http, timeoutMs: 8_000, clock: () => clock.now }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GuardHttpError);
    expect((error as Error).message).toContain('budget was spent on the page');
    expect(calls).toHaveLength(1);
  });

  it('Azure: warns when the chosen file is older than 90 days, or undated', async () => {
    const clock = { now: Date.parse('2025-07-24T00:00:00Z') };
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    const old = 'https://download.microsoft.com/d/ServiceTags_Public_20250101.json';
    const { http } = fakeHttp(
      { a: page(old), [old]: azureJson, b: page('https://download.microsoft.com/d/ServiceTags_Public_latest.json') },
      clock,
    );
    await fetchProviderRanges('Azure', { http, url: 'a', logger, clock: () => clock.now });
    expect(warnings).toEqual(['Azure ServiceTags file is 204 days old, possibly stale']);
    await fetchProviderRanges('Azure', { http, url: 'b', logger, clock: () => clock.now }).catch(() => undefined);
    expect(warnings[1]).toContain('no parseable date');
  });
});

/**
 * The same downloads through both public APIs. The sync one blocks this thread during the call
 * (its HTTP runs on the bridge worker, built into dist/ by `npm run build`), so this also proves
 * the fixture server answers from its own thread.
 */
describe.each([
  { name: 'async', fetch: asyncApi.fetchProviderRanges, http: asyncApi.fetchHttpClient },
  { name: 'sync', fetch: syncApi.fetchProviderRanges, http: syncApi.fetchHttpClient },
] as const)('$name API: fetchProviderRanges', ({ fetch, http }) => {
  /** Runs the call and captures a throw or a rejection alike. */
  const attempt = async (provider: CloudProvider, url: string, timeoutMs?: number) => {
    try {
      return { value: await fetch(provider, { http: http as HttpClient & syncApi.SyncHttpClient, url, timeoutMs }) };
    } catch (error) {
      return { error };
    }
  };

  it('reads a real snapshot', async () => {
    // The first sync call also starts the bridge worker; on a loaded 2-core box that can eat into
    // the default 10 s budget, so give this one room. A failure still shows its error.
    const { value, error } = await attempt('Vultr', server.url(FIXTURE_FILES.Vultr), 25_000);
    expect(error).toBeUndefined();
    expect(value?.ranges).toHaveLength(PINNED_COUNTS.Vultr);
  });

  it('HTTP 500 → GuardHttpError with its status; truncated JSON → GuardFeedError', async () => {
    server.route('/both/500', { status: 500 });
    server.route('/both/cut.json', { file: FIXTURE_FILES.GCP, truncateAt: 1000 });
    const failed = await attempt('GCP', server.url('both/500'));
    expect(failed.error).toBeInstanceOf(GuardHttpError);
    expect(failed.error).toMatchObject({ status: 500 });
    expect((await attempt('GCP', server.url('both/cut.json'))).error).toBeInstanceOf(GuardFeedError);
  });

  it('a hung server → GuardHttpError after the timeout', { timeout: 10_000 }, async () => {
    server.route('/both/hang', { hang: true });
    const { error } = await attempt('Linode', server.url('both/hang'), 300);
    expect(error).toBeInstanceOf(GuardHttpError);
    expect(error).toMatchObject({ status: null });
  });
});
