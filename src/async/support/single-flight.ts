/**
 * Single-flight: concurrent callers of `run` share one in-flight execution instead of each
 * starting their own (two requests must not open two Redis connections).
 *
 * Hand-written for both APIs: the sync twin in `src/bridge/support/` simply calls the work,
 * because sync code cannot interleave.
 */
export class SingleFlight<T> {
  private inFlight: Promise<T> | null = null;

  /** Runs `work`, or joins the run already in progress. */
  async run(work: () => Promise<T>): Promise<T> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = work();
    try {
      return await this.inFlight;
    } finally {
      this.inFlight = null;
    }
  }
}
