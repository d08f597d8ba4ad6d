import { describe, expect, test } from 'vitest';
import {
  GuardConfigError,
  GuardCoreError,
  InMemoryCloudIpStore,
  parseSecurityConfig,
  type SecurityConfigInput,
} from '../../../src/index.js';

function configError(input: unknown): GuardConfigError {
  try {
    parseSecurityConfig(input as SecurityConfigInput);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardConfigError);
    expect(error).toBeInstanceOf(GuardCoreError);
    return error as GuardConfigError;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('parseSecurityConfig', () => {
  test('fills in the documented defaults', () => {
    const config = parseSecurityConfig();
    expect(config).toMatchObject({
      enableRedis: true,
      redisUrl: 'redis://localhost:6379',
      redisPrefix: 'guard_core:',
      redisClusterNodes: null,
      redisConnectTimeoutMs: 2000,
      redisCommandTimeoutMs: 2000,
      redisRetries: 1,
      cloudIpStore: null,
      cloudIpRefreshInterval: 3600,
      lazyInit: true,
    });
    expect(config.blockCloudProviders).toEqual(new Set());
    expect(typeof config.logger.warn).toBe('function');
  });

  test('the result is frozen and parsing it again returns the same object', () => {
    const config = parseSecurityConfig({ redisPrefix: 'app:' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(parseSecurityConfig(config)).toBe(config);
    expect(() => {
      (config as { redisPrefix: string }).redisPrefix = 'other:';
    }).toThrow(TypeError);
  });

  test('accepts the legitimate variants', () => {
    const store = new InMemoryCloudIpStore();
    const factory = () => store;
    expect(parseSecurityConfig({ redisUrl: null }).redisUrl).toBeNull();
    expect(parseSecurityConfig({ redisUrl: 'rediss://u:p@host:6380/2' }).redisUrl).toBe('rediss://u:p@host:6380/2');
    expect(parseSecurityConfig({ redisPrefix: 'app[1]:*?\\' }).redisPrefix).toBe('app[1]:*?\\');
    expect(parseSecurityConfig({ blockCloudProviders: new Set(['AWS', 'GCP']) }).blockCloudProviders).toEqual(
      new Set(['AWS', 'GCP']),
    );
    expect(parseSecurityConfig({ blockCloudProviders: ['Azure', 'Azure'] }).blockCloudProviders).toEqual(
      new Set(['Azure']),
    );
    expect(parseSecurityConfig({ cloudIpStore: store }).cloudIpStore).toBe(store);
    expect(parseSecurityConfig({ cloudIpStore: factory }).cloudIpStore).toBe(factory);
    expect(parseSecurityConfig({ redisRetries: 0 }).redisRetries).toBe(0);
    expect(parseSecurityConfig({ redisClusterNodes: ['redis://a:7000', 'redis://b:7001'] }).redisClusterNodes).toEqual([
      'redis://a:7000',
      'redis://b:7001',
    ]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['enableRedis not a boolean', { enableRedis: 'yes' }, 'enableRedis'],
    ['redisUrl with an http scheme', { redisUrl: 'http://localhost:6379' }, 'redisUrl'],
    ['redisUrl not a URL', { redisUrl: 'localhost:6379' }, 'redisUrl'],
    ['redisUrl a number', { redisUrl: 6379 }, 'redisUrl'],
    ['empty redisPrefix', { redisPrefix: '' }, 'redisPrefix'],
    ['redisPrefix with a space', { redisPrefix: 'my app:' }, 'redisPrefix'],
    ['redisPrefix with a newline', { redisPrefix: 'app\n' }, 'redisPrefix'],
    ['redisPrefix too long', { redisPrefix: 'x'.repeat(257) }, 'redisPrefix'],
    ['empty redisClusterNodes', { redisClusterNodes: [] }, 'redisClusterNodes'],
    ['a bad cluster node URL', { redisClusterNodes: ['redis://ok:1', 'tcp://bad:2'] }, 'redisClusterNodes.1'],
    ['zero connect timeout', { redisConnectTimeoutMs: 0 }, 'redisConnectTimeoutMs'],
    ['fractional connect timeout', { redisConnectTimeoutMs: 1.5 }, 'redisConnectTimeoutMs'],
    ['connect timeout as a string', { redisConnectTimeoutMs: '100' }, 'redisConnectTimeoutMs'],
    ['negative command timeout', { redisCommandTimeoutMs: -1 }, 'redisCommandTimeoutMs'],
    ['huge command timeout', { redisCommandTimeoutMs: 600_001 }, 'redisCommandTimeoutMs'],
    ['negative retries', { redisRetries: -1 }, 'redisRetries'],
    ['too many retries', { redisRetries: 11 }, 'redisRetries'],
    ['an unknown provider', { blockCloudProviders: ['AWS', 'Nimbus'] }, 'blockCloudProviders'],
    ['providers as a string', { blockCloudProviders: 'AWS' }, 'blockCloudProviders'],
    ['a store without clear()', { cloudIpStore: { get() {}, set() {} } }, 'cloudIpStore'],
    ['refresh interval under a minute', { cloudIpRefreshInterval: 59 }, 'cloudIpRefreshInterval'],
    ['refresh interval over a day', { cloudIpRefreshInterval: 86_401 }, 'cloudIpRefreshInterval'],
    ['lazyInit not a boolean', { lazyInit: 1 }, 'lazyInit'],
    ['a logger without error()', { logger: { debug() {}, info() {}, warn() {} } }, 'logger'],
    ['a misspelt field', { redisPrefx: 'app:' }, 'redisPrefx'],
  ])('%s → GuardConfigError naming %s', (_label, input, field) => {
    const error = configError(input);
    expect(error.field).toBe(field);
    expect(error.issues[0]?.field).toBe(field);
    expect(error.message).toContain(field);
  });

  test('an unknown field says so', () => {
    const error = configError({ redisPrefx: 'app:' });
    expect(error.issues).toEqual([{ field: 'redisPrefx', message: 'unknown field' }]);
  });

  test('every bad field is listed; `field` is the first', () => {
    const error = configError({ redisPrefix: '', redisRetries: 99, lazyInit: 'no' });
    expect([...new Set(error.issues.map((i) => i.field))]).toEqual(['redisPrefix', 'redisRetries', 'lazyInit']);
    expect(error.field).toBe('redisPrefix');
    for (const field of ['redisPrefix', 'redisRetries', 'lazyInit']) expect(error.message).toContain(field);
  });

  test.each([null, 'redis://localhost', 42, []])(
    'a non-object config (%j) is a GuardConfigError, not a crash',
    (input) => {
      expect(configError(input).field).toBe('(config)');
    },
  );

  test('a refused URL is not echoed, so its password never reaches the message', () => {
    const error = configError({ redisUrl: 'http://admin:Hunter2Secret@db:6379' });
    expect(error.message).not.toContain('Hunter2Secret');
    expect(JSON.stringify(error.issues)).not.toContain('Hunter2Secret');
  });
});
