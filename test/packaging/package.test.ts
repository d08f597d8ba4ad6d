/**
 * The package as users get it: `npm pack`, installed into a temp project from the tarball, then
 * used by real scripts run as child processes against the run's private Redis — a CommonJS
 * legacy script and an ESM script on `guard-core/sync`, plain `require`/`import` of `guard-core`,
 * and `tsc` on a consumer file against the installed declarations. Needs `npm run build` first
 * (the tarball ships `dist/`).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));
const consumerFixtures = fileURLToPath(new URL('./consumer/', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work = '';
let project = '';
const raw = rawClient();
const prefixes: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(repo, 'dist', 'sync.js')) || !existsSync(join(repo, 'dist', 'bridge-worker.js'))) {
    throw new Error('dist/ is missing or incomplete: run `npm run build` before the packaging test');
  }
  work = mkdtempSync(join(tmpdir(), 'guard-core-pack-'));
  await exec(npm, ['pack', '--pack-destination', work, '--silent'], { cwd: repo });
  const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack produced no tarball in ${work}`);
  project = join(work, 'consumer');
  cpSync(consumerFixtures, project, { recursive: true });
  cpSync(join(project, 'consumer.ts.fixture'), join(project, 'consumer.ts'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'guard-core-consumer', private: true }));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(consumerTsconfig(), null, 2));
  await exec(npm, ['install', join(work, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--silent'], {
    cwd: project,
  });
}, 180_000);

afterAll(async () => {
  await deleteByPrefix(raw, ...prefixes);
  await raw.quit();
  if (work) rmSync(work, { recursive: true, force: true });
});

function consumerTsconfig(): object {
  return {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023', 'ESNext.Disposable'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noEmit: true,
      // Dependencies' declarations (ioredis, zod) are not ours to check, and take most of tsc's time.
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(repo, 'node_modules', '@types')],
    },
    files: ['consumer.ts'],
  };
}

/** Runs a consumer script with node; it must exit by itself (the timeout turns a hang into a failure). */
async function runScript(script: string): Promise<unknown> {
  const prefix = uniquePrefix('pack');
  prefixes.push(prefix);
  const { stdout, stderr } = await exec(process.execPath, [script, redisUrl(), prefix], {
    cwd: project,
    timeout: 30_000,
  });
  expect(stderr).toBe('');
  return JSON.parse(stdout);
}

describe('installed from the packed tarball', () => {
  test('the tarball ships the worker entry and both module formats of every entry point', () => {
    const dist = readdirSync(join(project, 'node_modules', 'guard-core', 'dist'));
    for (const file of ['index.js', 'index.cjs', 'sync.js', 'sync.cjs', 'sync.d.ts', 'sync.d.cts']) {
      expect(dist).toContain(file);
    }
    expect(dist).toContain('bridge-worker.js');
    expect(dist).toContain('bridge-worker.cjs');
  });

  test('a CommonJS legacy script: require("guard-core/sync") round trips and exits by itself', async () => {
    expect(await runScript('legacy.cjs')).toEqual({
      set: true,
      got: 'from cjs',
      ranges: ['10.0.0.0/8', '3.5.140.0/22'],
      removed: 2,
      closedError: { sameClass: true, status: 503 },
    });
  });

  test('an ESM script: import from "guard-core/sync" round trips and exits by itself', async () => {
    expect(await runScript('modern.mjs')).toEqual({
      set: true,
      got: 'from esm',
      ranges: ['34.80.0.0/15'],
      removed: 2,
      closedError: { sameClass: true, status: 503 },
    });
  });

  test.each([
    ['require', 'plain.cjs'],
    ['import', 'plain.mjs'],
  ])('plain %s of guard-core (async API)', async (how, script) => {
    expect(await runScript(script)).toEqual({
      got: `async ${how === 'require' ? 'cjs' : 'esm'}`,
      sameEntry: true,
      hasStore: 'function',
    });
  });

  test('tsc type-checks a consumer file against the installed declarations', async () => {
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await exec(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch(
      (error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? 'tsc failed',
      }),
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });
});
