/**
 * Turning what the user passed (an instance, a factory object or a factory function) into one
 * shape: "open a store under this prefix" and "dispose of it".
 */
import { GuardInputError } from '../core/errors.js';
import { describe } from '../core/validate.js';
import { ConformanceFactoryError } from './prefix.js';
import type { ConformanceStore, StoreFactory, StoreFactoryContext } from './store-types.js';

const METHODS = ['get', 'set', 'clear'] as const;

/** A target the kit can open stores from. */
export interface ResolvedTarget {
  /** True for a factory (each run gets a fresh prefix), false for a single instance. */
  readonly isFactory: boolean;
  /** The label used when the user gave none: the class name of the instance, or `store`. */
  readonly defaultName: string;
  /** A store under `prefix` (the instance itself when no factory was given). */
  open(prefix: string): Promise<ConformanceStore>;
  /** Releases a store `open` returned (a no-op for an instance). */
  dispose(store: ConformanceStore): Promise<void>;
}

/** Classifies `target`; throws `GuardInputError('store', …)` when it is neither a store nor a factory. */
export function resolveTarget(target: unknown): ResolvedTarget {
  if (typeof target === 'function') {
    const make = target as (context: StoreFactoryContext) => unknown;
    return factoryTarget({ make: (context) => make(context) as ConformanceStore }, make.name || 'store');
  }
  if (typeof target !== 'object' || target === null) {
    throw new GuardInputError(
      'store',
      `expected a store (get/set/clear) or a factory ({ make }), got ${describe(target)}`,
    );
  }
  const record = target as Record<string, unknown>;
  const hasMake = typeof record.make === 'function';
  const hasMethods = METHODS.some((m) => typeof record[m] === 'function');
  if (hasMake && hasMethods) {
    throw new GuardInputError(
      'store',
      'ambiguous: the object has both `make` and store methods; pass one or the other',
    );
  }
  if (hasMake) {
    if (record.dispose !== undefined && typeof record.dispose !== 'function') {
      throw new GuardInputError('store.dispose', `expected a function, got ${describe(record.dispose)}`);
    }
    return factoryTarget(target as StoreFactory, 'store');
  }
  const store = requireStore('store', target);
  return {
    isFactory: false,
    defaultName: target.constructor?.name || 'store',
    open: async () => store,
    dispose: async () => undefined,
  };
}

function factoryTarget(factory: StoreFactory, name: string): ResolvedTarget {
  return {
    isFactory: true,
    defaultName: name,
    open: async (prefix) => {
      let made: unknown;
      try {
        made = await factory.make({ prefix });
      } catch (error) {
        throw new ConformanceFactoryError(prefix, error);
      }
      return requireStore('factory.make() result', made);
    },
    dispose: async (store) => {
      if (factory.dispose !== undefined) await factory.dispose(store);
    },
  };
}

/** `value` when it has the three protocol methods; otherwise `GuardInputError` naming the missing one. */
export function requireStore(field: string, value: unknown): ConformanceStore {
  if (typeof value !== 'object' || value === null) {
    throw new GuardInputError(field, `expected a store with get, set and clear, got ${describe(value)}`);
  }
  for (const method of METHODS) {
    if (typeof (value as Record<string, unknown>)[method] !== 'function') {
      throw new GuardInputError(field, `the store has no ${method}() method`);
    }
  }
  return value as ConformanceStore;
}
