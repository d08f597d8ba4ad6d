import { describe, expect, test } from 'vitest';
import {
  DEFAULT_CLOUD_IP_KEY_PREFIX,
  GuardInputError,
  RedisCloudIpStore,
  RedisManager,
  type RedisHandlerProtocol,
} from '../../../src/index.js';
import { captureFailure } from '../../support/apis.js';
import { fakeOpener } from '../../support/fake-connection.js';
import { captureLogger } from '../../support/logger.js';

function setup(keyPrefix?: string) {
  const opener = fakeOpener();
  const log = captureLogger();
  const manager = new RedisManager(
    { redisUrl: 'redis://fake:1', redisPrefix: 'p:', logger: log.logger },
    { openConnection: opener.open },
  );
  return { opener, log, manager, store: new RedisCloudIpStore(manager, keyPrefix) };
}

describe('RedisCloudIpStore (over a fake seam)', () => {
  test('the default namespace is cloud_ip, as in the Python original', () => {
    expect(DEFAULT_CLOUD_IP_KEY_PREFIX).toBe('cloud_ip');
    expect(setup().store.keyPrefix).toBe('cloud_ip');
    expect(setup('cloud_ip_v2').store.keyPrefix).toBe('cloud_ip_v2');
  });

  test('refuses a missing handler or an empty key prefix', () => {
    for (const handler of [null, undefined, {}, 'redis://x']) {
      const error = (() => {
        try {
          new RedisCloudIpStore(handler as RedisHandlerProtocol);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(GuardInputError);
      expect((error as GuardInputError).field).toBe('redis');
    }
    const { manager } = setup();
    expect(() => new RedisCloudIpStore(manager, '')).toThrow(GuardInputError);
    // 'a:b' would alias store 'a' with provider 'b:…', and 'a'.clear() would reach it.
    expect(() => new RedisCloudIpStore(manager, 'cloud:ip')).toThrow(/keyPrefix.*must not contain ':'/);
  });

  test('set writes the sorted, de-duplicated list in Python format with the TTL', async () => {
    const { opener, store } = setup();
    await store.set('AWS', ['3.5.140.0/22', '10.0.0.0/8', '3.5.140.0/22'], 300);
    expect(opener.data.get('p:cloud_ip:AWS')).toBe('["10.0.0.0/8", "3.5.140.0/22"]');
    expect(opener.opened[0]?.calls.at(-1)?.args[2]).toBe(300);
    expect(await store.get('AWS')).toEqual(new Set(['10.0.0.0/8', '3.5.140.0/22']));
  });

  test('bad arguments are refused before anything is written', async () => {
    const { opener, store } = setup();
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => store.set('AWS', ['10.0.0.0/8'], 0), 'ttl'],
      [() => store.set('AWS', '10.0.0.0/8' as never), 'ranges'],
      [() => store.set('AWS', [1] as never), 'ranges'],
      [() => store.set('', ['10.0.0.0/8']), 'provider'],
      [() => store.get(undefined as never), 'provider'],
    ];
    for (const [call, field] of cases) {
      const error = await captureFailure(call);
      expect(error).toBeInstanceOf(GuardInputError);
      expect((error as GuardInputError).field).toBe(field);
    }
    expect(opener.data.size).toBe(0);
  });

  test.each(['not json', '{"AWS": []}', '"10.0.0.0/8"', '[1, 2]', 'null', '10.0.0.0/8,11.0.0.0/8'])(
    'a corrupt value %j reads as a miss and is logged, never thrown',
    async (raw) => {
      const { opener, store, log } = setup();
      opener.data.set('p:cloud_ip:AWS', raw);
      expect(await store.get('AWS')).toBeNull();
      const warning = log.lines.find((l) => l.level === 'warn');
      expect(warning?.message).toContain('cloud_ip:AWS');
      expect(opener.data.get('p:cloud_ip:AWS')).toBe(raw); // left for an operator to look at
    },
  );

  test('reads values written by other writers: compact, unsorted, escaped', async () => {
    const { opener, store } = setup();
    opener.data.set('p:cloud_ip:GCP', '["b","a","\\u00e9"]');
    expect(await store.get('GCP')).toEqual(new Set(['a', 'b', 'é']));
  });

  test('clear deletes with its own escaped namespace only', async () => {
    const { opener, store, manager } = setup('c[1]');
    await store.set('AWS', ['1.0.0.0/8']);
    opener.data.set('p:c1:AWS', 'unescaped [1] would match this');
    opener.data.set('p:cloud_ip:AWS', 'another store');
    await store.clear();
    expect([...opener.data.keys()].sort()).toEqual(['p:c1:AWS', 'p:cloud_ip:AWS']);
    const scan = opener.opened[0]?.calls.find((c) => c.method === 'scan');
    expect(scan?.args[0]).toBe('p:c\\[1\\]:*');
    expect(manager.config.redisPrefix).toBe('p:');
  });

  test('with Redis disabled: get is a miss, set and clear do nothing, no connection', async () => {
    const opener = fakeOpener();
    const manager = new RedisManager({ enableRedis: false }, { openConnection: opener.open });
    const store = new RedisCloudIpStore(manager);
    await store.set('AWS', ['1.0.0.0/8'], 60);
    expect(await store.get('AWS')).toBeNull();
    await store.clear();
    expect(opener.options).toHaveLength(0);
  });
});
