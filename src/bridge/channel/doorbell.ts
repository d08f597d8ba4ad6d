/**
 * Parking the calling thread until the worker rings. See `../protocol.ts` for why the doorbell
 * is a counter.
 */
import { DOORBELL } from '../protocol.js';

/**
 * Returns once the counter differs from `rung`, or after `timeoutMs`. It first spins for up to
 * `spinMicros` on `Atomics.load`: a parked thread on a virtualised CPU can take tens of
 * microseconds to be woken, which a short spin avoids when the answer is quick (a loopback Redis
 * reply). Spinning burns the core it runs on, so the budget is small (see `bench/bridge.ts`).
 */
export function waitForRing(bell: Int32Array, rung: number, timeoutMs: number, spinMicros: number): void {
  if (spinMicros > 0) {
    const until = performance.now() + spinMicros / 1000;
    while (Atomics.load(bell, DOORBELL) === rung) {
      if (performance.now() >= until) break;
    }
    if (Atomics.load(bell, DOORBELL) !== rung) return;
  }
  Atomics.wait(bell, DOORBELL, rung, Math.max(0, timeoutMs));
}

/** Worker side: announces that a message was posted. Always after the post, never before. */
export function ring(bell: Int32Array): void {
  Atomics.add(bell, DOORBELL, 1);
  Atomics.notify(bell, DOORBELL);
}
