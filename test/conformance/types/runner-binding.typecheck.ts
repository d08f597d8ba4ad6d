/**
 * Type-level test, checked by `npx tsc -p tsconfig.json --noEmit` (part of `npm test`; vitest
 * does not run this file): the runners the README documents can be passed as
 * `runner: { test, describe }` exactly as their packages export them, and a runner that could
 * not await the kit's async test body is refused.
 */
import { describe as nodeDescribe, it as nodeIt, test as nodeTest } from 'node:test';
import * as vitest from 'vitest';
import { InMemoryCloudIpStore } from '../../../src/index.js';
import { runStoreConformance, type RunnerBinding } from '../../../src/testing/index.js';
import type { JestGlobals } from '../support/jest-globals.js';

/** Stands for `import { test, it, describe } from '@jest/globals'` (types only: never called). */
declare const jest: JestGlobals;

// node:test, its real types from @types/node.
export const nodeTestRunner: RunnerBinding = { test: nodeTest, describe: nodeDescribe };
export const nodeItRunner: RunnerBinding = { it: nodeIt, describe: nodeDescribe };

// @jest/globals.
export const jestRunner: RunnerBinding = { test: jest.test, describe: jest.describe };
export const jestItRunner: RunnerBinding = { it: jest.it, describe: jest.describe };

// vitest: the whole module, or its functions picked out.
export const vitestModule: RunnerBinding = vitest;
export const vitestRunner: RunnerBinding = { test: vitest.test, describe: vitest.describe };

/** The calls a user writes, in place (never run: this file is only type-checked). */
export function registerWithEveryRunner(): void {
  const store = (): InMemoryCloudIpStore => new InMemoryCloudIpStore();
  runStoreConformance(store, { runner: { test: nodeTest, describe: nodeDescribe } });
  runStoreConformance(store, { runner: { test: jest.test, describe: jest.describe } });
  runStoreConformance(store, { runner: vitest });
}

// A runner whose callbacks must return `undefined` could not await the kit's async body.
// @ts-expect-error the kit's test body returns a promise
export const synchronousOnly: RunnerBinding = { test: (_name: string, _fn: () => undefined) => undefined };

// A test function that cannot take a string name is not a test function.
// @ts-expect-error names are strings
export const numericNames: RunnerBinding = { test: (_name: number, _fn: () => Promise<void>) => undefined };
