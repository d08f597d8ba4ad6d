/**
 * The package as users get it: `npm pack`, installed into a temp project from the tarball, then
 * used by real scripts run as child processes against the run's private Redis — a CommonJS
 * legacy script and an ESM script on `guard-core/sync`, plain `require`/`import` of `guard-core`,
 * and `tsc` on a consumer file against the installed declarations. Needs `npm run build` first
 * (the tarball ships `dist/`).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { deleteByPrefix, rawClient, redisUrl, uniquePrefix } from '../support/redis.js';

const exec = promisify(execFile);
/** The lowest Node version package.json `engines` promises (`Symbol.asyncDispose` arrived in 20.4.0). */
const LOWEST_NODE = '20.4.0';
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
  // --ignore-scripts: `npm test` built dist/ already, and prepack's rebuild would empty dist/ under the
  // sync-API tests running beside this one. (A fresh clone's pack, with prepack, is tested below.)
  await exec(npm, ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], { cwd: repo });
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
async function runScript(script: string, node: string = process.execPath): Promise<unknown> {
  const prefix = uniquePrefix('pack');
  prefixes.push(prefix);
  const { stdout, stderr } = await exec(node, [script, redisUrl(), prefix], {
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
    expect(readdirSync(join(project, 'node_modules', 'guard-core'))).toContain('LICENSE');
  });

  test('a CommonJS legacy script: require("guard-core/sync") round trips and exits by itself', async () => {
    expect(await runScript('legacy.cjs')).toEqual({
      set: true,
      got: 'from cjs',
      ranges: ['10.0.0.0/8', '3.5.140.0/22'],
      removed: 2,
      closedError: { sameClass: true, status: 503 },
      bridgedError: { name: 'GuardRedisError', sameClass: true, reason: true },
      className: 'GuardConfigError',
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

  test('one process loading both builds (require and import of guard-core/sync) starts one bridge worker; errors are instanceof across builds', async () => {
    const identity = {
      name: 'GuardRedisError',
      own: true,
      other: true,
      otherBase: true,
      notOtherSubclass: true,
      reason: true,
    };
    expect(await runScript('both-formats.cjs')).toEqual({
      distinctBuilds: true,
      calls: [true, true, 'set through require', 'set through import', 1, 1],
      workersStarted: 1,
      cjsError: identity,
      esmError: identity,
      plainErrorIsNot: true,
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

describe('installed from anything a user installs from', () => {
  test('npm pack of a fresh clone (no dist/) builds first and ships dist/ and LICENSE', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'guard-core-clone-'));
    try {
      await exec('git', ['clone', '--quiet', '--no-hardlinks', repo, join(clone, 'repo')]);
      const fresh = join(clone, 'repo');
      expect(existsSync(join(fresh, 'dist'))).toBe(false);
      symlinkSync(join(repo, 'node_modules'), join(fresh, 'node_modules'), 'dir');
      // The build's own output (coloured when CI forces colour) shares stdout with npm's, so the
      // tarball itself is the record of what shipped, not npm's --json report.
      await exec(npm, ['pack', '--pack-destination', clone], { cwd: fresh, maxBuffer: 64 * 1024 * 1024 });
      const tarball = readdirSync(clone).find((name) => name.endsWith('.tgz'));
      expect(tarball).toBeDefined();
      const { stdout: listing } = await exec('tar', ['-tzf', join(clone, tarball!)], { maxBuffer: 16 * 1024 * 1024 });
      const files = listing
        .split('\n')
        .filter(Boolean)
        .map((path) => path.replace(/^package\//, ''));
      for (const file of ['LICENSE', 'dist/index.js', 'dist/index.cjs', 'dist/sync.js', 'dist/bridge-worker.js']) {
        expect(files).toContain(file);
      }
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  }, 180_000);

  test(`the lowest supported Node (${LOWEST_NODE}, package.json engines) runs the sync CJS and ESM scripts`, async () => {
    const engines = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { engines: { node: string } })
      .engines.node;
    expect(engines).toBe(`>=${LOWEST_NODE}`);
    const node = await lowestNode();
    expect(await runScript('legacy.cjs', node)).toMatchObject({ got: 'from cjs', removed: 2 });
    expect(await runScript('modern.mjs', node)).toMatchObject({ got: 'from esm', removed: 2 });
    expect(await runScript('plain.cjs', node)).toMatchObject({ got: 'async cjs' });
  }, 180_000);
});

/**
 * The Node binary of the lowest supported version, from the npm registry's `node-<os>-<arch>`
 * package (the registry is the one place packages come from here), cached in the temp folder
 * across runs.
 */
async function lowestNode(): Promise<string> {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = join(tmpdir(), `guard-core-${name}-${LOWEST_NODE}`);
  const binary = join(dir, 'package', 'bin', 'node');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(join(tmpdir(), 'guard-core-node-'));
  await exec(npm, ['pack', `${name}@${LOWEST_NODE}`, '--silent'], { cwd: staging, timeout: 150_000 });
  const tarball = readdirSync(staging).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${name}@${LOWEST_NODE} produced no tarball`);
  await exec('tar', ['xzf', tarball], { cwd: staging });
  rmSync(join(staging, tarball));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return binary;
}
