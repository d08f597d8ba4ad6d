/**
 * Bad input to the Redis manager and the cloud manager is a `GuardInputError` naming the field,
 * found before any I/O (never a raw TypeError, never a 503 that would look like an outage), and
 * a cluster seed node written as an IPv6 URL reaches ioredis without its brackets.
 */
import { Cluster } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { CloudManager, GuardInputError, RedisManager, silentLogger } from '../../../src/index.js';
import { createClient } from '../../../src/async/seams/ioredis-client.js';
import { captureFailure } from '../../support/apis.js';

const disabled = () => new RedisManager({ enableRedis: false, logger: silentLogger });

async function inputError(call: () => Promise<unknown>): Promise<GuardInputError> {
  const error = await captureFailure(call);
  expect(error).toBeInstanceOf(GuardInputError);
  return error as GuardInputError;
}

describe('RedisManager.runScript and subscribe', () => {
  const script = { name: 'test.inputChecks', lua: 'return 1' };

  test('a script that is not { name, lua } is refused, naming the field', async () => {
    const m = disabled();
    for (const bad of [null, {}, { name: '', lua: 'return 1' }, { name: 'x', lua: 123 }, { name: 'x', lua: '' }]) {
      expect((await inputError(() => m.runScript(bad as never, 'ns', ['k'], []))).field).toBe('script');
    }
    expect(await m.runScript(script, 'ns', ['k'], [])).toBeNull(); // valid, Redis disabled
  });

  test('one name with two sources is refused (not a transport failure)', async () => {
    const m = disabled();
    await m.runScript({ name: 'test.clash', lua: 'return 1' }, 'ns', [], []);
    const error = await inputError(() => m.runScript({ name: 'test.clash', lua: 'return 2' }, 'ns', [], []));
    expect(error.message).toMatch(/two different Lua scripts are both named "test\.clash"/);
  });

  test('arguments must be strings or finite numbers', async () => {
    const m = disabled();
    for (const bad of [{}, null, undefined, true, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await inputError(() => m.runScript(script, 'ns', [], ['ok', bad as never]));
      expect(error.field).toBe('args');
      expect(error.message).toMatch(/at index 1/);
    }
    expect(await m.runScript(script, 'ns', [], ['a', 1, -2.5])).toBeNull();
  });

  test('a subscription capacity must be a whole number from 1 to 1,000,000', async () => {
    const m = disabled();
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0, -1, 1.5, 1_000_001, '10']) {
      expect((await inputError(() => m.subscribe('ch', bad as never))).field).toBe('capacity');
    }
    expect(await m.subscribe('ch', 1)).toBeNull(); // valid, Redis disabled
  });
});

describe('RedisManager.safeOperation', () => {
  test('an operation that is not a function is refused', async () => {
    expect((await inputError(() => disabled().safeOperation(null as never))).field).toBe('operation');
  });
});

describe('CloudManager.refresh options', () => {
  test('options that are not an object, or an onProvider that is not a function, are refused before any work', async () => {
    const m = new CloudManager({ enableRedis: false, logger: silentLogger });
    try {
      expect((await inputError(() => m.refresh(undefined, null as never))).field).toBe('options');
      expect((await inputError(() => m.refresh(['AWS'], 'force' as never))).field).toBe('options');
      expect((await inputError(() => m.refresh(['AWS'], { onProvider: 'x' as never }))).field).toBe('onProvider');
    } finally {
      m.close();
    }
  });
});

describe('cluster seed nodes', () => {
  test('an IPv6 node URL is handed to ioredis without brackets', () => {
    const client = createClient({
      url: null,
      clusterNodes: ['redis://[::1]:7000', 'redis://127.0.0.1:7001'],
      connectTimeoutMs: 100,
      commandTimeoutMs: 100,
      retries: 0,
    });
    expect(client).toBeInstanceOf(Cluster);
    const nodes = (client as unknown as { startupNodes: { host: string; port: number }[] }).startupNodes;
    expect(nodes.map((n) => `${n.host}|${n.port}`)).toEqual(['::1|7000', '127.0.0.1|7001']);
    client.disconnect();
  });
});
