/**
 * The worker rings the doorbell for an answer as its last step before it waits for the next
 * request (server.ts, `deliver`): by the time a caller sees the ring, the worker already says it
 * is parked (or polling). On one core the ring hands the core to the caller at once; rung any
 * earlier, the caller would find the worker "in its loop" and have to wake it for the next call
 * through its port — a message and an extra event-loop turn on every call.
 *
 * Observed from a caller that busy-waits on the doorbell (on another core) and reads the worker's
 * state the moment the ring arrives.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { WorkerState } from '../../src/bridge/channel/shared-lane.js';
import { releaseWorker, spawnWorker, type Link } from '../../src/bridge/channel/worker-link.js';
import { WAKE, type WorkerMessage } from '../../src/bridge/protocol.js';
import { fixtureUrl } from './support.js';

const CALLS = 2_000;
let link: Link;

/** Spins until the doorbell moves past `rung` (bounded), then returns the worker's state at once. */
function stateAtRing(rung: number): WorkerState {
  const until = performance.now() + 5_000;
  while (link.lane.rung() === rung) {
    if (performance.now() > until) throw new Error('no ring within 5 s');
  }
  return link.lane.workerState();
}

beforeAll(() => {
  link = spawnWorker(
    new URL(inject('bridgeWorkerUrl')),
    {
      workerUrl: () => new URL(inject('bridgeWorkerUrl')),
      serviceUrl: fixtureUrl('test-service.mjs'),
      startTimeoutMs: 15_000,
      pingTimeoutMs: 1_000,
      spinMicros: 0,
      pollMicros: 0, // the one-core strategy: the worker parks at once after each answer
    },
    1,
  );
  const until = performance.now() + 15_000;
  for (;;) {
    const entry = receiveMessageOnPort(link.port);
    if ((entry?.message as WorkerMessage | undefined)?.kind === 'ready') return;
    if (performance.now() > until) throw new Error('the worker did not start');
  }
});

afterAll(() => releaseWorker(link));

test('when a caller sees an answer rung, the worker already waits for the next request', () => {
  const states = new Map<WorkerState, number>();
  for (let id = 1; id <= CALLS; id++) {
    const rung = link.lane.rung();
    expect(link.lane.tryWriteRequest(id, 'echo', [id])).toBe(true);
    link.lane.countRequest();
    if (link.lane.wakeWorker()) link.requests.postMessage(WAKE);
    const state = stateAtRing(rung);
    states.set(state, (states.get(state) ?? 0) + 1);
    expect(link.lane.takeReply()).toEqual({ id, value: id });
  }
  // (a caller descheduled for a whole park slice may see the worker between two slices: allow a few)
  expect(states.get(WorkerState.Loop) ?? 0).toBeLessThan(CALLS / 10);
});
