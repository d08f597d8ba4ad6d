/**
 * The widened seam on a real Redis, for each API: scripts by SHA with transparent reload after
 * SCRIPT FLUSH, the generic command escape hatch, pub/sub with a bounded buffer, and
 * recordSlidingWindowHit (unique members, the shared boundary rule, TTL).
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger, type RedisScript } from '../../src/index.js';
import { apisUnderTest, type ManagerUnderTest } from '../support/apis.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
afterAll(() => raw.quit());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ECHO: RedisScript = {
  name: 'test.echoSet',
  lua: "redis.call('SET', KEYS[1], ARGV[1]) return {ARGV[1], redis.call('STRLEN', KEYS[1])}",
};

describe.each(apisUnderTest)('the Redis seam on a real Redis ($name API)', (api) => {
  let prefix: string;
  let manager: ManagerUnderTest;

  beforeEach(async () => {
    prefix = uniquePrefix('seam');
    manager = api.createManager({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger });
    await manager.initialize();
  });
  afterEach(async () => {
    await manager.close();
    await deleteByPrefix(raw, prefix);
  });

  test('runScript runs by SHA and reloads transparently after SCRIPT FLUSH', async () => {
    expect(await manager.runScript(ECHO, 'ns', ['k'], ['hello'])).toEqual(['hello', 5]);
    expect(await raw.get(`${prefix}ns:k`)).toBe('hello');
    await raw.script('FLUSH');
    expect(await manager.runScript(ECHO, 'ns', ['k'], ['again'])).toEqual(['again', 5]);
    // reloaded by the EVAL fallback: the server knows the script again
    const [known] = (await raw.script('EXISTS', sha1(ECHO.lua))) as number[];
    expect(known).toBe(1);
  });

  test('a leased connection runs any command (escape hatch) and reports reply errors', async () => {
    const lease = await manager.getConnection();
    const key = `${prefix}h`;
    expect(await lease.connection.call('HSET', key, 'f', 'v')).toBe(1);
    expect(await lease.connection.call('HGET', key, 'f')).toBe('v');
    expect(await lease.connection.call('HGETALL', key)).toEqual(['f', 'v']);
    expect(await lease.connection.call('HGET', key, 'missing')).toBeNull();
    await expect(async () => lease.connection.call('INCR', key)).rejects.toThrow(/WRONGTYPE/);
  });

  test('publish reaches a subscription; drain returns each message once; overflow is a gap', async () => {
    const subscription = await manager.subscribe('events', 3);
    expect(subscription).not.toBeNull();
    const sub = subscription!;
    try {
      expect(await manager.publish('events', 'one')).toBe(1);
      await manager.publish('events', 'two');
      await sleep(50);
      const first = await sub.drain();
      expect(first.messages).toEqual(['one', 'two']);
      expect(first.live).toBe(true);
      expect((await sub.drain()).messages).toEqual([]);
      for (const m of ['a', 'b', 'c', 'd', 'e']) await manager.publish('events', m);
      await sleep(50);
      const overflow = await sub.drain();
      expect(overflow.messages).toEqual(['a', 'b', 'c']);
      expect(overflow.gap).toBe(true);
      expect((await sub.drain()).gap).toBe(false);
    } finally {
      await sub.close();
    }
    // the dedicated connection is gone once the server has seen the disconnect
    await expect.poll(() => raw.call('PUBSUB', 'NUMSUB', `${prefix}events`)).toEqual([`${prefix}events`, 0]);
  });

  test('recordSlidingWindowHit: equal timestamps all count, the boundary prunes <= windowStart, TTL set', async () => {
    const now = 1_796_173_053.38;
    for (let i = 1; i <= 5; i++) expect(await manager.recordSlidingWindowHit('win', 'ip', now, now - 60, 120)).toBe(i);
    // a hit 60 s later: the earlier ones sit exactly on the window start and leave the window
    expect(await manager.recordSlidingWindowHit('win', 'ip', now + 60, now, 120)).toBe(1);
    const members = await raw.zrange(`${prefix}win:ip`, 0, -1);
    expect(members).toHaveLength(1);
    const pttl = await raw.pttl(`${prefix}win:ip`);
    expect(pttl).toBeGreaterThan(110_000);
    expect(pttl).toBeLessThanOrEqual(120_000);
  });
});

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
