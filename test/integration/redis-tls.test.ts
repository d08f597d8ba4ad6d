/**
 * TLS against a real redis-server started with TLS, with a throwaway CA made by openssl: the right
 * CA works (file path or PEM text), mutual TLS works with a client certificate and is refused
 * without one, a wrong CA is a clear 503 within the connect bound, and no key material ever shows
 * in an error, a log line, `util.inspect` or JSON.
 */
import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  GuardConfigError,
  GuardRedisError,
  RedisManager,
  parseSecurityConfig,
  type SecurityConfigInput,
} from '../../src/index.js';
import { Redis } from 'ioredis';
import { RedisManager as SyncRedisManager } from '../../src/sync.js';
import { apisUnderTest, eventually, timeFailure, type ManagerUnderTest } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { freePort, startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { makeTestTls, tlsServerArgs, type TestTlsMaterial } from '../support/tls-certs.js';
import { uniquePrefix } from '../support/redis.js';

const CONNECT_TIMEOUT_MS = 1000;

let tls: TestTlsMaterial;
let server: TestRedisServer; // TLS, client certificates not required
let mtlsServer: TestRedisServer; // TLS, client certificate required
let tlsPort = 0;
let mtlsPort = 0;

async function startTlsRedis(port: number, authClients: 'yes' | 'no'): Promise<TestRedisServer> {
  return startPrivateRedis(tlsServerArgs(tls, port, authClients));
}

beforeAll(async () => {
  tls = makeTestTls();
  tlsPort = await freePort();
  server = await startTlsRedis(tlsPort, 'no');
  mtlsPort = await freePort();
  mtlsServer = await startTlsRedis(mtlsPort, 'yes');
});
afterAll(async () => {
  await server.dispose();
  await mtlsServer.dispose();
  tls.dispose();
});

/** The body of the client key (its base64 lines), which must never appear anywhere. */
function keyBody(): string[] {
  return tls.clientKeyPem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
}

function expectNoKeyMaterial(text: string): void {
  for (const line of keyBody()) expect(text).not.toContain(line);
  expect(text).not.toContain('PRIVATE KEY-----\n');
}

describe.each(apisUnderTest)('Redis over TLS ($name API)', (api) => {
  const make = (port: number, redisTls: SecurityConfigInput['redisTls'], logger = captureLogger()): ManagerUnderTest =>
    api.createManager({
      redisUrl: `rediss://127.0.0.1:${port}`,
      redisPrefix: uniquePrefix('tls'),
      redisConnectTimeoutMs: CONNECT_TIMEOUT_MS,
      redisTls,
      logger: logger.logger,
    });

  test('the right CA (a file path) and servername: operations work', async () => {
    const m = make(tlsPort, { ca: tls.caFile, servername: 'localhost' });
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
      expect(await m.getKey('ns', 'k')).toBe('v');
      expect(await m.deletePattern('*')).toBe(1);
    } finally {
      await m.close();
    }
  });

  test('the CA as PEM text, checked against the IP address in the certificate', async () => {
    const m = make(tlsPort, { ca: [readFileSync(tls.caFile, 'utf8')] });
    try {
      expect(await m.incr('ns', 'n', 60)).toBe(1);
      await m.deletePattern('*');
    } finally {
      await m.close();
    }
  });

  test('mutual TLS: with the client certificate it works', async () => {
    const m = make(mtlsPort, { ca: tls.caFile, cert: tls.clientCertFile, key: tls.clientKeyFile });
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
      expect(await m.getKey('ns', 'k')).toBe('v');
      await m.deletePattern('*');
    } finally {
      await m.close();
    }
  });

  test('mutual TLS: without a client certificate it is a 503 that names TLS', async () => {
    const m = make(mtlsPort, { ca: tls.caFile });
    const { error, elapsedMs } = await timeFailure(() => m.initialize());
    await m.close();
    expect(error).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).statusCode).toBe(503);
    expect((error as GuardRedisError).detail).toMatch(/TLS: /);
    expect(elapsedMs).toBeLessThan(2 * CONNECT_TIMEOUT_MS + 2000); // generous hang bound
  });

  test('a wrong CA: a 503 naming the TLS reason, within the connect bound', async () => {
    const logs = captureLogger();
    const m = make(tlsPort, { ca: tls.wrongCaFile, cert: tls.clientCertFile, key: tls.clientKeyFile }, logs);
    const { error, elapsedMs } = await timeFailure(() => m.initialize());
    await m.close();
    expect(error).toBeInstanceOf(GuardRedisError);
    const failure = error as GuardRedisError;
    expect(failure.statusCode).toBe(503);
    expect(failure.detail).toMatch(/TLS: .*(certificate|SELF_SIGNED|UNABLE_TO)/i);
    expect(elapsedMs).toBeLessThan(CONNECT_TIMEOUT_MS + 1000); // generous hang bound
    expectNoKeyMaterial(`${failure.detail}\n${failure.stack ?? ''}\n${inspect(failure, { depth: 10 })}`);
    expectNoKeyMaterial(logs.text());
    expectNoKeyMaterial(inspect(m, { depth: 10 }));
  });

  test('the key given as PEM text never shows in util.inspect, JSON or errors', async () => {
    const m = make(mtlsPort, {
      ca: tls.wrongCaFile,
      cert: tls.clientCertFile,
      key: tls.clientKeyPem,
      passphrase: 'pp-Secret-42',
    });
    const { error } = await timeFailure(() => m.initialize());
    await m.close();
    const config = (m as unknown as { config: unknown }).config;
    const seen = [
      inspect(m, { depth: 10 }),
      inspect(config, { depth: 10 }),
      JSON.stringify(config),
      inspect(error, { depth: 10 }),
    ];
    for (const text of seen) {
      expectNoKeyMaterial(text);
      expect(text).not.toContain('pp-Secret-42');
    }
    expect(inspect(config, { depth: 10 })).toContain('<redacted PEM>');
  });
});

describe.each(apisUnderTest)('a Redis Cluster node over TLS ($name API)', (api) => {
  let node: TestRedisServer;
  let nodeTlsPort = 0;
  beforeAll(async () => {
    nodeTlsPort = await freePort();
    node = await startPrivateRedis([
      '--cluster-enabled',
      'yes',
      '--cluster-announce-ip',
      '127.0.0.1', // else CLUSTER SLOTS names the node ""
      '--cluster-port',
      String(await freePort()),
      '--tls-cluster',
      'yes', // the cluster announces its TLS port, so ioredis reaches every node over TLS
      ...tlsServerArgs(tls, nodeTlsPort, 'yes'),
    ]);
    const admin = new Redis(node.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
      await eventually(async () => expect(await admin.cluster('INFO')).toContain('cluster_state:ok'));
    } finally {
      admin.disconnect();
    }
  });
  afterAll(() => node?.dispose());

  test('redisTls reaches the cluster nodes (CA and client certificate)', async () => {
    const m = api.createManager({
      redisClusterNodes: [`rediss://127.0.0.1:${nodeTlsPort}`],
      redisPrefix: uniquePrefix('tls-cl'),
      redisTls: { ca: tls.caFile, cert: tls.clientCertFile, key: tls.clientKeyFile },
      logger: captureLogger().logger,
    });
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
      expect(await m.getKey('ns', 'k')).toBe('v');
      expect(await m.deletePattern('*')).toBe(1);
    } finally {
      await m.close();
    }
  });
});

describe('a leased connection', () => {
  test('util.inspect of it never shows the client options (password, TLS key)', async () => {
    const m = new RedisManager({
      redisUrl: `rediss://127.0.0.1:${mtlsPort}`,
      redisTls: { ca: tls.caFile, cert: tls.clientCertFile, key: tls.clientKeyPem },
      logger: captureLogger().logger,
    });
    try {
      const lease = await m.getConnection();
      expectNoKeyMaterial(inspect(lease, { depth: 10 }));
    } finally {
      await m.close();
    }
  });

  test('sync API: util.inspect of it shows where it goes, never the options it sends to the worker', () => {
    const m = new SyncRedisManager({
      redisUrl: `rediss://127.0.0.1:${mtlsPort}`,
      redisTls: { ca: tls.caFile, cert: tls.clientCertFile, key: tls.clientKeyPem },
      logger: captureLogger().logger,
    });
    try {
      const lease = m.getConnection();
      const text = inspect(lease, { depth: Infinity, showHidden: true });
      expect(text).toContain(`127.0.0.1:${mtlsPort}`);
      expectNoKeyMaterial(text);
    } finally {
      m.close();
    }
  });
});

describe('redisTls validation', () => {
  test('a TLS setting with a plain redis:// URL is refused (it would go unused)', () => {
    expect(() => parseSecurityConfig({ redisUrl: 'redis://127.0.0.1:1', redisTls: { ca: tls.caFile } })).toThrow(
      GuardConfigError,
    );
  });

  test('cert without key, or a value that is neither PEM nor a readable file: refused, never echoed', () => {
    expect(() =>
      parseSecurityConfig({ redisUrl: 'rediss://127.0.0.1:1', redisTls: { cert: tls.clientCertFile } }),
    ).toThrow(/cert and key go together/);
    const secretLooking = 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg-not-a-file';
    const error = (() => {
      try {
        parseSecurityConfig({
          redisUrl: 'rediss://127.0.0.1:1',
          redisTls: { key: secretLooking, cert: tls.clientCertFile },
        });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(GuardConfigError);
    expect(String((error as Error).message)).toMatch(/redisTls\.key/);
    expect(inspect(error, { depth: 10 })).not.toContain(secretLooking);
  });

  test('a valid setting parses, with rejectUnauthorized on by default', () => {
    const config = parseSecurityConfig({ redisUrl: 'rediss://127.0.0.1:1', redisTls: { ca: tls.caFile } });
    expect(config.redisTls).toMatchObject({ ca: [tls.caFile], rejectUnauthorized: true, key: null });
  });
});
