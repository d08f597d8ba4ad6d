/**
 * P19: large sets survive whole — no truncation, no leftovers from chunked writes.
 */
import { expectSet } from '../assert.js';
import { largeCidrSet, SMALL_UNIVERSE } from '../arbitraries.js';
import { asyncProp, RUN_TIMEOUT_MS, type PropertyDefinition } from './define.js';

const P19: PropertyDefinition = {
  id: 'P19',
  title: 'large sets (10 000 mixed v4/v6 CIDRs) round-trip whole, and shrink back on overwrite',
  skipReason: () => null,
  runs: () => 2,
  runTimeoutMs: () => RUN_TIMEOUT_MS * 3,
  build: (env, fc, _arb) =>
    asyncProp(
      fc.record({ first: fc.integer(), second: fc.integer(), name: fc.constantFrom('aws', 'big') }),
      ({ first, second, name }) =>
        env.run(async (scope) => {
          const size = env.caps.maxSetSize;
          const s = await scope.open();
          const one = largeCidrSet(first, size);
          const few = SMALL_UNIVERSE.slice(0, 3);
          const two = largeCidrSet(second ^ 0x5bd1e995, size); // a different seed even when first === second
          await s.set(name, one);
          expectSet(await s.get(name), new Set(one), `get("${name}") after writing ${size} ranges`);
          await s.set(name, few);
          expectSet(await s.get(name), new Set(few), `get("${name}") after overwriting ${size} ranges with 3`);
          await s.set(name, two);
          expectSet(await s.get(name), new Set(two), `get("${name}") after overwriting with ${size} other ranges`);
        }),
    ),
};

/** The scale properties. */
export const SCALE_PROPERTIES: readonly PropertyDefinition[] = [P19];
