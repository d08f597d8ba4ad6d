/**
 * Races and foreign writers the subsystems must survive, on a private Redis (async API; the sync
 * twins are generated from the same source):
 * - a ban made while the write-back after an outage is in flight is not lost (Redis or locally);
 * - a network ban a Python replica stored under its IPv4-mapped name (`::ffff:a00:0/104` for
 *   `10.0.0.0/8`) is lifted by `unbanIp`, and stays lifted after the next resync;
 * - `close()` while start-up is still running wins: no subscription, no health check after it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  GuardRedisError,
  HandlerInitializer,
  IPBanManager,
  RedisManager,
  SecurityHeadersManager,
  silentLogger,
  SusPatternsManager,
  type RedisHandlerProtocol,
} from '../../src/index.js';
import { eventually } from '../support/apis.js';
import { rawClient, uniquePrefix } from '../support/redis.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startPrivateRedis();
});
afterAll(async () => {
  await server.dispose();
});

/** What a {@link controlledHandler} does to the calls it forwards. */
interface Faults {
  /** Every call fails as an outage (503). */
  down: boolean;
  /** Extra delay, in ms, before a script call whose name matches `slowScript`. */
  delayMs: number;
  slowScript: RegExp;
}

/** A real RedisManager behind a proxy that can play an outage or slow down chosen scripts. */
async function controlledHandler(
  prefix: string,
): Promise<{ handler: RedisHandlerProtocol; real: RedisManager; faults: Faults }> {
  const real = new RedisManager({ redisUrl: server.url, redisPrefix: prefix, logger: silentLogger });
  await real.initialize();
  const faults: Faults = { down: false, delayMs: 0, slowScript: /^$/ };
  const handler = new Proxy(real, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'initialize' || property === 'config') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        if (faults.down) throw new GuardRedisError(503, 'simulated outage');
        const script = property === 'runScript' ? (args[0] as { name: string }).name : '';
        if (faults.delayMs > 0 && faults.slowScript.test(script)) {
          await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { handler, real, faults };
}

describe('IP bans', () => {
  test('a ban made while the write-back after an outage is in flight reaches Redis and stays enforced', async () => {
    const prefix = uniquePrefix('race-writeback');
    const { handler, real, faults } = await controlledHandler(prefix);
    // A long pause: calls during the write-back are answered from memory (Redis still counts as down).
    const bans = new IPBanManager({ logger: silentLogger, redisPrefix: prefix, redisRetryAfterMs: 5000 });
    try {
      await bans.initializeRedis(handler);
      faults.down = true;
      expect(await bans.banIp('203.0.113.1', 3600)).toBe(true);
      expect(bans.mode).toBe('memory');
      faults.down = false;
      faults.delayMs = 200;
      faults.slowScript = /bans\.apply/;
      const probing = bans.probe(); // the health check's probe: recovery writes the outage's ban back
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await bans.banIp('203.0.113.2', 3600)).toBe(true); // during the write-back
      expect(await probing).toBe(true);
      faults.delayMs = 0;
      expect(bans.mode).toBe('redis');
      expect(await real.getKey('banned_ips', '203.0.113.1')).not.toBeNull();
      expect(await real.getKey('banned_ips', '203.0.113.2')).not.toBeNull();
      expect(await bans.isIpBanned('203.0.113.2')).toBe(true);
      expect((await bans.listBans()).map((b) => b.target).sort()).toEqual(['203.0.113.1', '203.0.113.2']);
    } finally {
      await bans.close();
      await real.deletePattern('*');
      await real.close();
    }
  });

  test("a Python replica's IPv4-mapped network ban is lifted by unbanIp and stays lifted", async () => {
    const prefix = uniquePrefix('race-mapped');
    const raw = rawClient(server.url);
    // What the original writes for ban_ip('::ffff:10.0.0.0/104'): str(ip_network(x, strict=False)).
    await raw.set(`${prefix}banned_networks:::ffff:a00:0/104`, String(Date.now() / 1000 + 3600), 'EX', 3600);
    const redis = new RedisManager({ redisUrl: server.url, redisPrefix: prefix, logger: silentLogger });
    const bans = new IPBanManager({ logger: silentLogger, redisPrefix: prefix, ipBanSyncIntervalMs: 100 });
    try {
      await bans.initializeRedis(redis);
      expect(await bans.isIpBanned('10.1.2.3')).toBe(true);
      expect(await bans.unbanIp('10.0.0.0/8')).toBe(true);
      expect(await raw.keys(`${prefix}banned_*`)).toEqual([]);
      // Resyncs come and go: the ban does not come back.
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 120)); // past the resync interval
        expect(await bans.isIpBanned('10.1.2.3')).toBe(false);
      }
      expect(await bans.listBans()).toEqual([]);
    } finally {
      await bans.close();
      await redis.close();
      await raw.quit();
    }
  });
});

describe('close() while start-up is still running', () => {
  test('patterns and headers managers: closed wins, no subscription is left open', async () => {
    const prefix = uniquePrefix('race-close');
    const redis = new RedisManager({ redisUrl: server.url, redisPrefix: prefix, logger: silentLogger });
    await redis.initialize();
    const raw = rawClient(server.url);
    try {
      const subscribers = async (): Promise<number> =>
        ((await raw.call('CLIENT', 'LIST')) as string).split('\n').filter((line) => / sub=[1-9]/.test(line)).length;
      const before = await subscribers();
      for (const manager of [
        new SusPatternsManager({ logger: silentLogger, redisPrefix: prefix }),
        new SecurityHeadersManager({ logger: silentLogger, redisPrefix: prefix }),
      ]) {
        const starting = manager.initializeRedis(redis);
        await manager.close();
        await starting;
        expect(manager.mode).toBe('disabled');
      }
      await eventually(async () => expect(await subscribers()).toBe(before));
    } finally {
      await redis.close();
      await raw.quit();
    }
  });

  test('HandlerInitializer: no health check runs after close()', async () => {
    const prefix = uniquePrefix('race-init');
    const init = new HandlerInitializer({
      redisUrl: server.url,
      redisPrefix: prefix,
      logger: silentLogger,
      redisRetryAfterMs: 50,
    });
    let checks = 0;
    const check = init.checkRedis.bind(init);
    init.checkRedis = async () => {
      checks++;
      return check();
    };
    const starting = init.initializeRedisHandlers();
    await new Promise((resolve) => setImmediate(resolve));
    await init.close();
    await starting;
    const after = checks;
    await new Promise((resolve) => setTimeout(resolve, 300)); // six periods of the health check
    expect(checks).toBe(after);
    for (const mode of Object.values(init.getInitializationStatus().subsystems)) expect(mode).not.toBe('redis');
  });
});
