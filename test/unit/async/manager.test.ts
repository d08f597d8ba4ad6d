import { describe, expect, test } from 'vitest';
import { GuardInputError, GuardRedisError, RedisManager, type SecurityConfigInput } from '../../../src/index.js';
import { captureFailure } from '../../support/apis.js';
import { fakeOpener, type FakeOpener } from '../../support/fake-connection.js';
import { captureLogger } from '../../support/logger.js';

function setup(config: SecurityConfigInput = {}, clock?: { now: number }) {
  const opener = fakeOpener();
  const log = captureLogger();
  const manager = new RedisManager(
    { redisUrl: 'redis://127.0.0.1:6390', redisPrefix: 'p:', logger: log.logger, ...config },
    { openConnection: opener.open, ...(clock ? { now: () => clock.now } : {}) },
  );
  return { opener, log, manager };
}

const everyOperation = (m: RedisManager): Array<[string, () => Promise<unknown>]> => [
  ['getKey', () => m.getKey('ns', 'k')],
  ['setKey', () => m.setKey('ns', 'k', 'v', 10)],
  ['incr', () => m.incr('ns', 'c', 10)],
  ['exists', () => m.exists('ns', 'k')],
  ['delete', () => m.delete('ns', 'k')],
  ['keys', () => m.keys('*')],
  ['deletePattern', () => m.deletePattern('*')],
  ['safeOperation', () => m.safeOperation(async (c) => c.get('x'))],
];

async function expect503(call: () => unknown, detail?: string | RegExp): Promise<GuardRedisError> {
  const error = await captureFailure(call);
  expect(error).toBeInstanceOf(GuardRedisError);
  const redisError = error as GuardRedisError;
  expect(redisError.statusCode).toBe(503);
  if (detail !== undefined) expect(redisError.detail).toMatch(detail);
  return redisError;
}

describe('RedisManager (over a fake seam)', () => {
  test('each construction is a new instance with its own config', () => {
    const a = new RedisManager({ redisPrefix: 'a:' });
    const b = new RedisManager({ redisPrefix: 'b:' });
    expect(a).not.toBe(b);
    expect(a.config.redisPrefix).toBe('a:');
    expect(b.config.redisPrefix).toBe('b:');
  });

  test('disabled: every operation returns null and nothing is ever opened', async () => {
    const { opener, manager } = setup({ enableRedis: false });
    await manager.initialize();
    for (const [, call] of everyOperation(manager)) expect(await call()).toBeNull();
    await manager.close();
    expect(opener.options).toHaveLength(0);
  });

  test('disabled: getConnection refuses with GuardRedisError instead of connecting', async () => {
    const { opener, manager } = setup({ enableRedis: false });
    await expect503(() => manager.getConnection(), /disabled/);
    expect(opener.options).toHaveLength(0);
  });

  test('connects lazily on first use, once, with the configured tuning', async () => {
    const { opener, manager } = setup({ redisConnectTimeoutMs: 123, redisCommandTimeoutMs: 456, redisRetries: 0 });
    expect(opener.options).toHaveLength(0);
    await manager.setKey('ns', 'k', 'v');
    expect(await manager.getKey('ns', 'k')).toBe('v');
    expect(opener.opened).toHaveLength(1);
    expect(opener.options[0]).toEqual({
      url: 'redis://127.0.0.1:6390',
      clusterNodes: null,
      connectTimeoutMs: 123,
      commandTimeoutMs: 456,
      retries: 0,
    });
    expect(opener.opened[0]?.calls.map((c) => c.method)).toEqual(['ping', 'set', 'get']);
  });

  test('concurrent first calls share one connect (single flight)', async () => {
    const { opener, manager } = setup();
    opener.hold = true;
    const calls = [manager.getKey('ns', 'a'), manager.exists('ns', 'b'), manager.incr('ns', 'c')];
    await new Promise((r) => setTimeout(r, 5));
    opener.release();
    expect(await Promise.all(calls)).toEqual([null, false, 1]);
    expect(opener.options).toHaveLength(1);
  });

  test('re-initialize replaces the client and closes the previous one exactly once', async () => {
    const { opener, manager } = setup();
    await manager.initialize();
    await manager.initialize();
    expect(opener.opened).toHaveLength(2);
    expect(opener.opened[0]?.calls.filter((c) => c.method === 'close')).toHaveLength(1);
    expect(opener.opened[1]?.closed).toBe(false);
  });

  test('a failed PING closes the half-built client and raises 503; the failure is logged', async () => {
    const { opener, manager, log } = setup();
    opener.failPing = new GuardRedisError(503, 'Redis connection failed (redis://127.0.0.1:6390)');
    await expect503(() => manager.initialize(), /connection failed/);
    expect(opener.opened[0]?.closed).toBe(true);
    expect(log.lines.some((l) => l.level === 'error' && l.message.includes('Redis connection failed'))).toBe(true);
  });

  test('a non-Guard failure while opening becomes GuardRedisError 503 with the cause kept', async () => {
    const { opener, manager } = setup();
    const cause = new Error('boom');
    opener.failOpen = cause;
    const error = await expect503(() => manager.getKey('ns', 'k'));
    expect(error.cause).toBe(cause);
  });

  test('close is idempotent; afterwards every operation and getConnection raise GuardRedisError', async () => {
    const { opener, manager, log } = setup();
    await manager.initialize();
    await manager.close();
    await manager.close();
    expect(manager.isClosed).toBe(true);
    expect(opener.opened[0]?.calls.filter((c) => c.method === 'close')).toHaveLength(1);
    for (const [, call] of everyOperation(manager)) await expect503(call, 'Redis connection closed');
    await expect503(() => manager.getConnection(), 'Redis connection closed');
    expect(opener.opened).toHaveLength(1); // no reconnect behind the user's back
    expect(log.lines.filter((l) => l.message === 'Redis connection closed')).toHaveLength(1);
  });

  test('an explicit initialize() reopens a closed manager', async () => {
    const { manager } = setup();
    await manager.close();
    await manager.initialize();
    expect(manager.isClosed).toBe(false);
    expect(await manager.setKey('ns', 'k', 'v')).toBe(true);
  });

  test('close() during an in-flight connect: the new client is closed, never leaked, and the call fails', async () => {
    const { opener, manager } = setup();
    opener.hold = true;
    const pending = captureFailure(() => manager.getKey('ns', 'k'));
    await new Promise((r) => setTimeout(r, 5));
    await manager.close();
    opener.release();
    const error = await pending;
    expect(error).toBeInstanceOf(GuardRedisError);
    expect((error as GuardRedisError).detail).toBe('Redis connection closed');
    expect(opener.opened).toHaveLength(1);
    expect(opener.opened[0]?.closed).toBe(true);
  });

  test('redisUrl null: a warning, no connect, and 503 on use', async () => {
    const { opener, manager, log } = setup({ redisUrl: null });
    await manager.initialize();
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('Redis URL is null'))).toBe(true);
    await expect503(() => manager.getKey('ns', 'k'), /no redisUrl/);
    expect(opener.options).toHaveLength(0);
  });

  test('a transport failure during an operation is a 503 naming the operation and the reason, logged once per outage', async () => {
    const { opener, manager, log } = setup();
    await manager.initialize();
    const cause = new Error('socket hang up');
    (opener.opened[0] as NonNullable<(typeof opener.opened)[0]>).failWith = cause;
    const before = log.lines.length;
    for (const [name, call] of everyOperation(manager)) {
      const error = await expect503(call, /socket hang up/);
      expect(error.cause).toBe(cause);
      expect(error.detail).toContain(name === 'safeOperation' ? 'Redis operation' : name);
    }
    // One line for the whole outage (issue 10: not one per failed operation).
    const logged = log.lines.slice(before).filter((l) => l.level === 'error');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toContain('getKey');
  });

  test('safeOperation passes the connection and the arguments and returns the result', async () => {
    const { manager } = setup();
    const result = await manager.safeOperation(
      async function readTwo(connection, a: string, b: string) {
        await connection.set(a, '1', null);
        return [await connection.get(a), await connection.get(b)];
      },
      'x',
      'y',
    );
    expect(result).toEqual(['1', null]);
  });

  test('safeOperation logs the function name on failure', async () => {
    const { manager, log } = setup();
    await expect503(() =>
      manager.safeOperation(async function explode() {
        throw new Error('nope');
      }),
    );
    expect(log.lines.at(-1)?.message).toContain('explode');
  });

  test('keys are {prefix}{namespace}:{key}; bad names, TTLs and values are refused before any I/O', async () => {
    const { opener, manager } = setup();
    const bad: Array<[() => Promise<unknown>, string]> = [
      [() => manager.getKey('', 'k'), 'namespace'],
      [() => manager.getKey('ns', ''), 'key'],
      [() => manager.setKey('ns', 'k', 'v', 0), 'ttl'],
      [() => manager.setKey('ns', 'k', 'v', 1.5), 'ttl'],
      [() => manager.setKey('ns', 'k', { a: 1 } as never), 'value'],
      [() => manager.incr('ns', 'k', -5), 'ttl'],
      [() => manager.exists(42 as never, 'k'), 'namespace'],
      [() => manager.keys(undefined as never), 'pattern'],
      [() => manager.deletePattern(null as never), 'pattern'],
    ];
    for (const [call, field] of bad) {
      const error = await captureFailure(call);
      expect(error).toBeInstanceOf(GuardInputError);
      expect((error as GuardInputError).field).toBe(field);
    }
    expect(opener.options).toHaveLength(0);
    await manager.setKey('ns', 'k', 7, 30);
    expect(opener.opened[0]?.calls.at(-1)).toEqual({ method: 'set', args: ['p:ns:k', '7', 30] });
  });

  test('keys(): prefix glob-escaped, pattern kept, every page read, duplicates removed', async () => {
    const { opener, manager } = setup({ redisPrefix: 'a[1]*:' });
    for (let i = 0; i < 8; i++) opener.data.set(`a[1]*:ns:${i}`, 'v');
    opener.data.set('a1x:ns:0', 'other app');
    const keys = await manager.keys('ns:*');
    expect(keys?.sort()).toEqual([...Array(8).keys()].map((i) => `a[1]*:ns:${i}`));
    const scans = opener.opened[0]?.calls.filter((c) => c.method === 'scan') ?? [];
    expect(scans.length).toBeGreaterThan(1);
    expect(scans[0]?.args[0]).toBe('a\\[1\\]\\*:ns:*');
  });

  test('deletePattern(): UNLINK page by page, in batches, counting what was removed', async () => {
    const { opener, manager } = setup();
    for (let i = 0; i < 10; i++) opener.data.set(`p:ns:${i}`, 'v');
    opener.data.set('q:ns:0', 'other');
    expect(await manager.deletePattern('ns:*')).toBe(10);
    expect([...opener.data.keys()]).toEqual(['q:ns:0']);
    const unlinks = opener.opened[0]?.calls.filter((c) => c.method === 'unlink') ?? [];
    expect(unlinks.length).toBeGreaterThan(1);
  });

  describe('reconnect pause after a failed connect', () => {
    function failing(): { clock: { now: number }; opener: FakeOpener; manager: RedisManager } {
      const clock = { now: 1000 };
      const { opener, manager } = setup({}, clock);
      opener.failOpen = new GuardRedisError(503, 'Redis connection failed (redis://127.0.0.1:6390): refused');
      return { clock, opener, manager };
    }

    test('calls during the pause fail at once without a new connect, naming the last failure', async () => {
      const { opener, manager } = failing();
      await expect503(() => manager.getKey('ns', 'k'), /refused/);
      const error = await expect503(() => manager.getKey('ns', 'k'), /unavailable.*next connect attempt in \d+ ms/);
      expect(error.detail).toContain('refused');
      expect(opener.options).toHaveLength(1);
    });

    test('the pause doubles per failure up to one second; a success resets it', async () => {
      const { clock, opener, manager } = failing();
      const pauses: number[] = [];
      for (let i = 0; i < 7; i++) {
        await expect503(() => manager.getKey('ns', 'k'));
        const error = await expect503(() => manager.getKey('ns', 'k'), /next connect attempt in/);
        pauses.push(Number(/in (\d+) ms/.exec(error.detail)?.[1]));
        clock.now += pauses.at(-1) as number;
      }
      expect(pauses).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
      expect(opener.options).toHaveLength(7);
      opener.failOpen = null;
      expect(await manager.setKey('ns', 'k', 'v')).toBe(true);
      opener.failOpen = new GuardRedisError(503, 'down again');
      await opener.opened[0]?.close();
      // A later failure starts again from the shortest pause.
      await manager.initialize().catch(() => undefined);
      const error = await expect503(() => manager.getKey('ns', 'k'));
      expect(error.detail).toMatch(/in 50 ms/);
    });

    test('an explicit initialize() always tries at once', async () => {
      const { opener, manager } = failing();
      await expect503(() => manager.getKey('ns', 'k'));
      opener.failOpen = null;
      await manager.initialize();
      expect(await manager.getKey('ns', 'k')).toBeNull();
      expect(opener.options).toHaveLength(2);
    });
  });
});
