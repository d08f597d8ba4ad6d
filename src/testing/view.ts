/**
 * The one async view every property is written against, whatever the store's kind: a sync
 * store's values and an async store's promises both come back awaited here, so the properties
 * exist once and the sync and async checks cannot drift apart. What each call really returned
 * is recorded for the sync/async contract check (P25).
 */
import type { ConformanceStore, StoreMode } from './store-types.js';
import { show, showRanges, type StoreMethod, type Trace } from './trace.js';

/** Pass as `ttl` to call `set(name, ranges)` with two arguments (an omitted TTL). */
export const OMIT_TTL: unique symbol = Symbol('omit ttl');

/** How one call returned: a plain value, a thenable, or a synchronous throw. */
export type CallKind = 'value' | 'thenable' | 'throw';

/** What the view saw of one call. */
export interface CallObservation {
  readonly store: string;
  readonly method: StoreMethod;
  readonly kind: CallKind;
}

/** Run-wide collaborators of every view. */
export interface ViewContext {
  readonly mode: StoreMode;
  readonly trace: Trace;
  readonly settle: (() => unknown) | null;
  readonly observations: CallObservation[];
}

type Callable = Record<StoreMethod, (...args: unknown[]) => unknown>;

/** One store as the properties see it. */
export class StoreView {
  constructor(
    /** The name used in traces, e.g. `s1`. */
    readonly label: string,
    private readonly store: ConformanceStore,
    private readonly context: ViewContext,
  ) {}

  /** `get(name)`, after `settle` when the store declared one. */
  async get(name: string): Promise<unknown> {
    if (this.context.settle !== null) await this.context.settle();
    return this.invoke('get', [name], [show(name)]);
  }

  /** `set(name, ranges[, ttl])`; `shownRanges` overrides how the ranges appear in the trace. */
  async set(name: string, ranges: unknown, ttl: unknown = OMIT_TTL, shownRanges?: string): Promise<unknown> {
    const args = ttl === OMIT_TTL ? [name, ranges] : [name, ranges, ttl];
    const shown = [show(name), shownRanges ?? showRanges(ranges)];
    if (ttl !== OMIT_TTL) shown.push(show(ttl));
    return this.invoke('set', args, shown);
  }

  /** `clear()`. */
  async clear(): Promise<unknown> {
    return this.invoke('clear', [], []);
  }

  /** Calls `method` and returns its (awaited) result; records how it returned and traces it. */
  async invoke(method: StoreMethod, args: readonly unknown[], shownArgs: readonly string[]): Promise<unknown> {
    const entry = this.context.trace.call(this.label, method, shownArgs);
    let returned: unknown;
    try {
      returned = (this.store as unknown as Callable)[method](...args);
    } catch (error) {
      this.observe(method, 'throw');
      entry.outcome = { error };
      throw error;
    }
    const thenable = isThenable(returned);
    this.observe(method, thenable ? 'thenable' : 'value');
    try {
      const value = thenable ? await returned : returned;
      entry.outcome = { value };
      return value;
    } catch (error) {
      entry.outcome = { error };
      throw error;
    }
  }

  private observe(method: StoreMethod, kind: CallKind): void {
    this.context.observations.push({ store: this.label, method, kind });
  }
}

/** True for anything with a callable `then` (a Promise or a foreign promise-like). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
