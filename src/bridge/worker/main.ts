/**
 * The bridge worker's entry (built to `dist/bridge-worker.js`). Deliberately tiny: it loads the
 * real modules inside try/catch and reports a failure through the doorbell, so a broken install
 * fails the first sync call at once with `GuardBridgeStartError` instead of leaving it blocked
 * (a blocked caller never sees the Worker's `'error'` event).
 */
import { workerData } from 'node:worker_threads';
import type { BridgeService, BridgeWorkerData, LoadFailedMessage } from '../protocol.js';

const data = workerData as BridgeWorkerData;

async function boot(): Promise<void> {
  try {
    const { serve } = await import('./server.js');
    const service = (data.serviceUrl ? await import(data.serviceUrl) : await import('./service.js')) as BridgeService;
    serve(service, data);
  } catch (error) {
    const message: LoadFailedMessage = {
      kind: 'load-failed',
      description: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
    data.port.postMessage(message);
    // Slot 0 of the shared memory is the doorbell (channel/shared-lane.ts), rung by hand here so
    // that this file needs none of the modules that may just have failed to load.
    const bell = new Int32Array(data.memory, 0, 1);
    Atomics.add(bell, 0, 1);
    Atomics.notify(bell, 0);
  }
}

void boot();
