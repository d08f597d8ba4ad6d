/**
 * A periodic background task (the initializer's Redis health check and recovery). The canonical
 * async source may not use timers directly, so periodic work goes through here.
 *
 * Hand-written for both APIs: the sync twin in `src/bridge/support/ticker.ts` runs the task
 * synchronously on the same unref'd interval.
 */

/** A running periodic task. */
export interface Ticker {
  /** Stops it; a run in progress finishes, none starts after. Idempotent. */
  stop(): void;
}

/**
 * Runs `task` every `everyMs` milliseconds without keeping the process alive for it. A run never
 * overlaps the previous one (a slow run delays the next instead of piling up); a failure goes to
 * `onError`, which must not throw.
 */
export function startTicker(everyMs: number, task: () => Promise<void>, onError: (error: unknown) => void): Ticker {
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
