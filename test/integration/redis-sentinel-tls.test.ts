/**
 * Redis Sentinel over TLS on real local servers: a master, a replica and three sentinels that all
 * listen on TLS only (`port 0`) and use TLS between themselves (`tls-replication yes`), with a
 * throwaway CA made by openssl (`test/support/tls-certs.ts`). Both APIs: a manager given
 * `rediss://` sentinels, a `rediss://` redisUrl (the data servers) and `redisTls.ca` reads and
 * writes on the master and follows a `SENTINEL FAILOVER` (its failover watch reaches the
 * sentinels over TLS too: its hold refuses writes during the switch); a wrong CA fails
 * `initialize()` fast with a 503 naming the certificate problem. A TLS Sentinel client the
 * application owns (`useIoredisClient`) gets the same hold through its `sentinelTLS`. The time to
 * the first write on the new master is printed, tagged `[sentinel-tls <who>]`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RedisManager, silentLogger, useIoredisClient } from '../../src/index.js';
import { apisUnderTest, captureFailure, type ManagerUnderTest } from '../support/apis.js';
import { startPrivateSentinel, type TestRedisSentinel } from '../support/redis-sentinel.js';
import { uniquePrefix } from '../support/redis.js';
import { describeRun, expect503, writeThroughSwitch, type SwitchRun } from '../support/sentinel-switch.js';
import { makeTestTls, type TestTlsMaterial } from '../support/tls-certs.js';

const COMMAND_TIMEOUT_MS = 500;
/** Writes the failover watch's hold refused during a switch. */
const heldBack = (run: SwitchRun): number => run.reasons.get('Redis failover in progress') ?? 0;

let tls: TestTlsMaterial;
let deployment: TestRedisSentinel;

beforeAll(async () => {
  tls = makeTestTls();
  deployment = await startPrivateSentinel([], tls);
}, 30_000);
afterAll(async () => {
  await deployment?.dispose();
  tls?.dispose();
});

describe.each(apisUnderTest)('Redis Sentinel over TLS ($name API)', (api) => {
  const tlsManager = (prefix: string, caFile: string): ManagerUnderTest =>
    api.createManager({
      redisSentinels: [...deployment.sentinels],
      redisSentinelMasterName: deployment.masterName,
      redisUrl: `rediss://${deployment.masterName}/0`,
      redisTls: { ca: [caFile] },
      redisPrefix: prefix,
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      redisConnectTimeoutMs: 1000,
      logger: silentLogger,
    });

  test('rediss:// sentinels and data servers: reads and writes on the master, and follows a failover', async () => {
    expect(deployment.sentinels.every((entry) => entry.startsWith('rediss://'))).toBe(true);
    const oldMaster = await deployment.masterPort();
    const newMaster = deployment.otherDataPort(oldMaster);
    await deployment.waitForMaster(oldMaster, 30_000);
    const prefix = uniquePrefix('sentinel-tls');
    const m = tlsManager(prefix, tls.caFile);
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'before', 'v0', 60)).toBe(true);
      expect(await m.getKey('ns', 'before')).toBe('v0');
      expect(await deployment.dataClient(oldMaster).get(`${prefix}ns:before`)).toBe('v0');

      await deployment.waitForReplicaInSync(oldMaster, 10_000);
      const run = await writeThroughSwitch(deployment, m, prefix, newMaster, () => deployment.failover());
      console.log(`[sentinel-tls ${api.name}] SENTINEL FAILOVER over TLS: ${describeRun(run)}`);
      expect(run.firstOnNewMasterMs, 'no write reached the new master').not.toBeNull();
      expect(run.slowestFailureMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
      // The failover watch reached the sentinels over TLS: its hold refused writes during the switch.
      expect(heldBack(run)).toBeGreaterThan(0);
      // Back to a settled deployment for the next API's run.
      await deployment.waitForMaster(newMaster, 30_000);
    } finally {
      await m.close();
    }
  }, 60_000);

  test('a CA that did not sign the servers: initialize() fails fast with a 503', async () => {
    const m = tlsManager(uniquePrefix('sentinel-tls-ca'), tls.wrongCaFile);
    try {
      const started = performance.now();
      const error = expect503(await captureFailure(() => m.initialize()));
      // The reason is the certificate, not ioredis' bare "Connection is closed."
      expect(error.detail).toMatch(/sentinel 127\.0\.0\.1:\d+: TLS: .*(certificate|SELF_SIGNED|UNABLE_TO)/i);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await m.close();
    }
  }, 20_000);
});

describe('a TLS Sentinel client the application owns (useIoredisClient, async API)', () => {
  test('its sentinelTLS serves the failover watch: the hold refuses writes during the switch, then the new master', async () => {
    const oldMaster = await deployment.masterPort();
    const newMaster = deployment.otherDataPort(oldMaster);
    await deployment.waitForMaster(oldMaster, 30_000);
    const client = deployment.applicationClient(); // sentinelTLS and tls trusting the test CA
    const prefix = uniquePrefix('sentinel-tls-own');
    const m = new RedisManager(
      { redisPrefix: prefix, redisCommandTimeoutMs: COMMAND_TIMEOUT_MS, logger: silentLogger },
      { openConnection: useIoredisClient(client) },
    );
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'before', 'v0', 60)).toBe(true);
      await deployment.waitForReplicaInSync(oldMaster, 10_000);
      const run = await writeThroughSwitch(deployment, m, prefix, newMaster, () => deployment.failover());
      console.log(`[sentinel-tls own client] SENTINEL FAILOVER over TLS: ${describeRun(run)}`);
      expect(run.firstOnNewMasterMs, 'no write reached the new master').not.toBeNull();
      expect(run.slowestFailureMs).toBeLessThan(2 * COMMAND_TIMEOUT_MS);
      expect(heldBack(run)).toBeGreaterThan(0); // the watch, over the client's sentinelTLS, did hold
      await deployment.waitForMaster(newMaster, 30_000);
    } finally {
      await m.close();
      client.disconnect();
    }
  }, 60_000);
});
