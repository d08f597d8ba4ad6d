/**
 * The record of one property run — every store call, clock move and wait — rendered on failure
 * as a call sequence a user can paste into a test (Hypothesis-style "program of steps").
 */
import type { StoreMode } from './store-types.js';

/** Store methods of the protocol. */
export type StoreMethod = 'get' | 'set' | 'clear';

type Outcome = { readonly value: unknown } | { readonly error: unknown };

/** One step of a run. */
export type TraceEntry =
  | { readonly kind: 'open'; readonly store: string; readonly prefix: string | null }
  | {
      readonly kind: 'call';
      readonly store: string;
      readonly method: StoreMethod;
      readonly args: readonly string[];
      outcome?: Outcome;
    }
  | { readonly kind: 'code'; readonly line: string };

const MAX_SHOWN_ITEMS = 12;

/** Collects the steps of one run. */
export class Trace {
  /** The steps recorded so far, oldest first (what a failure report replays). */
  readonly entries: TraceEntry[] = [];

  /** A store was opened: `prefix` is the factory's, `null` for the instance handed to the kit. */
  open(store: string, prefix: string | null): void {
    this.entries.push({ kind: 'open', store, prefix });
  }

  /** A call is starting; the returned entry receives its outcome. */
  call(store: string, method: StoreMethod, args: readonly string[]): { outcome?: Outcome } {
    const entry: TraceEntry = { kind: 'call', store, method, args };
    this.entries.push(entry);
    return entry;
  }

  /** Any other step, as a line of code (`clock.advance(1000)`, `ranges.add("x")`…). */
  code(line: string): void {
    this.entries.push({ kind: 'code', line });
  }

  /** The run as code; `failure` is appended as the final comment. */
  render(mode: StoreMode, failure: string | null): string {
    const aw = mode === 'async' ? 'await ' : '';
    const lines = this.entries.map((e) => {
      if (e.kind === 'code') return e.line;
      if (e.kind === 'open') {
        return e.prefix === null
          ? `const ${e.store} = store; ${aw}${e.store}.clear();`
          : `const ${e.store} = ${aw}factory.make({ prefix: ${JSON.stringify(e.prefix)} });`;
      }
      return `${aw}${e.store}.${e.method}(${e.args.join(', ')});${renderOutcome(e.method, e.outcome)}`;
    });
    if (failure !== null) lines.push(`// ✗ ${failure.split('\n').join('\n//   ')}`);
    return lines.join('\n');
  }
}

function renderOutcome(method: StoreMethod, outcome: Outcome | undefined): string {
  if (outcome === undefined) return ' // (did not complete)';
  if ('error' in outcome) return ` // throws ${describeError(outcome.error)}`;
  if (method === 'get' || (outcome.value !== undefined && method !== 'clear')) return ` // → ${show(outcome.value)}`;
  return '';
}

/** `Name: message` of a thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `${typeof error} ${show(error)}`;
}

/** A short, code-like rendering of a value (long collections are elided). */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Set) return `Set(${value.size}) {${items([...value])}}`;
  if (Array.isArray(value)) return `[${items(value)}]`;
  if (typeof (value as { then?: unknown }).then === 'function') return 'Promise {…}';
  if (typeof value === 'object') {
    const name = value.constructor?.name ?? 'Object';
    try {
      return `${name} ${JSON.stringify(value)}`;
    } catch {
      return name;
    }
  }
  return typeof value;
}

/** Code that builds `ranges` as passed to `set`: a Set, an array, or another iterable. */
export function showRanges(ranges: unknown): string {
  if (ranges instanceof Set) return `new Set([${items([...ranges])}])`;
  if (Array.isArray(ranges)) return `[${items(ranges)}]`;
  return show(ranges);
}

function items(list: readonly unknown[]): string {
  const shown = list.slice(0, MAX_SHOWN_ITEMS).map(show).join(', ');
  return list.length > MAX_SHOWN_ITEMS ? `${shown}, /* …${list.length - MAX_SHOWN_ITEMS} more */` : shown;
}
