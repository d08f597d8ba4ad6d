/**
 * A resync reads Redis over several round trips; changes that land between its read and its
 * install (a local ban or unban, an event from another replica, a reset) must win over the
 * snapshot. Async API only: the sync API cannot interleave a change with its own resync (its
 * recovery write-back, the one case that can, is covered by the outage test).
 */
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { READ_BANS } from '../../src/core/bans/scripts.js';
import {
  IPBanManager,
  RedisManager,
  silentLogger,
  type RedisHandlerProtocol,
  type SecurityConfigInput,
} from '../../src/index.js';
import { tick } from '../support/bans-apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());

/** A handler whose ban-read script, once armed, waits for `release()` after Redis answered. */
function gatedHandler(inner: RedisManager): {
  handler: RedisHandlerProtocol;
  arm: () => Promise<void>;
  release: () => void;
} {
  let armed = false;
  let reached: () => void = () => undefined;
  let release: () => void = () => undefined;
  const handler = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'runScript') {
        return async (...args: Parameters<RedisManager['runScript']>) => {
          const reply = await target.runScript(...args);
          if (armed && args[0].name === READ_BANS.name) {
            armed = false;
            reached();
            await new Promise<void>((resolve) => (release = resolve));
          }
          return reply;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    handler,
    arm: () => {
      armed = true;
      return new Promise<void>((resolve) => (reached = resolve));
    },
    release: () => release(),
  };
}

describe('changes made while a resync is in flight beat its snapshot (async API)', () => {
  let prefix: string;
  const closers: Array<() => Promise<void>> = [];

  async function pair(): Promise<{ a: IPBanManager; b: IPBanManager; gate: ReturnType<typeof gatedHandler> }> {
    const config: SecurityConfigInput = { redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger };
    const ha = new RedisManager(config);
    const hb = new RedisManager(config);
    const a = new IPBanManager(config);
    const b = new IPBanManager(config);
    const gate = gatedHandler(hb);
    closers.push(
      () => a.close(),
      () => b.close(),
      () => ha.close(),
      () => hb.close(),
    );
    await a.initializeRedis(ha);
    await b.initializeRedis(gate.handler);
    return { a, b, gate };
  }

  beforeEach(() => {
    prefix = uniquePrefix('bans-race');
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await deleteByPrefix(raw, prefix);
  });

  test('a local unban and a local ban made after the read are kept', async () => {
    const { b, gate } = await pair();
    await b.banIp('203.0.113.1', 60);
    const reached = gate.arm();
    const listing = b.listBans(); // resync: reads 203.0.113.1, then waits at the gate
    await reached;
    await b.unbanIp('203.0.113.1');
    await b.banIp('203.0.113.2', 60);
    gate.release();
    await listing;
    expect(await b.isIpBanned('203.0.113.1')).toBe(false);
    expect(await b.isIpBanned('203.0.113.2')).toBe(true);
  });

  test("another replica's unban and reset, received during the resync, are kept", async () => {
    const { a, b, gate } = await pair();
    await a.banIp('203.0.113.3', 60);
    await a.banIp('203.0.113.4', 60);
    let reached = gate.arm();
    let listing = b.listBans();
    await reached;
    await a.unbanIp('203.0.113.3');
    await tick(20);
    expect(await b.isIpBanned('203.0.113.3')).toBe(false); // the event is applied at this check
    gate.release();
    await listing;
    expect(await b.isIpBanned('203.0.113.3')).toBe(false);
    expect(await b.isIpBanned('203.0.113.4')).toBe(true);

    reached = gate.arm();
    listing = b.listBans();
    await reached;
    await a.reset();
    await tick(20);
    expect(await b.isIpBanned('203.0.113.4')).toBe(false);
    gate.release();
    await listing;
    expect(await b.isIpBanned('203.0.113.4')).toBe(false);
  });
});
