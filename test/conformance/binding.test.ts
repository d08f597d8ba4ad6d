/**
 * runStoreConformance as a runner binding: synchronous registration, skipped tests for gaps,
 * failures that carry the replay data, any runner through `options.runner`, the real vitest
 * and the real node:test (child processes on a broken store), and the built package without
 * any runner.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test, vi } from 'vitest';
import { GuardInputError, InMemoryCloudIpStore } from '../../src/index.js';
import {
  PROPERTY_IDS,
  runStoreConformance,
  StoreConformanceError,
  type RunnerBinding,
  type StoreConformanceOptions,
} from '../../src/testing/index.js';
import { SyncMemoryStore } from './support/sync-memory-store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Registered {
  readonly name: string;
  readonly fn: (...args: unknown[]) => unknown;
  readonly timeout: number | undefined;
  readonly skipped: boolean;
}

/** A minimal runner that records what the kit registers. */
function recordingRunner(withDescribe = true, withSkip = true) {
  const registered: Registered[] = [];
  const groups: string[] = [];
  const test = (name: string, fn: () => unknown, timeout?: number) =>
    registered.push({ name, fn, timeout, skipped: false });
  if (withSkip)
    Object.assign(test, {
      skip: (name: string, fn: () => unknown) => registered.push({ name, fn, timeout: undefined, skipped: true }),
    });
  const runner: RunnerBinding = withDescribe
    ? {
        test,
        describe: (name, body) => {
          groups.push(name);
          body();
        },
      }
    : { it: test };
  return { registered, groups, runner };
}

function find(registered: readonly Registered[], id: string): Registered {
  const entry = registered.find((r) => r.name.startsWith(`${id} `) || r.name.includes(`› ${id} `));
  if (entry === undefined) throw new Error(`${id} was not registered`);
  return entry;
}

class UnionStore extends SyncMemoryStore {
  override set(provider: string, ranges: Iterable<string>, ttl?: number | null): void {
    super.set(provider, [...(this.get(provider) ?? []), ...ranges], ttl);
  }
}

describe('registration', () => {
  test('is synchronous: one test per property, skipped ones named with their reason', () => {
    const { registered, groups, runner } = recordingRunner();
    runStoreConformance(() => new InMemoryCloudIpStore(), {
      runner,
      name: 'Mem',
      mode: 'async',
      capabilities: { ttl: false },
    });
    expect(groups).toEqual(['guard-core store conformance: Mem (async)']);
    expect(registered.map((r) => r.name.slice(0, 3))).toEqual([...PROPERTY_IDS]);
    const skipped = registered.filter((r) => r.skipped).map((r) => r.name);
    expect(skipped).toHaveLength(6);
    expect(find(registered, 'P09').name).toBe(
      'P09 TTL: present before the deadline, absent after it [skipped: the store declares ttl: false]',
    );
    for (const r of registered.filter((x) => !x.skipped)) {
      // A declared parameter would make Jest and mocha wait for a `done` callback forever.
      expect(r.fn.length).toBe(0);
      expect(r.timeout).toBeGreaterThan(60_000);
    }
  });

  test('a passing property passes; a failing one throws StoreConformanceError with seed, path and replay', async () => {
    const ok = recordingRunner();
    runStoreConformance(() => new SyncMemoryStore(), { runner: ok.runner, mode: 'sync', capabilities: { ttl: false } });
    await find(ok.registered, 'P04').fn();

    const broken = recordingRunner();
    runStoreConformance(() => new UnionStore(), {
      runner: broken.runner,
      mode: 'sync',
      seed: 9,
      capabilities: { ttl: false },
    });
    const thrown = await Promise.resolve(find(broken.registered, 'P04').fn()).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(StoreConformanceError);
    const error = thrown as StoreConformanceError;
    expect(error.message).toMatch(/^P04 overwrite replaces, never unions — FAILED/);
    expect(error.message).toMatch(/base seed 9; property seed -?\d+; path "[\d:]+"/);
    expect(error.message).toMatch(/minimal call sequence:\n {4}const s1 = factory\.make/);
    expect(error.message).toContain("replay: runStoreConformance(store, { only: ['P04'], seed: 9, path:");
    expect(error.result.status).toBe('failed');
  });

  test('works with an `it`-only runner (no describe): the group title prefixes each name', () => {
    const { registered, runner } = recordingRunner(false);
    runStoreConformance(new SyncMemoryStore(), { runner, name: 'Solo', capabilities: { ttl: false } });
    expect(find(registered, 'P01').name).toBe('guard-core store conformance: Solo › P01 absent is null');
    expect(find(registered, 'P15').name).toMatch(/P15 .*\[skipped: needs a factory that isolates prefixes/);
  });

  test('a runner without .skip cannot register a gap: GuardInputError', () => {
    const { runner } = recordingRunner(true, false);
    expect(() => runStoreConformance(new SyncMemoryStore(), { runner, capabilities: { ttl: false } })).toThrow(
      GuardInputError,
    );
  });

  test('mode auto on a sync store: concurrency properties skip at run time through the runner', async () => {
    const options = (runner: RunnerBinding): StoreConformanceOptions => ({ runner, capabilities: { ttl: false } });
    const { registered, runner } = recordingRunner();
    runStoreConformance(() => new SyncMemoryStore(), options(runner));
    const p22 = find(registered, 'P22');
    expect(p22.skipped).toBe(false); // unknown at registration: the store is probed when tests run
    const viaContext = vi.fn();
    await p22.fn({ skip: viaContext }); // vitest's test context
    expect(viaContext).toHaveBeenCalledWith('P22 skipped: a sync store: calls cannot overlap');
    const viaThis = vi.fn();
    await p22.fn.call({ skip: viaThis }); // mocha's `this`
    expect(viaThis).toHaveBeenCalledOnce();
    await expect(Promise.resolve(p22.fn())).rejects.toThrow(/declare mode: 'sync'/);
  });

  test('under vitest the kit finds vitest by itself (no runner option)', () => {
    const scope = globalThis as { __vitest_index__?: { test?: unknown } };
    expect(typeof scope.__vitest_index__?.test).toBe('function');
  });
});

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  return env;
}

/** Runs the fixture files matching `filter` in a child vitest. */
function childVitest(filter: string, env: Record<string, string> = {}) {
  const child = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'test/conformance/fixtures/vitest.config.ts',
      '--reporter=verbose',
      filter,
    ],
    { cwd: ROOT, env: { ...cleanEnv(), NO_COLOR: '1', ...env }, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: child.status, out: `${child.stdout}\n${child.stderr}` };
}

test('a real vitest run of a broken store fails, naming the property, the seed and the replay; gaps are skipped', () => {
  const child = childVitest('broken-store', { GUARD_CONFORMANCE_SEED: '1234' });
  const out = child.out;
  expect(child.status, out).toBe(1);
  expect(out).toMatch(/× .*P04 overwrite replaces, never unions/);
  expect(out).toMatch(/StoreConformanceError: P04 overwrite replaces, never unions — FAILED/);
  expect(out).toContain('base seed 1234');
  expect(out).toMatch(/replay: runStoreConformance\(store, \{ only: \['P04'\], seed: 1234, path: "[\d:]+" \}\)/);
  expect(out).toMatch(
    /↓ .*P09 TTL: present before the deadline, absent after it \[skipped: the store declares ttl: false\]/,
  );
  expect(out).toMatch(/✓ .*P02 round-trip as a Set of the same strings/);
  expect(out).toMatch(/Tests +5 failed \| 11 passed \| 10 skipped \(26\)/);
}, 130_000);

test('under node:test, bound as `runner: { test, describe }`, a broken store fails its property and gaps are skipped', () => {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test-reporter=spec', 'test/conformance/fixtures/node-test-runner.ts'],
    { cwd: ROOT, env: { ...cleanEnv(), NO_COLOR: '1' }, encoding: 'utf8', timeout: 60_000 },
  );
  const out = `${child.stdout}\n${child.stderr}`;
  expect(child.status, out).toBe(1);
  expect(out).toMatch(/▶ guard-core store conformance: MemoryStore \(sync\)\n {2}✔ P01 absent is null/);
  expect(out).toMatch(/✔ guard-core store conformance: MemoryStore \(sync\)/);
  expect(out).toMatch(/✖ P04 overwrite replaces, never unions[^\n]*\n\s+StoreConformanceError: P04 .* — FAILED/);
  expect(out).toMatch(
    /﹣ P02 round-trip as a Set of the same strings \[skipped: not selected \(only: P01, P04\)\].*# SKIP/,
  );
  expect(out).toMatch(/ℹ pass 3\n.*\n?ℹ fail 1/);
}, 70_000);

test('the built package, imported by name and loaded untransformed, registers its tests in vitest by itself', () => {
  expect(existsSync(`${ROOT}dist/testing.js`), 'dist/ is missing: run `npm run build`').toBe(true);
  const child = childVitest('built-package');
  expect(child.status, child.out).toBe(0);
  expect(child.out).toMatch(/Tests +26 passed \(26\)/);
  expect(child.out).toMatch(/✓ .*InMemoryCloudIpStore from the built package > P24 model-based/);
}, 130_000);

describe('the built package (dist/), without a test runner', () => {
  const built = existsSync(`${ROOT}dist/testing.js`) && existsSync(`${ROOT}dist/testing.cjs`);
  const script = (body: string, type: 'module' | 'commonjs') =>
    spawnSync(process.execPath, [`--input-type=${type}`, '-e', body], {
      cwd: ROOT,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });

  test('ESM: checkStoreConformance reports; runStoreConformance explains it needs a runner', () => {
    expect(built, 'dist/ is missing: run `npm run build`').toBe(true);
    const child = script(
      `import { checkStoreConformance, runStoreConformance, createManualClock } from 'guard-core/testing';
       import { InMemoryCloudIpStore, GuardInputError } from 'guard-core';
       const clock = createManualClock();
       const report = await checkStoreConformance(() => new InMemoryCloudIpStore({ now: clock.now }), { capabilities: { clock }, numRuns: 20 });
       let refused = null;
       try { runStoreConformance(new InMemoryCloudIpStore()); } catch (e) { refused = [e instanceof GuardInputError, e.field, e.message]; }
       console.log(JSON.stringify({ ok: report.ok, mode: report.mode, counts: report.counts, refused }));`,
      'module',
    );
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(out).toMatchObject({
      ok: true,
      mode: 'async',
      counts: { passed: 26, failed: 0, skipped: 0, indeterminate: 0 },
    });
    expect(out.refused).toEqual([true, 'options.runner', expect.stringMatching(/no test runner found/)]);
  });

  test('CJS: require works and errors are the same classes as guard-core', () => {
    expect(built, 'dist/ is missing: run `npm run build`').toBe(true);
    const child = script(
      `const { checkStoreConformance } = require('guard-core/testing');
       const { GuardInputError } = require('guard-core');
       checkStoreConformance({ get() {} }).catch((e) => console.log(JSON.stringify([e instanceof GuardInputError, e.field])));`,
      'commonjs',
    );
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout.trim())).toEqual([true, 'store']);
  });
});
