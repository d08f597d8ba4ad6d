/**
 * Security headers across a Redis outage, for each API: the in-memory configuration answers
 * while Redis is down (changes included), and on recovery the explicit configuration and the
 * changes made meanwhile are written back, without a restart.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger, type SecurityConfigInput } from '../../src/index.js';
import { createHeaders, type HeadersUnderTest } from '../integration/headers-api.js';
import { apisUnderTest, type Awaitable } from '../support/apis.js';
import { rawClient } from '../support/redis.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';

const TIMEOUT_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(apisUnderTest)('security headers across a Redis outage ($name API)', (api) => {
  let server: TestRedisServer;
  const closers: Array<{ close(): Awaitable<void> }> = [];
  const config = (prefix: string, extra: SecurityConfigInput = {}): SecurityConfigInput => ({
    redisUrl: server.url,
    redisPrefix: prefix,
    redisConnectTimeoutMs: TIMEOUT_MS,
    redisCommandTimeoutMs: TIMEOUT_MS,
    redisRetryAfterMs: 200,
    logger: silentLogger,
    ...extra,
  });
  const replica = async (prefix: string, extra: SecurityConfigInput, connect = true): Promise<HeadersUnderTest> => {
    const redis = api.createManager(config(prefix, extra));
    if (connect) await redis.initialize();
    const headers = createHeaders(api.name, config(prefix, extra));
    closers.push(headers, redis);
    await headers.initializeRedis(redis);
    return headers;
  };
  const untilRedis = async (m: HeadersUnderTest): Promise<number> => {
    const started = performance.now();
    while (m.mode !== 'redis') {
      if (performance.now() - started > 10_000) throw new Error(`still ${m.mode}`);
      await m.getHeaders();
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

  test('a change made while Redis is down is used at once and written back on recovery', async () => {
    const prefix = 'h-outage:';
    const m = await replica(prefix, { securityHeaders: { csp: { 'default-src': ["'self'"] } } });
    await server.stop(); // SIGKILL without persistence: the restarted Redis is empty
    await m.updateConfig({ custom: { 'X-During': 'outage' } });
    expect(m.mode).toBe('memory');
    expect((await m.getHeaders())['X-During']).toBe('outage');
    await server.start();
    const elapsed = await untilRedis(m);
    console.info(`[headers-outage ${api.name}] back on Redis ${elapsed.toFixed(0)} ms after the restart`);
    const raw = rawClient(server.url);
    try {
      expect(await raw.get(`${prefix}security_headers:custom_headers`)).toBe('{"X-During": "outage"}');
      expect(await raw.get(`${prefix}security_headers:csp_config`)).toBe('{"default-src": ["\'self\'"]}');
      expect(await raw.pttl(`${prefix}security_headers:csp_config`)).toBeGreaterThan(86_390_000);
    } finally {
      await raw.quit();
    }
    expect((await m.getHeaders())['Content-Security-Policy']).toBe("default-src 'self'");
  });

  test('down at start-up: the local configuration answers; probe() brings it back to Redis', async () => {
    const prefix = 'h-startup:';
    await server.stop();
    const m = await replica(prefix, { securityHeaders: { hsts: { maxAge: 600, includeSubdomains: false } } }, false);
    expect(m.mode).toBe('memory');
    expect((await m.getHeaders())['Strict-Transport-Security']).toBe('max-age=600');
    await server.start();
    const started = performance.now();
    while (!(await m.probe())) {
      if (performance.now() - started > 10_000) throw new Error('probe never succeeded');
      await sleep(20);
    }
    expect(m.mode).toBe('redis');
    const raw = rawClient(server.url);
    try {
      expect(await raw.get(`${prefix}security_headers:hsts_config`)).toBe(
        '{"max_age": 600, "include_subdomains": false, "preload": false}',
      );
    } finally {
      await raw.quit();
    }
  });
});
