/**
 * Failure modes of the bridge channel (reference/sync-bridge.md §(a)): a worker that cannot load
 * (1), dies mid-call (2), times out (3), never settles (8), and calls after close (10). Each must
 * end in a clear error, never a hang, and the next call must work.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, onTestFinished, test } from 'vitest';
import {
  GuardBridgeClosedError,
  GuardBridgeCrashError,
  GuardBridgeStartError,
  GuardBridgeTimeoutError,
} from '../../src/core/errors.js';
import type { SyncChannel } from '../../src/bridge/channel/sync-channel.js';
import { locateWorker } from '../../src/bridge/channel/locate-worker.js';
import { fixtureUrl, testChannel, thrownBy, timed } from './support.js';

const channels: SyncChannel[] = [];
function channel(...args: Parameters<typeof testChannel>): SyncChannel {
  const made = testChannel(...args);
  channels.push(made);
  return made;
}
afterEach(() => {
  for (const made of channels.splice(0)) made.close();
});

describe('(1) a worker that fails to load', () => {
  test('a service importing a missing package fails the first call fast with GuardBridgeStartError naming it', () => {
    const broken = channel('broken-service.mjs', { startTimeoutMs: 20_000 });
    const { ms, thrown } = timed(() => broken.call('echo', [1], 5_000));
    expect(thrown).toBeInstanceOf(GuardBridgeStartError);
    expect((thrown as Error).message).toMatch(/failed to load: .*guard-core-test-no-such-package/s);
    expect(ms).toBeLessThan(10_000); // the readiness signal, not the 20 s deadline
  });

  test('a service with a syntax error fails with GuardBridgeStartError; retrying fails the same way', () => {
    // written at run time: a fixture file with a syntax error would break the repository's formatter
    const dir = mkdtempSync(join(tmpdir(), 'guard-core-bridge-'));
    const file = join(dir, 'syntax-error-service.mjs');
    writeFileSync(file, 'export const handlers = {\n');
    const broken = channel(null, { serviceUrl: pathToFileURL(file).href });
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (let i = 0; i < 2; i++) {
      const thrown = thrownBy(() => broken.call('echo', [1], 5_000));
      expect(thrown).toBeInstanceOf(GuardBridgeStartError);
      expect((thrown as Error).message).toMatch(/failed to load: SyntaxError/);
    }
  });

  test('a worker that never signals readiness is given up at the start-up deadline', () => {
    const silent = channel(null, { workerUrl: () => new URL(fixtureUrl('silent-worker.mjs')), startTimeoutMs: 300 });
    const { ms, thrown } = timed(() => silent.call('echo', [1], 5_000));
    expect(thrown).toBeInstanceOf(GuardBridgeStartError);
    expect((thrown as Error).message).toMatch(/did not become ready within 300 ms/);
    expect(ms).toBeGreaterThanOrEqual(290);
  });

  test('a missing worker entry names the paths tried and says to build', () => {
    const elsewhere = pathToFileURL('/nonexistent-guard-core/src/bridge/channel/locate-worker.js').href;
    const thrown = thrownBy(() => locateWorker(elsewhere));
    expect(thrown).toBeInstanceOf(GuardBridgeStartError);
    expect((thrown as Error).message).toContain('/nonexistent-guard-core/src/bridge/channel/bridge-worker.js');
    expect((thrown as Error).message).toContain('npm run build');
  });

  test('the built package finds the worker next to itself, the CommonJS build the .cjs one', () => {
    const dist = new URL('../../dist/', import.meta.url);
    expect(locateWorker(new URL('sync.js', dist).href).href).toBe(new URL('bridge-worker.js', dist).href);
    expect(locateWorker(new URL('sync.cjs', dist).href).href).toBe(new URL('bridge-worker.cjs', dist).href);
  });
});

describe('(2) a worker that dies mid-call', () => {
  test('process.exit(3) fails the call with GuardBridgeCrashError (exit code 3) before the deadline; the next call works', () => {
    const bridge = channel('test-service.mjs');
    expect(bridge.call('echo', ['warm'], 5_000)).toBe('warm');
    const before = bridge.generation;
    const { ms, thrown } = timed(() => bridge.call('exit', [3], 20_000));
    expect(thrown).toBeInstanceOf(GuardBridgeCrashError);
    expect((thrown as GuardBridgeCrashError).exitCode).toBe(3);
    expect((thrown as GuardBridgeCrashError).operation).toBe('exit');
    expect(ms).toBeLessThan(10_000);
    expect(bridge.call('echo', ['after'], 5_000)).toBe('after');
    expect(bridge.generation).not.toBe(before);
  });

  test('an uncaught exception in a worker timer fails the call with the original error as cause; the next call works', () => {
    const bridge = channel('test-service.mjs');
    const thrown = thrownBy(() => bridge.call('throwInTimer', ['boom in a timer'], 20_000));
    expect(thrown).toBeInstanceOf(GuardBridgeCrashError);
    const cause = (thrown as Error).cause;
    expect(cause).toBeInstanceOf(Error);
    expect((cause as Error).message).toBe('boom in a timer');
    expect((thrown as Error).message).toContain('boom in a timer');
    expect(bridge.call('echo', [7], 5_000)).toBe(7);
  });

  test('a worker that died between calls is replaced before the next call is sent (no event loop turn needed)', () => {
    const bridge = channel('test-service.mjs');
    expect(bridge.call('exitSoon', [7, 20], 5_000)).toBe('scheduled');
    const first = bridge.generation;
    const until = performance.now() + 300;
    while (performance.now() < until); // a sync script: the 'exit' event never gets to run
    expect(bridge.call('echo', ['fresh'], 5_000)).toBe('fresh');
    expect(bridge.generation).not.toBe(first);
  });

  test('generation tells a worker that died between calls before any call (holders of worker state re-open it)', () => {
    // The bridged Redis connection compares generations to know whether its worker-side handle
    // is still valid; a stale answer sent the old handle to a fresh worker ("connection closed").
    const bridge = channel('test-service.mjs');
    expect(bridge.call('exitSoon', [7, 20], 5_000)).toBe('scheduled');
    const first = bridge.generation;
    expect(first).toBeGreaterThan(0);
    const until = performance.now() + 300;
    while (performance.now() < until); // a sync script: the 'exit' event never gets to run
    expect(bridge.generation).not.toBe(first);
    expect(bridge.call('echo', ['fresh'], 5_000)).toBe('fresh');
  });

  test('a worker killed without running JS (heap limit) is caught by the deadline and replaced', () => {
    const bridge = channel('test-service.mjs', { resourceLimits: { maxOldGenerationSizeMb: 16 }, pingTimeoutMs: 300 });
    const thrown = thrownBy(() => bridge.call('oom', [], 1_500));
    expect(thrown).toBeInstanceOf(GuardBridgeTimeoutError);
    expect((thrown as Error).message).toMatch(/did not answer a ping either/);
    expect(bridge.call('echo', ['recovered'], 5_000)).toBe('recovered');
  });
});

describe('(3)/(8) deadlines', () => {
  test('a call past its deadline throws GuardBridgeTimeoutError; the worker aborts it and the next call gets its own result', async () => {
    const bridge = channel('test-service.mjs');
    const { ms, thrown } = timed(() => bridge.call('sleep', [800, 'late'], 200));
    expect(thrown).toBeInstanceOf(GuardBridgeTimeoutError);
    expect((thrown as GuardBridgeTimeoutError).timeoutMs).toBe(200);
    expect((thrown as Error).message).toMatch(/alive and keeps serving/);
    expect(ms).toBeGreaterThanOrEqual(195);
    expect(bridge.call('echo', ['mine'], 5_000)).toBe('mine');
    expect((bridge.call('stats', [], 5_000) as { aborted: number }).aborted).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 800)); // the late sleep has finished by now
    expect(bridge.call('echo', ['still mine'], 5_000)).toBe('still mine');
  });

  test('a late reply that was already posted is discarded by id, never returned to the next call', () => {
    const bridge = channel('test-service.mjs', { pingTimeoutMs: 3_000 });
    // The worker is stuck in synchronous code, so it posts the late answer before it can read the cancel.
    expect(thrownBy(() => bridge.call('wedge', [400], 100))).toBeInstanceOf(GuardBridgeTimeoutError);
    expect(bridge.call('echo', ['own answer'], 5_000)).toBe('own answer');
  });

  test('a worker wedged past the ping is replaced', () => {
    const bridge = channel('test-service.mjs', { pingTimeoutMs: 200 });
    const first = (bridge.call('echo', [0], 5_000), bridge.generation);
    const thrown = thrownBy(() => bridge.call('wedge', [3_000], 100));
    expect((thrown as Error).message).toMatch(/will be replaced/);
    expect(bridge.call('echo', ['new worker'], 5_000)).toBe('new worker');
    expect(bridge.generation).not.toBe(first);
  });

  test('(8) a promise that never settles times out and leaves the worker usable', () => {
    const bridge = channel('test-service.mjs');
    expect(thrownBy(() => bridge.call('never', [], 150))).toBeInstanceOf(GuardBridgeTimeoutError);
    const generation = bridge.generation;
    expect(bridge.call('echo', ['ok'], 5_000)).toBe('ok');
    expect(bridge.generation).toBe(generation);
  });
});

describe('(10) close', () => {
  test('close() shuts the worker down; later calls throw GuardBridgeClosedError; close is idempotent', () => {
    const bridge = channel('test-service.mjs');
    expect(bridge.call('echo', [1], 5_000)).toBe(1);
    bridge.close();
    bridge.close();
    expect(bridge.isClosed).toBe(true);
    const thrown = thrownBy(() => bridge.call('echo', [2], 5_000));
    expect(thrown).toBeInstanceOf(GuardBridgeClosedError);
    expect((thrown as GuardBridgeClosedError).operation).toBe('echo');
  });

  test('an unknown operation is a clear error and the worker stays healthy', () => {
    const bridge = channel('test-service.mjs');
    expect((thrownBy(() => bridge.call('nope', [], 5_000)) as Error).message).toMatch(
      /unknown sync bridge operation nope/,
    );
    expect(bridge.call('echo', [3], 5_000)).toBe(3);
  });
});
