/**
 * The wire protocol between a caller thread and its bridge worker: two private `MessagePort`s
 * and a `SharedArrayBuffer`. Requests travel on one port; everything the worker says travels on
 * the other, which the caller reads with `receiveMessageOnPort` while blocked, and every message
 * is followed by a ring of the doorbell (an `Int32Array` slot).
 *
 * The doorbell is a counter that only ever grows (wrapping at 2^32 is harmless: waiters compare for
 * equality). A caller reads it *before* draining the port and parks only while it still holds that
 * value, so a ring that belongs to an earlier, timed-out call can wake it early but never make it
 * miss its own reply: it simply drains again. Resetting a flag to 0 instead is the race that
 * synckit, Babel and Miniflare each had to fix.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EncodedThrown } from './codec/error-codec.js';

/** Index of the reply doorbell (worker → caller) in the shared `Int32Array`. */
export const DOORBELL = 0;
/**
 * Index of the request counter (caller → worker). The worker never parks on it (it waits in its
 * event loop); it only polls it for a short while after answering, to pick up the next call of a
 * tight sync loop without an OS wake-up.
 */
export const REQUEST_BELL = 1;
/** Size of the shared buffer, in 32-bit slots. */
export const DOORBELL_SLOTS = 2;

/** Operation names the worker's own server answers, whatever service it loaded. */
export const PING_OP = '__ping';
export const SHUTDOWN_OP = '__shutdown';

/** What the caller hands the worker at start-up (`workerData`). */
export interface BridgeWorkerData {
  /** The port the worker answers on. */
  readonly port: MessagePort;
  /** The port the caller sends requests on. */
  readonly requests: MessagePort;
  /** How long the worker polls for the next request after answering, in microseconds (0 = never). */
  readonly pollMicros: number;
  /** The doorbell's shared memory. */
  readonly doorbell: SharedArrayBuffer;
  /** Module whose `handlers` the worker serves; the built-in Redis/HTTP service when absent. */
  readonly serviceUrl?: string;
  /** Test hook: busy-wait up to this many microseconds between posting and ringing (stale-notify stress). */
  readonly ringJitterUs?: number;
}

/** Caller → worker (on `requests`, followed by a bump of {@link REQUEST_BELL}): run `op` with `args`. */
export interface CallRequest {
  readonly kind: 'call';
  readonly id: number;
  readonly op: string;
  readonly args: readonly unknown[];
}

/** Caller → worker: the caller gave up on call `id`; abort it and do not answer. */
export interface CancelRequest {
  readonly kind: 'cancel';
  readonly id: number;
}

export type Request = CallRequest | CancelRequest;

/** Worker → caller: the service loaded and the worker serves calls. */
export interface ReadyMessage {
  readonly kind: 'ready';
}

/**
 * Worker → caller: a module could not be loaded. Plain text, because the bootstrap that sends it
 * must not depend on the modules that just failed (the codec among them).
 */
export interface LoadFailedMessage {
  readonly kind: 'load-failed';
  readonly description: string;
}

/** Worker → caller: the outcome of call `id`. */
export type ReplyMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: EncodedThrown };

/**
 * Worker → caller, its last words: it is about to exit (`process.exit`, an uncaught exception).
 * A blocked caller cannot see the Worker's `'exit'` event, so the worker says it itself.
 */
export interface DiedMessage {
  readonly kind: 'died';
  readonly exitCode: number | null;
  readonly error: EncodedThrown | null;
}

export type WorkerMessage = ReadyMessage | LoadFailedMessage | ReplyMessage | DiedMessage;

/** One operation a worker service offers. `signal` fires when the caller gave up on the call. */
export type BridgeHandler = (args: readonly unknown[], signal: AbortSignal) => unknown;

/** What a service module exports (the built-in one, or a test's). */
export interface BridgeService {
  readonly handlers: Readonly<Record<string, BridgeHandler>>;
  /** Called on an orderly shutdown (`closeSyncBridge`) before the worker is terminated. */
  readonly shutdown?: () => Promise<void>;
}
