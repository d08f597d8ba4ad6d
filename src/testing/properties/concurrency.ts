/**
 * P20–P23: overlapping calls on an async store. Real `Promise.all` batches, checked against the
 * set of outcomes a linearizable store may produce (a scheduler cannot reorder what happens
 * inside a real backend, so the oracle allows every serial order instead).
 */
import { expectOneOf, expectState } from '../assert.js';
import type { Arbitrary } from 'fast-check';
import { SMALL_UNIVERSE, type Arbitraries } from '../arbitraries.js';
import type { FastCheck } from '../fast-check.js';
import type { RunScope } from '../session.js';
import { show } from '../trace.js';
import { asyncProp, expectedOf, needsConcurrency, RUN_TIMEOUT_MS, scaled, type PropertyDefinition } from './define.js';

/** Runs `calls` concurrently, marking them in the trace. */
async function together(scope: RunScope, calls: readonly (() => Promise<unknown>)[]): Promise<void> {
  scope.trace.code(`// ↓ the next ${calls.length} calls overlap (await Promise.all([...]))`);
  await Promise.all(calls.map((call) => call()));
  scope.trace.code('// ↑ end of overlapping calls');
}

/** Distinct, non-nested values: `A ∪ B` can be told from `A` and from `B`. */
function twoValues(fc: FastCheck, arb: Arbitraries): Arbitrary<string[][]> {
  return fc.tuple(arb.smallSet(1), arb.smallSet(1)).map(([a, b]) => [
    [...a, '192.0.2.10/32'],
    [...b, '192.0.2.20/32'],
  ]);
}

const P20: PropertyDefinition = {
  id: 'P20',
  title: 'concurrent sets of one name leave one of the written values (never a union or a part)',
  skipReason: needsConcurrency,
  runs: (base) => scaled(base, 0.3),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        name: arb.providerName,
        values: twoValues(fc, arb),
        before: arb.smallSet(),
        extraWriter: fc.boolean(),
      }),
      ({ name, values, before, extraWriter }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          await s.set(name, before);
          const written = extraWriter ? [...values, [...SMALL_UNIVERSE.slice(5), '192.0.2.30/32']] : values;
          await together(
            scope,
            written.map((list) => () => s.set(name, list)),
          );
          const allowed = written.map((list) => new Set(list));
          expectOneOf(await s.get(name), allowed, `get(${show(name)}) after ${written.length} overlapping sets`);
        }),
    ),
};

const P21: PropertyDefinition = {
  id: 'P21',
  title: 'a read during a replace sees the old or the new value, never an empty or partial one',
  skipReason: needsConcurrency,
  runs: (base) => scaled(base, 0.3),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ name: arb.providerName, values: twoValues(fc, arb), readers: fc.integer({ min: 1, max: 3 }) }),
      ({ name, values, readers }) =>
        env.run(async (scope) => {
          const [oldList, newList] = values as [string[], string[]];
          const s = await scope.open();
          await s.set(name, oldList);
          const seen: unknown[] = [];
          const reads = Array.from({ length: readers }, () => async () => seen.push(await s.get(name)));
          await together(scope, [() => s.set(name, newList), ...reads]);
          const allowed = [new Set(oldList), new Set(newList)];
          for (const value of seen) expectOneOf(value, allowed, `get(${show(name)}) overlapping a replace`);
          expectState(await s.get(name), new Set(newList), `get(${show(name)}) after the replace finished`);
        }),
    ),
};

const P22: PropertyDefinition = {
  id: 'P22',
  title: 'concurrent writes to different names all persist (no lost update)',
  skipReason: needsConcurrency,
  runs: (base) => scaled(base, 0.2),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(arb.providerNames(2, 12), (names) =>
      env.run(async (scope) => {
        const s = await scope.open();
        const value = (i: number) => [`10.${i}.0.0/16`, SMALL_UNIVERSE[i % SMALL_UNIVERSE.length] as string];
        await together(
          scope,
          names.map((name, i) => () => s.set(name, value(i))),
        );
        for (const [i, name] of names.entries()) {
          expectState(
            await s.get(name),
            new Set(value(i)),
            `get(${show(name)}) after ${names.length} overlapping writes to different names`,
          );
        }
      }),
    ),
};

const P23: PropertyDefinition = {
  id: 'P23',
  title: 'clear racing a set leaves null or the value, and the store keeps working',
  skipReason: needsConcurrency,
  runs: (base) => scaled(base, 0.2),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        names: arb.providerNames(2, 2),
        a: arb.smallSet(1),
        b: arb.smallSet(1),
        c: arb.smallSet(),
      }),
      ({ names, a, b, c }) =>
        env.run(async (scope) => {
          const [p, q] = names as [string, string];
          const s = await scope.open();
          await s.set(p, a);
          await together(scope, [() => s.clear(), () => s.set(q, b)]);
          expectState(await s.get(p), null, `get(${show(p)}), written before a clear() that overlapped another set`);
          expectOneOf(await s.get(q), [null, new Set(b)], `get(${show(q)}) written while clear() ran`);
          await s.set(q, c);
          expectState(await s.get(q), expectedOf(c, env.caps), `get(${show(q)}) written after the race`);
        }),
    ),
};

/** The concurrency properties, in id order. */
export const CONCURRENCY_PROPERTIES: readonly PropertyDefinition[] = [P20, P21, P22, P23];
