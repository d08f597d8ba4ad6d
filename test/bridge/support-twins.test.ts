/**
 * The hand-written sync twins of the async support helpers: SingleFlight (no interleaving, so it
 * just runs the work, and refuses re-entrancy) and runInBackground (an unref'd immediate).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { GuardCoreError } from '../../src/core/errors.js';
import { runInBackground } from '../../src/bridge/support/background.js';
import { SingleFlight } from '../../src/bridge/support/single-flight.js';
import { thrownBy } from './support.js';

describe('SingleFlight (sync)', () => {
  test('runs the work and returns its value, every time', () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    expect(flight.run(() => ++runs)).toBe(1);
    expect(flight.run(() => ++runs)).toBe(2);
  });

  test('re-entering run from its own work throws GuardCoreError instead of recursing; the instance stays usable', () => {
    const flight = new SingleFlight<string>();
    const thrown = thrownBy(() => flight.run(() => flight.run(() => 'inner')));
    expect(thrown).toBeInstanceOf(GuardCoreError);
    expect((thrown as Error).message).toMatch(/re-entered/);
    expect(flight.run(() => 'again')).toBe('again');
  });

  test('a failing work propagates its error and releases the flight', () => {
    const flight = new SingleFlight<void>();
    expect(
      thrownBy(() =>
        flight.run(() => {
          throw new RangeError('work failed');
        }),
      ),
    ).toBeInstanceOf(RangeError);
    expect(flight.run(() => undefined)).toBeUndefined();
  });
});

describe('runInBackground (sync)', () => {
  const refImmediates = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;

  test('defers the task to the event loop without keeping the process alive for it', async () => {
    let ran = false;
    const before = refImmediates();
    runInBackground(
      () => {
        ran = true;
      },
      () => undefined,
    );
    expect(ran).toBe(false); // not run on the caller's stack
    expect(refImmediates()).toBe(before); // unref'd: holds no reference on the event loop
    await yieldToLoop();
    expect(ran).toBe(true); // a caller that yields gets it run
  });

  test('a throwing task goes to onError', async () => {
    const errors: unknown[] = [];
    runInBackground(
      () => {
        throw new Error('task failed');
      },
      (error) => errors.push(error),
    );
    await yieldToLoop();
    await yieldToLoop();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('task failed');
  });
});
