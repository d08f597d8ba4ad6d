/**
 * Custom patterns across a Redis outage, for each API: patterns added while Redis is down are
 * kept in memory and persisted when it is back (merged with what another replica added
 * meanwhile), and the manager's mode goes memory → redis without a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { createPatterns, type PatternsUnderTest } from '../integration/patterns-api.js';
import { apisUnderTest, eventually, type Awaitable, type ManagerUnderTest } from '../support/apis.js';
import { rawClient } from '../support/redis.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

const TIMEOUT_MS = 300;
const RETRY_AFTER_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(apisUnderTest)('custom patterns across a Redis outage ($name API)', (api) => {
  let server: TestRedisServer;
  const closers: Array<{ close(): Awaitable<void> }> = [];
  const config = (prefix: string): SecurityConfigInput => ({
    redisUrl: server.url,
    redisPrefix: prefix,
    redisConnectTimeoutMs: TIMEOUT_MS,
    redisCommandTimeoutMs: TIMEOUT_MS,
    redisRetryAfterMs: RETRY_AFTER_MS,
    logger: silentLogger,
  });
  const replica = async (prefix: string, connect = true): Promise<[PatternsUnderTest, ManagerUnderTest]> => {
    const redis = api.createManager(config(prefix));
    if (connect) await redis.initialize();
    const patterns = createPatterns(api.name, config(prefix));
    closers.push(patterns, redis);
    await patterns.initializeRedis(redis);
    return [patterns, redis];
  };
  /** Calls the manager until it is back on Redis; the time it took from now, in ms. */
  const untilRedis = async (m: PatternsUnderTest, limitMs = 10_000): Promise<number> => {
    const started = performance.now();
    while (m.mode !== 'redis') {
      if (performance.now() - started > limitMs) throw new Error(`still ${m.mode} after ${limitMs} ms`);
      await m.getCustomPatterns();
      await sleep(10);
    }
    return performance.now() - started;
  };

  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await server.dispose();
  });

  test('5 patterns added while Redis is down are persisted after restart, merged with another replica', async () => {
    const prefix = 'outage:';
    const [a] = await replica(prefix);
    const [b] = await replica(prefix);
    await a.addPattern('before');
    await server.stop();
    const added = ['p1', 'p2,with-comma', 'p3{1,2}', 'p4', 'p5'];
    for (const p of added) expect(await a.addPattern(p)).toBe(true);
    expect(a.mode).toBe('memory');
    expect(await a.removePattern('before')).toBe(true);
    expect(await a.getCustomPatterns()).toEqual([...added].sort());
    expect((await a.matchContent('xx p4 yy')).matched).toEqual(['p4']);
    await server.start();
    const restartedAt = performance.now();
    // Another replica gets back first and adds its own pattern.
    await untilRedis(b);
    await b.addPattern('from-b');
    await untilRedis(b);
    await untilRedis(a);
    const elapsed = performance.now() - restartedAt;
    console.info(
      `[patterns-outage ${api.name}] A back on Redis, patterns persisted, ${elapsed.toFixed(0)} ms after the restart`,
    );
    const raw = rawClient(server.url);
    try {
      const members = await raw.smembers(`${prefix}patterns:custom_list:{${prefix}patterns:custom}`);
      expect(new Set(members)).toEqual(new Set([...added, 'from-b']));
      const comma = (await raw.get(`${prefix}patterns:custom`))!.split(',');
      expect(new Set(comma)).toEqual(new Set(['p1', 'p3{1,2}', 'p4', 'p5', 'from-b'].filter((p) => !p.includes(','))));
    } finally {
      await raw.quit();
    }
    expect(await a.getCustomPatterns()).toEqual([...added, 'from-b'].sort());
  });

  test('down at start-up: memory with the built-ins, then back on Redis by probe(); a Redis restarted empty is re-seeded', async () => {
    const prefix = 'startup:';
    const [seed] = await replica(prefix);
    await seed.addPattern('shared-before');
    await server.stop(); // SIGKILL without persistence: the restarted Redis is empty
    await seed.addPattern('seed-during-outage');
    expect(seed.mode).toBe('memory');
    const [m] = await replica(prefix, false);
    expect(m.mode).toBe('memory');
    expect((await m.matchContent('<script>')).matched).toEqual(['<script\\b']);
    await m.addPattern('added-while-down');
    await server.start();
    const started = performance.now();
    while (!(await seed.probe())) {
      if (performance.now() - started > 10_000) throw new Error('probe never succeeded');
      await sleep(20);
    }
    console.info(
      `[patterns-outage ${api.name}] probe() succeeded ${(performance.now() - started).toFixed(0)} ms after restart`,
    );
    expect(seed.mode).toBe('redis');
    expect(await m.probe()).toBe(true);
    expect(m.mode).toBe('redis');
    // the replica that knew the list re-shared it; the other one added its own change
    const all = ['added-while-down', 'seed-during-outage', 'shared-before'];
    expect(await m.getCustomPatterns()).toEqual(all);
    await eventually(async () => expect(await seed.getCustomPatterns()).toEqual(all), 2000, 20);
  });
});
