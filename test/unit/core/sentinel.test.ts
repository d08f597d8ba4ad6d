/**
 * Redis Sentinel without a server: the config fields (validation, cross-field rules, redaction),
 * the options the manager hands its opener (plain data, so they cross the sync bridge), secret
 * scrubbing of the sentinels' password, and the pure parsing helpers.
 */
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import {
  GuardConfigError,
  GuardRedisError,
  RedisManager,
  parseSecurityConfig,
  silentLogger,
  type RedisConnectionOptions,
  type SecurityConfigInput,
} from '../../../src/index.js';
import {
  connectBudgetMs,
  describeSentinelTarget,
  monitoredMasters,
  parseSentinelAddress,
  readSentinelEvent,
  roleOf,
} from '../../../src/core/redis/sentinel.js';
import { createClient } from '../../../src/async/seams/ioredis-client.js';
import { captureFailure } from '../../support/apis.js';
import { captureLogger } from '../../support/logger.js';

const SENTINELS = ['10.0.0.1:26379', '10.0.0.2:26380', 'sentinel-3'];
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function issuesOf(input: SecurityConfigInput): { field: string; message: string }[] {
  try {
    parseSecurityConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardConfigError);
    return [...(error as GuardConfigError).issues];
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('Sentinel config fields', () => {
  test('default to null, and a full Sentinel config parses', () => {
    const plain = parseSecurityConfig();
    expect(plain.redisSentinels).toBeNull();
    expect(plain.redisSentinelMasterName).toBeNull();
    expect(plain.redisSentinelUsername).toBeNull();
    expect(plain.redisSentinelPassword).toBeNull();
    const config = parseSecurityConfig({
      redisSentinels: SENTINELS,
      redisSentinelMasterName: 'mymaster',
      redisSentinelUsername: 'watcher',
      redisSentinelPassword: 'S3ntinelSecret',
      redisUrl: 'redis://:DataSecret@ignored/2',
    });
    expect(config.redisSentinels).toEqual(SENTINELS);
    expect(config.redisSentinelMasterName).toBe('mymaster');
  });

  test('redisSentinelMasterName is required with redisSentinels', () => {
    const issues = issuesOf({ redisSentinels: SENTINELS });
    expect(issues).toEqual([expect.objectContaining({ field: 'redisSentinelMasterName' })]);
    expect(issues[0]!.message).toMatch(/required/);
  });

  test('Sentinel and Cluster are mutually exclusive', () => {
    const issues = issuesOf({
      redisSentinels: SENTINELS,
      redisSentinelMasterName: 'mymaster',
      redisClusterNodes: ['redis://127.0.0.1:7000'],
    });
    expect(issues).toEqual([expect.objectContaining({ field: 'redisSentinels' })]);
    expect(issues[0]!.message).toMatch(/redisClusterNodes/);
  });

  test.each(['redisSentinelMasterName', 'redisSentinelUsername', 'redisSentinelPassword'] as const)(
    '%s without redisSentinels is refused (it would go unused)',
    (field) => {
      const issues = issuesOf({ [field]: 'x' });
      expect(issues).toEqual([expect.objectContaining({ field })]);
      expect(issues[0]!.message).toMatch(/redisSentinels/);
    },
  );

  test('a bad sentinel address names the entry', () => {
    const issues = issuesOf({ redisSentinels: ['ok:1', 'redis://user:pw@host:1'], redisSentinelMasterName: 'm' });
    expect(issues).toEqual([expect.objectContaining({ field: 'redisSentinels.1' })]);
    expect(issues[0]!.message).toMatch(/redisSentinelPassword/);
    expect(JSON.stringify(issues)).not.toContain('pw@');
    expect(issuesOf({ redisSentinels: [], redisSentinelMasterName: 'm' })[0]!.field).toBe('redisSentinels');
    expect(issuesOf({ redisSentinels: ['h:1'], redisSentinelMasterName: 'a b' })[0]!.field).toBe(
      'redisSentinelMasterName',
    );
  });

  test('TLS over Sentinel: rediss:// sentinels and/or a rediss:// redisUrl, with or without redisTls', () => {
    const tlsSentinels = ['rediss://10.0.0.1:26379', 'rediss://[::1]:26380'];
    expect(() =>
      parseSecurityConfig({ redisSentinels: tlsSentinels, redisSentinelMasterName: 'm', redisTls: { ca: [PEM] } }),
    ).not.toThrow();
    expect(() =>
      parseSecurityConfig({ redisSentinels: SENTINELS, redisSentinelMasterName: 'm', redisUrl: 'rediss://:pw@m/0' }),
    ).not.toThrow();
    expect(parseSentinelAddress('rediss://10.0.0.1:26379')).toEqual({ host: '10.0.0.1', port: 26379, tls: true });
    expect(parseSentinelAddress('redis://10.0.0.1')).toEqual({ host: '10.0.0.1', port: 26379 });
  });

  test('TLS over Sentinel: a mix of rediss:// and plain sentinels, or redisTls that nothing uses, is refused', () => {
    const mixed = issuesOf({
      redisSentinels: ['rediss://10.0.0.1:26379', '10.0.0.2:26379'],
      redisSentinelMasterName: 'm',
    });
    expect(mixed).toEqual([expect.objectContaining({ field: 'redisSentinels' })]);
    expect(mixed[0]!.message).toMatch(/mixes rediss:\/\/ and plain/);
    const unused = issuesOf({ redisSentinels: SENTINELS, redisSentinelMasterName: 'm', redisTls: { ca: [PEM] } });
    expect(unused).toEqual([expect.objectContaining({ field: 'redisTls' })]);
    expect(unused[0]!.message).toMatch(/would not be used/);
  });

  test('enableRedis: false skips the cross-field rules', () => {
    expect(() => parseSecurityConfig({ enableRedis: false, redisSentinels: SENTINELS })).not.toThrow();
  });

  test('util.inspect and JSON of the config never show the sentinels’ or the data password', () => {
    const config = parseSecurityConfig({
      redisSentinels: SENTINELS,
      redisSentinelMasterName: 'mymaster',
      redisSentinelUsername: 'WatcherUser',
      redisSentinelPassword: 'S3ntinelSecret',
      redisUrl: 'redis://:DataSecret@ignored/2',
    });
    for (const text of [inspect(config, { depth: 5 }), JSON.stringify(config)]) {
      expect(text).not.toContain('S3ntinelSecret');
      expect(text).not.toContain('WatcherUser');
      expect(text).not.toContain('DataSecret');
      expect(text).toContain('10.0.0.1:26379');
      expect(text).toContain('<redacted>');
    }
    // The code that connects still reads the real values.
    expect(config.redisSentinelPassword).toBe('S3ntinelSecret');
  });
});

describe('RedisManager over Sentinel (fake opener)', () => {
  test('the opener gets plain-data Sentinel options (structured-cloneable, as the sync bridge needs)', async () => {
    let seen: RedisConnectionOptions | null = null;
    const m = new RedisManager(
      {
        redisSentinels: SENTINELS,
        redisSentinelMasterName: 'mymaster',
        redisSentinelPassword: 'S3ntinelSecret',
        redisUrl: null,
        logger: silentLogger,
      },
      {
        openConnection: (options) => {
          seen = options;
          return Promise.reject(new GuardRedisError(503, 'no server in a unit test'));
        },
      },
    );
    await captureFailure(() => m.initialize());
    expect(seen).not.toBeNull();
    const options = seen as unknown as RedisConnectionOptions;
    expect(structuredClone(options)).toEqual(options);
    expect(options.sentinel).toEqual({
      sentinels: SENTINELS,
      masterName: 'mymaster',
      username: null,
      password: 'S3ntinelSecret',
    });
    expect(inspect(m)).toContain('sentinel master "mymaster" via 10.0.0.1:26379,10.0.0.2:26380,sentinel-3:26379');
    expect(inspect(m)).not.toContain('S3ntinelSecret');
  });

  test.each([
    ['rediss:// sentinels only', ['rediss://10.0.0.1:26379'], 'redis://m/0', { sentinel: true, data: false }],
    ['a rediss:// redisUrl only', ['10.0.0.1:26379'], 'rediss://m/0', { sentinel: false, data: true }],
    ['both', ['rediss://10.0.0.1:26379'], 'rediss://m/0', { sentinel: true, data: true }],
  ] as const)(
    'TLS over Sentinel, %s: the ioredis client gets sentinelTLS / TLS to the data servers',
    async (_l, sentinels, url, want) => {
      let seen: RedisConnectionOptions | null = null;
      const m = new RedisManager(
        {
          redisSentinels: [...sentinels],
          redisSentinelMasterName: 'mymaster',
          redisUrl: url,
          redisTls: { ca: [PEM], servername: 'redis.internal' },
          logger: silentLogger,
        },
        {
          openConnection: (options) => {
            seen = options;
            return Promise.reject(new GuardRedisError(503, 'no server in a unit test'));
          },
        },
      );
      await captureFailure(() => m.initialize());
      const client = createClient(seen as unknown as RedisConnectionOptions);
      try {
        const options = client.options as {
          sentinelTLS?: { ca?: string[] };
          tls?: { ca?: string[] };
          enableTLSForSentinelMode?: boolean;
          sentinels?: unknown[];
        };
        expect(options.sentinels).toEqual([{ host: '10.0.0.1', port: 26379 }]);
        expect(options.sentinelTLS?.ca).toEqual(want.sentinel ? [PEM] : undefined);
        expect(options.enableTLSForSentinelMode === true).toBe(want.data);
        if (want.data) expect(options.tls).toMatchObject({ ca: [PEM], servername: 'redis.internal' });
      } finally {
        client.disconnect();
      }
    },
  );

  test('a driver error quoting the sentinels’ password is scrubbed from the error and the log', async () => {
    const logs = captureLogger();
    const m = new RedisManager(
      {
        redisSentinels: SENTINELS,
        redisSentinelMasterName: 'mymaster',
        redisSentinelUsername: 'WatcherUser',
        redisSentinelPassword: 'S3ntinelSecret',
        logger: logs.logger,
      },
      {
        openConnection: () =>
          Promise.reject(new Error('failed to connect to sentinel: ERR AUTH WatcherUser S3ntinelSecret refused')),
      },
    );
    const error = await captureFailure(() => m.initialize());
    expect(error).toBeInstanceOf(GuardRedisError);
    const shown = `${(error as GuardRedisError).detail} ${inspect(error, { depth: 5 })} ${logs.text()}`;
    expect(shown).not.toContain('S3ntinelSecret');
    expect(shown).not.toContain('WatcherUser');
    expect(shown).toContain('***');
  });
});

describe('Sentinel helpers', () => {
  test('parseSentinelAddress', () => {
    expect(parseSentinelAddress('h:1')).toEqual({ host: 'h', port: 1 });
    expect(parseSentinelAddress('h')).toEqual({ host: 'h', port: 26379 });
    expect(parseSentinelAddress('[::1]:5000')).toEqual({ host: '::1', port: 5000 });
    expect(parseSentinelAddress('redis://10.1.2.3:26380')).toEqual({ host: '10.1.2.3', port: 26380 });
    expect(parseSentinelAddress('redis://[::1]:7')).toEqual({ host: '::1', port: 7 });
    expect(parseSentinelAddress('rediss://h:1')).toEqual({ host: 'h', port: 1, tls: true });
    expect(parseSentinelAddress('rediss://h:1/0')).toMatch(/rediss:\/\/host:port, without a path/);
    expect(parseSentinelAddress('http://h:1')).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(parseSentinelAddress('redis://u:p@h:1')).toMatch(/credentials/);
    expect(parseSentinelAddress('redis://h:1/0')).toMatch(/path/);
    expect(parseSentinelAddress('h:0')).toMatch(/port/);
    expect(parseSentinelAddress('h:70000')).toMatch(/port/);
    expect(parseSentinelAddress('a b:1')).toMatch(/whitespace/);
    expect(parseSentinelAddress('http://h:1')).toMatch(/redis:\/\//);
    expect(parseSentinelAddress('::1')).toMatch(/host:port/);
  });

  test('readSentinelEvent keeps only the followed master group', () => {
    expect(readSentinelEvent('+try-failover', 'master mymaster 10.0.0.5 6379', 'mymaster')).toEqual({
      kind: 'try-failover',
    });
    expect(readSentinelEvent('+try-failover', 'master other 10.0.0.5 6379', 'mymaster')).toBeNull();
    expect(readSentinelEvent('-failover-abort-not-elected', 'master mymaster 10.0.0.5 6379', 'mymaster')).toEqual({
      kind: 'abort',
    });
    expect(readSentinelEvent('+switch-master', 'mymaster 10.0.0.5 6379 10.0.0.6 6380', 'mymaster')).toEqual({
      kind: 'switch',
      host: '10.0.0.6',
      port: 6380,
    });
    expect(readSentinelEvent('+switch-master', 'other 10.0.0.5 6379 10.0.0.6 6380', 'mymaster')).toBeNull();
    expect(readSentinelEvent('+switch-master', 'mymaster garbage', 'mymaster')).toBeNull();
  });

  test('roleOf and monitoredMasters read ROLE replies', () => {
    expect(roleOf(['sentinel', ['a', 'b']])).toBe('sentinel');
    expect(monitoredMasters(['sentinel', ['a', 'b']])).toEqual(['a', 'b']);
    expect(roleOf(['master', 0, []])).toBe('master');
    expect(roleOf(['slave', '127.0.0.1', 6379, 'connected', 1])).toBe('slave');
    expect(roleOf(null)).toBeNull();
    expect(roleOf('PONG')).toBeNull();
    expect(monitoredMasters(['master', 0, []])).toEqual([]);
  });

  test('connectBudgetMs gives each sentinel one try before the master', () => {
    expect(connectBudgetMs({ connectTimeoutMs: 1000, commandTimeoutMs: 500 })).toBe(1000);
    expect(connectBudgetMs({ connectTimeoutMs: 1000, commandTimeoutMs: 500, sentinel: { sentinels: SENTINELS } })).toBe(
      3 * 1500 + 1000,
    );
  });

  test('describeSentinelTarget', () => {
    expect(describeSentinelTarget('m', ['[::1]:1', 'h'])).toBe('sentinel master "m" via [::1]:1,h:26379');
  });
});
