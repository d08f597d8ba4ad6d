/**
 * Four replicas on one Redis: `npm run bench:replicas` (runs from source via tsx).
 *
 * One run, all on 127.0.0.1, bounded in time (about a minute and a half): a private redis-server
 * on a free port (never the shared 6379), a local feed server with the real provider snapshots,
 * four Fastify processes running the example guard plugin (`bench/replicas/server.ts`, every check
 * on: all six cloud providers blocked, IP bans, rate limit, security headers), plus three
 * comparison processes (no guard; our rate limit alone; rate-limiter-flexible's RateLimiterRedis
 * alone). The load comes from autocannon through a trusted proxy (127.0.0.1), `X-Forwarded-For`
 * naming the client, so one generator is many clients. It reports:
 *   1. global accuracy: limit N per window per client; each client sends 8N requests spread over
 *      the four replicas within one window; the 200s per client must be exactly N;
 *   2. ban propagation: ban on replica 1 → first 403 on replicas 2–4, unban → first 200 (from the
 *      admin request's start; median and max over 20 rounds; target ≤ 100 ms);
 *   3. outage: Redis SIGKILLed for 3 s under load, then restarted: max latency (target ≤ 2× the
 *      command timeout), error and fallback counts, time until every replica is back on Redis;
 *   4. overhead: requests/s and p99 of the guarded app vs the bare app (target ≥ 0.85×), and of
 *      our rate limit alone vs rate-limiter-flexible's alone (interleaved rounds).
 * Figures are printed with the load average beside them, never asserted: the machine is shared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CLOUD_PROVIDERS, DEFAULT_FEED_FILES, formatIp, parseIp } from '../src/index.js';
import { startFeedServer } from '../test/support/feed-server.js';
import { startPrivateRedis } from '../test/support/redis-server.js';
import { runLoad, type LoadResult } from './replicas/load.js';
import type { ServerMode, ServerSettings, ServerStatus } from './replicas/server.js';

const LIMIT = 50;
const WINDOW_SECONDS = 60;
const COMMAND_TIMEOUT_MS = 500;
const RETRY_AFTER_MS = 500;
const ACCURACY_CLIENTS = 20;
const BAN_ROUNDS = 20;
const OUTAGE_MS = 3000;
const OVERHEAD_ROUNDS = 3;
const OVERHEAD_SECONDS = 3;
const SERVER_SCRIPT = fileURLToPath(new URL('./replicas/server.ts', import.meta.url));

/** `count` consecutive addresses from `first` (IPv4). */
function addresses(first: string, count: number): string[] {
  const base = parseIp(first)!.w3;
  return Array.from({ length: count }, (_, i) => formatIp({ family: 4, w0: 0, w1: 0, w2: 0, w3: (base + i) >>> 0 }));
}

const load = (): string =>
  `load avg ${loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ')}`;
const ms = (v: number): string => `${v.toFixed(1)} ms`;
/** autocannon's latencies are whole milliseconds: a 0 ms p99 has no meaningful ratio. */
const p99Ratio = (mine: number, base: number): string =>
  base > 0 ? `p99 ${(mine / base).toFixed(2)}×` : `p99 ${ms(mine)} vs ${ms(base)} (autocannon counts whole ms)`;
const verdict = (ok: boolean): string => (ok ? 'target met' : 'target NOT met');
const sleep = (delay: number) => new Promise((resolve) => setTimeout(resolve, delay));
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

interface Server {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
}

async function spawnServer(settings: ServerSettings): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
    env: { ...process.env, BENCH_SERVER: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${settings.name} exited with ${code} during start-up`)));
  });
  return { name: settings.name, url: `http://127.0.0.1:${port}`, child };
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const gone = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}

interface GuardStatus {
  readonly redis: string;
  readonly subsystems: Record<string, string>;
  readonly cloudProviders: Record<string, { readonly ready: boolean }>;
}

async function status(server: Server): Promise<{ status: GuardStatus; decisions: ServerStatus['decisions'] }> {
  const response = await fetch(`${server.url}/admin/status`);
  return (await response.json()) as { status: GuardStatus; decisions: ServerStatus['decisions'] };
}

const onRedis = (s: GuardStatus): boolean =>
  s.redis === 'connected' && Object.values(s.subsystems).every((mode) => mode === 'redis' || mode === 'disabled');

async function statusOf(url: string, ip: string): Promise<number> {
  const response = await fetch(`${url}/probe`, { headers: { 'x-forwarded-for': ip } });
  await response.arrayBuffer();
  return response.status;
}

/** Polls `GET /probe` as `ip` until it answers `want`; ms from `t0` to that answer. */
async function firstAnswer(url: string, ip: string, want: (status: number) => boolean, t0: number): Promise<number> {
  const deadline = t0 + 5000;
  while (performance.now() < deadline) {
    if (want(await statusOf(url, ip))) return performance.now() - t0;
  }
  return Number.POSITIVE_INFINITY;
}

function statusCounts(results: readonly LoadResult[]): string {
  const counts: Record<string, number> = {};
  for (const r of results)
    for (const [code, { count }] of Object.entries(r.statusCodeStats)) counts[code] = (counts[code] ?? 0) + count;
  return Object.entries(counts)
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
}

async function main(): Promise<void> {
  const began = performance.now();
  console.log(`bench:replicas — 2 cores shared; at start ${load()}`);
  const redis = await startPrivateRedis();
  const feeds = await startFeedServer();
  const servers: Server[] = [];
  try {
    const base = {
      redisUrl: redis.url,
      redisPrefix: 'bench:',
      rateLimit: LIMIT,
      rateLimitWindow: WINDOW_SECONDS,
      trustedProxies: ['127.0.0.1'],
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      redisConnectTimeoutMs: COMMAND_TIMEOUT_MS,
      redisRetryAfterMs: RETRY_AFTER_MS,
      blockCloudProviders: [...CLOUD_PROVIDERS],
      cloudFeedUrls: Object.fromEntries(CLOUD_PROVIDERS.map((p) => [p, feeds.url(DEFAULT_FEED_FILES[p])])),
      // The ban probes poll one client quickly: their own generous limit keeps them out of the 429s.
      endpointRateLimits: { '/probe': { limit: 1_000_000, windowSeconds: 1 } },
    };
    const make = (name: string, mode: ServerMode, prefix = 'bench:', enableRedis = true) =>
      spawnServer({ name, mode, config: { ...base, redisPrefix: prefix, enableRedis } });
    const replicas = await Promise.all([1, 2, 3, 4].map((i) => make(`replica ${i}`, 'guarded')));
    servers.push(...replicas);
    const [bare, guardRl, rlflex, inMemory] = await Promise.all([
      make('bare', 'bare'),
      make('guard-rl', 'guard-rl', 'bench-rl:'),
      make('rlflex', 'rlflex'),
      make('memory', 'guarded', 'bench-memory:', false),
    ]);
    servers.push(bare, guardRl, rlflex, inMemory);
    for (;;) {
      const all = await Promise.all(replicas.map(status));
      if (all.every((s) => Object.values(s.status.cloudProviders).every((p) => p.ready) && onRedis(s.status))) break;
      if (performance.now() - began > 60_000) throw new Error('replicas did not load the cloud ranges within 60 s');
      await sleep(100);
    }
    console.log(
      `8 app processes up, cloud ranges loaded, all on Redis after ${ms(performance.now() - began)}; ${load()}`,
    );

    // 1. Global accuracy.
    const clients = addresses('198.19.255.1', ACCURACY_CLIENTS);
    const admitted = new Map(clients.map((c) => [c, 0]));
    const other = new Map<number, number>();
    const perReplica = 2 * LIMIT * ACCURACY_CLIENTS;
    const accuracyStart = performance.now();
    await Promise.all(
      replicas.map((r) =>
        runLoad({
          url: `${r.url}/`,
          connections: 8,
          amount: perReplica,
          clients,
          onResponse: (code, client) => {
            if (code === 200) admitted.set(client, (admitted.get(client) ?? 0) + 1);
            else if (code !== 429) other.set(code, (other.get(code) ?? 0) + 1);
          },
        }),
      ),
    );
    const accuracySeconds = (performance.now() - accuracyStart) / 1000;
    const counts = [...admitted.values()];
    const exact = counts.filter((c) => c === LIMIT).length;
    console.log(
      `\n1. Global accuracy (limit ${LIMIT} per ${WINDOW_SECONDS} s per client; ${ACCURACY_CLIENTS} clients × ${8 * LIMIT} requests over 4 replicas, in ${accuracySeconds.toFixed(1)} s < one window) — ${load()}`,
    );
    console.log(
      `   200s per client: min ${Math.min(...counts)}, max ${Math.max(...counts)}; exactly ${LIMIT}: ${exact}/${ACCURACY_CLIENTS} clients; other statuses: ${other.size === 0 ? 'none' : JSON.stringify(Object.fromEntries(other))} — ${verdict(exact === ACCURACY_CLIENTS)}`,
    );

    // 2. Ban propagation.
    const banTimes: number[] = [];
    const unbanTimes: number[] = [];
    const banned = (code: number) => code === 403;
    for (let round = 0; round < BAN_ROUNDS; round++) {
      const ip = `192.0.2.${round + 1}`;
      let t0 = performance.now();
      const ban = fetch(`${replicas[0]!.url}/admin/ban/${ip}`, { method: 'POST' }).then((r) => r.json());
      banTimes.push(...(await Promise.all(replicas.slice(1).map((r) => firstAnswer(r.url, ip, banned, t0)))));
      await ban;
      t0 = performance.now();
      const unban = fetch(`${replicas[0]!.url}/admin/unban/${ip}`, { method: 'POST' }).then((r) => r.json());
      unbanTimes.push(
        ...(await Promise.all(replicas.slice(1).map((r) => firstAnswer(r.url, ip, (c) => c === 200, t0)))),
      );
      await unban;
    }
    const banMax = Math.max(...banTimes);
    const unbanMax = Math.max(...unbanTimes);
    console.log(
      `\n2. Ban propagation (${BAN_ROUNDS} rounds × replicas 2–4, from the admin request on replica 1) — ${load()}`,
    );
    console.log(`   ban → first 403:   median ${ms(median(banTimes))}, max ${ms(banMax)} — ${verdict(banMax <= 100)}`);
    console.log(
      `   unban → first 200: median ${ms(median(unbanTimes))}, max ${ms(unbanMax)} — ${verdict(unbanMax <= 100)}`,
    );

    // 3. Outage.
    const outageClients = addresses('198.18.0.0', 65_536);
    const phase = (seconds: number) =>
      Promise.all(
        replicas.map((r) => runLoad({ url: `${r.url}/`, connections: 8, duration: seconds, clients: outageClients })),
      );
    const baseline = await phase(2);
    const before = await Promise.all(replicas.map(status));
    let restartedAt = 0;
    let killedFor = 0;
    let backAfter = Number.POSITIVE_INFINITY;
    const outage = phase(7);
    await sleep(500);
    const killedAt = performance.now();
    await redis.stop();
    await sleep(OUTAGE_MS);
    await redis.start();
    restartedAt = performance.now();
    killedFor = restartedAt - killedAt;
    while (performance.now() - restartedAt < 15_000) {
      const all = await Promise.all(replicas.map(status));
      if (all.every((s) => onRedis(s.status))) {
        backAfter = performance.now() - restartedAt;
        break;
      }
      await sleep(20);
    }
    const during = await outage;
    const after = await Promise.all(replicas.map(status));
    const maxOf = (rs: readonly LoadResult[]) => Math.max(...rs.map((r) => r.latency.max));
    const p99Of = (rs: readonly LoadResult[]) => Math.max(...rs.map((r) => r.latency.p99));
    const sum = (rs: readonly LoadResult[], f: (r: LoadResult) => number) => rs.reduce((a, r) => a + f(r), 0);
    const memory = after.reduce((a, s, i) => a + s.decisions.memory - before[i]!.decisions.memory, 0);
    const fromRedis = after.reduce((a, s, i) => a + s.decisions.redis - before[i]!.decisions.redis, 0);
    const outageMax = maxOf(during);
    console.log(
      `\n3. Outage (Redis SIGKILLed ${ms(killedFor)} under load on 4 replicas, restarted; command timeout ${COMMAND_TIMEOUT_MS} ms, retry after ${RETRY_AFTER_MS} ms) — ${load()}`,
    );
    console.log(
      `   baseline (2 s, Redis up): ${sum(baseline, (r) => r.requests.total)} requests, p99 ${ms(p99Of(baseline))}, max latency ${ms(maxOf(baseline))}`,
    );
    console.log(
      `   with the outage (7 s): ${sum(during, (r) => r.requests.total)} requests, p99 ${ms(p99Of(during))}, max latency ${ms(outageMax)} — ${verdict(outageMax <= 2 * COMMAND_TIMEOUT_MS)} (≤ ${2 * COMMAND_TIMEOUT_MS} ms)`,
    );
    console.log(
      `   statuses: ${statusCounts(during)}; socket errors ${sum(during, (r) => r.errors)}, timeouts ${sum(during, (r) => r.timeouts)}`,
    );
    console.log(`   rate-limit decisions: ${fromRedis} from Redis, ${memory} from memory (fallback)`);
    console.log(
      `   every replica back on Redis ${Number.isFinite(backAfter) ? ms(backAfter) : 'NOT within 15 s'} after Redis answered again`,
    );

    // 4. Overhead.
    const overheadClients = addresses('198.19.0.0', 65_000);
    const sides: Array<{ name: string; server: Server; runs: LoadResult[] }> = [
      { name: 'no guard', server: bare, runs: [] },
      { name: 'guarded (every check)', server: replicas[0]!, runs: [] },
      { name: 'our rate limit alone', server: guardRl, runs: [] },
      { name: 'rate-limiter-flexible alone', server: rlflex, runs: [] },
      // Isolates the cost of the Redis round trip from the guard's own work.
      { name: 'guarded, Redis disabled', server: inMemory, runs: [] },
    ];
    const measure = (server: Server, seconds: number) =>
      runLoad({ url: `${server.url}/`, connections: 10, duration: seconds, clients: overheadClients });
    const memoryStatus = await status(inMemory);
    if (!Object.values(memoryStatus.status.cloudProviders).every((p) => p.ready)) {
      throw new Error('the Redis-disabled app has not loaded its cloud ranges');
    }
    for (const side of sides) await measure(side.server, 1); // warm-up (JIT)
    for (let round = 0; round < OVERHEAD_ROUNDS; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) side.runs.push(await measure(side.server, OVERHEAD_SECONDS));
    }
    console.log(
      `\n4. Overhead (one process each, 10 connections, ${OVERHEAD_ROUNDS} interleaved rounds × ${OVERHEAD_SECONDS} s, medians) — ${load()}`,
    );
    const figures = sides.map((side) => ({
      name: side.name,
      rps: median(side.runs.map((r) => r.requests.average)),
      p99: median(side.runs.map((r) => r.latency.p99)),
      statuses: statusCounts(side.runs),
    }));
    for (const f of figures)
      console.log(`   ${f.name.padEnd(28)} ${f.rps.toFixed(0).padStart(6)} req/s, p99 ${ms(f.p99)} (${f.statuses})`);
    const [none, guarded, ours, theirs, _memoryOnly] = figures as [
      (typeof figures)[0],
      (typeof figures)[0],
      (typeof figures)[0],
      (typeof figures)[0],
      (typeof figures)[0],
    ];
    const ratio = guarded.rps / none.rps;
    console.log(
      `   guarded / no guard: ${ratio.toFixed(2)}× throughput, ${p99Ratio(guarded.p99, none.p99)} — ${verdict(ratio >= 0.85)} (≥ 0.85×)`,
    );
    console.log(
      `   our rate limit / rate-limiter-flexible: ${(ours.rps / theirs.rps).toFixed(2)}× throughput, ${p99Ratio(ours.p99, theirs.p99)}`,
    );
    console.log(
      `   guarded (every check) / rate-limiter-flexible alone: ${(guarded.rps / theirs.rps).toFixed(2)}× throughput`,
    );
    console.log(`\nwhole bench: ${((performance.now() - began) / 1000).toFixed(1)} s; at end ${load()}`);
  } finally {
    await Promise.all(servers.map(stopServer));
    await feeds.close();
    await redis.dispose();
  }
}

await main();
