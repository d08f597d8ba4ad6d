/**
 * The zoo's positive control: a correct store over a backend shared by every prefix (like one
 * Redis shared by several apps), written as a sync core with overridable steps so each mutant
 * changes one thing. `asAsync` turns any core into an async store.
 */
import { createManualClock, type ManualClock } from '../../../src/testing/index.js';
import type { CloudIpStoreProtocol } from '../../../src/index.js';
import type { StoreFactory, SyncCloudIpStoreShape } from '../../../src/testing/index.js';

/** One stored entry. `ranges` is whatever the store keeps (a copy, unless a mutant says otherwise). */
export interface Entry {
  ranges: Set<string>;
  expiresAt: number | null;
}

/** Every prefix's data in one map, keyed by whatever `keyOf` returns. */
export class Backend {
  readonly entries = new Map<string, Entry>();
  readonly clock: ManualClock = createManualClock(1_000_000);
  /** The time stores read: the manual clock, or real time (for the kit's real-time TTL checks). */
  readonly now: () => number;

  constructor(realTime = false) {
    this.now = realTime ? () => performance.now() : this.clock.now;
  }
}

/** A correct sync store over a shared backend. */
export class ReferenceCore implements SyncCloudIpStoreShape {
  constructor(
    readonly backend: Backend,
    readonly prefix: string,
  ) {}

  get(name: string): Set<string> | null {
    const entry = this.live(name);
    return entry === null ? null : new Set(entry.ranges);
  }

  set(name: string, ranges: Iterable<string>, ttl?: number | null): void {
    const list = [...ranges];
    this.backend.entries.set(this.keyOf(name), { ranges: new Set(list), expiresAt: this.deadline(ttl) });
  }

  clear(): void {
    for (const key of [...this.backend.entries.keys()]) if (this.owns(key)) this.backend.entries.delete(key);
  }

  /** Unambiguous: no prefix/name pair can produce another pair's key. */
  keyOf(name: string): string {
    return JSON.stringify([this.prefix, name]);
  }

  owns(key: string): boolean {
    return (JSON.parse(key) as [string, string])[0] === this.prefix;
  }

  /** Whole seconds from 1 up; anything else is refused before anything changes. */
  deadline(ttl: number | null | undefined): number | null {
    if (ttl === undefined || ttl === null) return null;
    if (!Number.isInteger(ttl) || ttl <= 0)
      throw new TypeError(`ttl must be a whole number of seconds >= 1, got ${ttl}`);
    return this.now() + ttl * 1000;
  }

  now(): number {
    return this.backend.now();
  }

  /** The entry if present and not expired (an expired one is dropped). */
  live(name: string): Entry | null {
    const key = this.keyOf(name);
    const entry = this.backend.entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt !== null && this.now() >= entry.expiresAt) {
      this.backend.entries.delete(key);
      return null;
    }
    return entry;
  }
}

/**
 * A correct store that honours any finite TTL exactly instead of refusing what is not whole
 * seconds: 0.5 expires after 500 ms, 0 and negative ones at once; NaN and ±Infinity are refused.
 * The protocol's TTL is whole seconds, so this is allowed (P12 asks only: never past the next
 * whole second, never forever).
 */
export class ExactFractionalTtlCore extends ReferenceCore {
  override deadline(ttl: number | null | undefined): number | null {
    if (ttl === undefined || ttl === null) return null;
    if (!Number.isFinite(ttl)) throw new TypeError(`ttl must be a finite number of seconds, got ${ttl}`);
    return this.now() + ttl * 1000;
  }
}

/** The async face of a sync core (every method an `async` function, so errors become rejections). */
export function asAsync(core: SyncCloudIpStoreShape): CloudIpStoreProtocol {
  return {
    get: async (name) => core.get(name),
    set: async (name, ranges, ttl) => core.set(name, ranges, ttl),
    clear: async () => core.clear(),
  };
}

/** A core class: what every mutant of the reference looks like. */
export type CoreClass = new (backend: Backend, prefix: string) => SyncCloudIpStoreShape;

/** A factory of cores over one fresh backend, and the backend's clock for the kit. */
export function coreTarget(
  Core: CoreClass,
  mode: 'sync' | 'async',
  realTime = false,
): { factory: StoreFactory; clock: ManualClock } {
  const backend = new Backend(realTime);
  return {
    clock: backend.clock,
    factory: {
      make: ({ prefix }) => {
        const core = new Core(backend, prefix);
        return mode === 'sync' ? core : asAsync(core);
      },
    },
  };
}
