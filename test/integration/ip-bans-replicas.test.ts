/**
 * Replicas agree: two IPBanManagers (each with its own Redis handler) on one Redis, both APIs,
 * plus one replica in a child process. Bans and unbans travel as events (applied at the next
 * check, no Redis round trip); writers that publish nothing (a Python replica) are caught by the
 * periodic resync, within 2 × ipBanSyncIntervalMs. Latencies are measured and printed, not timed
 * assertions (except the 100 ms bound on unbans and generous hang bounds).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { banApis, medianAndMax, tick, type BanManagerUnderTest, type HandlerUnderTest } from '../support/bans-apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

const ROUNDS = 50;
const SYNC_INTERVAL_MS = 200;
/** Hang bound of a propagation wait: far above any expected latency. */
const HANG_MS = 5000;

/** Checks `bans` (letting the event loop turn between checks) until it answers `expected`; the elapsed ms. */
async function waitFor(bans: BanManagerUnderTest, ip: string, expected: boolean, since: number): Promise<number> {
  for (;;) {
    if ((await bans.isIpBanned(ip)) === expected) return performance.now() - since;
    if (performance.now() - since > HANG_MS) throw new Error(`${ip} still ${!expected ? 'banned' : 'not banned'}`);
    await tick();
  }
}

describe.each(banApis)('two replicas on one Redis ($name API)', (api) => {
  let prefix: string;
  const handlers: HandlerUnderTest[] = [];
  const managers: BanManagerUnderTest[] = [];

  async function replica(extra: SecurityConfigInput = {}): Promise<BanManagerUnderTest> {
    const config: SecurityConfigInput = {
      redisUrl: redisUrl(),
      redisPrefix: prefix,
      logger: silentLogger,
      ipBanSyncIntervalMs: SYNC_INTERVAL_MS,
      ...extra,
    };
    const handler = api.createHandler(config);
    const bans = api.createBans(config);
    handlers.push(handler);
    managers.push(bans);
    await bans.initializeRedis(handler);
    return bans;
  }

  beforeEach(() => {
    prefix = uniquePrefix('bans-rep');
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    for (const h of handlers.splice(0)) await h.close();
    await deleteByPrefix(raw, prefix);
  });

  test(`ban on A is enforced by B; unban on A stops B within 100 ms (${ROUNDS} rounds, median and max printed)`, async () => {
    const a = await replica();
    const b = await replica();
    const banLatency: number[] = [];
    const unbanLatency: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const ip = `203.0.113.${i + 1}`;
      expect(await b.isIpBanned(ip)).toBe(false);
      let started = performance.now();
      expect(await a.banIp(ip, 60)).toBe(true);
      banLatency.push(await waitFor(b, ip, true, started));
      started = performance.now();
      expect(await a.unbanIp(ip)).toBe(true);
      unbanLatency.push(await waitFor(b, ip, false, started));
    }
    const ban = medianAndMax(banLatency);
    const unban = medianAndMax(unbanLatency);
    const fmt = (s: { median: number; p90: number; max: number }) =>
      `median ${s.median.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, max ${s.max.toFixed(2)} ms`;
    console.log(
      `[ip-bans ${api.name}] A→B over ${ROUNDS} rounds (from the call on A to B's first agreeing check): ` +
        `ban ${fmt(ban)}; unban ${fmt(unban)}`,
    );
    // The 100 ms bound on unbans, asserted on the 90th percentile: on a loaded shared machine a
    // single round can be delayed by scheduling or GC, whatever the mechanism (the max is printed).
    expect(unban.p90).toBeLessThan(100);
    expect(ban.p90).toBeLessThan(100);
  });

  test('a CIDR ban on A covers every address in it on A and B (first, middle, last), not the next one', async () => {
    const a = await replica();
    const b = await replica();
    expect(await a.banIp('198.51.100.0/22', 60)).toBe(true);
    expect(await a.banIp('2001:db8:100::/40', 60)).toBe(true);
    await waitFor(b, '198.51.100.0', true, performance.now());
    await waitFor(b, '2001:db8:100::', true, performance.now());
    for (const bans of [a, b]) {
      for (const inside of [
        '198.51.100.0',
        '198.51.101.128',
        '198.51.103.255',
        '2001:db8:1ff:ffff:ffff:ffff:ffff:ffff',
      ]) {
        expect(await bans.isIpBanned(inside), inside).toBe(true);
      }
      for (const outside of ['198.51.104.0', '198.51.99.255', '2001:db8:200::']) {
        expect(await bans.isIpBanned(outside), outside).toBe(false);
      }
    }
    expect(await b.unbanIp('198.51.100.0/22')).toBe(true);
    await waitFor(a, '198.51.101.1', false, performance.now());
  });

  test('a ban written in the original format by a writer that publishes nothing is enforced within 2 × ipBanSyncIntervalMs', async () => {
    const b = await replica();
    expect(await b.isIpBanned('192.0.2.10')).toBe(false);
    expect(await b.isIpBanned('192.0.2.200')).toBe(false);
    // What a Python replica writes: SET banned_ips:<ip> <str(float)> EX <duration>, no PUBLISH.
    await raw.set(`${prefix}banned_ips:192.0.2.10`, String(Date.now() / 1000 + 60), 'EX', 60);
    await raw.set(`${prefix}banned_networks:192.0.2.128/25`, String(Date.now() / 1000 + 60), 'EX', 60);
    await tick(2 * SYNC_INTERVAL_MS + 20);
    // The stated bound: a check that starts 2 × the interval after the write sees it, with no
    // earlier check having run in between (the inline resync) — and in either API.
    expect(await b.isIpBanned('192.0.2.10')).toBe(true);
    expect(await b.isIpBanned('192.0.2.200')).toBe(true);
    await raw.del(`${prefix}banned_ips:192.0.2.10`); // a Python unban: DEL, no event
    await tick(2 * SYNC_INTERVAL_MS + 20);
    expect(await b.isIpBanned('192.0.2.10')).toBe(false);
  });

  test('a silent write is also picked up while checks keep coming (background resync)', async () => {
    const b = await replica();
    const started = performance.now();
    await raw.set(`${prefix}banned_ips:192.0.2.11`, String(Date.now() / 1000 + 60), 'EX', 60);
    const elapsed = await waitFor(b, '192.0.2.11', true, started);
    console.log(
      `[ip-bans ${api.name}] silent (Python-style) ban seen by a busy replica after ${elapsed.toFixed(0)} ms`,
    );
    expect(elapsed).toBeLessThan(HANG_MS);
  });
});

describe('a replica in another process', () => {
  const script = fileURLToPath(new URL('../support/bans-replica.ts', import.meta.url));
  const run = promisify(execFile);
  let prefix: string;
  const handlers: HandlerUnderTest[] = [];
  const managers: BanManagerUnderTest[] = [];

  beforeEach(() => {
    prefix = uniquePrefix('bans-proc');
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    for (const h of handlers.splice(0)) await h.close();
    await deleteByPrefix(raw, prefix);
  });

  test('a ban and an unban made by a child process are enforced, then lifted, here', async () => {
    const [api] = banApis;
    const config: SecurityConfigInput = { redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger };
    const handler = api!.createHandler(config);
    const here = api!.createBans(config);
    handlers.push(handler);
    managers.push(here);
    await here.initializeRedis(handler);
    const child = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', script, redisUrl(), prefix, ...args], { timeout: 20_000 });
    expect((await child('ban', '198.51.100.0/24', '60')).stdout.trim()).toBe('true');
    await waitFor(here, '198.51.100.99', true, performance.now());
    expect((await child('unban', '198.51.100.0/24')).stdout.trim()).toBe('true');
    await waitFor(here, '198.51.100.99', false, performance.now());
  });
});
