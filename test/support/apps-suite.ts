/**
 * The end-to-end suite both example apps pass (`examples/express`, `examples/fastify`): a real
 * server on a free loopback port, real HTTP, the run's private Redis (a unique prefix per test,
 * deleted afterwards), a real feed server for the cloud ranges, and a Redis that is killed for the
 * fail-closed case.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type HandlerInitializer, type SecurityConfigInput } from '../../src/index.js';
import { eventually } from './apis.js';
import { startFeedServer, type FeedServer } from './feed-server.js';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from './redis.js';
import { freePort, startPrivateRedis } from './redis-server.js';

/** One running example app, as the suite sees it. */
export interface AppUnderTest {
  readonly url: string;
  /** The guard's initializer (`null` while its start-up fails). */
  initializer(): HandlerInitializer | null;
  close(): Promise<void>;
}

/** Starts the example app under test with `config` on a free port. */
export type StartApp = (config: SecurityConfigInput) => Promise<AppUnderTest>;

/** One answer, read whole. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

async function get(url: string, forwardedFor?: string): Promise<Answer> {
  const response = await fetch(url, {
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

/** The suite of one framework. */
export function runGuardedAppSuite(framework: string, start: StartApp): void {
  describe(`${framework} example: a guarded app over HTTP`, () => {
    const raw = rawClient();
    const apps: AppUnderTest[] = [];
    const prefixes: string[] = [];
    let feeds: FeedServer;

    beforeAll(async () => {
      feeds = await startFeedServer();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
      await deleteByPrefix(raw, ...prefixes.splice(0));
    });
    afterAll(async () => {
      await feeds.close();
      raw.disconnect();
    });

    /** Starts an app on the run's Redis under `prefix` (a fresh one by default). */
    async function startApp(config: SecurityConfigInput, prefix = uniquePrefix(`apps-${framework}`)) {
      if (!prefixes.includes(prefix)) prefixes.push(prefix);
      const app = await start({ redisUrl: redisUrl(), redisPrefix: prefix, logger: silentLogger, ...config });
      apps.push(app);
      return app;
    }

    it('answers 200 with the security headers, its state on Redis', async () => {
      const app = await startApp({});
      const answer = await get(`${app.url}/`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ hello: 'world' });
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(answer.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      const status = app.initializer()!.getInitializationStatus();
      expect(status.redis).toBe('connected');
      expect(status.subsystems).toMatchObject({
        'rate limiter': 'redis',
        'IP bans': 'redis',
        'security headers': 'redis',
      });
    });

    it('answers 429 with Retry-After past the limit, one budget shared by two replicas', async () => {
      const prefix = uniquePrefix(`apps-${framework}`);
      const config = { rateLimit: 3, rateLimitWindow: 60, trustedProxies: ['127.0.0.1'] };
      const [a, b] = [await startApp(config, prefix), await startApp(config, prefix)];
      const client = '198.51.100.20';
      expect((await get(`${a.url}/`, client)).status).toBe(200);
      expect((await get(`${b.url}/items/1`, client)).status).toBe(200);
      expect((await get(`${a.url}/`, client)).status).toBe(200);
      const refused = await get(`${b.url}/`, client);
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      expect(refused.body).toMatchObject({ error: 'Too Many Requests', retryAfterSeconds: retryAfter });
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff'); // headers on refusals too
      expect(await raw.zcard(`${prefix}rate_limit:rate:${client}`)).toBe(3);
      expect((await get(`${a.url}/`, '198.51.100.21')).status).toBe(200); // another client, its own budget
    });

    it('answers 403 to a banned client on every replica, and 200 again after the unban', async () => {
      const prefix = uniquePrefix(`apps-${framework}`);
      const config = { trustedProxies: ['127.0.0.1'] };
      const [a, b] = [await startApp(config, prefix), await startApp(config, prefix)];
      const client = '203.0.113.7';
      expect((await get(`${b.url}/`, client)).status).toBe(200);
      expect(await a.initializer()!.ipBans.banIp(client, 60, 'test')).toBe(true);
      const banned = await eventually(async () => {
        const answer = await get(`${b.url}/`, client);
        expect(answer.status).toBe(403);
        return answer;
      });
      expect(banned.body).toEqual({ error: 'Forbidden', reason: 'banned' });
      expect((await get(`${a.url}/`, client)).status).toBe(403);
      expect((await get(`${b.url}/`, '203.0.113.8')).status).toBe(200);
      await a.initializer()!.ipBans.unbanIp(client);
      await eventually(async () => expect((await get(`${b.url}/`, client)).status).toBe(200));
    });

    it('answers 403 to a cloud-provider address (ranges from a local feed server)', async () => {
      const app = await startApp({
        trustedProxies: ['127.0.0.1'],
        blockCloudProviders: ['AWS'],
        cloudFeedUrls: { AWS: feeds.url('aws-ip-ranges.json') },
        lazyInit: false,
      });
      const refused = await get(`${app.url}/`, '3.5.140.1');
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ error: 'Forbidden', reason: 'cloud provider' });
      expect((await get(`${app.url}/`, '8.8.8.8')).status).toBe(200);
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      const app = await startApp({ rateLimit: 2 });
      await app.initializer()!.ipBans.banIp('203.0.113.7', 60);
      // The client is the socket peer (127.0.0.1): not banned, and one budget whatever the header says.
      expect((await get(`${app.url}/`, '203.0.113.7')).status).toBe(200);
      expect((await get(`${app.url}/`, '198.51.100.1')).status).toBe(200);
      expect((await get(`${app.url}/`, '198.51.100.2')).status).toBe(429);
    });

    it('behind a trusted proxy, takes the right-most untrusted hop of X-Forwarded-For', async () => {
      const app = await startApp({ trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'] });
      await app.initializer()!.ipBans.banIp('203.0.113.7', 60);
      expect((await get(`${app.url}/`, '203.0.113.7')).status).toBe(403);
      expect((await get(`${app.url}/`, '198.51.100.1, 203.0.113.7')).status).toBe(403);
      expect((await get(`${app.url}/`, '203.0.113.7, 10.1.2.3, 127.0.0.9')).status).toBe(403); // trusted hops skipped
      expect((await get(`${app.url}/`, '203.0.113.7, 198.51.100.1')).status).toBe(200); // a spoofed left-most entry
      expect((await get(`${app.url}/`, '::ffff:203.0.113.7')).status).toBe(403); // canonical form
      const malformed = await get(`${app.url}/`, '203.0.113.7:443');
      expect(malformed.status).toBe(400);
    });

    it('starts with Redis down and serves from memory (fail-open, the default)', async () => {
      const port = await freePort();
      const app = await startApp({ redisUrl: `redis://127.0.0.1:${port}`, rateLimit: 2, redisConnectTimeoutMs: 500 });
      const first = await get(`${app.url}/`);
      expect(first.status).toBe(200);
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await get(`${app.url}/`)).status).toBe(200);
      expect((await get(`${app.url}/`)).status).toBe(429); // the limit holds in memory
      const health = await get(`${app.url}/health`);
      expect(health.body).toMatchObject({ redis: 'unavailable', subsystems: { 'rate limiter': 'memory' } });
    });

    it('fail-closed with Redis down: 503 in the framework error model, then serves once Redis is back', async () => {
      const server = await startPrivateRedis();
      try {
        await server.stop();
        const app = await startApp({
          redisUrl: server.url,
          redisFailOpen: false,
          redisRetryAfterMs: 200,
          redisConnectTimeoutMs: 500,
        });
        // Start-up completes even fail-closed (the managers refuse per request until Redis is back).
        expect(app.initializer()?.getInitializationStatus().redis).toBe('unavailable');
        const refused = await get(`${app.url}/`);
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toBe('1');
        expect(refused.body).toMatchObject({ code: 'GUARD_REDIS_UNAVAILABLE' });
        expect(JSON.stringify(refused.body)).not.toContain(String(server.port)); // no Redis detail leaks
        await server.start();
        await eventually(async () => expect((await get(`${app.url}/`)).status).toBe(200), 10_000);
        expect(app.initializer()!.getInitializationStatus().redis).toBe('connected');
      } finally {
        await server.dispose();
      }
    });
  });
}
