/**
 * P25: the sync/async contract, call by call. A sync store returns values (never thenables);
 * an async store returns promises, and its failures arrive as rejections, never as
 * synchronous throws — including for invalid arguments.
 */
import { ConformanceViolation } from '../assert.js';
import type { StoreMode } from '../store-types.js';
import { show, showRanges, type StoreMethod } from '../trace.js';
import type { CallKind } from '../view.js';
import { asyncProp, RUN_TIMEOUT_MS, scaled, type PropertyDefinition } from './define.js';

type Op = 'get' | 'set' | 'set-ttl' | 'clear' | 'invalid-set';

function violation(mode: StoreMode, method: StoreMethod, kind: CallKind): string | null {
  if (mode === 'async' && kind === 'throw')
    return `${method}() threw synchronously: an async store must return a rejected promise`;
  if (mode === 'async' && kind === 'value')
    return `${method}() returned a plain value: an async store must return a promise`;
  if (mode === 'sync' && kind === 'thenable')
    return `${method}() returned a promise: a sync store must return its value`;
  return null;
}

const P25: PropertyDefinition = {
  id: 'P25',
  title: 'every call is of the declared kind (sync: values; async: promises, errors as rejections)',
  skipReason: () => null,
  runs: (base) => scaled(base, 0.2),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        ops: fc.array(fc.constantFrom<Op>('get', 'set', 'set-ttl', 'clear', 'invalid-set'), {
          minLength: 1,
          maxLength: 8,
        }),
        name: arb.providerName,
        list: arb.smallSet(),
      }),
      ({ ops, name, list }) =>
        env.run(async (scope) => {
          const s = await scope.open();
          const ttlOk = env.caps.ttl !== null;
          for (const op of ops) {
            const before = scope.observations.length;
            if (op === 'get') await s.get(name);
            else if (op === 'set' || (op === 'set-ttl' && !ttlOk)) await s.set(name, list);
            else if (op === 'set-ttl') await s.set(name, list, 3600);
            else if (op === 'clear') await s.clear();
            else {
              // Not iterable: every store fails on it somewhere; how it fails is what is checked.
              await s.invoke('set', [name, 42], [show(name), showRanges(42)]).catch(() => undefined);
            }
            for (const seen of scope.observations.slice(before)) {
              const problem = violation(env.mode, seen.method, seen.kind);
              if (problem !== null) throw new ConformanceViolation(`${problem} (mode: ${env.mode})`);
            }
          }
        }),
    ),
};

/** The contract property. */
export const CONTRACT_PROPERTIES: readonly PropertyDefinition[] = [P25];
