/**
 * Background work: a task the caller does not wait for (the lazy first cloud-IP fetch, a
 * scheduled refresh). The canonical async source may not leave promises floating, so every
 * such task goes through here.
 *
 * Hand-written for both APIs: the sync twin in `src/bridge/support/background.ts` defers the
 * task to the event loop (an unref'd immediate), because sync code cannot run beside its caller.
 */

/**
 * Starts `task` without waiting for it. A failure never escapes as an unhandled rejection: it
 * goes to `onError`, which must not throw.
 */
export function runInBackground(task: () => Promise<void>, onError: (error: unknown) => void): void {
  let running: Promise<void>;
  try {
    running = task();
  } catch (error) {
    onError(error); // a task that throws before its first await
    return;
  }
  running.catch(onError);
}
