/**
 * Starting and releasing one bridge worker, with its ports and shared memory.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { GuardBridgeStartError } from '../../core/errors.js';
import type { BridgeWorkerData } from '../protocol.js';
import { SharedLane } from './shared-lane.js';
import type { SyncChannelOptions } from './sync-channel.js';

/** A running worker and the means to talk to it. */
export interface Link {
  readonly worker: Worker;
  /** Replies that do not fit the shared slot arrive here. */
  readonly port: MessagePort;
  /** Requests that do not fit the shared slot, and wake-ups, leave from here. */
  readonly requests: MessagePort;
  readonly lane: SharedLane;
  readonly generation: number;
  /** Set once the worker is known to be gone (its death notice, an `'exit'` event, a failed ping). */
  dead: boolean;
  /** The doorbell count when the caller last collected what was published (NaN: never). */
  collectedAt: number;
}

/** Starts a worker on `url`; readiness is the caller's to await. Throws `GuardBridgeStartError`. */
export function spawnWorker(url: URL, options: SyncChannelOptions, generation: number): Link {
  const replies = new MessageChannel();
  const requests = new MessageChannel();
  const lane = SharedLane.allocate();
  lane.setPollMicros(options.pollMicros);
  const workerData: BridgeWorkerData = {
    port: replies.port2,
    requests: requests.port2,
    memory: lane.memory,
    ...(options.serviceUrl === undefined ? {} : { serviceUrl: options.serviceUrl }),
    ...(options.ringJitterUs === undefined ? {} : { ringJitterUs: options.ringJitterUs }),
  };
  let worker: Worker;
  try {
    // execArgv [] : a preload (`node -r x`) that uses the sync API must not start workers recursively.
    worker = new Worker(url, {
      workerData,
      transferList: [replies.port2, requests.port2],
      execArgv: [],
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
  } catch (error) {
    replies.port1.close();
    requests.port1.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new GuardBridgeStartError(`could not start the sync bridge worker ${url.href}: ${reason}`, null, {
      cause: error,
    });
  }
  const link: Link = {
    worker,
    port: replies.port1,
    requests: requests.port1,
    lane,
    generation,
    dead: false,
    collectedAt: Number.NaN,
  };
  worker.unref(); // a script ends when its own work ends, not when the bridge's does
  worker.on('error', () => (link.dead = true)); // handled, so it can never crash the caller's process
  worker.on('exit', () => (link.dead = true));
  return link;
}

/** Terminates the worker (asynchronously; nothing waits for it) and closes the caller's ports. */
export function releaseWorker(link: Link): void {
  link.dead = true;
  link.port.close();
  link.requests.close();
  link.worker.terminate().catch(() => undefined);
}
