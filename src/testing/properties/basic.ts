/**
 * P01–P08: absence, round trips, empty sets, overwrites, name isolation and copying.
 */
import { check, expectNull, expectSet, expectState } from '../assert.js';
import { asInput, SMALL_UNIVERSE, type RangesForm } from '../arbitraries.js';
import { show } from '../trace.js';
import { OMIT_TTL } from '../view.js';
import { asyncProp, expectedOf, RUN_TIMEOUT_MS, scaled, type PropertyDefinition } from './define.js';

const always = (): null => null;
const standardTimeout = (): number => RUN_TIMEOUT_MS;

const P01: PropertyDefinition = {
  id: 'P01',
  title: 'absent is null',
  skipReason: always,
  runs: (base) => scaled(base, 0.3),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        names: arb.providerNames(2, 5),
        ranges: arb.smallSet(1),
      }),
      ({ names, ranges }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          for (const name of names) expectNull(await s.get(name), `get(${show(name)}) on a fresh store`);
          const [first, ...others] = names as [string, ...string[]];
          await s.set(first, ranges);
          for (const name of others)
            expectNull(await s.get(name), `get(${show(name)}) when only ${show(first)} was set`);
          await s.clear();
          expectNull(await s.get(first), `get(${show(first)}) after clear()`);
        }),
    ),
};

const P02: PropertyDefinition = {
  id: 'P02',
  title: 'round-trip as a Set of the same strings',
  skipReason: always,
  runs: (base) => scaled(base, 1),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ name: arb.providerName, list: arb.memberList(1), form: arb.rangesForm }),
      ({ name, list, form }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          await s.set(name, asInput(list, form));
          expectSet(await s.get(name), new Set(list), `get(${show(name)}) after set`);
        }),
    ),
};

type EmptyCase = 'empty' | 'value-then-empty' | 'empty-with-ttl';

const P03: PropertyDefinition = {
  id: 'P03',
  title: 'an empty set is not absent',
  skipReason: always,
  runs: (base) => scaled(base, 0.3),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) => {
    const cases: EmptyCase[] = ['empty', 'value-then-empty'];
    if (env.caps.ttl !== null) cases.push('empty-with-ttl');
    return asyncProp(
      fc.record({
        name: arb.providerName,
        before: arb.smallSet(1),
        how: fc.constantFrom(...cases),
        form: arb.rangesForm,
      }),
      ({ name, before, how, form }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          if (how === 'value-then-empty') await s.set(name, asInput(before, form));
          await s.set(name, asInput([], form), how === 'empty-with-ttl' ? 86_400 : OMIT_TTL);
          const expected = expectedOf([], env.caps);
          const rule =
            expected === null ? 'the store declares emptySet: absent' : 'an empty set must read back as an empty Set';
          expectState(await s.get(name), expected, `get(${show(name)}) after set(${show(name)}, ∅) (${rule})`);
        }),
    );
  },
};

type Relation = 'subset' | 'superset' | 'equal' | 'disjoint' | 'empty' | 'any';

function derive(a: readonly string[], relation: Relation, other: readonly string[]): string[] {
  switch (relation) {
    case 'subset':
      return a.slice(0, Math.floor(a.length / 2));
    case 'superset':
      return [...new Set([...a, ...other])];
    case 'equal':
      return [...a];
    case 'disjoint':
      return SMALL_UNIVERSE.filter((x) => !a.includes(x)).slice(0, Math.max(1, other.length));
    case 'empty':
      return [];
    case 'any':
      return [...other];
  }
}

const P04: PropertyDefinition = {
  id: 'P04',
  title: 'overwrite replaces, never unions',
  skipReason: always,
  runs: (base) => scaled(base, 0.5),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        name: arb.providerName,
        a: arb.smallSet(1),
        other: arb.smallSet(),
        relation: fc.constantFrom<Relation>('subset', 'superset', 'equal', 'disjoint', 'empty', 'any'),
        form: arb.rangesForm,
      }),
      ({ name, a, other, relation, form }) =>
        env.run(async (scope) => {
          const b = derive(a, relation, other);
          const s = await scope.open();
          await s.set(name, asInput(a, form));
          await s.set(name, asInput(b, form));
          expectState(await s.get(name), expectedOf(b, env.caps), `get(${show(name)}) after overwriting A with B`);
        }),
    ),
};

const P05: PropertyDefinition = {
  id: 'P05',
  title: 'names are isolated (case, spaces, shared prefixes, NFC/NFD)',
  skipReason: always,
  runs: (base) => scaled(base, 0.5),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      arb.nameFamily.chain((family) =>
        fc.record({
          family: fc.constant(family),
          writes: fc.array(fc.tuple(fc.nat({ max: family.length - 1 }), arb.smallSet()), {
            minLength: 1,
            maxLength: 8,
          }),
        }),
      ),
      ({ family, writes }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          const model = new Map<string, string[]>();
          for (const [index, list] of writes) {
            const name = family[index] as string;
            await s.set(name, list);
            model.set(name, list);
            for (const other of family) {
              const stored = model.get(other);
              const expected = stored === undefined ? null : expectedOf(stored, env.caps);
              expectState(await s.get(other), expected, `get(${show(other)}) after set(${show(name)}, …)`);
            }
          }
        }),
    ),
};

type Mutation = 'add' | 'delete' | 'clear';

function mutate(target: Set<string> | string[], how: Mutation): string {
  const extra = '198.51.100.0/24';
  if (target instanceof Set) {
    const first = [...target][0] ?? extra;
    if (how === 'add') target.add(extra);
    else if (how === 'delete') target.delete(first);
    else target.clear();
    return how === 'add' ? `add(${show(extra)})` : how === 'delete' ? `delete(${show(first)})` : 'clear()';
  }
  if (how === 'add') target.push(extra);
  else if (how === 'delete') target.shift();
  else target.length = 0;
  return how === 'add' ? `push(${show(extra)})` : how === 'delete' ? 'shift()' : 'length = 0';
}

const MUTATIONS: readonly Mutation[] = ['add', 'delete', 'clear'];

const P06: PropertyDefinition = {
  id: 'P06',
  title: 'get returns a copy (mutating it changes nothing stored)',
  skipReason: always,
  runs: (base) => scaled(base, 0.3),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ name: arb.providerName, list: arb.smallSet(1), how: fc.constantFrom(...MUTATIONS) }),
      ({ name, list, how }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          await s.set(name, list);
          const first = await s.get(name);
          check(first instanceof Set, `get(${show(name)}) returned ${show(first)}, not a Set`);
          scope.trace.code(`result.${mutate(first, how)}; // mutate the Set the get above returned`);
          expectSet(await s.get(name), new Set(list), `get(${show(name)}) after mutating a previous result`);
        }),
    ),
};

const P07: PropertyDefinition = {
  id: 'P07',
  title: 'set copies its input (mutating it afterwards changes nothing stored)',
  skipReason: always,
  runs: (base) => scaled(base, 0.3),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        name: arb.providerName,
        list: arb.smallSet(1),
        how: fc.constantFrom(...MUTATIONS),
        form: arb.rangesForm,
      }),
      ({ name, list, how, form }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          const input = asInput(list, form);
          await s.set(name, input);
          scope.trace.code(
            `ranges.${mutate(input, how)}; // mutate the ${form === 'set' ? 'Set' : 'array'} given to set()`,
          );
          expectSet(await s.get(name), new Set(list), `get(${show(name)}) after the caller mutated its input`);
        }),
    ),
};

type IterableForm = RangesForm | 'generator' | 'reiterable' | 'map-keys';

function iterableOf(list: readonly string[], form: IterableForm): { value: Iterable<string>; shown: string } {
  const items = `[${list.map((x) => show(x)).join(', ')}]`;
  switch (form) {
    case 'set':
    case 'array':
      return { value: asInput(list, form), shown: form === 'set' ? `new Set(${items})` : items };
    case 'generator':
      return {
        value: (function* () {
          yield* list;
        })(),
        shown: `(function* () { yield* ${items}; })()`,
      };
    case 'reiterable':
      return {
        value: { [Symbol.iterator]: () => list[Symbol.iterator]() },
        shown: `{ [Symbol.iterator]: () => ${items}[Symbol.iterator]() }`,
      };
    case 'map-keys':
      return {
        value: new Map(list.map((x) => [x, true])).keys(),
        shown: `new Map(${items}.map((x) => [x, true])).keys()`,
      };
  }
}

const P08: PropertyDefinition = {
  id: 'P08',
  title: 'any iterable is accepted (one-shot generators included)',
  skipReason: always,
  runs: (base) => scaled(base, 0.2),
  runTimeoutMs: standardTimeout,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        name: arb.providerName,
        list: arb.cidrList(0, 20),
        form: fc.constantFrom<IterableForm>('generator', 'reiterable', 'map-keys', 'set', 'array'),
      }),
      ({ name, list, form }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          const input = iterableOf(list, form);
          await s.set(name, input.value, OMIT_TTL, input.shown);
          expectState(await s.get(name), expectedOf(list, env.caps), `get(${show(name)}) after set from a ${form}`);
        }),
    ),
};

/** The basic properties, in id order. */
export const BASIC_PROPERTIES: readonly PropertyDefinition[] = [P01, P02, P03, P04, P05, P06, P07, P08];
