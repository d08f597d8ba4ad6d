/**
 * Rate-limit benchmark: `npm run bench:rate-limit` (runs from source via tsx).
 *
 * One run, one private redis-server on a free port (never the shared 6379), side by side:
 *   1. Redis, serial: our `RateLimitManager.check` vs rate-limiter-flexible's
 *      `RateLimiterRedis.consume` (same ioredis; `useRedisPackage` false, `storeClient` an ioredis
 *      client), one awaited call at a time, each timed — median and p90;
 *   2. Redis, throughput: bursts of 1,000 concurrent calls (`Promise.all`), calls per second;
 *   3. memory: our check with Redis disabled vs `RateLimiterMemory.consume`, serial, calls per second.
 * The paths run in interleaved blocks so drift on a shared machine hits both alike. Every call is
 * admitted on both sides (distinct clients per Redis call; a pool of 10,000 clients and a limit
 * nobody reaches in memory), so both measure the same "record a hit" work. rate-limiter-flexible
 * counts a fixed window (INCR); ours is an exact sliding window (sorted set). Figures are
 * printed, never asserted. Targets: Redis throughput ≥ 1.0× and serial latency ≤ 1.1× of
 * rate-limiter-flexible's; in-memory ≥ 1.0×.
 */
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { RateLimitManager, RedisManager, silentLogger } from '../src/index.js';
import { formatIpv4 } from '../src/core/cloud/ip.js';
import { startPrivateRedis } from '../test/support/redis-server.js';

const SERIAL_ROUNDS = 10;
const SERIAL_BLOCK = 1_000;
const BURST = 1_000;
const BURST_ROUNDS = 12;
const MEMORY_ROUNDS = 10;
const MEMORY_BLOCK = 20_000;
const MEMORY_POOL = 10_000;

let nextClient = 0;
/** A client address no earlier Redis call used (so every call is admitted on both sides). */
const freshIp = (): string => formatIpv4(0x0b000000 + nextClient++);

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const median = (values: readonly number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const fmt = (n: number, digits = 1) => n.toFixed(digits);

interface Side {
  readonly name: string;
  readonly call: (ip: string) => Promise<unknown>;
}

async function serialBlock(side: Side, times: number[]): Promise<void> {
  for (let i = 0; i < SERIAL_BLOCK; i++) {
    const ip = freshIp();
    const start = process.hrtime.bigint();
    await side.call(ip);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
  }
}

async function burstRate(side: Side): Promise<number> {
  const ips = Array.from({ length: BURST }, freshIp);
  const start = process.hrtime.bigint();
  await Promise.all(ips.map((ip) => side.call(ip)));
  return BURST / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function memoryRate(side: Side, pool: readonly string[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < MEMORY_BLOCK; i++) await side.call(pool[i % MEMORY_POOL]!);
  return MEMORY_BLOCK / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function main(): Promise<void> {
  const server = await startPrivateRedis();
  const started = performance.now();
  const handler = new RedisManager({ redisUrl: server.url, redisPrefix: 'bench:', logger: silentLogger });
  await handler.initialize();
  const ours = new RateLimitManager({
    redisPrefix: 'bench:',
    logger: silentLogger,
    rateLimit: 10,
    rateLimitWindow: 60,
  });
  await ours.initializeRedis(handler);
  // The same ioredis settings our seam uses by default (a 2 s command timeout, one retry), so both
  // sides pay the same per-command timer and neither can hang: like for like.
  const client = new Redis(server.url, { commandTimeout: 2000, maxRetriesPerRequest: 1 });
  const theirs = new RateLimiterRedis({
    storeClient: client,
    useRedisPackage: false,
    points: 10,
    duration: 60,
    keyPrefix: 'rlflx',
  });
  const redisSides: Side[] = [
    { name: 'guard-core check (Redis)', call: (ip) => ours.check(ip) },
    { name: 'rate-limiter-flexible consume (Redis)', call: (ip) => theirs.consume(ip) },
  ];
  const probe = await ours.check(freshIp());
  if (probe.source !== 'redis') throw new Error('our limiter is not on Redis');

  // warm-up (JIT, script cache on the server)
  for (const side of redisSides) {
    const warm: number[] = [];
    await serialBlock(side, warm);
    await burstRate(side);
  }

  const serial = redisSides.map(() => [] as number[]);
  for (let round = 0; round < SERIAL_ROUNDS; round++) {
    for (let s = 0; s < redisSides.length; s++) {
      const order = round % 2 === 0 ? s : redisSides.length - 1 - s;
      await serialBlock(redisSides[order]!, serial[order]!);
    }
  }
  const bursts = redisSides.map(() => [] as number[]);
  for (let round = 0; round < BURST_ROUNDS; round++) {
    for (let s = 0; s < redisSides.length; s++) {
      const order = round % 2 === 0 ? s : redisSides.length - 1 - s;
      bursts[order]!.push(await burstRate(redisSides[order]!));
    }
  }

  const pool = Array.from({ length: MEMORY_POOL }, (_, i) => formatIpv4(0x0c000000 + i));
  const memOurs = new RateLimitManager({
    enableRedis: false,
    logger: silentLogger,
    rateLimit: 1_000_000,
    rateLimitWindow: 60,
  });
  const memTheirs = new RateLimiterMemory({ points: 1_000_000, duration: 60 });
  const memorySides: Side[] = [
    { name: 'guard-core check (memory)', call: (ip) => memOurs.check(ip) },
    { name: 'rate-limiter-flexible RateLimiterMemory', call: (ip) => memTheirs.consume(ip) },
  ];
  for (const side of memorySides) await memoryRate(side, pool); // warm-up
  const memory = memorySides.map(() => [] as number[]);
  for (let round = 0; round < MEMORY_ROUNDS; round++) {
    for (let s = 0; s < memorySides.length; s++) {
      const order = round % 2 === 0 ? s : memorySides.length - 1 - s;
      memory[order]!.push(await memoryRate(memorySides[order]!, pool));
    }
  }

  const lines: string[] = [];
  lines.push(`rate-limit benchmark (node ${process.version}, one private redis-server)`);
  lines.push(`Redis, serial (${SERIAL_ROUNDS * SERIAL_BLOCK} calls each, µs per call):`);
  const stats = serial.map((times) => {
    const sorted = [...times].sort((a, b) => a - b);
    return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
  });
  redisSides.forEach((side, i) =>
    lines.push(`  ${side.name.padEnd(42)} median ${fmt(stats[i]!.median)}  p90 ${fmt(stats[i]!.p90)}`),
  );
  lines.push(
    `  latency ratio ours/theirs: median ${fmt(stats[0]!.median / stats[1]!.median, 2)}×, p90 ${fmt(stats[0]!.p90 / stats[1]!.p90, 2)}× (target ≤ 1.10×)`,
  );
  lines.push(`Redis, throughput at ${BURST} concurrent calls (median of ${BURST_ROUNDS} bursts, calls/s):`);
  const burstMedians = bursts.map(median);
  redisSides.forEach((side, i) => lines.push(`  ${side.name.padEnd(42)} ${fmt(burstMedians[i]!, 0)}`));
  lines.push(`  throughput ratio ours/theirs: ${fmt(burstMedians[0]! / burstMedians[1]!, 2)}× (target ≥ 1.00×)`);
  lines.push(
    `memory, serial (median of ${MEMORY_ROUNDS} blocks of ${MEMORY_BLOCK} calls over ${MEMORY_POOL} clients, calls/s):`,
  );
  const memoryMedians = memory.map(median);
  memorySides.forEach((side, i) => lines.push(`  ${side.name.padEnd(42)} ${fmt(memoryMedians[i]!, 0)}`));
  lines.push(`  in-memory ratio ours/theirs: ${fmt(memoryMedians[0]! / memoryMedians[1]!, 2)}× (target ≥ 1.00×)`);
  lines.push(`total ${fmt((performance.now() - started) / 1000)} s`);
  console.log(lines.join('\n'));

  client.disconnect();
  await handler.close();
  await server.dispose();
  process.exit(0); // RateLimiterMemory keeps expiry timers per key
}

await main();
