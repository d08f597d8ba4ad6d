/**
 * Helpers for the bridge tests: channels over the worker entry built from source for this run
 * (test/support/source-worker.ts), serving either the real service or a test service from `fixtures/`.
 */
import { inject } from 'vitest';
import { SyncChannel, type SyncChannelOptions } from '../../src/bridge/channel/sync-channel.js';

/** A `file:` URL of a fixture module. */
export function fixtureUrl(name: string): string {
  return new URL(`./fixtures/${name}`, import.meta.url).href;
}

/** A private channel (not the process's bridge) serving `fixtures/<service>`, or the real service when null. */
export function testChannel(service: string | null, options: Partial<SyncChannelOptions> = {}): SyncChannel {
  return new SyncChannel({
    workerUrl: () => new URL(inject('bridgeWorkerUrl')),
    ...(service === null ? {} : { serviceUrl: fixtureUrl(service) }),
    startTimeoutMs: 15_000,
    pingTimeoutMs: 1_000,
    spinMicros: 20,
    pollMicros: 50,
    ...options,
  });
}

/** What was thrown by `work`, failing the test when nothing was. */
export function thrownBy(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** Milliseconds taken by `work`, and what it threw (if anything). */
export function timed(work: () => unknown): { ms: number; thrown: unknown } {
  const start = performance.now();
  let thrown: unknown = undefined;
  try {
    work();
  } catch (error) {
    thrown = error;
  }
  return { ms: performance.now() - start, thrown };
}
