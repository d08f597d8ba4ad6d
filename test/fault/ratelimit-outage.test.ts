/**
 * Redis stopped mid-run under the rate limiter and the behaviour tracker, for each API: no check
 * hangs past the command timeout, decisions come from memory, one warning for the outage (both
 * managers share the handler); fail-closed mode refuses with GuardRedisError 503; once Redis is
 * restarted decisions come from Redis again by themselves, within a bounded time (printed).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GuardRedisError } from '../../src/index.js';
import { captureFailure, eventually } from '../support/apis.js';
import { captureLogger } from '../support/logger.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { windowApisUnderTest, type LimiterUnderTest } from '../support/ratelimit-apis.js';

const TIMEOUT_MS = 300;
const RETRY_AFTER_MS = 200;
/** Generous hang bound: a check may wait for one command timeout, never much more. */
const HANG_BOUND_MS = 2 * TIMEOUT_MS;

const outageWarnings = (lines: { level: string; message: string }[]) =>
  lines.filter((l) => l.level === 'warn' && l.message.startsWith('Redis unavailable'));

async function timed<T>(call: () => T | Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  const value = await call();
  return { value, elapsedMs: performance.now() - started };
}

describe.each(windowApisUnderTest)('Redis stopped under the window managers ($name API)', (api) => {
  let server: TestRedisServer;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(async () => {
    await server.dispose();
  });

  const setup = async (failOpen: boolean) => {
    const log = captureLogger();
    const config = {
      redisUrl: server.url,
      redisPrefix: `outage:${api.name}:${failOpen}:`,
      redisConnectTimeoutMs: TIMEOUT_MS,
      redisCommandTimeoutMs: TIMEOUT_MS,
      redisRetryAfterMs: RETRY_AFTER_MS,
      redisFailOpen: failOpen,
      rateLimit: 1000,
      logger: log.logger,
    };
    const handler = api.createManager(config);
    await handler.initialize();
    const limiter = api.createLimiter(config);
    await limiter.initializeRedis(handler);
    const tracker = api.createTracker(config);
    await tracker.initializeRedis(handler);
    return { log, handler, limiter, tracker };
  };

  test('fail-open: memory within the timeout, one warning, back to Redis by itself', { timeout: 30_000 }, async () => {
    const { log, handler, limiter, tracker } = await setup(true);
    const usage = { type: 'usage' as const, threshold: 100, windowSeconds: 60 };
    try {
      expect((await limiter.check('10.0.0.1')).source).toBe('redis');
      expect((await tracker.trackEndpointUsage('/a', '10.0.0.1', usage)).source).toBe('redis');
      await server.stop();
      let slowest = 0;
      for (let i = 0; i < 30; i++) {
        const { value, elapsedMs } = await timed(() => limiter.check('10.0.0.1'));
        const tracked = await timed(() => tracker.trackEndpointUsage('/a', '10.0.0.1', usage));
        expect(value.source).toBe('memory');
        expect(tracked.value.source).toBe('memory');
        slowest = Math.max(slowest, elapsedMs, tracked.elapsedMs);
        await new Promise((r) => setTimeout(r, 20)); // spans several retry periods (probes)
      }
      expect(slowest).toBeLessThan(HANG_BOUND_MS);
      expect(limiter.mode).toBe('memory');
      expect(outageWarnings(log.lines)).toHaveLength(1);
      // the memory window counts what this process saw during the outage (not the hit in Redis)
      expect((await limiter.check('10.0.0.1')).count).toBe(31);

      await server.start();
      const started = performance.now();
      let back: number | null = null;
      while (performance.now() - started < 10_000) {
        if ((await limiter.check('10.0.0.1')).source === 'redis') {
          back = performance.now() - started;
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(back).not.toBeNull();
      console.log(
        `[ratelimit-outage ${api.name}] back on Redis ${Math.round(back!)} ms after the restart; slowest check during the outage ${Math.round(slowest)} ms`,
      );
      expect(limiter.mode).toBe('redis');
      // Each manager has its own circuit breaker: the tracker may still be inside its retry-after
      // pause when the limiter is back, and must come back by itself within a few of them.
      await eventually(async () =>
        expect((await tracker.trackEndpointUsage('/a', '10.0.0.1', usage)).source).toBe('redis'),
      );
      expect(outageWarnings(log.lines)).toHaveLength(1);
      expect(log.lines.filter((l) => l.level === 'warn' && l.message.startsWith('Redis is back'))).toHaveLength(1);
    } finally {
      await handler.close();
    }
  });

  test('fail-closed: GuardRedisError 503 within the timeout, then Redis again', { timeout: 30_000 }, async () => {
    const { handler, limiter, tracker } = await setup(false);
    try {
      expect((await limiter.check('10.0.0.2')).source).toBe('redis');
      await server.stop();
      for (const call of [
        () => limiter.check('10.0.0.2'),
        () => limiter.check('10.0.0.2'),
        () => tracker.trackEndpointUsage('/a', '10.0.0.2', { type: 'usage', threshold: 1, windowSeconds: 60 }),
      ]) {
        const { value: error, elapsedMs } = await timed(() => captureFailure(call));
        expect(error).toBeInstanceOf(GuardRedisError);
        expect((error as GuardRedisError).statusCode).toBe(503);
        expect(elapsedMs).toBeLessThan(HANG_BOUND_MS);
      }
      await server.start();
      await expect.poll(() => checkSource(limiter), { timeout: 10_000, interval: 50 }).toBe('redis');
    } finally {
      await handler.close();
    }
  });
});

describe.each(windowApisUnderTest)('a black-holed Redis under the rate limiter ($name API)', (api) => {
  let proxy: TcpProxy;
  const raw = rawClient();
  const prefix = uniquePrefix('rl-bh');
  beforeAll(async () => {
    proxy = await startTcpProxy({ port: Number(new URL(redisUrl()).port) });
  });
  afterAll(async () => {
    await proxy.close();
    await deleteByPrefix(raw, prefix);
    await raw.quit();
  });

  test(
    'no check waits past the command timeout; memory answers; Redis again after restore',
    { timeout: 30_000 },
    async () => {
      const log = captureLogger();
      const config = {
        redisUrl: proxy.url,
        redisPrefix: prefix,
        redisConnectTimeoutMs: TIMEOUT_MS,
        redisCommandTimeoutMs: TIMEOUT_MS,
        redisRetryAfterMs: RETRY_AFTER_MS,
        logger: log.logger,
      };
      const handler = api.createManager(config);
      await handler.initialize();
      try {
        const limiter = api.createLimiter(config);
        await limiter.initializeRedis(handler);
        expect((await limiter.check('10.0.0.3')).source).toBe('redis');
        await proxy.cut();
        let slowest = 0;
        const started = performance.now();
        while (performance.now() - started < 4 * RETRY_AFTER_MS + 2 * TIMEOUT_MS) {
          const { value, elapsedMs } = await timed(() => limiter.check('10.0.0.3'));
          expect(value.source).toBe('memory');
          slowest = Math.max(slowest, elapsedMs);
          await new Promise((r) => setTimeout(r, 20));
        }
        // the first check (and each probe) waits for the timeout, the others answer at once
        expect(slowest).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.8);
        expect(slowest).toBeLessThan(HANG_BOUND_MS);
        expect(outageWarnings(log.lines)).toHaveLength(1);
        await proxy.restore();
        const restored = performance.now();
        await expect.poll(() => checkSource(limiter), { timeout: 10_000, interval: 20 }).toBe('redis');
        console.log(
          `[ratelimit-outage ${api.name}] black hole: slowest check ${Math.round(slowest)} ms; back on Redis ${Math.round(performance.now() - restored)} ms after restore`,
        );
      } finally {
        await handler.close();
      }
    },
  );
});

async function checkSource(limiter: LimiterUnderTest): Promise<string> {
  try {
    return (await limiter.check('10.0.0.4')).source;
  } catch {
    return 'refused';
  }
}
