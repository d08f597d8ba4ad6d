/**
 * One private Redis for the whole run (REDIS_URL wins when set). Tests that stop or restart
 * a server start their own with `startPrivateRedis()`.
 */
import type { TestProject } from 'vitest/node';
import { startPrivateRedis, type TestRedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: TestRedisServer | null = null;

export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return;
  }
  server = await startPrivateRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.dispose();
}
