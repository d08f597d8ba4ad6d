/**
 * IP bans across a Redis outage, on a private server that is killed and restarted, both APIs:
 * bans made while Redis is down live in memory with their real expiry, are written back with
 * their remaining TTL when Redis returns (the time it takes is measured and printed), and the
 * manager's mode goes memory → redis without a restart. Fail-closed mode refuses with 503.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GuardRedisError, silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { captureFailure } from '../support/apis.js';
import { banApis, tick, type BanManagerUnderTest, type HandlerUnderTest } from '../support/bans-apis.js';
import { captureLogger } from '../support/logger.js';
import { rawClient } from '../support/redis.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

const FAST = { redisConnectTimeoutMs: 300, redisCommandTimeoutMs: 300, redisRetryAfterMs: 200 } as const;
const BANS = 100;
const DURATION_S = 600;
/** Hang bound on recovery; the measured time is printed. */
const RECOVERY_HANG_MS = 10_000;

describe.each(banApis)('IP bans across a Redis outage ($name API)', (api) => {
  let server: TestRedisServer;
  const handlers: HandlerUnderTest[] = [];
  const managers: BanManagerUnderTest[] = [];

  async function replica(extra: SecurityConfigInput = {}): Promise<BanManagerUnderTest> {
    const config: SecurityConfigInput = {
      redisUrl: server.url,
      redisPrefix: 'outage:',
      logger: silentLogger,
      ipBanSyncIntervalMs: 100,
      ...FAST,
      ...extra,
    };
    const handler = api.createHandler(config);
    const bans = api.createBans(config);
    handlers.push(handler);
    managers.push(bans);
    await bans.initializeRedis(handler);
    return bans;
  }

  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.close();
    for (const h of handlers.splice(0)) await h.close();
  });
  afterAll(async () => {
    await server.dispose();
  });

  test(`${BANS} bans made during an outage are in Redis with their remaining TTL once it is back; mode memory → redis`, async () => {
    const captured = captureLogger();
    const a = await replica({ logger: captured.logger });
    expect(a.mode).toBe('redis');
    await a.banIp('198.51.100.1', DURATION_S); // before the outage: lost with the server (no persistence)
    await a.banIp('198.51.100.2', DURATION_S);
    await server.stop();
    const madeAt = Date.now();
    for (let i = 0; i < BANS; i++) expect(await a.banIp(`203.0.113.${i}`, DURATION_S, 'outage')).toBe(true);
    expect(await a.banIp('192.0.2.0/24', DURATION_S)).toBe(true);
    expect(await a.unbanIp('198.51.100.2')).toBe(true); // an unban decided in memory
    expect(a.mode).toBe('memory');
    expect(await a.isIpBanned('203.0.113.42')).toBe(true);
    expect(await a.isIpBanned('192.0.2.9')).toBe(true);
    expect(await a.isIpBanned('198.51.100.2')).toBe(false);

    await server.start();
    const raw = rawClient(server.url);
    try {
      await raw.set('outage:banned_ips:198.51.100.2', String(Date.now() / 1000 + 60), 'EX', 60); // as if it survived
      const restarted = performance.now();
      // Requests keep coming: the checks themselves drive the probe and the write-back.
      while (a.mode !== 'redis') {
        expect(await a.isIpBanned('203.0.113.7')).toBe(true);
        if (performance.now() - restarted > RECOVERY_HANG_MS) throw new Error('no recovery');
        await tick(10);
      }
      const recoveredMs = performance.now() - restarted;
      const written = await raw.keys('outage:banned_ips:203.0.113.*');
      console.log(
        `[ip-bans ${api.name}] Redis restarted → mode 'redis' and ${written.length} outage bans written back after ${recoveredMs.toFixed(0)} ms`,
      );
      expect(written).toHaveLength(BANS);
      const remainingMs = DURATION_S * 1000 - (Date.now() - madeAt);
      for (let i = 0; i < BANS; i++) {
        const pttl = await raw.pttl(`outage:banned_ips:203.0.113.${i}`);
        expect(pttl).toBeLessThanOrEqual(DURATION_S * 1000);
        expect(pttl).toBeGreaterThan(remainingMs - 2000);
      }
      expect(await raw.get('outage:banned_ips:203.0.113.0')).toMatch(/^\d+\.\d+$/);
      expect(await raw.pttl('outage:banned_networks:192.0.2.0/24')).toBeGreaterThan(remainingMs - 2000);
      expect(await raw.exists('outage:banned_ips:198.51.100.2')).toBe(0); // the unban was written back too
      // A fresh replica sees what was decided during the outage.
      const b = await replica();
      expect(await b.isIpBanned('203.0.113.99')).toBe(true);
      expect(await b.isIpBanned('192.0.2.200')).toBe(true);
      expect(await b.isIpBanned('198.51.100.2')).toBe(false);
      expect(await a.isIpBanned('198.51.100.2')).toBe(false);
      // One warning for the outage and one for the return, not one per ban.
      expect(captured.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
      await raw.flushdb();
    } finally {
      await raw.quit();
    }
  });

  test('a ban that ends during the outage is not written back', async () => {
    const a = await replica();
    await server.stop();
    expect(await a.banIp('203.0.113.250', 0.3)).toBe(true);
    expect(await a.banIp('203.0.113.251', DURATION_S)).toBe(true);
    await tick(400);
    expect(await a.isIpBanned('203.0.113.250')).toBe(false);
    await server.start();
    // The handler may still be in its short reconnect pause: probe until Redis answers.
    const started = performance.now();
    while (!(await a.probe())) {
      if (performance.now() - started > RECOVERY_HANG_MS) throw new Error('no recovery');
      await tick(20);
    }
    expect(a.mode).toBe('redis');
    const raw = rawClient(server.url);
    try {
      expect(await raw.exists('outage:banned_ips:203.0.113.250')).toBe(0);
      expect(await raw.exists('outage:banned_ips:203.0.113.251')).toBe(1);
      await raw.flushdb();
    } finally {
      await raw.quit();
    }
  });

  test('Redis down at start-up: the manager starts in memory and returns by itself', async () => {
    await server.stop();
    const a = await replica();
    expect(a.mode).toBe('memory');
    expect(await a.banIp('203.0.113.77', DURATION_S)).toBe(true);
    await server.start();
    const started = performance.now();
    while (a.mode !== 'redis') {
      await a.isIpBanned('203.0.113.77');
      if (performance.now() - started > RECOVERY_HANG_MS) throw new Error('no recovery');
      await tick(10);
    }
    const raw = rawClient(server.url);
    try {
      expect(await raw.exists('outage:banned_ips:203.0.113.77')).toBe(1);
      await raw.flushdb();
    } finally {
      await raw.quit();
    }
  });

  test('fail-closed (redisFailOpen: false): checks and bans refuse with GuardRedisError 503 while Redis is down', async () => {
    const a = await replica({ redisFailOpen: false });
    await a.banIp('203.0.113.1', DURATION_S);
    await server.stop();
    await tick(150); // longer than the stale bound of an unsubscribed mirror
    const check = await captureFailure(() => a.isIpBanned('203.0.113.1'));
    expect(check).toBeInstanceOf(GuardRedisError);
    expect((check as GuardRedisError).statusCode).toBe(503);
    const ban = await captureFailure(() => a.banIp('203.0.113.2', DURATION_S));
    expect((ban as GuardRedisError).statusCode).toBe(503);
    await server.start();
    const started = performance.now();
    for (;;) {
      try {
        expect(await a.isIpBanned('203.0.113.2')).toBe(false); // nothing was stored by the refused ban
        break;
      } catch (error) {
        if (!(error instanceof GuardRedisError) || performance.now() - started > RECOVERY_HANG_MS) throw error;
        await tick(20);
      }
    }
    expect(a.mode).toBe('redis');
  });
});
