/**
 * (4) The stale-notify race (reference/sync-bridge.md §(a)): the worker waits a random 0–200 µs
 * between posting a reply and ringing, and some calls are forced to time out (their late replies
 * land during later calls). Every call that did not time out must get exactly its own input back.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { GuardBridgeTimeoutError } from '../../src/core/errors.js';
import { testChannel } from './support.js';

const CALLS = 6_000;
const FORCE_EVERY = 300;

describe.each([
  ['parking at once', { spinMicros: 0, pollMicros: 0 }],
  ['spinning and polling', { spinMicros: 30, pollMicros: 60 }],
])('(4) identity calls with ring jitter and forced timeouts, %s', (_label, waiting) => {
  const bridge = testChannel('test-service.mjs', { ringJitterUs: 200, pingTimeoutMs: 5_000, ...waiting });
  afterAll(() => bridge.close());

  test(`${CALLS} calls: every answer is the call's own`, () => {
    let timedOut = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < CALLS; i++) {
      if (i % FORCE_EVERY === FORCE_EVERY - 1) {
        // a wedge posts its late reply before it can see the cancel; a sleep is aborted instead
        const op = (i / FORCE_EVERY) % 2 < 1 ? 'wedge' : 'echoLater';
        try {
          bridge.call(op, op === 'wedge' ? [6] : [i, 6], 2);
        } catch (error) {
          if (!(error instanceof GuardBridgeTimeoutError)) throw error;
          timedOut++;
        }
        continue;
      }
      const input = i % 3 === 0 ? { i, text: `v${i}` } : i;
      const output = bridge.call('echo', [input], 5_000);
      if (JSON.stringify(output) !== JSON.stringify(input)) mismatches.push(`${i}: ${JSON.stringify(output)}`);
    }
    expect(mismatches).toEqual([]);
    expect(timedOut).toBeGreaterThan(0);
  });
});
