/**
 * Sync bridge benchmark: `npm run bench:bridge` (via tsx; needs `npm run build` for the worker).
 *
 * In one process, after a warm-up, runs interleaved blocks (reference/sync-bridge.md §(c)) of:
 *   (a) a no-op round trip through the bridge (the worker's built-in ping);
 *   (b) sync `getKey` (the generated sync RedisManager, through the bridge);
 *   (c) async `getKey` on the main thread, awaited one call at a time;
 *   (d) the same no-op through synckit (reference only; a dev dependency);
 * on a private redis-server spawned on a free port (never the shared 6379). Each call is timed on
 * its own; the table shows medians, p90 and the calling thread's CPU time per call (spinning shows
 * up there). Targets: sync getKey ≤ 1.25× async getKey; no-op ≤ 0.5× synckit's no-op.
 *
 * Flags: --spin=<µs> --poll=<µs> (bridge waiting strategy), --rounds=<n>, --block=<n>.
 * Figures are printed, never asserted (timings on a shared 2-core machine are noisy).
 */
import { cpus, loadavg } from 'node:os';
import { createSyncFn } from 'synckit';
import { RedisManager as AsyncRedisManager } from '../src/index.js';
import { closeSyncBridge, configureSyncBridge, RedisManager as SyncRedisManager, silentLogger } from '../src/sync.js';
import { bridgeChannel } from '../src/bridge/runtime.js';
import { PING_OP } from '../src/bridge/protocol.js';
import { startPrivateRedis } from '../test/support/redis-server.js';

const flags = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    return match ? [[match[1], Number(match[2])] as const] : [];
  }),
);
const ROUNDS = flags.get('rounds') ?? 20;
const BLOCK = flags.get('block') ?? 200;
const WARMUP = 2_000;

interface Path {
  readonly label: string;
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

function summary(path: Path): { median: number; p90: number; cpu: number } {
  const sorted = [...path.times].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), cpu: path.cpuMicros / path.times.length };
}

async function main(): Promise<void> {
  const spin = flags.get('spin');
  const poll = flags.get('poll');
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
  const load = loadavg();
  try {
    syncManager.initialize();
    await asyncManager.initialize();
    await asyncManager.setKey('ns', 'key', 'a value of some thirty bytes...');
    const channel = bridgeChannel();
    const paths: Path[] = [
      { label: '(a) bridge no-op', run: () => channel.call(PING_OP, [], 5_000), async: false, times: [], cpuMicros: 0 },
      { label: '(b) sync getKey', run: () => syncManager.getKey('ns', 'key'), async: false, times: [], cpuMicros: 0 },
      { label: '(c) async getKey', run: () => asyncManager.getKey('ns', 'key'), async: true, times: [], cpuMicros: 0 },
      { label: '(d) synckit no-op', run: () => synckitNoop(1), async: false, times: [], cpuMicros: 0 },
    ];
    for (const path of paths) {
      await timeBlock(path, WARMUP);
      path.times.length = 0;
      path.cpuMicros = 0;
    }
    for (let round = 0; round < ROUNDS; round++) {
      // rotate the order so no path always follows the same one
      for (let i = 0; i < paths.length; i++) await timeBlock(paths[(round + i) % paths.length]!, BLOCK);
    }
    report(paths, load, { spin, poll });
  } finally {
    syncManager.close();
    await asyncManager.close();
    closeSyncBridge();
    await server.dispose();
  }
}

function report(paths: readonly Path[], loadBefore: number[], waiting: { spin?: number; poll?: number }): void {
  const [noop, syncGet, asyncGet, synckit] = paths.map(summary) as [
    ReturnType<typeof summary>,
    ReturnType<typeof summary>,
    ReturnType<typeof summary>,
    ReturnType<typeof summary>,
  ];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Node ${process.version}, ${cpus().length} × ${cpu}`);
  console.log(
    `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${ROUNDS} rounds × ${BLOCK} calls per path, interleaved`,
  );
  console.log(`bridge waiting: spin ${waiting.spin ?? 'default'} µs, worker poll ${waiting.poll ?? 'default'} µs`);
  console.log('path                 median µs     p90 µs   caller CPU µs/call');
  for (const [i, s] of [noop, syncGet, asyncGet, synckit].entries()) {
    console.log(
      `${paths[i]!.label.padEnd(20)} ${s.median.toFixed(1).padStart(9)} ${s.p90.toFixed(1).padStart(10)} ${s.cpu.toFixed(1).padStart(12)}`,
    );
  }
  const getRatio = syncGet.median / asyncGet.median;
  const noopRatio = noop.median / synckit.median;
  console.log(`sync getKey / async getKey (median): ${getRatio.toFixed(2)}  (target ≤ 1.25)`);
  console.log(`bridge no-op / synckit no-op (median): ${noopRatio.toFixed(2)}  (target ≤ 0.5)`);
  console.log(
    `p90 ratios: getKey ${(syncGet.p90 / asyncGet.p90).toFixed(2)}, no-op ${(noop.p90 / synckit.p90).toFixed(2)}`,
  );
}

await main();
