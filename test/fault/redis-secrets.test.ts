/**
 * No secret from redisUrl (user info password, user name, `?password=`) ever shows in an error
 * message, detail, stack, cause chain, or log line — for a refused port, a black hole and a
 * failed authentication.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GuardRedisError } from '../../src/index.js';
import { apisUnderTest, timeFailure } from '../support/apis.js';
import { everyOperation } from '../support/fault-ops.js';
import { captureLogger } from '../support/logger.js';
import { freePort, startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const SECRETS = ['S3cretUserPw', 'Qu3rySecretPw', 'sekretadmin'];
const RIGHT_PASSWORD = 'TheRightPassw0rd';

/** Every text reachable from an error: message, stack, detail, and the same for causes and aggregated errors. */
function textsOf(error: unknown, seen = new Set<unknown>()): string[] {
  if (error === null || error === undefined || seen.has(error)) return [];
  seen.add(error);
  if (!(error instanceof Error)) return [String(error)];
  const texts = [String(error), error.message, error.stack ?? ''];
  if (error instanceof GuardRedisError) texts.push(error.detail);
  texts.push(...textsOf(error.cause, seen));
  if (error instanceof AggregateError) for (const inner of error.errors) texts.push(...textsOf(inner, seen));
  return texts;
}

function urlsFor(hostPort: string): string[] {
  return [
    `redis://sekretadmin:S3cretUserPw@${hostPort}`,
    `redis://${hostPort}/?password=Qu3rySecretPw`,
    `redis://:S3cretUserPw@${hostPort}/0?password=Qu3rySecretPw`,
  ];
}

describe.each(apisUnderTest)('secrets never leak ($name API)', (api) => {
  let authServer: TestRedisServer;
  let proxy: TcpProxy;

  beforeAll(async () => {
    authServer = await startPrivateRedis(['--requirepass', RIGHT_PASSWORD]);
    proxy = await startTcpProxy({ port: authServer.port });
    await proxy.cut();
  });
  afterAll(async () => {
    await proxy.close();
    await authServer.dispose();
  });

  async function expectNoLeak(url: string): Promise<void> {
    const log = captureLogger();
    const m = api.createManager({
      redisUrl: url,
      redisConnectTimeoutMs: 300,
      redisCommandTimeoutMs: 300,
      logger: log.logger,
    });
    const texts: string[] = [];
    try {
      for (const [name, call] of [['initialize', () => m.initialize()], ...everyOperation(api, m)] as const) {
        const { error } = await timeFailure(call);
        expect(error, name).toBeInstanceOf(GuardRedisError);
        texts.push(...textsOf(error));
      }
    } finally {
      await m.close();
    }
    texts.push(log.text());
    expect(log.lines.length).toBeGreaterThan(0); // the failures were logged, so the log check means something
    const everything = texts.join('\n');
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  }

  test('a refused port', async () => {
    const port = await freePort();
    for (const url of urlsFor(`127.0.0.1:${port}`)) await expectNoLeak(url);
  });

  test('a black hole', async () => {
    for (const url of urlsFor(`127.0.0.1:${proxy.port}`)) await expectNoLeak(url);
  });

  test('a wrong password (server started with --requirepass)', async () => {
    for (const url of urlsFor(`127.0.0.1:${authServer.port}`)) await expectNoLeak(url);
  });

  test('the auth failure says so (the real reason survives the scrubbing)', async () => {
    const m = api.createManager({
      redisUrl: `redis://:S3cretUserPw@127.0.0.1:${authServer.port}`,
      logger: captureLogger().logger,
    });
    const { error } = await timeFailure(() => m.initialize());
    await m.close();
    expect((error as GuardRedisError).detail).toMatch(/WRONGPASS|invalid password|NOAUTH/i);
  });

  test('the right password works (the failures above are about the password, not the setup)', async () => {
    const m = api.createManager({
      redisUrl: `redis://:${RIGHT_PASSWORD}@127.0.0.1:${authServer.port}`,
      logger: captureLogger().logger,
    });
    try {
      expect(await m.setKey('ns', 'k', 'v')).toBe(true);
      expect(await m.deletePattern('*')).toBe(1);
    } finally {
      await m.close();
    }
  });
});
