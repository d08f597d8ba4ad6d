/**
 * The sync twin of `src/async/support/background.ts`.
 *
 * Sync code cannot run beside its caller, so a background task (the lazy first cloud-IP fetch,
 * a scheduled refresh) is deferred to the event loop with an **unref'd** `setImmediate`:
 * - in a long-running process (a server, anything that yields to the event loop) it runs as soon
 *   as the current synchronous work returns;
 * - a script that simply ends is **not** kept alive by it: a task still pending when the script's
 *   last line runs is run only if the event loop happens to turn once more (another pending
 *   handle), else dropped. Code that needs the result must do the work itself (e.g. call the
 *   refresh method directly) rather than rely on the background.
 */

/**
 * Defers `task` to the event loop without keeping the process alive for it. A failure (a
 * throw) goes to `onError`, which must not throw.
 */
export function runInBackground(task: () => void, onError: (error: unknown) => void): void {
  const pending = setImmediate(() => {
    try {
      task();
    } catch (error) {
      onError(error);
    }
  });
  pending.unref();
}
