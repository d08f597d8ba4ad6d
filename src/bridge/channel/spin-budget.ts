/**
 * How long to busy-wait before sleeping, learnt from what happened the last times.
 *
 * A thread parked in `Atomics.wait` (or in its event loop) can take tens of microseconds to be
 * woken on a virtualised CPU, more than a loopback Redis reply. Busy-waiting a little avoids that
 * when the other thread runs on another core. It is harmful when it does not: on a busy machine
 * the two threads may share one core, and then the spinner only delays the thread it waits for.
 * So the budget adapts: a spin that saw its event keeps the budget (growing it back toward the
 * maximum), a spin that expired halves it, down to zero; at zero, every {@link PROBE_EVERY}th wait
 * probes with one spin to notice that spinning pays again. The cost of a useless spin is thus
 * bounded: about twice the maximum when the budget collapses, then one probe per 64 waits.
 */

/** Below this, spinning is not worth starting. */
const MIN_MICROS = 4;
/** At zero budget, how often a probe spin is made. */
export const PROBE_EVERY = 64;
/**
 * Size of a probe spin. Large enough to cover the other thread's own wake-up (it may be asleep
 * too when both budgets fell to zero), or spinning could never be found to pay again.
 */
const PROBE_MICROS = 150;

export class SpinBudget {
  private budget: number;
  private sinceProbe = 0;

  /** `maxMicros` 0 disables spinning altogether. */
  constructor(private readonly maxMicros: number) {
    this.budget = maxMicros;
  }

  /** Microseconds to spin for the next wait (0: sleep at once). */
  next(): number {
    if (this.budget > 0) return this.budget;
    if (this.maxMicros <= 0 || ++this.sinceProbe < PROBE_EVERY) return 0;
    this.sinceProbe = 0;
    return Math.min(this.maxMicros, PROBE_MICROS);
  }

  /** The spin saw its event. */
  hit(): void {
    this.budget = Math.min(this.maxMicros, Math.max(this.budget * 2, PROBE_MICROS));
  }

  /** The spin expired without it. */
  miss(): void {
    const halved = this.budget / 2;
    this.budget = halved < MIN_MICROS ? 0 : halved;
  }
}
