/**
 * The example Express app: three routes behind the guard, and an unguarded health route that
 * reports where the guard's state lives (`getInitializationStatus()`).
 *
 * Run it: `REDIS_URL=redis://127.0.0.1:6380 PORT=3000 node --import tsx examples/express/app.ts`.
 */
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import type { SecurityConfigInput } from 'guard-core';
import { createExpressGuard, type ExpressGuard } from './guard.js';

/** A started app. */
export interface RunningApp {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The guard (its `initializer` gives the managers: bans, limiter, status). */
  readonly guard: ExpressGuard;
  /** Stops the server, then the guard. */
  close(): Promise<void>;
}

/** Starts the app on `127.0.0.1:port` (0: a free port). */
export async function startExpressApp(config: SecurityConfigInput, port = 0): Promise<RunningApp> {
  const guard = await createExpressGuard(config);
  const app = express();
  app.disable('x-powered-by');
  // Before the guard: a health check must answer even for a client that is rate-limited.
  app.get('/health', (_req, res) => {
    res.json(guard.initializer?.getInitializationStatus() ?? { redis: 'starting' });
  });
  app.use(guard.middleware);
  app.get('/', (_req, res) => void res.json({ hello: 'world' }));
  app.get('/items/:id', (req, res) => void res.json({ id: req.params.id }));
  app.use(guard.errorHandler);

  const server = app.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    guard,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await guard.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const running = await startExpressApp(
    { redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', rateLimit: 5, rateLimitWindow: 10 },
    Number(process.env.PORT ?? 3000),
  );
  console.log(`Express example listening on ${running.url}`);
  process.once('SIGINT', () => void running.close());
}
