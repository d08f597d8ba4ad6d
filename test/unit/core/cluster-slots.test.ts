/**
 * The pure half of a cluster scan (issue 12, item 3): the primaries to walk come from the slot
 * table and must cover all 16384 slots; the cursor names its primary by address and carries a
 * fingerprint of the slot map it was planned on.
 */
import { describe, expect, test } from 'vitest';
import { GuardInputError } from '../../../src/index.js';
import {
  CLUSTER_SLOT_COUNT,
  clusterScanCursor,
  describeRanges,
  parseClusterScanCursor,
  planClusterSlots,
  slotRanges,
} from '../../../src/core/redis/cluster-slots.js';

const A = '10.0.0.1:7000';
const B = '10.0.0.2:7000';
const C = '[::1]:7002';

/** A slot table as ioredis keeps it: index = slot, value = nodes serving it, primary first. */
function table(...parts: [from: number, to: number, primary: string | undefined][]): (string[] | undefined)[] {
  const slots: (string[] | undefined)[] = new Array<string[] | undefined>(CLUSTER_SLOT_COUNT);
  for (const [from, to, primary] of parts) {
    for (let slot = from; slot <= to; slot++) slots[slot] = primary === undefined ? undefined : [primary, 'replica:1'];
  }
  return slots;
}

describe('planClusterSlots', () => {
  test('a whole map: every primary once, sorted, with its ranges; nothing uncovered', () => {
    const plan = planClusterSlots(table([0, 5460, B], [5461, 10922, A], [10923, 16383, C], [100, 100, A]));
    expect(plan.primaries).toEqual([B, A, C].sort());
    expect(plan.rangesOf.get(B)).toEqual(['0-99', '101-5460']);
    expect(plan.rangesOf.get(A)).toEqual(['100', '5461-10922']);
    expect(plan.rangesOf.get(C)).toEqual(['10923-16383']);
    expect(plan.uncovered).toEqual([]);
    expect(plan.fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });

  test('slots without a primary are reported, at the start, the middle and the end', () => {
    const plan = planClusterSlots(table([5, 100, A], [200, 16000, B]));
    expect(plan.uncovered).toEqual(['0-4', '101-199', '16001-16383']);
    expect(planClusterSlots([]).uncovered).toEqual(['0-16383']);
  });

  test('the fingerprint follows the slot → primary map, and only it', () => {
    const base = planClusterSlots(table([0, 8000, A], [8001, 16383, B])).fingerprint;
    expect(planClusterSlots(table([0, 8000, A], [8001, 16383, B])).fingerprint).toBe(base);
    expect(planClusterSlots(table([0, 8001, A], [8002, 16383, B])).fingerprint).not.toBe(base); // one slot moved
    expect(planClusterSlots(table([0, 8000, C], [8001, 16383, B])).fingerprint).not.toBe(base); // failover
  });
});

describe('the cluster scan cursor', () => {
  test('round-trips, IPv6 addresses included, and is never "0"', () => {
    for (const address of [A, C, 'redis-0.redis.svc:6379']) {
      const position = { nodeCursor: '1536', address, fingerprint: '0badc0de' };
      const cursor = clusterScanCursor(position);
      expect(cursor).not.toBe('0');
      expect(parseClusterScanCursor(cursor)).toEqual(position);
    }
  });

  test('anything else (the old `<index>:<cursor>` form included) is a GuardInputError', () => {
    for (const bad of ['1:0', '', '0@a:1', '12@a:1@xyz', '12@@0badc0de']) {
      expect(() => parseClusterScanCursor(bad)).toThrow(GuardInputError);
    }
  });
});

test('slot lists are merged into ranges, and long lists are shortened in messages', () => {
  expect(slotRanges([7, 1, 2, 3, 3, 9, 10])).toEqual(['1-3', '7', '9-10']);
  expect(describeRanges(['1', '2', '3'])).toBe('1, 2, 3');
  expect(describeRanges(['1', '2', '3', '4', '5', '6'])).toBe('1, 2, 3, 4 and 2 more ranges');
});
