/**
 * P17–P18: provider names are stored verbatim — glob, separator and escape characters, white
 * space at the edges, keys of `Object.prototype`, very long names, and unicode without normalisation.
 */
import { expectNull, expectSet } from '../assert.js';
import { PROTOTYPE_NAMES, SPECIAL_NAMES } from '../arbitraries.js';
import { show } from '../trace.js';
import type { StoreView } from '../view.js';
import { asyncProp, RUN_TIMEOUT_MS, scaled, type PropertyDefinition } from './define.js';

/** A distinct one-element value per index, so any two names that collide are told apart. */
function marker(i: number): string {
  return `10.${(i >> 8) & 255}.${i & 255}.0/24`;
}

/** Writes every name with its own marker, then checks each one (all written before any is read). */
async function writeAndCheckAll(s: StoreView, names: readonly string[], context: string): Promise<void> {
  for (const [i, name] of names.entries()) await s.set(name, [marker(i)]);
  for (const [i, name] of names.entries()) {
    expectSet(await s.get(name), new Set([marker(i)]), `get(${show(name)}) ${context}`);
  }
}

function longNames(max: number): string[] {
  const emoji = '\u{1f600}'.repeat(Math.floor(max / 2));
  return ['x'.repeat(max), `${'*'.repeat(max - 1)}?`.slice(-max), emoji].filter((n) => n.length > 0 && n.length <= max);
}

const P17: PropertyDefinition = {
  id: 'P17',
  title:
    'names with glob, separator and white-space characters, keys of Object.prototype, and long names, are kept verbatim',
  skipReason: () => null,
  runs: (base) => scaled(base, 0.1, 3),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ extra: fc.array(arb.generatedName, { maxLength: 4 }), victim: arb.smallSet(1) }),
      ({ extra, victim }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          const max = env.caps.maxNameLength;
          const names = [...new Set([...SPECIAL_NAMES, ...PROTOTYPE_NAMES, ...longNames(max), ...extra])].filter(
            (n) => n !== 'a' && n.length <= max,
          );
          await s.set('a', victim);
          await writeAndCheckAll(s, names, 'after writing every special name');
          expectSet(await s.get('a'), new Set(victim), 'get("a") after writing names such as "*", "a*", " a", "a "');
          await s.clear();
          for (const name of ['a', ...names]) expectNull(await s.get(name), `get(${show(name)}) after clear()`);
        }),
    ),
};

/** Texts that look alike but differ in code points: they must stay distinct names. */
const LOOK_ALIKES = ['\u00e9', 'e\u0301', '\u00c5', 'A\u030a', '\u212b', '\ufb01', 'fi', '\u{1d400}', 'A'] as const;

const P18: PropertyDefinition = {
  id: 'P18',
  title: 'unicode names round-trip byte for byte (no NFC/NFD normalisation, no case folding)',
  skipReason: () => null,
  runs: (base) => scaled(base, 0.2),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(fc.uniqueArray(arb.unicodeName, { minLength: 1, maxLength: 6 }), (generated) =>
      env.run(async (scope) => {
        const s = await scope.open();
        const names = [...new Set([...LOOK_ALIKES, ...generated])];
        await writeAndCheckAll(s, names, 'among look-alike unicode names');
      }),
    ),
};

/** The name properties, in id order. */
export const NAME_PROPERTIES: readonly PropertyDefinition[] = [P17, P18];
