/**
 * The `guard-core` command, run as a child process from `dist/cli.js` (build first), against the
 * sample feeds in `examples/feeds`, the fixture feed server and the run's private Redis.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CloudProvider, ProviderRefreshReport } from '../../src/index.js';
import { startFeedServer, type FeedServer, type RouteResponse } from '../support/feed-server.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { freePort } from '../support/redis-server.js';
import { REPO_ROOT, requireBuiltCli, runCli } from './run-cli.js';

const raw = rawClient();
const prefixes: string[] = [];
let server: FeedServer;
beforeAll(async () => {
  requireBuiltCli();
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
  await deleteByPrefix(raw, ...prefixes);
  await raw.quit();
});

function prefix(): string {
  const p = uniquePrefix('cli');
  prefixes.push(p);
  return p;
}

/** `--feed-url` options for fixture routes under a fresh path, and request counts. */
function serve(routes: Partial<Record<CloudProvider, RouteResponse>>) {
  const base = `/cli-${randomBytes(4).toString('hex')}`;
  const args: string[] = [];
  for (const [provider, response] of Object.entries(routes) as [CloudProvider, RouteResponse][]) {
    server.route(`${base}/${provider}`, response);
    args.push('--feed-url', `${provider}=${server.url(`${base}/${provider}`)}`);
  }
  return { args, count: (provider: CloudProvider) => server.requestCount(`${base}/${provider}`) };
}

const SAMPLE_IPS = [
  '3.5.140.1',
  '34.35.0.1',
  '4.145.0.1',
  '5.101.96.1',
  '2600:3c00::1',
  '8.3.29.1',
  '::ffff:3.5.140.1',
  '8.8.8.8',
];
const SAMPLE_ANSWERS = [
  ['3.5.140.1', 'AWS', '3.5.140.0/22'],
  ['34.35.0.1', 'GCP', '34.35.0.0/16'],
  ['4.145.0.1', 'Azure', '4.145.0.0/16'],
  ['5.101.96.1', 'DigitalOcean', '5.101.96.0/21'],
  ['2600:3c00::1', 'Linode', '2600:3c00::/32'],
  ['8.3.29.1', 'Vultr', '8.3.29.0/24'],
  ['::ffff:3.5.140.1', 'AWS', '3.5.140.0/22'],
  ['8.8.8.8', '-', '-'],
];

describe('help, version and usage errors', () => {
  test('--help lists the commands, exit codes and feed file names, and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const text of ['Usage: guard-core', 'lookup', 'refresh', 'migrate-legacy', 'Exit codes:', '2  usage error']) {
      expect(run.stdout).toContain(text);
    }
    for (const file of ['aws-ip-ranges.json', 'microsoft-azure-ip-ranges.json', 'linode.txt', 'vultr-geofeed.json']) {
      expect(run.stdout).toContain(file);
    }
    const sub = await runCli(['lookup', '--help']);
    expect(sub.code).toBe(0);
    for (const text of [
      '<ip...>',
      '--feed-dir',
      '--feed-url',
      '--redis-url',
      'GUARD_CORE_REDIS_URL',
      '--json',
      '--quiet',
    ]) {
      expect(sub.stdout).toContain(text);
    }
    const version = await runCli(['--version']);
    expect(version).toMatchObject({
      code: 0,
      stdout: `${(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    });
  });

  test('usage errors → exit 2, the reason on stderr, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [[], /Usage: guard-core/],
      [['lookpu'], /unknown command 'lookpu'[\s\S]*Did you mean lookup\?/],
      [['lookup', '--bogus', '1.2.3.4'], /unknown option '--bogus'/],
      [['lookup'], /missing required argument 'ip'/],
      [['lookup', '1.2.3', 'example.com'], /not an IP address: "1.2.3", "example.com"/],
      [['lookup', '--providers', 'aws,oracle', '1.2.3.4'], /unknown provider "oracle"/],
      [['lookup', '--feed-dir', '/no/such/dir', '1.2.3.4'], /no such directory/],
      [['lookup', '--feed-url', 'AWS', '1.2.3.4'], /expected <provider>=<url or file path>/],
      [['lookup', '--feed-url', 'AWS=ftp://x/y', '1.2.3.4'], /unsupported URL scheme/],
      [['refresh', '--timeout', '0'], /whole number of milliseconds/],
      [['refresh', '--redis-url', 'http://127.0.0.1:1'], /--redis-url: must be a redis:\/\/ or rediss:\/\/ URL/],
      [
        ['refresh', '--redis-url', 'redis://127.0.0.1:1', '--redis-prefix', 'a b'],
        /--redis-prefix: must not contain whitespace/,
      ],
      [['migrate-legacy'], /--redis-url \(or GUARD_CORE_REDIS_URL\) is required/],
    ];
    // Run side by side: each is a separate process and none touches shared state.
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr, JSON.stringify(args)).toMatch(message);
    });
  });
});

describe('lookup', () => {
  test('the quick start: sample feeds, in-memory store, offline', async () => {
    const run = await runCli(['lookup', '--feed-dir', 'examples/feeds', ...SAMPLE_IPS]);
    expect(run.code).toBe(0);
    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s+/));
    expect(rows).toEqual(SAMPLE_ANSWERS);
    expect(run.stderr).toContain('Loading AWS, GCP, Azure, DigitalOcean, Linode, Vultr (store: memory)');
    expect(run.stderr).toMatch(/AWS:\s+\d+ ranges \(fetched\)/);
    expect(run.stderr).toContain('7 of 8 addresses are in a cloud provider');

    const quiet = await runCli(['lookup', '-q', '--feed-dir', 'examples/feeds', '8.8.8.8', '3.5.140.1']);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
    expect(quiet.stdout.split('\n')[1]).toMatch(/^3\.5\.140\.1\s+AWS\s+3\.5\.140\.0\/22$/);
  });

  test('--json prints one document with the results and each provider outcome', async () => {
    const run = await runCli([
      'lookup',
      '--json',
      '--feed-dir',
      'examples/feeds',
      '-p',
      'aws,linode',
      '2600:3c00::1',
      '3.5.140.1',
      '34.35.0.1',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const doc = JSON.parse(run.stdout) as { results: unknown[]; providers: ProviderRefreshReport[]; store: string };
    expect(doc.results).toEqual([
      { ip: '2600:3c00::1', provider: 'Linode', network: '2600:3c00::/32' },
      { ip: '3.5.140.1', provider: 'AWS', network: '3.5.140.0/22' },
      { ip: '34.35.0.1', provider: null, network: null }, // GCP was not selected
    ]);
    expect(doc.providers.map((p) => [p.provider, p.outcome])).toEqual([
      ['AWS', 'fetched'],
      ['Linode', 'fetched'],
    ]);
    expect(doc.store).toBe('memory');
  });

  test('a provider whose feed fails: results still printed, the failure named, exit 1', async () => {
    const feeds = serve({ AWS: { file: 'aws-ip-ranges.json' }, GCP: { status: 500, body: 'down' } });
    const run = await runCli(['lookup', '-p', 'AWS,GCP', ...feeds.args, '3.5.140.1', '34.35.0.1']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^3\.5\.140\.1\s+AWS\s+3\.5\.140\.0\/22\n34\.35\.0\.1\s+-\s+-\n$/);
    expect(run.stderr).toMatch(/GCP:\s+FAILED fetch failed: .*HTTP 500/);
    expect(run.stderr).toContain('error: no ranges for GCP');
    expect([feeds.count('AWS'), feeds.count('GCP')]).toEqual([1, 1]);
  });

  test('a missing feed file is a runtime failure naming the file', async () => {
    const run = await runCli([
      'lookup',
      '-q',
      '-p',
      'vultr',
      '--feed-url',
      'vultr=examples/feeds/nope.json',
      '8.3.29.1',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Vultr:\s+FAILED fetch failed: no such file .*nope\.json/);
  });
});

describe('refresh and lookup on Redis', () => {
  test('refresh fetches and stores with per-provider counts; lookup then reads the cache without fetching', async () => {
    const p = prefix();
    const feeds = serve({
      AWS: { file: 'aws-ip-ranges-2025-07-10.json' },
      GCP: { file: 'google-cloud-ip-ranges.json' },
    });
    const common = ['-p', 'aws,gcp', ...feeds.args, '--redis-prefix', p];
    const first = await runCli(['refresh', ...common], { GUARD_CORE_REDIS_URL: redisUrl() });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^AWS:\s+fetched\s+[\d,]+ ranges \(\+[\d,]+ added, -0 removed\), stored$/m);
    expect(first.stdout).toMatch(/^GCP:\s+fetched\s+[\d,]+ ranges \(\+[\d,]+ added, -0 removed\), stored$/m);
    expect(first.stderr).toContain('2 of 2 providers refreshed');
    expect(await raw.ttl(`${p}cloud_ip:AWS`)).toBeGreaterThan(3590);

    // The newer snapshot: refresh reports what changed against the stored set.
    server.route(feeds.args[1]!.slice(4).replace(server.origin, ''), { file: 'aws-ip-ranges.json' });
    const second = await runCli(['refresh', '--json', ...common, '--redis-url', redisUrl()]);
    expect(second.code).toBe(0);
    const doc = JSON.parse(second.stdout) as { ok: boolean; providers: ProviderRefreshReport[] };
    expect(doc.ok).toBe(true);
    const aws = doc.providers.find((r) => r.provider === 'AWS')!;
    expect(aws.added + aws.removed).toBeGreaterThan(0);
    expect(doc.providers.find((r) => r.provider === 'GCP')).toMatchObject({ added: 0, removed: 0, stored: true });
    expect([feeds.count('AWS'), feeds.count('GCP')]).toEqual([2, 2]);

    const lookup = await runCli(['lookup', ...common, '--redis-url', redisUrl(), '3.5.140.1']);
    expect(lookup.code).toBe(0);
    expect(lookup.stderr).toMatch(/AWS:\s+[\d,]+ ranges \(from the cache\)/);
    expect([feeds.count('AWS'), feeds.count('GCP')]).toEqual([2, 2]);
  });

  test('refresh with a failing provider exits 1 and says which', async () => {
    const p = prefix();
    const feeds = serve({
      AWS: { file: 'aws-ip-ranges.json', truncateAt: 2000 },
      GCP: { file: 'google-cloud-ip-ranges.json' },
    });
    const run = await runCli([
      'refresh',
      '-p',
      'aws,gcp',
      ...feeds.args,
      '--redis-url',
      redisUrl(),
      '--redis-prefix',
      p,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/AWS:\s+FAILED fetch failed/);
    expect(run.stdout).toMatch(/GCP:\s+fetched/);
    expect(await raw.exists(`${p}cloud_ip:AWS`)).toBe(0);
  });

  test('an unreachable Redis is a runtime failure, and its password is never printed', async () => {
    const url = `redis://admin:hunter2-secret@127.0.0.1:${await freePort()}/0?password=another-secret`;
    for (const run of [
      await runCli(['refresh', '--feed-dir', 'examples/feeds', '--redis-url', url, '--verbose']),
      await runCli(['migrate-legacy', '--verbose'], { GUARD_CORE_REDIS_URL: url }),
    ]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/error: .*Redis connection failed/);
      const everything = run.stdout + run.stderr;
      for (const secret of ['hunter2-secret', 'another-secret', 'admin:']) expect(everything).not.toContain(secret);
    }
  });
});

describe('migrate-legacy', () => {
  test('copies legacy keys with their TTL, reports per provider, and is idempotent', async () => {
    const p = prefix();
    await raw.set(`${p}cloud_ranges:AWS`, '3.5.140.0/22,10.0.0.0/8', 'EX', 700);
    await raw.set(`${p}cloud_ranges:Azure`, 'garbage');
    const args = ['migrate-legacy', '--redis-url', redisUrl(), '--redis-prefix', p];

    const first = await runCli([...args, '--json']);
    expect(first.code).toBe(0);
    const doc = JSON.parse(first.stdout) as {
      providers: { provider: string; outcome: string; ttlSeconds: number | null }[];
    };
    expect(doc.providers.map((e) => [e.provider, e.outcome])).toEqual([
      ['AWS', 'copied'],
      ['GCP', 'absent'],
      ['Azure', 'invalid'],
      ['DigitalOcean', 'absent'],
      ['Linode', 'absent'],
      ['Vultr', 'absent'],
    ]);
    expect(doc.providers[0]!.ttlSeconds).toBeGreaterThan(690);
    expect(await raw.get(`${p}cloud_ip:AWS`)).toBe('["10.0.0.0/8", "3.5.140.0/22"]');

    const second = await runCli(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^AWS:\s+unchanged\s+2 ranges, TTL [\d,]+ s$/m);
    expect(second.stdout).toMatch(/^Azure:\s+invalid\s+0 ranges, 1 malformed skipped, no TTL$/m);
    expect(second.stdout).toMatch(/^GCP:\s+absent/m);
  });
});
