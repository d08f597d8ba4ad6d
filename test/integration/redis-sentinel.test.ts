/**
 * Redis Sentinel on real local servers (a master, a replica, three sentinels; see
 * `test/support/redis-sentinel.ts`), both APIs: a manager over the sentinels reads and writes on
 * the master; through a `SENTINEL FAILOVER` every operation either succeeds or fails fast with
 * `GuardRedisError` 503, acknowledged writes are kept (within asynchronous replication: see
 * MAX_LOST_TO_REPLICATION), and writes reach the new master by
 * themselves (the time to the first write there and the failed operations are printed, tagged
 * `[sentinel-failover <api>]`). Also: a `redisUrl` pointing at a sentinel fails `initialize()`
 * naming `redisSentinels`; a standalone master demoted with `REPLICAOF` makes writes fail with a
 * 503 that says so (never READONLY forever on a stale connection, never a hang), and they work
 * again once it is promoted.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisManager, silentLogger, useIoredisClient } from '../../src/index.js';
import { apisUnderTest, captureFailure, eventually, timeFailure, type ManagerUnderTest } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { freePort, startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { startPrivateSentinel, type TestRedisSentinel } from '../support/redis-sentinel.js';
import { describeRun, expect503, writeThroughSwitch } from '../support/sentinel-switch.js';
import { uniquePrefix } from '../support/redis.js';

const COMMAND_TIMEOUT_MS = 500;

let deployment: TestRedisSentinel;

beforeAll(async () => {
  deployment = await startPrivateSentinel();
}, 30_000);
afterAll(async () => {
  await deployment?.dispose();
});

/**
 * Acknowledged writes the SENTINEL FAILOVER test tolerates losing (see the assertion): writes
 * acknowledged before the failover could be known, not yet applied by a CPU-starved replica. A
 * client without the hold loses hundreds.
 */
const MAX_LOST_TO_REPLICATION = 3;

describe.each(apisUnderTest)('Redis Sentinel ($name API)', (api) => {
  const sentinelManager = (prefix: string, logger = silentLogger): ManagerUnderTest =>
    api.createManager({
      redisSentinels: [...deployment.sentinels],
      redisSentinelMasterName: deployment.masterName,
      redisPrefix: prefix,
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      redisConnectTimeoutMs: 1000,
      logger,
    });

  test('reads and writes on the master, follows a SENTINEL FAILOVER fast, keeps acknowledged writes', async () => {
    const oldMaster = await deployment.masterPort();
    const newMaster = deployment.otherDataPort(oldMaster);
    // The previous test's failover must be complete (the old master replicating again).
    await deployment.waitForMaster(oldMaster, 30_000);
    const prefix = uniquePrefix('sentinel');
    const m = sentinelManager(prefix);
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'before', 'v0', 60)).toBe(true);
      expect(await m.getKey('ns', 'before')).toBe('v0');
      expect(await deployment.dataClient(oldMaster).get(`${prefix}ns:before`)).toBe('v0');
      const subscription = await m.subscribe('events');

      // What is measured is the client, not a replica still catching up from the previous test's
      // failover (measured: 200–300 ms behind with its link up; Sentinel promotes it anyway).
      const catchUpMs = await deployment.waitForReplicaInSync(oldMaster, 10_000);
      const run = await writeThroughSwitch(deployment, m, prefix, newMaster, () => deployment.failover());
      console.log(
        `[sentinel-failover ${api.name}] SENTINEL FAILOVER (replica in sync after ${Math.round(catchUpMs)} ms): ${describeRun(run)}`,
      );
      expect(run.firstOnNewMasterMs, 'no write reached the new master').not.toBeNull();
      // Every failure was fast: refused during the switch, never a hang.
      expect(run.slowestFailureMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
      // Acknowledged writes are kept, within what asynchronous replication allows: a write the old
      // master acknowledged in the first milliseconds of the failover (before anyone can know of
      // it) is lost if the replica has not applied it when promoted. Seen (1 lost) only when the
      // failover started while the replica was still behind; with it in sync, none. Without the
      // hold: 284.
      expect(run.lost).toBeLessThanOrEqual(MAX_LOST_TO_REPLICATION);

      // The subscriber followed too (ioredis' failover detector on the subscriber connection):
      // a message published on the new master arrives, and the switch is reported as a gap.
      let gap = false;
      await eventually(async () => {
        expect(await m.publish('events', 'after the switch')).toBeGreaterThan(0);
        const batch = await subscription!.drain();
        gap ||= batch.gap;
        expect(batch.messages).toContain('after the switch');
      }, 5000);
      expect(gap).toBe(true);
      await subscription!.close();

      // The manager stays on the new master, also once the old one is a replica again.
      await deployment.waitForMaster(newMaster, 30_000);
      expect(await m.setKey('ns', 'after', 'v1', 60)).toBe(true);
      expect(await m.getKey('ns', 'after')).toBe('v1');
      expect(await deployment.dataClient(newMaster).get(`${prefix}ns:after`)).toBe('v1');
    } finally {
      await m.close();
    }
  }, 60_000);

  test('a crashed master: operations fail fast until the sentinels promote the replica, then go there', async () => {
    const oldMaster = await deployment.masterPort();
    const newMaster = deployment.otherDataPort(oldMaster);
    await deployment.waitForMaster(oldMaster, 30_000);
    const prefix = uniquePrefix('sentinel-crash');
    const m = sentinelManager(prefix);
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'before', 'v0', 60)).toBe(true);
      const run = await writeThroughSwitch(deployment, m, prefix, newMaster, () => deployment.crash(oldMaster));
      // Writes acknowledged just before a crash may not have reached the replica (asynchronous
      // replication): counted, not asserted.
      console.log(`[sentinel-crash ${api.name}] master killed (down-after 1 s): ${describeRun(run)}`);
      expect(run.firstOnNewMasterMs, 'no write reached the new master').not.toBeNull();
      expect(run.slowestFailureMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
    } finally {
      await m.close();
      // Back as a replica of the new master, so the deployment can fail over again.
      await deployment.restartAsReplica(oldMaster, newMaster);
    }
  }, 60_000);

  test('no sentinel reachable: initialize() fails fast with a 503 naming the sentinels', async () => {
    const port = await freePort();
    const m = api.createManager({
      redisSentinels: [`127.0.0.1:${port}`],
      redisSentinelMasterName: deployment.masterName,
      redisPrefix: uniquePrefix('sentinel-down'),
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      logger: silentLogger,
    });
    try {
      const { error, elapsedMs } = await timeFailure(() => m.initialize());
      const typed = expect503(error);
      expect(typed.detail).toContain(`sentinel master "${deployment.masterName}" via 127.0.0.1:${port}`);
      expect(typed.detail).toMatch(/ECONNREFUSED|unreachable/);
      console.log(`[sentinel-down ${api.name}] ${typed.detail} (${Math.round(elapsedMs)} ms)`);
      expect(elapsedMs).toBeLessThan(1000);
    } finally {
      await m.close();
    }
  });

  test('a redisUrl pointing at a sentinel fails initialize() saying so and naming redisSentinels', async () => {
    const logs = captureLogger();
    const m = api.createManager({
      redisUrl: `redis://${deployment.sentinels[0]}`,
      redisPrefix: uniquePrefix('sentinel-url'),
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      logger: logs.logger,
    });
    try {
      const { error, elapsedMs } = await timeFailure(() => m.initialize());
      const typed = expect503(error);
      expect(typed.detail).toMatch(/is a Redis Sentinel/);
      expect(typed.detail).toContain('redisSentinels');
      expect(typed.detail).toContain(deployment.masterName);
      expect(elapsedMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
      // A later operation fails the same way instead of "unknown command" on every call.
      const later = expect503(await eventually(() => captureFailure(() => m.getKey('ns', 'k')), 3000));
      expect(later.detail).toMatch(/Sentinel/);
    } finally {
      await m.close();
    }
  });
});

describe('a Sentinel client the application owns (useIoredisClient, async API)', () => {
  test('gets the same failover hold: fast 503s during the switch, then the new master by itself', async () => {
    const oldMaster = await deployment.masterPort();
    const newMaster = deployment.otherDataPort(oldMaster);
    await deployment.waitForMaster(oldMaster, 30_000);
    const client = deployment.applicationClient();
    const prefix = uniquePrefix('sentinel-own');
    const m = new RedisManager(
      { redisPrefix: prefix, redisCommandTimeoutMs: COMMAND_TIMEOUT_MS, logger: silentLogger },
      { openConnection: useIoredisClient(client) },
    );
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'before', 'v0', 60)).toBe(true);
      await deployment.waitForReplicaInSync(oldMaster, 10_000);
      const run = await writeThroughSwitch(deployment, m, prefix, newMaster, () => deployment.failover());
      console.log(`[sentinel-failover own client] SENTINEL FAILOVER: ${describeRun(run)}`);
      expect(run.firstOnNewMasterMs, 'no write reached the new master').not.toBeNull();
      expect(run.slowestFailureMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
      expect(run.reasons.get('Redis failover in progress')).toBeGreaterThan(0); // the hold did refuse
      expect(run.lost).toBeLessThanOrEqual(MAX_LOST_TO_REPLICATION);
      expect(client.status).toBe('ready'); // still the caller's, still open
    } finally {
      await m.close();
      client.disconnect();
    }
  }, 60_000);
});

describe.each(apisUnderTest)('a standalone master demoted to a replica ($name API)', (api) => {
  let a: TestRedisServer;
  let b: TestRedisServer;
  beforeAll(async () => {
    a = await startPrivateRedis();
    b = await startPrivateRedis();
  });
  afterAll(async () => {
    await a?.dispose();
    await b?.dispose();
  });

  test('writes fail fast with a 503 that says it is a replica; they work again once it is promoted', async () => {
    const logs = captureLogger();
    const m = api.createManager({
      redisUrl: a.url,
      redisPrefix: uniquePrefix('demoted'),
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      logger: logs.logger,
    });
    const aAdmin = new Redis(a.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
      const lease = await m.getConnection();
      const idBefore = await lease.connection.call('CLIENT', 'ID');

      await aAdmin.call('REPLICAOF', '127.0.0.1', String(b.port));
      const { error, elapsedMs } = await timeFailure(() => m.setKey('ns', 'k2', 'v', 60));
      const typed = expect503(error);
      expect(typed.detail).toMatch(/READONLY/);
      expect(typed.detail).toMatch(/is a replica now/);
      expect(typed.detail).toContain('redisSentinels');
      expect(elapsedMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);

      // The READONLY made the client reconnect (a new connection: the same address is all a
      // redisUrl knows); writes there keep failing fast with a 503, reads are served.
      const idAfter = await eventually(() => lease.connection.call('CLIENT', 'ID'), 3000);
      expect(idAfter).not.toBe(idBefore);
      for (let n = 0; n < 5; n++) {
        const again = await timeFailure(() => m.setKey('ns', `k3-${n}`, 'v', 60));
        expect503(again.error);
        expect(again.elapsedMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
      }

      // Promoted again (by an operator or a sentinel): writes work without a restart.
      await aAdmin.call('REPLICAOF', 'NO', 'ONE');
      expect(await eventually(() => m.setKey('ns', 'k4', 'v', 60), 3000)).toBe(true);
      expect(await m.getKey('ns', 'k4')).toBe('v');
    } finally {
      aAdmin.disconnect();
      await m.close();
    }
  });
});
