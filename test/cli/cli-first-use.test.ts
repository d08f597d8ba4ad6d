/**
 * What a new user hit with the `guard-core` command (issue "First use"), each run as a child
 * process with a time bound: a usage error after connecting still exits, `--quiet` keeps results,
 * `--json` keeps errors machine-readable, one bad address does not sink the batch, output order
 * does not depend on which feed answered first, and the help shows only what applies.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CloudProvider } from '../../src/index.js';
import { startFeedServer, type FeedServer, type RouteResponse } from '../support/feed-server.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { freePort } from '../support/redis-server.js';
import { CLI_PATH, REPO_ROOT, requireBuiltCli, runCli, type CliRun } from './run-cli.js';

/** Every run must end by itself well within this (a hang would hit it). */
const EXIT_BOUND_MS = 15_000;

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
  const p = uniquePrefix('cli1');
  prefixes.push(p);
  return p;
}

function serve(routes: Partial<Record<CloudProvider, RouteResponse>>): string[] {
  const base = `/first-${randomBytes(4).toString('hex')}`;
  const args: string[] = [];
  for (const [provider, response] of Object.entries(routes) as [CloudProvider, RouteResponse][]) {
    server.route(`${base}/${provider}`, response);
    args.push('--feed-url', `${provider}=${server.url(`${base}/${provider}`)}`);
  }
  return args;
}

/** Runs the CLI and also measures how long the process lived. */
async function timed(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const started = performance.now();
  const run = await runCli(args, env);
  return { ...run, elapsedMs: performance.now() - started };
}

describe('the CLI exits and reports', () => {
  test('a bad --key-prefix with a reachable Redis is a usage error and the process exits (lookup, refresh)', async () => {
    for (const command of [
      ['lookup', '--feed-dir', 'examples/feeds', '1.2.3.4'],
      ['refresh', '--feed-dir', 'examples/feeds'],
    ]) {
      const run = await timed([...command, '--redis-url', redisUrl(), '--key-prefix', 'a:b']);
      expect({ command: command[0], code: run.code }).toEqual({ command: command[0], code: 2 });
      expect(run.stderr).toMatch(/--key-prefix: must not contain ':'/);
      expect(run.elapsedMs).toBeLessThan(EXIT_BOUND_MS);
    }
  });

  test('--quiet drops progress but keeps the results of refresh and migrate-legacy', async () => {
    const p = prefix();
    const refresh = await timed(['refresh', '-q', '-p', 'aws,gcp', '--feed-dir', 'examples/feeds']);
    expect(refresh.code).toBe(0);
    expect(refresh.stdout).toMatch(/^AWS:\s+fetched/m);
    expect(refresh.stdout).toMatch(/^GCP:\s+fetched/m);
    expect(refresh.stderr).toBe('');
    await raw.set(`${p}cloud_ranges:AWS`, '3.5.140.0/22', 'EX', 600);
    const migrate = await timed(['migrate-legacy', '-q', '--redis-url', redisUrl(), '--redis-prefix', p]);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^AWS:\s+copied\s+1 ranges/m);
    expect(migrate.stderr).toBe('');
  });

  test('with --json, usage and runtime errors are a JSON document on stdout too', async () => {
    const usage = await timed(['lookup', '--json', '--providers', 'oracle', '1.2.3.4']);
    const runtime = await timed([
      'refresh',
      '--json',
      '--feed-dir',
      'examples/feeds',
      '--redis-url',
      `redis://:pw-secret@127.0.0.1:${await freePort()}`,
    ]);
    const unknownOption = await timed(['lookup', '--json', '--bogus', '1.2.3.4']);
    const docs = [usage, runtime, unknownOption].map((run: CliRun) => JSON.parse(run.stdout) as unknown);
    expect(docs[0]).toMatchObject({ ok: false, error: { kind: 'usage', exitCode: 2 } });
    expect(docs[1]).toMatchObject({ ok: false, error: { kind: 'runtime', exitCode: 1 } });
    expect((docs[1] as { error: { message: string } }).error.message).toMatch(/Redis connection failed/);
    expect(runtime.stdout + runtime.stderr).not.toContain('pw-secret');
    expect(docs[2]).toMatchObject({
      ok: false,
      error: { kind: 'usage', message: expect.stringMatching(/--bogus/) as unknown },
    });
    expect([usage.code, runtime.code, unknownOption.code]).toEqual([2, 1, 2]);
  });

  test('a bad --feed-url never prints its credentials, in text or in --json', async () => {
    for (const feed of ['aws=ftp://u:PWSECRET@x/?token=TSECRET', 'amazon=https://u:PWSECRET@x/?token=TSECRET']) {
      for (const json of [[], ['--json']]) {
        const run = await timed(['lookup', ...json, '--feed-url', feed, '1.2.3.4']);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/--feed-url/); // the usage error is still reported…
        expect(run.stdout + run.stderr).not.toMatch(/PWSECRET|TSECRET/); // …without the secrets
      }
    }
  });

  test('migrate-legacy refuses --cache-layout python-v2 instead of ignoring it', async () => {
    const run = await timed(['migrate-legacy', '--cache-layout', 'python-v2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--cache-layout python-v2 is not supported/);
  });

  test('a reader that stops early (| head -1) ends the CLI quietly, without an EPIPE trace', async () => {
    const addresses = Array.from({ length: 4000 }, (_, i) => `3.5.${(i >> 8) & 255}.${i & 255}`);
    const child = spawn(process.execPath, [CLI_PATH, 'lookup', '--feed-dir', 'examples/feeds', ...addresses], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // what `head -1` does after its line
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|at Object\./);
    expect(code).toBe(0);
  }, 30_000);

  test('one bad address: the others are still answered, the bad one is named, exit 1', async () => {
    const run = await timed(['lookup', '--feed-dir', 'examples/feeds', '3.5.140.1', 'not-an-ip', '8.8.8.8']);
    expect(run.code).toBe(1);
    const rows = run.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^3\.5\.140\.1\s+AWS\s+3\.5\.140\.0\/22$/);
    expect(rows[1]).toMatch(/^not-an-ip\s+-\s+\(not an IP address\)$/);
    expect(rows[2]).toMatch(/^8\.8\.8\.8\s+-\s+-$/);
    expect(run.stderr).toMatch(/error: not an IP address: "not-an-ip"/);
    const json = await timed(['lookup', '--json', '--feed-dir', 'examples/feeds', 'not-an-ip', '3.5.140.1']);
    const doc = JSON.parse(json.stdout) as { results: { ip: string; error?: string }[] };
    expect(doc.results.map((r) => [r.ip, r.error ?? null])).toEqual([
      ['not-an-ip', 'not an IP address'],
      ['3.5.140.1', null],
    ]);
  });

  test('per-provider lines follow the order the providers were named, not which feed answered first', async () => {
    // AWS answers last, yet is printed first, on every run.
    const feeds = serve({
      AWS: { file: 'aws-ip-ranges.json', delayMs: 400 },
      GCP: { file: 'google-cloud-ip-ranges.json' },
      Vultr: { file: 'vultr-geofeed.json', delayMs: 150 },
    });
    for (let i = 0; i < 2; i++) {
      const run = await timed(['refresh', '-p', 'aws,gcp,vultr', ...feeds]);
      expect(run.code).toBe(0);
      const order = run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(':')[0]);
      expect(order).toEqual(['AWS', 'GCP', 'Vultr']);
    }
  });

  test('help: examples that work from an installed package; migrate-legacy lists only options it uses', async () => {
    const help = await timed(['--help']);
    expect(help.stdout).not.toContain('examples/feeds');
    const migrate = await timed(['migrate-legacy', '--help']);
    expect(migrate.code).toBe(0);
    for (const used of ['--redis-url', '--redis-prefix', '--key-prefix', '--providers', '--overwrite', '--json']) {
      expect(migrate.stdout).toContain(used);
    }
    for (const unused of ['--feed-dir', '--feed-url', '--timeout']) expect(migrate.stdout).not.toContain(unused);
  });
});
