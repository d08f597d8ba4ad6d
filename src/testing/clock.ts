/**
 * Clocks for TTL checks without waiting.
 */

/** A clock the store under test reads, which the kit moves forward. Times are in milliseconds. */
export interface ConformanceClock {
  /** The current time the store sees. */
  now(): number;
  /** Moves the store's time forward by `ms`. */
  advance(ms: number): void | Promise<void>;
}

/** A {@link ConformanceClock} that only moves when told to; `now` is bound, so it can be passed alone. */
export interface ManualClock extends ConformanceClock {
  /** Sets the time (never backwards). */
  set(ms: number): void;
}

/**
 * A manual clock starting at `startMs`. Give `clock.now` to the store (e.g.
 * `new InMemoryCloudIpStore({ now: clock.now })`) and `clock` to the kit's capabilities.
 */
export function createManualClock(startMs = 0): ManualClock {
  let time = startMs;
  return {
    now: () => time,
    advance: (ms: number) => {
      if (!(ms >= 0)) throw new RangeError(`a clock only moves forward (advance by ${ms} ms)`);
      time += ms;
    },
    set: (ms: number) => {
      if (!(ms >= time)) throw new RangeError(`a clock only moves forward (${time} → ${ms} ms)`);
      time = ms;
    },
  };
}
