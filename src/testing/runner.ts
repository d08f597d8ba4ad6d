/**
 * Finding the running test framework without importing one: the kit's runtime imports stay
 * free of vitest/jest/mocha (they are optional peers), and a user can always pass their own.
 */
import { GuardInputError } from '../core/errors.js';

/**
 * The body of every test the kit registers. It declares no parameter (`length` 0, so Jest and
 * mocha never wait for a `done` callback), reads the runner's context from its first argument
 * (vitest) or `this` (mocha) when it needs to skip at run time, and settles when the property
 * is decided. Any runner whose test callback may return a promise accepts it: vitest's
 * `TestFunction`, Jest's `TestFn`, node:test's `TestFn`, mocha's `AsyncFunc`.
 */
export type ConformanceTestBody = (this: unknown, ...args: unknown[]) => Promise<void>;

/** The body of a test registered as skipped (never run). */
export type SkippedTestBody = () => void;

/**
 * A runner's `test`/`it`: `(name, fn, timeoutMs?)`, with `.skip` for capability gaps. Declared
 * by what the kit passes, so the real functions of vitest, Jest (`@jest/globals`), node:test
 * and mocha are all assignable to it. (node:test reads no timeout argument and ignores it.)
 */
export interface TestFunctionLike {
  /** Registers one test named `name` running `fn`, with an optional timeout in milliseconds. */
  (name: string, fn: ConformanceTestBody, timeoutMs?: number): unknown;
  /** Registers a skipped test (vitest, jest, mocha, node:test, tape, ava all have it). */
  skip?: (name: string, fn: SkippedTestBody) => unknown;
}

/** A runner's `describe`: groups the registered tests under one title (its body is synchronous). */
export type DescribeFunctionLike = (name: string, fn: () => void) => unknown;

/**
 * The parts of a test runner the kit uses. Pass e.g. `import * as vitest from 'vitest'`,
 * `{ test, describe }` from `@jest/globals` or from `node:test`, or `{ it, describe }` from mocha.
 */
export interface RunnerBinding {
  /** Registers one test (preferred over `it` when both are given). */
  readonly test?: TestFunctionLike;
  /** Same as `test` for BDD-style runners. */
  readonly it?: TestFunctionLike;
  /** Optional grouping; without it tests are registered flat with the group title in their names. */
  readonly describe?: DescribeFunctionLike;
}

/** The binding the kit registers through. */
export interface ResolvedRunner {
  readonly test: TestFunctionLike;
  readonly describe: DescribeFunctionLike | null;
  /** Where it came from, for error messages. */
  readonly source: 'options.runner' | 'vitest' | 'globals';
}

/**
 * `options.runner` when given; else vitest's own API, which vitest publishes on
 * `globalThis.__vitest_index__` inside every test worker (the object behind the documented
 * `import.meta.vitest` of in-source testing, so it is the very instance collecting this file's
 * tests, whether the kit was loaded from source or from a built package); else global
 * `test`/`it` + `describe` (jest, mocha, vitest with `globals: true`).
 */
export function resolveRunner(explicit: RunnerBinding | null): ResolvedRunner {
  if (explicit !== null) {
    const test = explicit.test ?? explicit.it;
    if (typeof test !== 'function') {
      throw new GuardInputError(
        'options.runner',
        'expected a `test` or `it` function (e.g. `import * as vitest from "vitest"`)',
      );
    }
    if (explicit.describe !== undefined && typeof explicit.describe !== 'function') {
      throw new GuardInputError('options.runner.describe', 'expected a function');
    }
    return { test, describe: explicit.describe ?? null, source: 'options.runner' };
  }
  const scope = globalThis as Record<string, unknown>;
  const vitest = scope.__vitest_index__ as RunnerBinding | undefined;
  if (vitest !== undefined && typeof vitest.test === 'function') {
    return { test: vitest.test, describe: vitest.describe ?? null, source: 'vitest' };
  }
  const test = (scope.test ?? scope.it) as TestFunctionLike | undefined;
  if (typeof test === 'function') {
    const describe = scope.describe as DescribeFunctionLike | undefined;
    return { test, describe: typeof describe === 'function' ? describe : null, source: 'globals' };
  }
  throw new GuardInputError(
    'options.runner',
    'no test runner found: run this file under vitest, or pass `runner: { test, describe }` from your runner, ' +
      'or use checkStoreConformance() to get a report without one',
  );
}
