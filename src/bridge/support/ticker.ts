/**
 * The sync twin of `src/async/support/ticker.ts`: the task is sync code, run on an unref'd
 * interval, so it runs whenever the caller's event loop turns (a server, or a script that yields)
 * and never keeps a finished script alive.
 */

/** A running periodic task. */
export interface Ticker {
  /** Stops it; none starts after. Idempotent. */
  stop(): void;
}

/** Runs `task` every `everyMs` milliseconds without keeping the process alive; failures go to `onError`. */
export function startTicker(everyMs: number, task: () => void, onError: (error: unknown) => void): Ticker {
  let running = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    try {
      task();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
