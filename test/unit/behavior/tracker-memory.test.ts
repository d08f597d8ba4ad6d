/**
 * BehaviorTracker without Redis: usage and return-pattern windows in memory, the pattern forms,
 * and input validation.
 */
import { describe, expect, test } from 'vitest';
import { BehaviorTracker, silentLogger, type BehaviorRule } from '../../../src/index.js';
import { compileReturnPattern } from '../../../src/core/behavior/index.js';

const usage = (threshold: number, windowSeconds = 60): BehaviorRule => ({ type: 'usage', threshold, windowSeconds });
const returns = (pattern: string, threshold = 1): BehaviorRule => ({
  type: 'return_pattern',
  threshold,
  windowSeconds: 60,
  pattern,
});

function tracker() {
  const clock = { t: 1_796_173_053.38 };
  const manager = new BehaviorTracker({ enableRedis: false, logger: silentLogger }, { now: () => clock.t });
  return { manager, clock };
}

describe('BehaviorTracker in memory', () => {
  test('two rules on one endpoint share its window: a strict rule does not trim the hits a looser one counts', async () => {
    // The key names the endpoint and the client, not the rule (as in Redis, where both rules see
    // every hit): the window keeps what the loosest rule needs.
    const { manager } = tracker();
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const strict = await manager.trackEndpointUsage('/api', '10.0.0.7', usage(2));
      const loose = await manager.trackEndpointUsage('/api', '10.0.0.7', usage(5));
      seen.push(`${strict.violated}/${loose.count}/${loose.violated}`);
    }
    // 2 hits per round: the loose rule sees 2, 4, 6 (> 5: violated), then saturates at 6.
    expect(seen).toEqual(['false/2/false', 'true/4/false', 'true/6/true', 'true/6/true']);
  });

  test('usage: violation once the count passes the threshold; the window slides', async () => {
    const { manager, clock } = tracker();
    expect(await manager.trackEndpointUsage('/api', '10.0.0.1', usage(2))).toEqual({
      violated: false,
      count: 1,
      source: 'memory',
    });
    await manager.trackEndpointUsage('/api', '10.0.0.1', usage(2));
    expect(await manager.trackEndpointUsage('/api', '10.0.0.1', usage(2))).toEqual({
      violated: true,
      count: 3,
      source: 'memory',
    });
    // the count saturates at threshold + 1 in memory (older hits cannot change the answer)
    expect((await manager.trackEndpointUsage('/api', '10.0.0.1', usage(2))).count).toBe(3);
    clock.t += 60; // every earlier hit sits exactly on the boundary: out
    expect((await manager.trackEndpointUsage('/api', '10.0.0.1', usage(2))).count).toBe(1);
    expect((await manager.trackEndpointUsage('/other', '10.0.0.1', usage(2))).count).toBe(1);
    expect((await manager.trackEndpointUsage('/api', '::ffff:10.0.0.1', usage(2))).count).toBe(2);
  });

  test('return patterns: only matching responses count; unmatched records nothing (source none)', async () => {
    const { manager } = tracker();
    const rule = returns('status:404');
    expect(await manager.trackReturnPattern('/api', '10.0.0.1', { status: 200 }, rule)).toEqual({
      violated: false,
      count: 0,
      source: 'none',
    });
    expect((await manager.trackReturnPattern('/api', '10.0.0.1', { status: 404 }, rule)).count).toBe(1);
    expect(await manager.trackReturnPattern('/api', '10.0.0.1', { status: 404 }, rule)).toMatchObject({
      violated: true,
      count: 2,
    });
    // another pattern on the same endpoint has its own window
    expect((await manager.trackReturnPattern('/api', '10.0.0.1', { status: 404 }, returns('status:4xx'))).count).toBe(
      1,
    );
  });

  test.each([
    ['status:404', { status: 404 }, true],
    ['status:404', { status: 403 }, false],
    ['status:4xx', { status: 451 }, true],
    ['status:4XX', { status: 500 }, false],
    ['Not Found', { status: 200, body: 'page not found' }, true],
    ['win', { status: 200 }, false],
  ])('pattern %s on %j → %s', (pattern, response, expected) => {
    expect(compileReturnPattern(pattern)(response)).toBe(expected);
  });

  test.each([
    [() => ['', '10.0.0.1', usage(1)], 'endpointId'],
    [() => ['/a', 'x', usage(1)], 'clientIp'],
    [() => ['/a', '10.0.0.1', { ...usage(1), type: 'return_pattern' }], 'rule.type'],
    [() => ['/a', '10.0.0.1', usage(-1)], 'rule.threshold'],
    [() => ['/a', '10.0.0.1', usage(1, 0)], 'rule.windowSeconds'],
    [() => ['/a', '10.0.0.1', null], 'rule'],
  ])('trackEndpointUsage bad input → GuardInputError(%#: %s)', async (args, field) => {
    const { manager } = tracker();
    const [endpoint, ip, rule] = args() as [string, string, BehaviorRule];
    await expect(manager.trackEndpointUsage(endpoint, ip, rule)).rejects.toMatchObject({
      name: 'GuardInputError',
      field,
    });
    expect(manager.memoryWindowCount).toBe(0);
  });

  test.each([
    ['regex:^a', 'rule.pattern'],
    ['json:a.b==c', 'rule.pattern'],
    ['status:abc', 'rule.pattern'],
    ['', 'rule.pattern'],
  ])('return pattern %j → GuardInputError(%s)', async (pattern, field) => {
    const { manager } = tracker();
    await expect(manager.trackReturnPattern('/a', '10.0.0.1', { status: 200 }, returns(pattern))).rejects.toMatchObject(
      {
        field,
      },
    );
  });

  test('bad responses → GuardInputError', async () => {
    const { manager } = tracker();
    await expect(manager.trackReturnPattern('/a', '10.0.0.1', { status: 42 }, returns('x'))).rejects.toMatchObject({
      field: 'response.status',
    });
    await expect(
      manager.trackReturnPattern('/a', '10.0.0.1', { status: 200, body: 5 as unknown as string }, returns('x')),
    ).rejects.toMatchObject({ field: 'response.body' });
  });

  test('reset forgets every window; subsystem shape', async () => {
    const { manager } = tracker();
    await manager.trackEndpointUsage('/a', '10.0.0.1', usage(1));
    await manager.reset();
    expect(manager.memoryWindowCount).toBe(0);
    expect(manager.subsystem).toBe('behaviour tracker');
    expect(manager.mode).toBe('disabled');
    expect(await manager.probe()).toBe(false);
  });
});
