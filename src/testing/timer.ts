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
  return realTimer(resolutionMs);
}

/** How many marks keep their wall-clock reading (a property uses a few at a time). */
const REMEMBERED_MARKS = 64;

/**
 * Real time, on two clocks: the monotonic one the kit waits on, and the wall clock a store may
 * expire by (Redis does). A wall clock stepped forward (a VM resumed, a time sync) makes a store
 * expire early; counting the larger of the two elapsed times turns such a run into an
 * indeterminate one instead of a failure, and waits last until both clocks are past the offset.
 */
function realTimer(resolutionMs: number): Timer {
  const wallAt = new Map<number, number>();
  const elapsedSince = (mark: number): number => {
    const monotonic = performance.now() - mark;
    const wall = wallAt.get(mark);
    return wall === undefined ? monotonic : Math.max(monotonic, Date.now() - wall);
  };
  const leftUntil = (mark: number, offsetMs: number): number => {
    const monotonic = mark + offsetMs - performance.now();
    const wall = wallAt.get(mark);
    return wall === undefined ? monotonic : Math.max(monotonic, wall + offsetMs - Date.now());
  };
  return {
    clocked: false,
    resolutionMs,
    mark: () => {
      const mark = performance.now();
      wallAt.set(mark, Date.now());
      if (wallAt.size > REMEMBERED_MARKS) wallAt.delete(wallAt.keys().next().value as number);
      return mark;
    },
    elapsedSince,
    until: async (mark, offsetMs, trace) => {
      const delta = Math.ceil(leftUntil(mark, offsetMs));
      if (delta <= 0) return;
      trace.code(`await sleep(${delta}); // real time`);
      await sleep(delta);
    },
  };
}
