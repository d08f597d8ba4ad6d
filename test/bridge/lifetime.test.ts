/**
 * The bridge never decides when a process ends (reference/sync-bridge.md §(a) 9, 10, 17). Each
 * case runs a real script from the built package (`npm run build` first) as a child process
 * against the run's private Redis.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const raw = rawClient();
const prefixes: string[] = [];
afterAll(async () => {
  await deleteByPrefix(raw, ...prefixes);
  await raw.quit();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Epoch milliseconds of the child's exit, as seen by this process. */
  readonly exitedAt: number;
}

function run(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: fileURLToPath(new URL('.', import.meta.url)),
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    let exitedAt = 0;
    child.on('exit', () => (exitedAt = performance.timeOrigin + performance.now()));
    child.on('close', (code) => resolve({ code, stdout, stderr, exitedAt }));
  });
}

function prefix(label: string): string {
  const made = uniquePrefix(label);
  prefixes.push(made);
  return made;
}

describe('(9) a script that makes sync calls and returns exits by itself', () => {
  test.each([
    ['ESM', 'fixtures/exit-after-calls.mjs'],
    ['CommonJS', 'fixtures/exit-after-calls.cjs'],
  ])('%s, with an idle Redis connection still open in the worker', async (_format, script) => {
    const result = await run([script, redisUrl(), prefix('exit9')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { found: number; lastCallAt: number };
    expect(report.found).toBe(50);
    const exitDelayMs = result.exitedAt - report.lastCallAt;
    // A kept-alive process would run until the worker's socket closed (never); a loaded 2-core
    // machine can still take a while to reap a child, hence the wide bound.
    expect(exitDelayMs).toBeLessThan(1_500);
    console.info(`(9) ${_format}: exit ${exitDelayMs.toFixed(1)} ms after the last sync call`);
  });
});

test('(10) sync calls work inside process.on("exit"), and throw after closeSyncBridge()', async () => {
  const result = await run(['fixtures/exit-hook.mjs', redisUrl(), prefix('exit10')]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({
    read: 'written before exit',
    removed: 1,
    after: 'GuardRedisError/GuardBridgeClosedError',
  });
});

test('(17) a preload that uses the sync API does not start workers recursively', async () => {
  const result = await run(['-r', './fixtures/preload.cjs', 'fixtures/preload-app.cjs'], {
    PRELOAD_REDIS_URL: redisUrl(),
    PRELOAD_PREFIX: prefix('preload17'),
  });
  expect(result.code).toBe(0);
  expect(result.stderr.trim().split('\n')).toEqual(['preload ran in thread 0']);
  expect(JSON.parse(result.stdout)).toEqual({ value: 'yes', removed: 1 });
});

test('configureSyncBridge({ workerUrl }) is honoured: a missing file fails fast naming it, the real one works', async () => {
  const missing = fileURLToPath(new URL('./fixtures/no-such-worker.js', import.meta.url));
  const real = fileURLToPath(new URL('../../dist/bridge-worker.js', import.meta.url));
  const result = await run(['fixtures/worker-url.mjs', redisUrl(), prefix('workerurl'), missing, real]);
  expect(result.stderr).toBe('');
  expect(JSON.parse(result.stdout)).toEqual({
    failure: { name: 'GuardRedisError', cause: 'GuardBridgeStartError', namesPath: true },
    stored: true,
  });
});
