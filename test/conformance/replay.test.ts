/**
 * A failure prints what reproduces it: the seed and path (and the replay path of a model-based
 * failure) taken from the printed text rerun exactly that case, through options or environment.
 */
import { afterEach, expect, test } from 'vitest';
import {
  checkStoreConformance,
  formatPropertyFailure,
  type ConformanceReport,
  type PropertyId,
  type PropertyResult,
  type StoreConformanceOptions,
} from '../../src/testing/index.js';
import { MUTANTS } from './zoo/mutants.js';

const ENV_KEYS = [
  'GUARD_CONFORMANCE_SEED',
  'GUARD_CONFORMANCE_ONLY',
  'GUARD_CONFORMANCE_PATH',
  'GUARD_CONFORMANCE_REPLAY_PATH',
] as const;
afterEach(() => {
  for (const key of ENV_KEYS) delete process.env[key];
});

/** The union-on-overwrite mutant on a fresh backend. */
async function checkUnion(options: StoreConformanceOptions): Promise<ConformanceReport> {
  const mutant = MUTANTS.find((m) => m.id === 'Z05');
  if (mutant === undefined) throw new Error('Z05 is missing from the zoo');
  const { target, clock } = mutant.make('async');
  return checkStoreConformance(target, { ...options, mode: 'async', capabilities: { clock } });
}

function resultOf(report: ConformanceReport, id: PropertyId): PropertyResult {
  const result = report.results.find((r) => r.id === id);
  if (result === undefined) throw new Error(`no result for ${id}`);
  return result;
}

/** The call sequence without the per-run prefixes (fresh on every run by design). */
function calls(result: PropertyResult): string {
  return (result.callSequence ?? '').replace(/prefix: "[^"]*"/g, 'prefix: …');
}

function printedValue(text: string, pattern: RegExp): string {
  const match = pattern.exec(text);
  if (match?.[1] === undefined) throw new Error(`${pattern} not found in:\n${text}`);
  return match[1];
}

test('the printed seed and path rerun the same failing case (options and environment)', async () => {
  const first = await checkUnion({ only: ['P04'] }); // no seed given: the kit picks one and prints it
  const failure = resultOf(first, 'P04');
  expect(failure.status).toBe('failed');
  const printed = formatPropertyFailure(failure, first);
  const seed = Number(printedValue(printed, /base seed (-?\d+)/));
  const path = printedValue(printed, /path "([\d:]+)"/);
  expect(printed).toContain(`replay: runStoreConformance(store, { only: ['P04'], seed: ${seed}, path: "${path}" })`);

  const byOptions = resultOf(await checkUnion({ only: ['P04'], seed, path }), 'P04');
  expect(byOptions.status).toBe('failed');
  expect(byOptions.counterexample).toBe(failure.counterexample);
  expect(byOptions.reason).toBe(failure.reason);
  expect(calls(byOptions)).toBe(calls(failure));
  expect(byOptions.numRuns).toBe(1); // straight to the case: no exploration

  Object.assign(process.env, {
    GUARD_CONFORMANCE_SEED: String(seed),
    GUARD_CONFORMANCE_ONLY: 'P04',
    GUARD_CONFORMANCE_PATH: path,
  });
  const byEnv = resultOf(await checkUnion({}), 'P04');
  expect(byEnv.counterexample).toBe(failure.counterexample);
  expect(calls(byEnv)).toBe(calls(failure));
});

test('the seed alone reruns the whole search to the same minimal case', async () => {
  const first = await checkUnion({ only: ['P04'] });
  const again = await checkUnion({ only: ['P04'], seed: first.seed });
  const [a, b] = [resultOf(first, 'P04'), resultOf(again, 'P04')];
  expect(a.status).toBe('failed');
  expect([b.counterexample, b.path, calls(b)]).toEqual([a.counterexample, a.path, calls(a)]);
});

test('a model-based failure prints its replay path, and seed + path + replayPath rerun the same program', async () => {
  const first = await checkUnion({ only: ['P24'] });
  const failure = resultOf(first, 'P24');
  expect(failure.status).toBe('failed');
  const printed = formatPropertyFailure(failure, first);
  const seed = Number(printedValue(printed, /base seed (-?\d+)/));
  const path = printedValue(printed, /path "([\d:]+)"/);
  const replayPath = printedValue(printed, /replayPath "([^"]+)"/);
  expect(printed).toContain(`GUARD_CONFORMANCE_REPLAY_PATH='${replayPath}'`);
  // Shrunk to a short program: write, overwrite, read (plus the final sweep of every name).
  const program = calls(failure)
    .split('\n')
    .filter((line) => /\.(set|clear)\(/.test(line));
  expect(program.length).toBeLessThanOrEqual(3);

  const again = resultOf(await checkUnion({ only: ['P24'], seed, path, replayPath }), 'P24');
  expect(again.status).toBe('failed');
  expect(calls(again)).toBe(calls(failure));
  expect(again.counterexample).toBe(failure.counterexample);
});
