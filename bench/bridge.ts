/**
 * Sync bridge benchmark: `npm run bench:bridge` (via tsx; needs `npm run build` for the worker).
 *
 * Each measuring process, after a warm-up, runs interleaved blocks (reference/sync-bridge.md §(c))
 * of:
 *   (a) a no-op round trip through the bridge (the worker's built-in ping);
 *   (b) sync `getKey` (the generated sync RedisManager, through the bridge);
 *   (c) async `getKey` on the main thread, awaited one call at a time;
 *   (d) the same kind of no-op through synckit (reference only; a dev dependency);
 * on a private redis-server spawned on a free port (never the shared 6379). Every call is timed on
 * its own. The run repeats this in several fresh processes and reports the median of their
 * medians with the min–max spread, since one process can land in a slow or fast scheduling mode
 * for its whole life. Targets: sync getKey ≤ 1.25× async getKey; no-op ≤ 0.5× synckit's no-op.
 *
 * Flags: --processes=<n> (default 5), --spin=<µs> --poll=<µs> (bridge waiting strategy),
 * --rounds=<n> --block=<n> (blocks per path and calls per block).
 * Figures are printed, never asserted (timings on a shared 2-core machine are noisy).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import { RedisManager as AsyncRedisManager } from '../src/index.js';
import { closeSyncBridge, configureSyncBridge, RedisManager as SyncRedisManager, silentLogger } from '../src/sync.js';
import { bridgeChannel } from '../src/bridge/runtime.js';
import { PING_OP } from '../src/bridge/protocol.js';
import { startPrivateRedis } from '../test/support/redis-server.js';

const flags = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z]+)(?:=(.+))?$/.exec(arg);
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

/** One measuring process: prints its four Stats as a JSON line. */
async function measure(): Promise<void> {
  const spin = numberFlag('spin');
  const poll = numberFlag('poll');
  configureSyncBridge({
    ...(spin === undefined ? {} : { spinMicros: spin }),
    ...(poll === undefined ? {} : { pollMicros: poll }),
  });
  const server = await startPrivateRedis();
  const config = { redisUrl: server.url, redisPrefix: 'bench:bridge:', logger: silentLogger };
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
    process.stdout.write(`${JSON.stringify(paths.map(stats))}\n`);
  } finally {
    syncManager.close();
    await asyncManager.close();
    closeSyncBridge();
    await server.dispose();
  }
}

/** Runs `--processes` measuring processes one after another and summarises them. */
function orchestrate(): void {
  const processes = numberFlag('processes') ?? 5;
  const forwarded = process.argv.slice(2).filter((arg) => !arg.startsWith('--processes'));
  const script = fileURLToPath(import.meta.url);
  const loadBefore = loadavg();
  const runs: Stats[][] = [];
  for (let i = 0; i < processes; i++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', ...forwarded], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`measuring process failed:\n${child.stderr}`);
    const run = JSON.parse(child.stdout.trim().split('\n').pop()!) as Stats[];
    runs.push(run);
    console.log(
      `process ${i + 1}: ${run.map((s, j) => `${LABELS[j]!.slice(4)} ${s.median.toFixed(1)}`).join(' | ')} µs` +
        ` → getKey ratio ${(run[1]!.median / run[2]!.median).toFixed(2)}, no-op ratio ${(run[0]!.median / run[3]!.median).toFixed(2)}`,
    );
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

function report(runs: readonly Stats[][], loadBefore: number[]): void {
  console.log(`\nNode ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(
    `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `${runs.length} processes × ${ROUNDS} rounds × ${BLOCK} calls per path, interleaved; bridge spin ` +
      `${flags.get('spin') ?? 'default'} µs, worker poll ${flags.get('poll') ?? 'default'} µs`,
  );
  console.log('path                 median µs (min–max)     p90 µs (min–max)      process CPU µs/call');
  LABELS.forEach((label, i) => {
    const medians = runs.map((r) => r[i]!.median);
    const p90s = runs.map((r) => r[i]!.p90);
    const cpu = runs.map((r) => r[i]!.cpu);
    console.log(
      `${label.padEnd(20)} ${median(medians).toFixed(1).padStart(7)} (${spread(medians)})`.padEnd(45) +
        `${median(p90s).toFixed(1).padStart(7)} (${spread(p90s)})`.padEnd(24) +
        `${median(cpu).toFixed(1).padStart(7)}`,
    );
  });
  const getRatios = runs.map((r) => r[1]!.median / r[2]!.median);
  const noopRatios = runs.map((r) => r[0]!.median / r[3]!.median);
  console.log(
    `sync getKey / async getKey: median ${median(getRatios).toFixed(2)} (${spread(getRatios, 2)})  target ≤ 1.25`,
  );
  console.log(
    `bridge no-op / synckit no-op: median ${median(noopRatios).toFixed(2)} (${spread(noopRatios, 2)})  target ≤ 0.5`,
  );
}

if (flags.has('child')) await measure();
else orchestrate();
