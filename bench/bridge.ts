/**
 * Sync bridge benchmark: `npm run bench:bridge` (via tsx; needs `npm run build` for the worker).
 *
 * Each measuring process, after a warm-up, runs interleaved blocks (reference/sync-bridge.md §(c))
 * of:
 *   (a) a no-op round trip through the bridge (the worker's built-in ping);
 *   (b) sync `getKey` (the generated sync RedisManager, through the bridge);
 *   (c) async `getKey` on the main thread, awaited one call at a time;
 *   (d) the same kind of no-op through synckit (reference only; a dev dependency);
 * against a private redis-server started here on a free port (never the shared 6379). Every call
 * is timed on its own. The run repeats this in several fresh processes and reports the median of
 * their medians and of their p90s, with the min–max spread, since one process can land in a slow
 * or fast scheduling mode for its whole life.
 *
 * Two configurations, one after the other:
 *   - "two cores": the measuring process and redis-server unpinned (the whole machine);
 *   - "one core": the measuring process under `taskset -c 0` and redis-server under
 *     `taskset -c 1` — the app of a one-core container talking to a Redis elsewhere. The bridge
 *     sees one usable core and does not busy-wait (its default `'auto'` waiting strategy).
 * Targets: sync getKey ≤ 1.25× async getKey at the median and at p90, in both configurations.
 *
 * Flags: --cores=1|2|both (default both), --processes=<n> (default 5), --spin=<µs> --poll=<µs>
 * (override the bridge's automatic waiting strategy), --rounds=<n> --block=<n> (blocks per path
 * and calls per block). The load average is printed before and after each configuration: the
 * machine may be shared. Figures are printed, never asserted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import { RedisManager as AsyncRedisManager } from '../src/index.js';
import { closeSyncBridge, configureSyncBridge, RedisManager as SyncRedisManager, silentLogger } from '../src/sync.js';
import { bridgeChannel, bridgeWaiting } from '../src/bridge/runtime.js';
import { PING_OP } from '../src/bridge/protocol.js';
import { freePort, waitForPong } from '../test/support/redis-server.js';

const flags = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z-]+)(?:=(.+))?$/.exec(arg);
    return match ? [[match[1]!, match[2] ?? 'true'] as const] : [];
  }),
);
const numberFlag = (name: string): number | undefined => (flags.has(name) ? Number(flags.get(name)) : undefined);
const ROUNDS = numberFlag('rounds') ?? 20;
const BLOCK = numberFlag('block') ?? 200;
const WARMUP = 2_000;
const LABELS = ['(a) bridge no-op', '(b) sync getKey', '(c) async getKey', '(d) synckit no-op'] as const;

interface Stats {
  readonly median: number;
  readonly p90: number;
  /** CPU time of the whole process (all threads) per call, in µs: spinning and polling show up here. */
  readonly cpu: number;
}

/** What one measuring process prints. */
interface ProcessReport {
  readonly stats: Stats[];
  /** The bridge's waiting strategy as it decided it in that process. */
  readonly waiting: { spinMicros: number; pollMicros: number; cores: number; affinity: number; quota: number | null };
}

interface Path {
  readonly run: () => unknown;
  readonly async: boolean;
  readonly times: number[];
  cpuMicros: number;
}

async function timeBlock(path: Path, calls: number): Promise<void> {
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    if (path.async) await path.run();
    else path.run();
    path.times.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  const cpu = process.cpuUsage(cpuBefore);
  path.cpuMicros += cpu.user + cpu.system;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function stats(path: Path): Stats {
  const sorted = [...path.times].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), cpu: path.cpuMicros / path.times.length };
}

/** One measuring process: prints a {@link ProcessReport} as a JSON line. */
async function measure(): Promise<void> {
  const spin = numberFlag('spin');
  const poll = numberFlag('poll');
  configureSyncBridge({
    ...(spin === undefined ? {} : { spinMicros: spin }),
    ...(poll === undefined ? {} : { pollMicros: poll }),
  });
  const redisUrl = flags.get('redis-url');
  if (redisUrl === undefined) throw new Error('--redis-url is required in a measuring process');
  const config = { redisUrl, redisPrefix: `bench:bridge:${process.pid}:`, logger: silentLogger };
  const syncManager = new SyncRedisManager(config);
  const asyncManager = new AsyncRedisManager(config);
  const synckitNoop = createSyncFn<(value: number) => Promise<number>>(
    new URL('./synckit-noop-worker.mjs', import.meta.url).href,
  );
  try {
    syncManager.initialize();
    await asyncManager.initialize();
    await asyncManager.setKey('ns', 'key', 'a value of some thirty bytes...');
    const channel = bridgeChannel();
    const path = (run: () => unknown, async = false): Path => ({ run, async, times: [], cpuMicros: 0 });
    const paths: Path[] = [
      path(() => channel.call(PING_OP, [], 5_000)),
      path(() => syncManager.getKey('ns', 'key')),
      path(() => asyncManager.getKey('ns', 'key'), true),
      path(() => synckitNoop(1)),
    ];
    for (const p of paths) {
      await timeBlock(p, WARMUP);
      p.times.length = 0;
      p.cpuMicros = 0;
    }
    for (let round = 0; round < ROUNDS; round++) {
      // rotate the order so no path always follows the same one
      for (let i = 0; i < paths.length; i++) await timeBlock(paths[(round + i) % paths.length]!, BLOCK);
    }
    const waiting = bridgeWaiting();
    const report: ProcessReport = {
      stats: paths.map(stats),
      waiting: {
        spinMicros: waiting.spinMicros,
        pollMicros: waiting.pollMicros,
        ...waiting.usable,
      },
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await asyncManager.deletePattern('*');
    syncManager.close();
    await asyncManager.close();
    closeSyncBridge();
  }
}

/** A configuration of the run: how the measuring processes and redis-server are placed. */
interface Placement {
  readonly name: string;
  /** `taskset` CPU list for the measuring processes, null = unpinned. */
  readonly app: string | null;
  /** `taskset` CPU list for redis-server, null = unpinned. */
  readonly redis: string | null;
}

const PLACEMENTS: Readonly<Record<string, Placement>> = {
  '2': { name: 'two cores (app and redis-server unpinned)', app: null, redis: null },
  '1': { name: 'one core (app: taskset -c 0, redis-server: taskset -c 1)', app: '0', redis: '1' },
};

function pinned(cpuList: string | null, command: string, args: readonly string[]): [string, string[]] {
  return cpuList === null ? [command, [...args]] : ['taskset', ['-c', cpuList, command, ...args]];
}

/** A private redis-server placed as asked; killed by `stop`. */
async function startRedis(cpuList: string | null): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'guard-core-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const [command, argv] = pinned(cpuList, 'redis-server', args);
  const child: ChildProcess = spawn(command, argv, { stdio: 'ignore' });
  const stop = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPong(port, 5_000);
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/** Runs `--processes` measuring processes one after another for one placement and summarises them. */
async function runPlacement(placement: Placement): Promise<void> {
  const processes = numberFlag('processes') ?? 5;
  const forwarded = process.argv.slice(2).filter((arg) => !/^--(processes|cores)(=|$)/.test(arg));
  const script = fileURLToPath(import.meta.url);
  const redis = await startRedis(placement.redis);
  const loadBefore = loadavg();
  const runs: ProcessReport[] = [];
  console.log(`\n== ${placement.name}`);
  try {
    for (let i = 0; i < processes; i++) {
      const nodeArgs = ['--import', 'tsx', script, '--child', `--redis-url=${redis.url}`, ...forwarded];
      const [command, argv] = pinned(placement.app, process.execPath, nodeArgs);
      const child = spawnSync(command, argv, { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`measuring process failed:\n${child.stderr}`);
      const run = JSON.parse(child.stdout.trim().split('\n').pop()!) as ProcessReport;
      runs.push(run);
      const s = run.stats;
      console.log(
        `process ${i + 1}: ${s.map((x, j) => `${LABELS[j]!.slice(4)} ${x.median.toFixed(1)}/${x.p90.toFixed(1)}`).join(' | ')} µs (median/p90)` +
          ` → getKey ratio ${(s[1]!.median / s[2]!.median).toFixed(2)} / ${(s[1]!.p90 / s[2]!.p90).toFixed(2)}`,
      );
    }
  } finally {
    redis.stop();
  }
  report(runs, loadBefore);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function spread(values: readonly number[], digits = 1): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

const loadText = (load: readonly number[]): string => load.map((l) => l.toFixed(2)).join(' ');

function report(runs: readonly ProcessReport[], loadBefore: number[]): void {
  const waiting = runs[0]!.waiting;
  console.log(`load average before ${loadText(loadBefore)}, after ${loadText(loadavg())}`);
  console.log(
    `${runs.length} processes × ${ROUNDS} rounds × ${BLOCK} calls per path, interleaved; bridge saw ` +
      `${waiting.cores} usable core(s) (affinity ${waiting.affinity}, cgroup quota ${waiting.quota ?? 'none'}) → ` +
      `caller spin ${waiting.spinMicros} µs, worker poll ${waiting.pollMicros} µs` +
      (flags.has('spin') || flags.has('poll') ? ' (set by flags)' : ' (automatic)'),
  );
  console.log('path                 median µs (min–max)     p90 µs (min–max)      process CPU µs/call');
  LABELS.forEach((label, i) => {
    const medians = runs.map((r) => r.stats[i]!.median);
    const p90s = runs.map((r) => r.stats[i]!.p90);
    const cpu = runs.map((r) => r.stats[i]!.cpu);
    console.log(
      `${label.padEnd(20)} ${median(medians).toFixed(1).padStart(7)} (${spread(medians)})`.padEnd(45) +
        `${median(p90s).toFixed(1).padStart(7)} (${spread(p90s)})`.padEnd(24) +
        `${median(cpu).toFixed(1).padStart(7)}`,
    );
  });
  const medianRatios = runs.map((r) => r.stats[1]!.median / r.stats[2]!.median);
  const p90Ratios = runs.map((r) => r.stats[1]!.p90 / r.stats[2]!.p90);
  const noopRatios = runs.map((r) => r.stats[0]!.median / r.stats[3]!.median);
  const verdict = (ratio: number): string => (ratio <= 1.25 ? 'met' : 'NOT met');
  console.log(
    `sync getKey / async getKey, median: ${median(medianRatios).toFixed(2)} (${spread(medianRatios, 2)})  ` +
      `target ≤ 1.25: ${verdict(median(medianRatios))}`,
  );
  console.log(
    `sync getKey / async getKey, p90:    ${median(p90Ratios).toFixed(2)} (${spread(p90Ratios, 2)})  ` +
      `target ≤ 1.25: ${verdict(median(p90Ratios))}`,
  );
  console.log(`bridge no-op / synckit no-op, median: ${median(noopRatios).toFixed(2)} (${spread(noopRatios, 2)})`);
}

async function orchestrate(): Promise<void> {
  console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`);
  const cores = flags.get('cores') ?? 'both';
  const wanted = cores === 'both' ? ['2', '1'] : [cores];
  for (const key of wanted) {
    const placement = PLACEMENTS[key];
    if (placement === undefined) throw new Error(`--cores must be 1, 2 or both, got ${cores}`);
    if (placement.app !== null && !hasTaskset()) {
      console.log(`\n== ${placement.name}: skipped, \`taskset\` is not on PATH (util-linux)`);
      continue;
    }
    if (placement.app !== null && availableParallelism() < 2) {
      console.log(`\n== ${placement.name}: skipped, this process can use only one core (nothing to pin apart)`);
      continue;
    }
    await runPlacement(placement);
  }
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

if (flags.has('child')) await measure();
else await orchestrate();
