/**
 * IP-ban request-path benchmark: `npm run bench:ip-ban` (via tsx; the sync rows need the built
 * bridge worker, i.e. `npm run build` once).
 *
 * One private redis-server (never the shared 6379), pre-loaded with 1,000 exact bans and 20
 * network bans in the original's format. Then, for an address that is NOT banned (the common
 * case), it measures `isIpBanned`:
 *   - async API, one check at a time, and 100 checks in flight;
 *   - sync API, one check at a time (each check drains the event subscription: one worker-thread
 *     crossing, no Redis round trip);
 * beside a plain ioredis `GET` per check (what a cache-less ban check costs), serial and 100 in
 * flight, and the sync API's own `getKey` (a bridge crossing plus a round trip). Per row: checks per second, and Redis work per check from `INFO commandstats` deltas
 * (`CONFIG RESETSTAT` before each row): round trips (top-level commands: SCAN pages, EVALSHA, GET)
 * and every command Redis ran (script-internal GET/PTTL included). The manager's background
 * resyncs (one per `ipBanSyncIntervalMs`, default 1 s) run during the rows and are counted:
 * the figures are amortised over the checks. Figures are printed, never asserted.
 *
 * Flags: --seconds=<n> per row (default 3), --bans=<n> (default 1000).
 */
import { Redis } from 'ioredis';
import { IPBanManager, pythonFloatText, RedisManager, silentLogger } from '../src/index.js';
import * as sync from '../src/sync.js';
import { startPrivateRedis } from '../test/support/redis-server.js';

const flags = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z]+)=(.+)$/.exec(arg);
    return match ? [[match[1]!, match[2]!] as const] : [];
  }),
);
const SECONDS = Number(flags.get('seconds') ?? 3);
const BANS = Number(flags.get('bans') ?? 1000);
const CONCURRENCY = 100;
const PREFIX = 'bench:';
const PROBE_IP = '198.18.0.1'; // never banned

/** Redis commands per name since the last reset. */
async function commandStats(raw: Redis): Promise<Map<string, number>> {
  const text = await raw.info('commandstats');
  const out = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(match[1]!, Number(match[2]));
  return out;
}

interface Row {
  readonly label: string;
  readonly checksPerSecond: number;
  readonly roundTripsPerCheck: number;
  readonly commandsPerCheck: number;
}

/**
 * Runs `step` (which performs `perStep` checks) for SECONDS and reads the Redis work it caused.
 * Round trips = every command the clients sent (script-internal GET/PTTL subtracted: the read
 * script runs one PTTL beside each GET it makes).
 */
async function measure(raw: Redis, label: string, perStep: number, step: () => Promise<void>): Promise<Row> {
  for (let i = 0; i < 200; i++) await step(); // warm-up
  await raw.config('RESETSTAT');
  let checks = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  while (performance.now() < deadline) {
    await step();
    checks += perStep;
  }
  const elapsed = (performance.now() - started) / 1000;
  const stats = await commandStats(raw);
  stats.delete('config');
  stats.delete('info');
  const commands = [...stats.values()].reduce((a, b) => a + b, 0);
  const internal = (stats.get('pttl') ?? 0) * 2 + (stats.get('del') ?? 0) + (stats.get('set') ?? 0);
  const roundTrips = commands - internal;
  return {
    label,
    checksPerSecond: checks / elapsed,
    roundTripsPerCheck: roundTrips / checks,
    commandsPerCheck: commands / checks,
  };
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const server = await startPrivateRedis();
  const raw = new Redis(server.url);
  const config = { redisUrl: server.url, redisPrefix: PREFIX, logger: silentLogger };
  const handler = new RedisManager(config);
  const bans = new IPBanManager(config);
  const syncHandler = new sync.RedisManager(config);
  const syncBans = new sync.IPBanManager(config);
  try {
    const expiry = pythonFloatText(Date.now() / 1000 + 3600);
    const pipeline = raw.pipeline();
    for (let i = 0; i < BANS; i++) {
      pipeline.set(`${PREFIX}banned_ips:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, expiry, 'EX', 3600);
    }
    for (let i = 0; i < 20; i++) pipeline.set(`${PREFIX}banned_networks:172.${16 + i}.0.0/16`, expiry, 'EX', 3600);
    await pipeline.exec();
    await raw.set(`${PREFIX}probe`, 'x');

    await bans.initializeRedis(handler);
    syncBans.initializeRedis(syncHandler);
    if ((await bans.isIpBanned(PROBE_IP)) || !(await bans.isIpBanned('10.0.0.7'))) throw new Error('bad setup');

    const rows: Row[] = [];
    let n = 0;
    rows.push(
      await measure(raw, 'async isIpBanned, serial', 100, async () => {
        // 100 checks, then let the event loop turn (a server's requests arrive through it).
        for (let i = 0; i < 100; i++) if (await bans.isIpBanned(PROBE_IP)) throw new Error('banned?');
        await yieldToLoop();
      }),
    );
    rows.push(
      await measure(raw, `async isIpBanned, ${CONCURRENCY} in flight`, CONCURRENCY, async () => {
        await Promise.all(Array.from({ length: CONCURRENCY }, () => bans.isIpBanned(PROBE_IP)));
        if (++n % 10 === 0) await yieldToLoop();
      }),
    );
    rows.push(
      await measure(raw, 'sync isIpBanned, serial', 100, async () => {
        for (let i = 0; i < 100; i++) if (syncBans.isIpBanned(PROBE_IP)) throw new Error('banned?');
        await yieldToLoop();
      }),
    );
    rows.push(
      await measure(raw, 'sync RedisManager.getKey, serial', 100, async () => {
        for (let i = 0; i < 100; i++) syncHandler.getKey('banned_ips', PROBE_IP);
        await yieldToLoop();
      }),
    );
    rows.push(
      await measure(raw, 'plain ioredis GET, serial', 1, async () => {
        await raw.get(`${PREFIX}banned_ips:${PROBE_IP}`);
      }),
    );
    rows.push(
      await measure(raw, `plain ioredis GET, ${CONCURRENCY} in flight`, CONCURRENCY, async () => {
        await Promise.all(Array.from({ length: CONCURRENCY }, () => raw.get(`${PREFIX}banned_ips:${PROBE_IP}`)));
      }),
    );

    const get = rows[4]!.checksPerSecond;
    console.log(
      `IP-ban check for a non-banned address; ${BANS} exact + 20 network bans in Redis; ${SECONDS} s per row`,
    );
    console.log(`(commands counted with INFO commandstats; background resyncs included, amortised)\n`);
    console.log(
      `${'path'.padEnd(36)} ${'checks/s'.padStart(12)} ${'×GET serial'.padStart(12)} ${'round trips/check'.padStart(18)} ${'commands/check'.padStart(15)}`,
    );
    for (const row of rows) {
      console.log(
        `${row.label.padEnd(36)} ${row.checksPerSecond.toFixed(0).padStart(12)} ${(row.checksPerSecond / get).toFixed(1).padStart(12)} ${row.roundTripsPerCheck.toFixed(5).padStart(18)} ${row.commandsPerCheck.toFixed(5).padStart(15)}`,
      );
    }
  } finally {
    await bans.close();
    await handler.close();
    syncBans.close();
    syncHandler.close();
    sync.closeSyncBridge();
    await raw.quit();
    await server.dispose();
  }
}

await main();
