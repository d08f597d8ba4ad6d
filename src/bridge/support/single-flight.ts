/**
 * The sync twin of `src/async/support/single-flight.ts`. Sync code cannot interleave, so there
 * is never a concurrent caller to share a run with: `run` just calls the work. The one way to
 * arrive here twice at once is re-entrancy (the work itself calling `run` on the same instance);
 * the async version would wait on itself forever there, so this one refuses it with an error.
 */
import { GuardCoreError } from '../../core/errors.js';

export class SingleFlight<T> {
  private running = false;

  /** Runs `work`. Throws `GuardCoreError` if `work` re-enters `run` on the same instance. */
  run(work: () => T): T {
    if (this.running) throw new GuardCoreError('SingleFlight.run was re-entered from its own work');
    this.running = true;
    try {
      return work();
    } finally {
      this.running = false;
    }
  }
}
