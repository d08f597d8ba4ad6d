/**
 * The wire protocol between a caller thread and its bridge worker: two private `MessagePort`s
 * and shared memory (`channel/shared-lane.ts`). Requests go either into the shared request slot
 * or, when they do not fit it, on the request port; answers likewise into the reply slot or on
 * the reply port, which the caller reads with `receiveMessageOnPort` while blocked. Every message
 * from the worker is followed by a ring of the doorbell.
 *
 * The doorbell is a counter that only ever grows (wrapping at 2^32 is harmless: waiters compare for
 * equality). A caller reads it *before* looking for its reply and parks only while it still holds
 * that value, so a ring that belongs to an earlier, timed-out call can wake it early but never make
 * it miss its own reply: it simply looks again. Resetting a flag to 0 instead is the race that
 * synckit, Babel and Miniflare each had to fix. Every call carries an id; an answer to another id
 * (a late one, after a timeout) is dropped.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EncodedThrown } from './codec/error-codec.js';

/**
 * Version of everything two copies of guard-core in one process share through `globalThis`
 * (`runtime.ts`): this wire protocol and shared-memory layout, the worker's operations, the
 * settings record and the `SyncChannel` surface the sync seams use. The CommonJS and ESM builds
 * of one package version always agree; two package versions share one bridge only while this
 * number is the same, so it must be raised with any change to those.
 */
export const BRIDGE_PROTOCOL = 1;

/** Operation names the worker's own server answers, whatever service it loaded. */
export const PING_OP = '__ping';
export const SHUTDOWN_OP = '__shutdown';

/** What the caller posts on the request port to wake a sleeping worker for a request in the shared slot. */
export const WAKE = null;

/** What the caller hands the worker at start-up (`workerData`). */
export interface BridgeWorkerData {
  /** The port the worker answers on (what does not fit the reply slot). */
  readonly port: MessagePort;
  /** The port requests arrive on (wake-ups, and what does not fit the request slot). */
  readonly requests: MessagePort;
  /** The shared memory (doorbells and slots). */
  readonly memory: SharedArrayBuffer;
  /** Module whose `handlers` the worker serves; the built-in Redis/HTTP service when absent. */
  readonly serviceUrl?: string;
  /** Test hook: busy-wait up to this many microseconds between publishing and ringing (stale-notify stress). */
  readonly ringJitterUs?: number;
}

/** Caller → worker: run `op` with `args`. */
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

/**
 * Tells a handler that its caller gave up (timed out). A plain object rather than an
 * `AbortSignal`: an AbortController per call is an EventTarget on every round trip of the hot
 * path, while cancellation is rare and no handler of the built-in service needs a real signal.
 */
export interface CallContext {
  /** True once the caller gave up on this call. */
  readonly cancelled: boolean;
  /** Runs `listener` when the caller gives up (never, for a call that completes in time). */
  onCancel(listener: () => void): void;
}

/** One operation a worker service offers. */
export type BridgeHandler = (args: readonly unknown[], context: CallContext) => unknown;

/** What a service module exports (the built-in one, or a test's). */
export interface BridgeService {
  readonly handlers: Readonly<Record<string, BridgeHandler>>;
  /** Called on an orderly shutdown (`closeSyncBridge`) before the worker is terminated. */
  readonly shutdown?: () => Promise<void>;
}
