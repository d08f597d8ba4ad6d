/**
 * The shared-memory slots must carry a value exactly as structured clone would, or refuse it
 * (the port then carries it); and the adaptive spin budget must back off and probe.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SharedLane } from '../../src/bridge/channel/shared-lane.js';
import {
  EXPLOIT_CALLS,
  EXPLORE_CALLS,
  PROBE_EVERY,
  SpinBudget,
  SpinPolicy,
} from '../../src/bridge/channel/spin-budget.js';

/** Writes a request, reads it back on a second view of the same memory (the worker's). */
function throughRequestSlot(args: readonly unknown[]): { carried: boolean; args?: unknown[] } {
  const caller = SharedLane.allocate();
  const worker = new SharedLane(caller.memory);
  if (!caller.tryWriteRequest(7, 'op', args)) return { carried: false };
  const taken = worker.takeRequest();
  expect(taken?.id).toBe(7);
  expect(taken?.op).toBe('op');
  expect(worker.takeRequest()).toBeNull(); // taken once
  return { carried: true, args: taken!.args };
}

function throughReplySlot(value: unknown): { carried: boolean; value?: unknown } {
  const worker = SharedLane.allocate();
  const caller = new SharedLane(worker.memory);
  if (!worker.tryWriteReply(12345678901, value)) return { carried: false };
  const taken = caller.takeReply();
  expect(taken?.id).toBe(12345678901);
  expect(caller.takeReply()).toBeNull();
  return { carried: true, value: taken!.value };
}

describe('SharedLane slots', () => {
  test('primitives keep their exact value, including -0, NaN, Infinity, undefined and non-ASCII text', () => {
    const args = ['', 'ключ:😀', 0, -0, NaN, -Infinity, 2 ** 53, true, false, null, undefined];
    const { carried, args: back } = throughRequestSlot(args);
    expect(carried).toBe(true);
    expect(back).toHaveLength(args.length);
    back!.forEach((value, i) => expect(Object.is(value, args[i])).toBe(true));
  });

  test('plain JSON data round-trips (scan pages, HTTP responses, connection options)', () => {
    const page = { cursor: '17', keys: ['a', 'b:c'] };
    expect(throughReplySlot(page)).toEqual({ carried: true, value: page });
    const options = {
      url: 'redis://h:1',
      clusterNodes: null,
      connectTimeoutMs: 2000,
      commandTimeoutMs: 2000,
      retries: 1,
    };
    expect(throughRequestSlot([options])).toEqual({ carried: true, args: [options] });
  });

  test.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a bigint', 10n],
    ['a Set', new Set([1])],
    ['a Date', new Date(0)],
    ['an object holding -0', { a: -0 }],
    ['an object holding undefined', { a: undefined }],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point of the case
    ['an array with a hole', [1, , 3]],
    ['a class instance', new (class Point {})()],
    ['a Uint8Array', new Uint8Array(2)],
    ['an Error', new Error('x')],
  ])('%s is refused (left to the port and its structured clone)', (_what, value) => {
    expect(throughReplySlot(value).carried).toBe(false);
    expect(throughRequestSlot([value]).carried).toBe(false);
  });

  test('a cyclic or deeply nested object is refused instead of overflowing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(throughReplySlot(cyclic).carried).toBe(false);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(throughReplySlot(deep).carried).toBe(false);
  });

  test('payloads larger than a slot are refused; a large reply that fits is carried', () => {
    expect(throughRequestSlot(['x'.repeat(70 * 1024)]).carried).toBe(false);
    expect(throughReplySlot('y'.repeat(900 * 1024))).toEqual({ carried: true, value: 'y'.repeat(900 * 1024) });
    expect(throughReplySlot('z'.repeat(2 * 1024 * 1024)).carried).toBe(false);
  });

  test('an occupied slot is refused until its message was taken', () => {
    const caller = SharedLane.allocate();
    const worker = new SharedLane(caller.memory);
    expect(caller.tryWriteRequest(1, 'a', [])).toBe(true);
    expect(caller.tryWriteRequest(2, 'b', [])).toBe(false);
    expect(worker.takeRequest()?.id).toBe(1);
    expect(caller.tryWriteRequest(2, 'b', [])).toBe(true);
    expect(worker.tryWriteReply(1, 'one')).toBe(true);
    expect(worker.tryWriteReply(2, 'two')).toBe(false);
    expect(caller.takeReply()).toEqual({ id: 1, value: 'one' });
  });

  test('property: whatever is carried equals its structured clone', () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    fc.assert(
      fc.property(fc.array(fc.oneof(value, fc.constant(undefined), fc.double()), { maxLength: 8 }), (args) => {
        const result = throughRequestSlot(args);
        if (result.carried) expect(result.args).toEqual(structuredClone(args));
        const reply = throughReplySlot(args);
        if (reply.carried) expect(reply.value).toEqual(structuredClone(args));
      }),
      { numRuns: 300 },
    );
  });
});

describe('SpinBudget', () => {
  test('misses halve the budget down to zero; then one probe per PROBE_EVERY waits; hits grow it back', () => {
    const budget = new SpinBudget(200);
    expect(budget.next()).toBe(200);
    for (let i = 0; i < 8; i++) budget.miss();
    const spins = Array.from({ length: PROBE_EVERY * 2 }, () => budget.next());
    expect(spins.filter((s) => s > 0)).toHaveLength(2);
    budget.hit();
    expect(budget.next()).toBeGreaterThan(0);
    for (let i = 0; i < 8; i++) budget.hit();
    expect(budget.next()).toBe(200);
  });

  test('a zero maximum never spins', () => {
    const budget = new SpinBudget(0);
    expect(Array.from({ length: PROBE_EVERY * 3 }, () => budget.next()).every((s) => s === 0)).toBe(true);
  });
});

describe('SpinPolicy', () => {
  /** Feeds `calls` waits, each the given mode's cost; returns how many calls ran spinning. */
  function drive(policy: SpinPolicy, calls: number, cost: { spin: number; park: number }): number {
    let spinning = 0;
    for (let i = 0; i < calls; i++) {
      const spins = policy.budget() > 0;
      if (spins) spinning++;
      policy.record(spins ? cost.spin : cost.park);
    }
    return spinning;
  }
  const period = EXPLOIT_CALLS + EXPLORE_CALLS;

  test('keeps spinning while sustained spinning is clearly faster, exploring sleep briefly', () => {
    const policy = new SpinPolicy(300);
    const spinning = drive(policy, period * 10, { spin: 60, park: 150 });
    expect(spinning).toBe(period * 10 - 10 * EXPLORE_CALLS);
  });

  test('switches to sleeping when spinning does not pay, and finds spinning again when it does', () => {
    const policy = new SpinPolicy(300);
    drive(policy, period, { spin: 400, park: 100 });
    expect(policy.budget()).toBe(0);
    const whileSlow = drive(policy, period * 4, { spin: 400, park: 100 });
    expect(whileSlow).toBe(4 * EXPLORE_CALLS); // only the exploration windows spin
    drive(policy, period, { spin: 50, park: 100 });
    expect(policy.budget()).toBe(300);
  });

  test('prefers sleeping when spinning is only marginally faster (it costs CPU)', () => {
    const policy = new SpinPolicy(300);
    drive(policy, period, { spin: 95, park: 100 });
    expect(policy.budget()).toBe(0);
  });

  test('a zero maximum never spins', () => {
    const policy = new SpinPolicy(0);
    expect(drive(policy, period * 3, { spin: 1, park: 1000 })).toBe(0);
  });
});
