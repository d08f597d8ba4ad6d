/**
 * P14–P16: `clear` empties exactly its own store; stores under different prefixes never see,
 * alias or clear each other's data — with prefixes full of glob and separator characters.
 */
import { expectNull, expectState } from '../assert.js';
import { SMALL_UNIVERSE } from '../arbitraries.js';
import { show } from '../trace.js';
import type { StoreView } from '../view.js';
import { asyncProp, expectedOf, needsPrefixes, RUN_TIMEOUT_MS, scaled, type PropertyDefinition } from './define.js';

const P14: PropertyDefinition = {
  id: 'P14',
  title: 'clear empties the store, is idempotent, and the store stays usable',
  skipReason: () => null,
  runs: (base) => scaled(base, 0.2),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        names: arb.providerNames(1, 5),
        list: arb.smallSet(1),
        after: arb.smallSet(1),
        twice: fc.boolean(),
      }),
      ({ names, list, after, twice }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          await s.clear();
          for (const name of names) await s.set(name, list);
          await s.clear();
          if (twice) await s.clear();
          for (const name of names) expectNull(await s.get(name), `get(${show(name)}) after clear()`);
          const first = names[0] as string;
          await s.set(first, after);
          expectState(await s.get(first), expectedOf(after, env.caps), `get(${show(first)}) written after clear()`);
        }),
    ),
};

/**
 * Prefixes around `a` that a careless `clear` confuses with it: a longer prefix, a separator,
 * glob characters, a backslash, the bare base (a prefix *of* it), case, unicode — and `a%3A`,
 * which an encoding of `:` that leaves `%` alone makes the same as `a:`.
 */
const NEIGHBOUR_SUFFIXES = [
  'ab',
  'a:',
  'a%3A',
  'a*',
  'a?',
  'a[x]',
  'a\\',
  '*',
  '',
  'A',
  '\u00e4',
  'a/',
  'a:b',
] as const;

interface Holder {
  readonly store: StoreView;
  readonly data: ReadonlyMap<string, readonly string[]>;
}

async function fill(holder: Holder): Promise<void> {
  for (const [name, list] of holder.data) await holder.store.set(name, list);
}

async function expectHolds(holder: Holder, what: string): Promise<void> {
  for (const [name, list] of holder.data) {
    expectState(await holder.store.get(name), new Set(list), `${holder.store.label}.get(${show(name)}) ${what}`);
  }
}

async function expectEmpty(holder: Holder, what: string): Promise<void> {
  for (const name of holder.data.keys())
    expectNull(await holder.store.get(name), `${holder.store.label}.get(${show(name)}) ${what}`);
}

const P15: PropertyDefinition = {
  id: 'P15',
  title: "clear never touches another prefix's data (glob and separator characters in prefixes)",
  skipReason: needsPrefixes,
  runs: (base) => scaled(base, 0.05, 3),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(fc.uniqueArray(fc.oneof(arb.providerName, fc.constant('*')), { minLength: 1, maxLength: 3 }), (names) =>
      env.run(async (scope) => {
        const base = scope.newPrefix();
        const dataFor = (i: number) =>
          new Map(
            names.map((n, j) => [n, [SMALL_UNIVERSE[(i + j) % SMALL_UNIVERSE.length] as string, `10.${i}.${j}.0/24`]]),
          );
        const own: Holder = { store: await scope.open(`${base}a`), data: dataFor(0) };
        const neighbours: Holder[] = [];
        for (const [i, suffix] of NEIGHBOUR_SUFFIXES.entries()) {
          neighbours.push({ store: await scope.open(`${base}${suffix}`), data: dataFor(i + 1) });
        }
        await fill(own);
        for (const n of neighbours) await fill(n);
        await own.store.clear();
        await expectEmpty(own, 'after its own clear()');
        for (const n of neighbours) await expectHolds(n, `after ${own.store.label}.clear() (another prefix)`);
        await fill(own);
        for (const n of neighbours) {
          await n.store.clear();
          await expectEmpty(n, 'after its own clear()');
          await expectHolds(own, `after ${n.store.label}.clear() (another prefix)`);
        }
      }),
    ),
};

/** Separators a store might join prefix and name with (`''`: plain concatenation). */
const SEPARATORS = [':', '', '/', '.', '|', '-', '_', '#', ' ', '\\', '*', '\u0000'] as const;

const P16: PropertyDefinition = {
  id: 'P16',
  title: 'no aliasing: (prefix "ip", name "x:y") and (prefix "ip:x", name "y") are different entries',
  skipReason: needsPrefixes,
  runs: (base) => scaled(base, 0.05, 3),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        a: arb.smallSet(1),
        b: arb.smallSet(1),
        writeFirst: fc.boolean(),
        tail: fc.constantFrom('y', 'y:z', '*'),
      }),
      ({ a, b, writeFirst, tail }) =>
        env.run(async (scope) => {
          for (const sep of SEPARATORS) {
            const base = `${scope.newPrefix()}ip`;
            const outer = await scope.open(base);
            const inner = await scope.open(`${base}${sep}x`);
            const outerName = `x${sep}${tail}`;
            const stores: [StoreView, string, string[]][] = [
              // a marker per store, so aliasing shows even when a and b happen to be equal
              [outer, outerName, [...a, '192.0.2.0/32']],
              [inner, tail, [...b, '192.0.2.1/32']],
            ];
            if (!writeFirst) stores.reverse();
            for (const [store, name, list] of stores) await store.set(name, list);
            for (const [store, name, list] of stores) {
              expectState(
                await store.get(name),
                new Set(list),
                `${store.label}.get(${show(name)}) (separator ${show(sep)})`,
              );
            }
            expectNull(
              await inner.get(outerName),
              `${inner.label}.get(${show(outerName)}) was only written through ${outer.label}`,
            );
          }
        }),
    ),
};

/** The clear and prefix properties, in id order. */
export const CLEAR_PROPERTIES: readonly PropertyDefinition[] = [P14, P15, P16];
