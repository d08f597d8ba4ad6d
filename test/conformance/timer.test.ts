/**
 * The kit's real-time timer counts on two clocks: a store such as Redis expires keys by the wall
 * clock, so a wall clock stepped forward (a VM resumed, a time sync) must make a "still present
 * before the deadline" read indeterminate, never a failure blamed on the store; and a wait for
 * "after the deadline" must last until both clocks are past it.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createTimer } from '../../src/testing/timer.js';
import { Trace } from '../../src/testing/trace.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('real-time timer', () => {
  test('a wall clock stepped forward counts as elapsed time', () => {
    const timer = createTimer(null, 50);
    const mark = timer.mark();
    const wallAtMark = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(wallAtMark + 600);
    expect(timer.elapsedSince(mark)).toBeGreaterThanOrEqual(600);
  });

  test('a wall clock stepped backward does not shorten the elapsed time', () => {
    const timer = createTimer(null, 50);
    const mark = timer.mark();
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() - 10_000);
    expect(timer.elapsedSince(mark)).toBeGreaterThanOrEqual(0);
    expect(timer.elapsedSince(mark)).toBeLessThan(1_000);
  });

  test('until() waits for the later of the two clocks', async () => {
    const timer = createTimer(null, 50);
    const mark = timer.mark();
    const wallAtMark = Date.now();
    // The wall clock stepped back 80 ms: a store on it expires 80 ms later than the monotonic
    // clock says, so a wait of 40 ms must last about 120 ms.
    const now = vi.spyOn(Date, 'now');
    const started = performance.now();
    now.mockImplementation(() => wallAtMark - 80 + (performance.now() - started));
    await timer.until(mark, 40, new Trace());
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });
});
