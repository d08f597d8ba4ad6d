/**
 * When to busy-wait instead of sleeping. A thread parked in `Atomics.wait` (or in its event
 * loop) can take tens of microseconds to be woken on a virtualised CPU, more than a loopback
 * Redis reply; busy-waiting avoids that when the other thread runs on another core. It is harmful
 * when it does not: on a busy machine the two threads may share one core, and then the spinner
 * only delays the thread it waits for. Two adaptive rules, one per side:
 *
 * - {@link SpinBudget} (the worker polling for the next request): a poll that saw its request
 *   keeps the budget (growing it back toward the maximum), a poll that expired halves it, down to
 *   zero; at zero, every {@link PROBE_EVERY}th time it probes with one poll.
 * - {@link SpinPolicy} (the caller waiting for a reply): compares sustained windows of spinning
 *   and of sleeping on the live workload, and keeps the faster.
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

/** The worker's poll budget (see the module notes). */
export class SpinBudget {
  private budget: number;
  private sinceProbe = 0;

  /** `maxMicros` 0 disables spinning altogether. */
  constructor(private maxMicros: number) {
    this.budget = maxMicros;
  }

  /** Changes the ceiling (a live setting); the budget starts over from it when it changed. */
  setMax(maxMicros: number): void {
    if (maxMicros === this.maxMicros) return;
    this.maxMicros = maxMicros;
    this.budget = maxMicros;
    this.sinceProbe = 0;
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

/** Calls per exploitation period of {@link SpinPolicy}. */
export const EXPLOIT_CALLS = 480;
/** Calls per exploration window of {@link SpinPolicy} (also the size of the compared samples). */
export const EXPLORE_CALLS = 32;
/** Spinning must beat sleeping by this factor to be chosen: it costs CPU, sleeping does not. */
const SPIN_ADVANTAGE = 0.9;

/**
 * The caller's choice between spinning and sleeping while it waits for a reply, made by
 * comparing the two on the live workload rather than by a rule of thumb.
 *
 * Why not {@link SpinBudget}'s hit/miss rule: on a virtualised machine whose vCPUs go idle, a
 * lone probe spin is slow for the very reason spinning helps — the other threads (the worker, the
 * Redis server) wake slowly from an idle vCPU — and sustained spinning keeps the vCPUs busy and
 * everything fast. Only a sustained window of spinning can show whether it pays. So the policy
 * runs {@link EXPLOIT_CALLS} calls in the mode that looked best, then {@link EXPLORE_CALLS}
 * in the other one, and keeps the mode whose mean wait over its last window was lower (spinning
 * only if clearly lower). The mean, not the median: a spin that often expires (the worker did
 * not get a core in time) shows in the tail first, and the tail is what a spinner makes worse. About 6% of calls run in the losing mode; a spin that expires still
 * falls back to sleeping, so no call waits longer for it.
 */
export class SpinPolicy {
  private spinning: boolean;
  private exploring = false;
  private left = EXPLOIT_CALLS;
  private readonly recent = new Float64Array(EXPLORE_CALLS);
  private filled = 0;
  private readonly means = { spin: Number.NaN, park: Number.NaN };

  /** `maxMicros` 0 never spins. */
  constructor(readonly maxMicros: number) {
    this.spinning = maxMicros > 0;
  }

  /** Spin budget for the waits of the current call, in microseconds (0: sleep at once). */
  budget(): number {
    return this.spinning ? this.maxMicros : 0;
  }

  /** Records how long a call waited for its reply (µs), and switches mode at window ends. */
  record(waitMicros: number): void {
    if (this.maxMicros <= 0) return;
    this.recent[this.filled % EXPLORE_CALLS] = waitMicros;
    this.filled++;
    if (--this.left > 0) return;
    this.means[this.spinning ? 'spin' : 'park'] = meanOf(this.recent, Math.min(this.filled, EXPLORE_CALLS));
    this.filled = 0;
    if (this.exploring) {
      this.exploring = false;
      this.spinning = this.means.spin < this.means.park * SPIN_ADVANTAGE;
      this.left = EXPLOIT_CALLS;
    } else {
      this.exploring = true;
      this.spinning = !this.spinning;
      this.left = EXPLORE_CALLS;
    }
  }
}

function meanOf(values: Float64Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i]!;
  return count > 0 ? sum / count : Number.NaN;
}
