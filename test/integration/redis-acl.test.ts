/**
 * The minimal ACL documented in the README ("Deploying › ACL"), on a private redis-server: a user
 * restricted to the package's commands, to `~<prefix>*` keys and `&<prefix>*` channels runs every
 * RedisManager operation (both APIs) and every subsystem through HandlerInitializer with zero
 * NOPERM, every subsystem staying on Redis, and nothing printed to the console by ioredis (it
 * used to warn when its INFO ready check was denied).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { HandlerInitializer } from '../../src/index.js';
import { SLIDING_WINDOW_HIT } from '../../src/core/redis/sliding-window.js';
import { apisUnderTest, captureFailure, eventually } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

/** The README's command list, verbatim: every command the package sends, scripts included. */
const GUARD_CORE_ACL_COMMANDS = [
  // connection (AUTH and HELLO are always allowed); ROLE rides with the first PING (sentinel check)
  'ping',
  'role',
  'quit',
  // RedisManager key operations
  'get',
  'set',
  'exists',
  'del',
  'pttl',
  'scan',
  'unlink',
  // scripts, and the commands they run
  'evalsha',
  'eval',
  'incr',
  'expire',
  'ttl',
  'type',
  'zadd',
  'zcard',
  'zrange',
  'zremrangebyscore',
  'sadd',
  'srem',
  'scard',
  'sismember',
  'smembers',
  'spop',
  // pub/sub (bans, patterns and headers sync between replicas)
  'publish',
  'subscribe',
  'unsubscribe',
];

const PASSWORD = `acl-${randomBytes(6).toString('hex')}`;
const PREFIX = `aclapp:${randomBytes(3).toString('hex')}:`;
let server: TestRedisServer;
let admin: Redis;
let url = '';

beforeAll(async () => {
  server = await startPrivateRedis();
  admin = new Redis(server.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  await admin.call(
    'ACL',
    'SETUSER',
    'guard',
    'on',
    `>${PASSWORD}`,
    'resetkeys',
    'resetchannels',
    `~${PREFIX}*`,
    `&${PREFIX}*`,
    '-@all',
    ...GUARD_CORE_ACL_COMMANDS.map((c) => `+${c}`),
  );
  url = `redis://guard:${PASSWORD}@127.0.0.1:${server.port}`;
});
afterEach(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
    if (keys.length > 0) await admin.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
});
afterAll(async () => {
  await admin.quit();
  await server.dispose();
});

/** What the server refused the restricted user (ACL LOG), as `reason:object`; the log is then reset. */
async function deniedForUser(): Promise<string[]> {
  const entries = (await admin.call('ACL', 'LOG')) as unknown[][];
  await admin.call('ACL', 'LOG', 'RESET');
  return entries
    .map((entry) => {
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
      return fields;
    })
    .filter((fields) => fields.get('username') === 'guard')
    .map((fields) => `${String(fields.get('reason'))}:${String(fields.get('object'))}`);
}

/** Spies on the console: ioredis writes there directly, bypassing the logger. */
function watchConsole(): { text(): string; restore(): void } {
  const seen: string[] = [];
  const spies = (['log', 'warn', 'error', 'info'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      seen.push(args.map(String).join(' '));
    }),
  );
  return { text: () => seen.join('\n'), restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe('the restriction is real', () => {
  test('outside the prefix, and a command not listed, are NOPERM', async () => {
    const user = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    try {
      expect(String(await captureFailure(() => user.get('other:key')))).toMatch(/NOPERM/);
      expect(String(await captureFailure(() => user.info()))).toMatch(/NOPERM/);
      expect(String(await captureFailure(() => user.flushall()))).toMatch(/NOPERM/);
    } finally {
      user.disconnect();
    }
  });
});

describe.each(apisUnderTest)('every RedisManager operation as the restricted user ($name API)', (api) => {
  test('zero NOPERM, nothing on the console', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const console_ = watchConsole();
    const logs = captureLogger();
    const m = api.createManager({ redisUrl: url, redisPrefix: PREFIX, logger: logs.logger });
    try {
      await m.initialize();
      expect(await m.setKey('ns', 'k', 'v', 60)).toBe(true);
      expect(await m.setKey('ns', 'plain', 'v')).toBe(true);
      expect(await m.getKey('ns', 'k')).toBe('v');
      expect(await m.exists('ns', 'k')).toBe(true);
      expect(await m.incr('ns', 'n', 60)).toBe(1);
      await m.setKey('ns', 'garbage', 'x');
      expect(await m.incr('ns', 'garbage', 60)).toBe(1); // the reset script (TYPE, SET, TTL, EXPIRE)
      expect(await m.recordSlidingWindowHit('sw', 'ip', 100, 40, 60)).toBe(1);
      expect(await m.runScript(SLIDING_WINDOW_HIT, 'sw', ['ip'], [101, 'm2', 40, 60])).toBe(2);
      expect((await m.keys('ns:*'))?.length).toBe(4);
      expect(await m.delete('ns', 'k')).toBe(1);
      const sub = await m.subscribe('events');
      await eventually(async () => {
        expect(await m.publish('events', 'hello')).toBe(1);
      });
      await eventually(async () => {
        expect((await sub!.drain()).messages).toContain('hello');
      });
      await sub!.close();
      expect(await m.deletePattern('*')).toBe(4);
    } finally {
      await m.close();
      console_.restore();
    }
    expect(logs.text()).not.toMatch(/NOPERM/);
    expect(console_.text()).toBe('');
    expect(await deniedForUser()).toEqual([]);
  });
});

describe('every subsystem through HandlerInitializer as the restricted user (async API)', () => {
  test('rate limits, behaviour, bans, patterns and headers stay on Redis with zero NOPERM', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    const console_ = watchConsole();
    const logs = captureLogger();
    const init = new HandlerInitializer({
      redisUrl: url,
      redisPrefix: PREFIX,
      redisFailOpen: false, // a refused command would throw here instead of falling back quietly
      logger: logs.logger,
    });
    try {
      const result = await init.initializeRedisHandlers();
      expect(result.redis).toBe('connected');
      expect((await init.rateLimiter.check('203.0.113.7')).allowed).toBe(true);
      await init.behaviorTracker.trackEndpointUsage('/login', '203.0.113.7', {
        type: 'usage',
        threshold: 5,
        windowSeconds: 60,
      });
      expect(await init.ipBans.banIp('198.51.100.9', 60, 'test')).toBe(true);
      expect(await init.ipBans.isIpBanned('198.51.100.9')).toBe(true);
      expect((await init.ipBans.listBans()).length).toBe(1);
      expect(await init.ipBans.unbanIp('198.51.100.9')).toBe(true);
      expect(await init.patterns.addPattern('evil[0-9]+')).toBe(true);
      expect((await init.patterns.matchContent('an evil42 payload')).matched).toContain('evil[0-9]+');
      expect(await init.patterns.removePattern('evil[0-9]+')).toBe(true);
      await init.securityHeaders.updateConfig({ frameOptions: 'DENY' });
      expect(Object.keys(await init.securityHeaders.getHeaders()).length).toBeGreaterThan(0);
      for (const subsystem of init.subsystems) expect(subsystem.mode, subsystem.subsystem).toBe('redis');
    } finally {
      await init.close();
      console_.restore();
    }
    expect(logs.text()).not.toMatch(/NOPERM/);
    expect(console_.text()).toBe('');
    expect(await deniedForUser()).toEqual([]);
  });
});
