/**
 * Redis Sentinel with TLS on one side only, on real local servers (a master, a replica, three
 * sentinels; see `test/support/redis-sentinel.ts`):
 * - `sentinels`: the sentinels also listen on a TLS port, the only one the client is given, while
 *   the data servers, replication and the sentinels' own links stay plain. The client gets
 *   `rediss://` sentinels and a plain `redis://` redisUrl.
 * - `data`: the data servers speak TLS only, the sentinels plain to clients. The client gets
 *   plain sentinels and a `rediss://` redisUrl.
 * Both APIs, each layout: the manager finds the master through the sentinels, reads and writes on
 * it, and its failover watch subscribes on every sentinel the way the client was told to reach
 * them. (Following a failover is tested on the all-plain and all-TLS deployments, with the same
 * watch: `redis-sentinel.test.ts`, `redis-sentinel-tls.test.ts`.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { apisUnderTest, eventually } from '../support/apis.js';
import { startPrivateSentinel, type SentinelTlsLayout, type TestRedisSentinel } from '../support/redis-sentinel.js';
import { uniquePrefix } from '../support/redis.js';
import { makeTestTls, type TestTlsMaterial } from '../support/tls-certs.js';

const LAYOUTS: readonly { layout: SentinelTlsLayout; sentinelScheme: string; dataScheme: string }[] = [
  { layout: 'sentinels', sentinelScheme: 'rediss://', dataScheme: 'redis://' },
  { layout: 'data', sentinelScheme: '', dataScheme: 'rediss://' },
];

describe.each(LAYOUTS)('Redis Sentinel, TLS to the $layout only', ({ layout, sentinelScheme, dataScheme }) => {
  let tls: TestTlsMaterial;
  let deployment: TestRedisSentinel;

  beforeAll(async () => {
    tls = makeTestTls();
    deployment = await startPrivateSentinel([], tls, layout);
  }, 30_000);
  afterAll(async () => {
    await deployment?.dispose();
    tls?.dispose();
  });

  describe.each(apisUnderTest)('$name API', (api) => {
    test(`${sentinelScheme || 'plain '}sentinels, ${dataScheme} data servers: reads and writes on the master; the failover watch subscribes`, async () => {
      expect(deployment.sentinels.every((entry) => entry.startsWith(sentinelScheme))).toBe(true);
      // No watch left from an earlier test: the one counted below is this manager's.
      await eventually(async () => expect(await deployment.subscribedSentinels()).toBe(0));
      const master = await deployment.masterPort();
      const prefix = uniquePrefix(`sentinel-tls-${layout}`);
      const m = api.createManager({
        redisSentinels: [...deployment.sentinels],
        redisSentinelMasterName: deployment.masterName,
        redisUrl: `${dataScheme}${deployment.masterName}/0`,
        redisTls: { ca: [tls.caFile] },
        redisPrefix: prefix,
        redisConnectTimeoutMs: 1000,
        logger: silentLogger,
      });
      try {
        await m.initialize();
        expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
        expect(await m.getKey('ns', 'k')).toBe('v');
        expect(await deployment.dataClient(master).get(`${prefix}ns:k`)).toBe('v');
        await deployment.waitForFailoverWatch(10_000);
      } finally {
        await m.close();
      }
    });
  });
});
