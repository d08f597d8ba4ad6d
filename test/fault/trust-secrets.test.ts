/**
 * Issue 10 (trust), items 4, 5 and 7 on real servers, both APIs: no secret — in user info, in
 * the query string, or only one or two characters long — anywhere `util.inspect` can reach from
 * an error, its causes or a public object; no redisUrl parameter can stretch a call past its
 * timeout; and an outage is logged once, not once per failed call.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GuardConfigError, GuardRedisError } from '../../src/index.js';
import { apisUnderTest, captureFailure, timeFailure } from '../support/apis.js';
import { cloudApiOf } from '../integration/cloud-support.js';
import * as asyncApi from '../../src/index.js';
import * as syncApi from '../../src/sync.js';
import { captureLogger } from '../support/logger.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const RIGHT_PASSWORD = 'TheRightPassw0rd';

/** Wrong credentials whose secrets must never show: long, two characters, one (non-ASCII) character. */
const CASES: ReadonlyArray<[string, (hostPort: string) => string, readonly string[]]> = [
  ['user info', (h) => `redis://trustadmin:Wr0ngUserInfoPw@${h}`, ['Wr0ngUserInfoPw', 'trustadmin']],
  ['query string', (h) => `redis://${h}/?password=Wr0ngQueryPw`, ['Wr0ngQueryPw']],
  ['a 2-character password', (h) => `redis://:Zq@${h}`, ['Zq']],
  ['a 1-character password', (h) => `redis://:%C2%A4@${h}`, ['¤']],
  ['a 2-character query password', (h) => `redis://${h}/?password=Zq`, ['Zq']],
];

const everything = (values: unknown[]) =>
  values.map((v) => inspect(v, { depth: Infinity, showHidden: true })).join('\n');

describe.each(apisUnderTest)('secrets and bounds ($name API)', (api) => {
  const cloud = cloudApiOf(
    api.name,
    (api.name === 'sync' ? syncApi : asyncApi) as typeof asyncApi,
    api.name === 'sync',
  );
  let authServer: TestRedisServer;

  beforeAll(async () => {
    authServer = await startPrivateRedis(['--requirepass', RIGHT_PASSWORD]);
  });
  afterAll(async () => {
    await authServer.dispose();
  });

  test.each(CASES)(
    'a wrong password in %s: no secret in any error, cause, object or log line',
    async (_, urlOf, secrets) => {
      const log = captureLogger();
      const url = urlOf(`127.0.0.1:${authServer.port}`);
      const m = api.createManager({ redisUrl: url, redisConnectTimeoutMs: 2000, logger: log.logger });
      const reached: unknown[] = [m, (m as { config: unknown }).config];
      try {
        const init = await captureFailure(() => m.initialize());
        expect(init).toBeInstanceOf(GuardRedisError);
        expect((init as GuardRedisError).detail).toMatch(/WRONGPASS|NOAUTH|invalid password/i); // says why
        reached.push(init, await captureFailure(() => m.getKey('ns', 'k')));
        const store = cloud.createRedisStore(m);
        const manager = cloud.createCloudManager({ redisUrl: url, logger: log.logger }, { store });
        const initializer = cloud.createInitializer({ redisUrl: url, logger: log.logger, enableRedis: true });
        const result = await initializer.initializeRedisHandlers();
        reached.push(store, manager, initializer, result, initializer.getInitializationStatus());
        await initializer.close();
      } finally {
        await m.close();
      }
      const text = everything(reached) + log.text();
      expect(text).toMatch(/GuardRedisError/); // the inspection did reach the errors
      for (const secret of secrets) expect(text).not.toContain(secret);
    },
  );

  test('a redisUrl parameter that would override a safety option is refused at construction', () => {
    const url = `redis://127.0.0.1:${authServer.port}/?commandTimeout=8000`;
    for (const create of [
      () => api.createManager({ redisUrl: url, redisCommandTimeoutMs: 500 }),
      () => cloud.createInitializer({ redisUrl: url }),
    ]) {
      let error: unknown = null;
      try {
        create();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GuardConfigError);
      expect((error as Error).message).toContain('"commandTimeout"');
    }
  });

  describe('against a Redis that stops answering', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      proxy = await startTcpProxy({ port: authServer.port });
    });
    afterAll(async () => {
      await proxy.close();
    });

    test('no accepted URL makes a call outlive its timeout, and the outage is logged once', async () => {
      await proxy.restore();
      const log = captureLogger();
      const url = `redis://:${RIGHT_PASSWORD}@127.0.0.1:${proxy.port}/?db=0&family=4&connectionName=trust`;
      const m = api.createManager({
        redisUrl: url,
        redisCommandTimeoutMs: 500,
        redisConnectTimeoutMs: 500,
        logger: log.logger,
      });
      try {
        await m.initialize();
        expect(await m.setKey('trust', 'k', 'v', 5)).toBe(true);
        await proxy.cut();
        const before = log.lines.length;
        for (let i = 0; i < 6; i++) {
          const { error, elapsedMs } = await timeFailure(() => m.getKey('trust', 'k'));
          expect(error).toBeInstanceOf(GuardRedisError);
          expect(elapsedMs).toBeLessThan(5000); // hang bound: the 500 ms timeout holds, not 8 s or forever
        }
        const errors = log.lines.slice(before).filter((l) => l.level === 'error');
        expect(errors.length).toBeGreaterThanOrEqual(1);
        expect(errors.length).toBeLessThanOrEqual(2);
        const fresh = api.createManager({ redisUrl: url, redisConnectTimeoutMs: 500, logger: captureLogger().logger });
        const { elapsedMs } = await timeFailure(() => fresh.getKey('trust', 'k'));
        expect(elapsedMs).toBeLessThan(5000);
        await fresh.close();
      } finally {
        await proxy.restore();
        await m.close();
      }
    });
  });
});
