/**
 * Without its optional peer `fast-check`, the kit still imports, and using it fails with its own
 * typed error saying what to install — not Node's raw "Cannot find module". Simulated in a child
 * process whose module resolution cannot find fast-check (fixtures/hide-fast-check.mjs).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { ConformanceDependencyError } from '../../src/testing/index.js';
import { supported } from '../../src/testing/fast-check.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key];
  return env;
}

const SCRIPT = `
import * as kit from './src/testing/index.ts';
const describeError = (e) => ({
  typed: e instanceof kit.ConformanceDependencyError,
  name: e.name,
  code: e.code,
  message: e.message,
  causeCode: e.cause?.code,
});
const store = { get: async () => null, set: async () => undefined, clear: async () => undefined };
const out = { imported: typeof kit.createManualClock === 'function', registered: 0 };
try {
  await kit.checkStoreConformance(() => store);
  out.check = 'resolved';
} catch (e) {
  out.check = describeError(e);
}
try {
  kit.runStoreConformance(() => store, {
    runner: { test: () => { out.registered += 1; }, describe: (_name, body) => body() },
  });
  out.run = 'registered';
} catch (e) {
  out.run = describeError(e);
}
console.log(JSON.stringify(out));
`;

test('a missing fast-check gives ConformanceDependencyError (code, install hint), at use, not at import', () => {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      './test/conformance/fixtures/hide-fast-check.mjs',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      SCRIPT,
    ],
    { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 },
  );
  expect(child.status, child.stderr).toBe(0);
  const out = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  const expected = {
    typed: true,
    name: 'ConformanceDependencyError',
    code: 'GUARD_CONFORMANCE_FAST_CHECK_MISSING',
    message: expect.stringContaining('install fast-check >=3.15 <5 as a dev dependency'),
    causeCode: 'MODULE_NOT_FOUND',
  };
  expect(out).toEqual({ imported: true, registered: 0, check: expected, run: expected });
}, 70_000);

test('the supported fast-check versions are the peer range >=3.15 <5', () => {
  expect(['3.15.0', '3.23.2', '4.0.0', '4.10.2'].filter(supported)).toHaveLength(4);
  expect(['2.17.0', '3.14.9', '5.0.0', 'unknown'].some(supported)).toBe(false);
  const error = new ConformanceDependencyError('GUARD_CONFORMANCE_FAST_CHECK_VERSION', 'x');
  expect(error).toBeInstanceOf(Error);
  expect(error.name).toBe('ConformanceDependencyError');
});
