/**
 * What a property is: an id and title, the capability it needs (checked before anything runs,
 * so a gap is reported as skipped, never passed), its cost, and a fast-check property built
 * against the kit's async view.
 */
import type { Arbitrary, IRawProperty } from 'fast-check';
import type { Arbitraries } from '../arbitraries.js';
import { fastCheck, type FastCheck } from '../fast-check.js';
import type { ResolvedCapabilities } from '../options.js';
import type { PropertyId } from '../property-ids.js';
import type { RunScope } from '../session.js';
import type { StoreMode } from '../store-types.js';
import type { Timer } from '../timer.js';

/** What decides whether a property can run. `mode` is `auto` until a store has been probed. */
export interface GateInfo {
  readonly caps: ResolvedCapabilities;
  readonly mode: StoreMode | 'auto';
}

/** What a property's body can use. */
export interface PropertyEnv {
  readonly caps: ResolvedCapabilities;
  readonly mode: StoreMode;
  /** Time for TTL checks (non-null whenever the TTL gate let the property run). */
  readonly timer: Timer | null;
  /** Replay path of a model-based failure, to rebuild the same command sequence. */
  readonly replayPath: string | null;
  /** Runs `body` in a fresh scope: fresh prefixes, and `clear` + `dispose` in `finally`. */
  run<T>(body: (scope: RunScope) => Promise<T>): Promise<T>;
}

/** A property the engine can check: any fast-check property over any generated values. */
// The value tuple differs per property; the engine only forwards it to fast-check and prints it.
export type AnyProperty = IRawProperty<never>;

/** One property of the catalogue. */
export interface PropertyDefinition {
  readonly id: PropertyId;
  readonly title: string;
  /** Why the property cannot run here (a missing capability), or null. */
  skipReason(gate: GateInfo): string | null;
  /** How many runs, given the base count (`numRuns`). */
  runs(base: number, caps: ResolvedCapabilities): number;
  /** The longest one run may take in ms (real TTL waits included). */
  runTimeoutMs(caps: ResolvedCapabilities): number;
  /** The fast-check property, built with the loaded fast-check and the kit's generators. */
  build(env: PropertyEnv, fc: FastCheck, arb: Arbitraries): AnyProperty;
  /** False when shrinking costs too much (each real-time TTL run waits): the first failure is reported. */
  shrinks?(caps: ResolvedCapabilities): boolean;
}

/** `base × factor`, at least `min`. */
export function scaled(base: number, factor: number, min = 1): number {
  return Math.max(min, Math.round(base * factor));
}

/** Default per-run limit: generous, since a store on a loaded CI machine can be slow. */
export const RUN_TIMEOUT_MS = 20_000;

/** Gate of TTL properties. */
export function needsTtl(gate: GateInfo): string | null {
  return gate.caps.ttl === null ? 'the store declares ttl: false' : null;
}

/** Gate of properties about overlapping calls. */
export function needsConcurrency(gate: GateInfo): string | null {
  if (gate.mode === 'sync') return 'a sync store: calls cannot overlap';
  if (gate.caps.concurrency === 'none') return 'the store declares concurrency: none';
  return null;
}

/** Gate of properties needing two stores with different prefixes. */
export function needsPrefixes(gate: GateInfo): string | null {
  return gate.caps.prefixes ? null : 'needs a factory that isolates prefixes (capabilities.prefixes)';
}

/** A fast-check async property over one arbitrary (use `fc.record` for several values). */
export function asyncProp<T>(arbitrary: Arbitrary<T>, predicate: (value: T) => Promise<void>): AnyProperty {
  return fastCheck().asyncProperty(arbitrary, predicate) as unknown as AnyProperty;
}

/** What `get` must return after `set(name, list)`: the set, or null for an empty one under `emptySet: absent`. */
export function expectedOf(list: Iterable<string>, caps: ResolvedCapabilities): ReadonlySet<string> | null {
  const set = new Set(list);
  return set.size === 0 && caps.emptySet === 'absent' ? null : set;
}
