/**
 * No secret reachable from a live, connected guard (async API, a private Redis with a password):
 * `JSON.stringify` and `util.inspect` (depth Infinity, hidden fields) of the Redis manager, a
 * connection lease, a subscription, a `HandlerInitializer` and its subsystem managers never show
 * the password; and a feed URL's credentials never reach an error, a status or a log line.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CloudManager, HandlerInitializer, RedisManager } from '../../src/index.js';
import { captureLogger } from '../support/logger.js';
import { startPrivateRedis, type TestRedisServer } from '../support/redis-server.js';
import { uniquePrefix } from '../support/redis.js';

const PASSWORD = 'Conn3ctedS3cret';
const FEED_SECRET = 'FeedT0ken123';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startPrivateRedis(['--requirepass', PASSWORD]);
});
afterAll(async () => {
  await server.dispose();
});

const shown = (value: unknown): string =>
  `${JSON.stringify(value)}\n${inspect(value, { depth: Infinity, showHidden: true, getters: false })}`;

test('JSON and inspect of a connected manager, lease, subscription and initializer hold no password', async () => {
  const url = `redis://:${PASSWORD}@127.0.0.1:${server.port}`;
  const log = captureLogger();
  const redis = new RedisManager({ redisUrl: url, redisPrefix: uniquePrefix('conn'), logger: log.logger });
  const init = new HandlerInitializer({ redisUrl: url, redisPrefix: uniquePrefix('conn-init'), logger: log.logger });
  try {
    await redis.initialize();
    expect(await redis.setKey('ns', 'k', 'v', 60)).toBe(true); // connected for real
    await using lease = await redis.getConnection();
    const subscription = await redis.subscribe('events');
    expect((await init.initializeRedisHandlers()).redis).toBe('connected');
    const texts = [redis, lease, subscription, init, init.ipBans, init.patterns, init.securityHeaders].map(shown);
    expect(texts.join('\n')).toContain('127.0.0.1'); // the views were printed
    for (const text of texts) expect(text).not.toContain(PASSWORD);
    expect(log.text()).not.toContain(PASSWORD);
    await subscription?.close();
  } finally {
    await init.close();
    await redis.close();
  }
});

test("a feed URL's credentials never reach the error, the status or the log", async () => {
  const log = captureLogger();
  const feed = `https://feeduser:${FEED_SECRET}@127.0.0.1:9/aws.json`;
  const cloud = new CloudManager({ enableRedis: false, cloudFeedUrls: { AWS: feed }, logger: log.logger });
  try {
    const [report] = await cloud.refresh(['AWS']);
    expect(report?.outcome).toBe('failed');
    const status = cloud.getStatus();
    const text = `${JSON.stringify(report)}\n${shown(status)}\n${shown(cloud)}\n${log.text()}`;
    expect(text).toMatch(/request failed/); // the failure was reported…
    expect(text).not.toContain(FEED_SECRET); // …without the secret
    expect(text).not.toContain('feeduser');
  } finally {
    cloud.close();
  }
});
