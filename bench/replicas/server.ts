/**
 * One app process of `bench/replicas.ts` (run with `node --import tsx`). Its settings come in the
 * `BENCH_SERVER` environment variable (JSON {@link ServerSettings}); it listens on a free loopback
 * port and sends `{ port }` to its parent over IPC.
 *
 * Modes (the same Fastify app, `GET /` and `GET /probe`, differently guarded):
 * - `guarded`: the example plugin (`examples/fastify/guard-plugin.ts`) with every check on;
 * - `guard-rl`: the same plugin with the rate limit alone (no bans, cloud blocking or headers);
 * - `rlflex`: rate-limiter-flexible's `RateLimiterRedis` for the rate limit alone;
 * - `bare`: no guard.
 * Guarded modes add unguarded admin routes: ban/unban, and a status route that reports
 * `getInitializationStatus()` and how many rate-limit decisions came from Redis or memory.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger, SecurityConfigInput } from 'guard-core';
import { ClientIpResolver } from '../../examples/fastify/client-ip.js';
import { fastifyGuard } from '../../examples/fastify/guard-plugin.js';

/** The modes a bench server runs in. */
export type ServerMode = 'guarded' | 'guard-rl' | 'rlflex' | 'bare';

/** What the parent passes in `BENCH_SERVER`. */
export interface ServerSettings {
  readonly name: string;
  readonly mode: ServerMode;
  /** The guard's configuration (JSON: no logger). */
  readonly config: SecurityConfigInput & {
    readonly redisUrl: string;
    readonly rateLimit: number;
    readonly rateLimitWindow: number;
  };
}

/** What `GET /admin/status` answers. */
export interface ServerStatus {
  readonly status: unknown;
  readonly decisions: { redis: number; memory: number; none: number };
}

const settings = JSON.parse(process.env.BENCH_SERVER ?? '') as ServerSettings;

/** Warnings and errors go to stderr, tagged with the replica; the rest is dropped. */
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => console.error(`[${settings.name}] warn: ${message}`),
  error: (message) => console.error(`[${settings.name}] error: ${message}`),
};

const app = Fastify();
const decisions = { redis: 0, memory: 0, none: 0 };
const hello = async () => ({ hello: 'world' });

if (settings.mode === 'guarded' || settings.mode === 'guard-rl') {
  const config: SecurityConfigInput =
    settings.mode === 'guarded'
      ? { ...settings.config, logger }
      : {
          ...settings.config,
          logger,
          enableIpBanning: false,
          blockCloudProviders: [],
          securityHeaders: { enabled: false },
        };
  await app.register(fastifyGuard, { config, onDecision: (d) => void decisions[d.source]++ });
  app.post<{ Params: { ip: string } }>('/admin/ban/:ip', { config: { guard: false } }, async (request) => ({
    banned: await app.guard.initializer!.ipBans.banIp(request.params.ip, 300, 'bench'),
  }));
  app.post<{ Params: { ip: string } }>('/admin/unban/:ip', { config: { guard: false } }, async (request) => ({
    unbanned: await app.guard.initializer!.ipBans.unbanIp(request.params.ip),
  }));
  app.get('/admin/status', { config: { guard: false } }, async (): Promise<ServerStatus> => ({
    status: app.guard.initializer?.getInitializationStatus() ?? null,
    decisions,
  }));
} else if (settings.mode === 'rlflex') {
  const clientIps = new ClientIpResolver(settings.config.trustedProxies ?? []);
  const redis = new Redis(settings.config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: false,
    points: settings.config.rateLimit,
    duration: settings.config.rateLimitWindow,
    keyPrefix: 'bench-rlflex',
  });
  // Its failures reach the limiter as rejections; without a listener ioredis would also print each one.
  redis.on('error', () => undefined);
  app.addHook('onClose', async () => void redis.disconnect());
  app.addHook('onRequest', async (request, reply) => {
    const ip = clientIps.resolve(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']);
    if (ip === null) return reply.code(400).send({ error: 'Bad Request' });
    try {
      await limiter.consume(ip);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      reply.header('Retry-After', String(seconds));
      return reply.code(429).send({ error: 'Too Many Requests', retryAfterSeconds: seconds });
    }
  });
}
app.get('/', hello);
app.get('/probe', hello);

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: Number(new URL(address).port) });
const stop = (): void => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
