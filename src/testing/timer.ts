/**
 * Moving time for TTL checks: with a declared clock the kit advances it (exact, no waiting);
 * without one it really waits, past the deadline by the declared resolution.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConformanceClock } from './clock.js';
import type { Trace } from './trace.js';

/** Time as TTL properties use it. */
export interface Timer {
  /** True when time is a declared clock (advanced, exact), false for real time (waited). */
  readonly clocked: boolean;
  /** The declared TTL resolution in ms. */
  readonly resolutionMs: number;
  /** The current time in ms, on the clock the store sees (or the wall clock). */
  mark(): number;
  /** Time since `mark` in ms. */
  elapsedSince(mark: number): number;
  /** Moves (clock) or waits (real time) until `mark + offsetMs`; a no-op when already past it. */
  until(mark: number, offsetMs: number, trace: Trace): Promise<void>;
}

/** A timer over `clock`, or over real time when `clock` is null. */
export function createTimer(clock: ConformanceClock | null, resolutionMs: number): Timer {
  if (clock !== null) {
    return {
      clocked: true,
      resolutionMs,
      mark: () => clock.now(),
      elapsedSince: (mark) => clock.now() - mark,
      until: async (mark, offsetMs, trace) => {
        const delta = mark + offsetMs - clock.now();
        if (delta <= 0) return;
        trace.code(`clock.advance(${delta});`);
        await clock.advance(delta);
      },
    };
  }
  return {
    clocked: false,
    resolutionMs,
    mark: () => performance.now(),
    elapsedSince: (mark) => performance.now() - mark,
    until: async (mark, offsetMs, trace) => {
      const delta = Math.ceil(mark + offsetMs - performance.now());
      if (delta <= 0) return;
      trace.code(`await sleep(${delta}); // real time`);
      await sleep(delta);
    },
  };
}
