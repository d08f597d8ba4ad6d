/**
 * The example Fastify app: routes behind the guard plugin, and an unguarded health route that
 * reports where the guard's state lives (`getInitializationStatus()`).
 *
 * Run it: `REDIS_URL=redis://127.0.0.1:6380 PORT=3000 node --import tsx examples/fastify/app.ts`.
 */
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { SecurityConfigInput } from 'guard-core';
import { fastifyGuard, type FastifyGuardOptions } from './guard-plugin.js';

/** A started app. */
export interface RunningApp {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The Fastify instance (`app.guard.initializer` gives the managers: bans, limiter, status). */
  readonly app: FastifyInstance;
  /** Stops the server, then the guard. */
  close(): Promise<void>;
}

/** Builds the app (not listening yet). */
export async function buildFastifyApp(
  config: SecurityConfigInput,
  options: Omit<FastifyGuardOptions, 'config'> = {},
): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyGuard, { ...options, config });
  // A health check must answer even for a client that is rate-limited.
  app.get('/health', { config: { guard: false } }, async () => {
    return app.guard.initializer?.getInitializationStatus() ?? { redis: 'starting' };
  });
  app.get('/', async () => ({ hello: 'world' }));
  app.get<{ Params: { id: string } }>('/items/:id', async (request) => ({ id: request.params.id }));
  return app;
}

/** Starts the app on `127.0.0.1:port` (0: a free port). */
export async function startFastifyApp(config: SecurityConfigInput, port = 0): Promise<RunningApp> {
  const app = await buildFastifyApp(config);
  const url = await app.listen({ host: '127.0.0.1', port });
  return { url, app, close: () => app.close() };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const running = await startFastifyApp(
    { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', rateLimit: 5, rateLimitWindow: 10 },
    Number(process.env.PORT ?? 3000),
  );
  console.log(`Fastify example listening on ${running.url}`);
  process.once('SIGINT', () => void running.close());
}
