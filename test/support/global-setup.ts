/**
 * One private Redis for the whole run (REDIS_URL wins when set). Tests that stop or restart
 * a server start their own with `startPrivateRedis()`.
 */
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { HOW_TO_GET_REDIS, startPrivateRedis, type TestRedisServer } from './redis-server.js';
import { buildSourceWorker } from './source-worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** The sync bridge worker built from source for this run (`source-worker.ts`). */
    bridgeWorkerUrl: string;
  }
}

let server: TestRedisServer | null = null;
let worker: { url: string; dispose(): void } | null = null;

export async function setup(project: TestProject): Promise<void> {
  worker = await buildSourceWorker();
  project.provide('bridgeWorkerUrl', worker.url);
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    await requireReachable(fromEnv);
    project.provide('redisUrl', fromEnv);
    return;
  }
  server = await startPrivateRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  worker?.dispose();
  await server?.dispose();
}

/** A REDIS_URL that does not answer must fail the run at once, not as hundreds of timeouts. */
async function requireReachable(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let lastError: unknown = null;
  client.on('error', (error: unknown) => {
    lastError = error; // connect() itself only says "Connection is closed."
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const cause = lastError ?? error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`REDIS_URL is set but that Redis does not answer PING (${reason}).\n${HOW_TO_GET_REDIS}`);
  } finally {
    client.disconnect();
  }
}
