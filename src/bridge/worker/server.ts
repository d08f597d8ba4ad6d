/**
 * The worker's serving loop: takes each call (from the shared slot or the request port), runs
 * its handler, publishes the answer (shared slot or reply port) and rings the doorbell. Also makes
 * the worker announce its own death, because the blocked caller cannot observe it otherwise.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { GuardBridgeError, GuardBridgeSerializationError } from '../../core/errors.js';
import { encodeThrown } from '../codec/error-codec.js';
import { SharedLane, WorkerState } from '../channel/shared-lane.js';
import { SpinBudget } from '../channel/spin-budget.js';
import {
  PING_OP,
  SHUTDOWN_OP,
  WAKE,
  type BridgeHandler,
  type BridgeService,
  type BridgeWorkerData,
  type CallContext,
  type CallRequest,
  type Request,
  type WorkerMessage,
} from '../protocol.js';

/** First and longest park slices, in ms (see `BridgeServer.park`). */
const FIRST_SLICE_MS = 2;
const LONGEST_SLICE_MS = 50;

/** Starts serving `service` and tells the caller it is ready. */
export function serve(service: BridgeService, data: BridgeWorkerData): void {
  const server = new BridgeServer(service, data);
  announceDeath((message) => server.publish(message));
  data.requests.on('message', (message: Request | typeof WAKE) => server.onPortMessage(message));
  server.publish({ kind: 'ready' });
  server.idle();
}

class BridgeServer {
  private readonly lane: SharedLane;
  private readonly poll: SpinBudget;
  private readonly inFlight = new Map<number, Call>();
  private parkScheduled = false;
  /** An answer was published without its ring, which the next wait makes (see {@link deliver}). */
  private ringOwed = false;
  /** The request counters when this side last looked (see collectIfCounted). */
  private seenRequests = 0;
  private seenPortRequests = 0;
  private slice = FIRST_SLICE_MS;

  constructor(
    private readonly service: BridgeService,
    private readonly data: BridgeWorkerData,
  ) {
    this.lane = new SharedLane(data.memory);
    this.poll = new SpinBudget(this.lane.pollMicros());
  }

  /** A request or a wake-up arrived on the port; a request in the shared slot always goes first (it was sent first). */
  onPortMessage(message: Request | typeof WAKE): void {
    this.takeShared();
    if (message !== WAKE) this.dispatch(message);
    if (this.inFlight.size === 0) this.scheduleParking();
  }

  /** Posts `message` on the reply port and rings. */
  publish(message: WorkerMessage): void {
    this.data.port.postMessage(message);
    this.ring();
  }

  private ring(): void {
    this.ringOwed = false;
    if (this.data.ringJitterUs) busyWait(Math.random() * this.data.ringJitterUs);
    this.lane.ring();
  }

  /** Rings now if an answer is waiting for its ring. */
  private payRing(): void {
    if (this.ringOwed) this.ring();
  }

  private takeShared(): boolean {
    const shared = this.lane.takeRequest();
    if (shared === null) return false;
    this.dispatch({ kind: 'call', id: shared.id, op: shared.op, args: shared.args });
    return true;
  }

  private dispatch(request: Request): void {
    if (request.kind === 'cancel') this.inFlight.get(request.id)?.cancel();
    else void this.answer(request);
  }

  private async answer(request: CallRequest): Promise<void> {
    const { id, op } = request;
    const call = new Call();
    this.inFlight.set(id, call);
    let value: unknown;
    let failure: WorkerMessage | null = null;
    try {
      value = await this.run(request, call);
    } catch (error) {
      failure = { kind: 'reply', id, ok: false, error: encodeThrown(error) };
    } finally {
      this.inFlight.delete(id);
    }
    if (!call.cancelled) {
      // (a cancelled call's caller gave up and would drop the answer)
      if (failure !== null) this.deliver(failure);
      else this.reply(id, op, value);
    }
    this.idle();
  }

  /**
   * Publishes an answer without ringing: the ring is owed, and paid by {@link idle} as late as
   * possible — after the worker said how it waits for the next request. On one core the ring
   * hands the core to the woken caller at once; rung earlier, the caller would find this thread
   * still "in its loop", wake it through its port for the next call (a message, an extra event
   * loop turn) and wait for it to get back to parking. Rung last, the caller finds it parked and
   * wakes it with a futex.
   */
  private deliver(message: WorkerMessage): void {
    this.data.port.postMessage(message);
    this.ringOwed = true;
  }

  /**
   * With nothing in flight, waits for the next request: first by polling (when the budget
   * allows), then parked in `Atomics.wait`. In flight, the event loop is where the work is.
   */
  idle(): void {
    if (this.inFlight.size > 0) return this.payRing();
    if (this.pollForNext()) return;
    // Parking right here, not after another event-loop turn: on a single core the caller just
    // woken usually runs only once this thread blocks, so every step before the park is paid by
    // the call. Sockets are read at the latest when the park slice ends (see park()).
    this.park();
  }

  /**
   * Parks after one more turn of the event loop (`setImmediate`), so that I/O that became ready
   * meanwhile — a subscription's message, a socket that closed — is read before the thread
   * blocks again (after a park slice ended, or a message that started no call).
   */
  private scheduleParking(): void {
    if (this.parkScheduled) return;
    this.parkScheduled = true;
    setImmediate(() => {
      this.parkScheduled = false;
      this.park();
    });
  }

  /**
   * Why park at all, rather than wait in the event loop for a wake-up message on the request port:
   * that wake-up goes through libuv (`uv_async_send`, an eventfd, epoll, then MessagePort
   * dispatch) and costs several microseconds more than the futex wake of `Atomics.notify` —
   * on every call, when busy-waiting is off (one usable core).
   *
   * A blocked thread runs no timers and reads no sockets, so each park is bounded by a slice
   * (2 ms, doubling while idle up to 50 ms) after which the event loop turns once more; requests
   * never wait for the slice (they wake the thread). Handlers that report what arrived between
   * calls (`redis.drain`) let the event loop turn once before answering. A park may run inside
   * the continuation of the call just answered (see idle()); it only happens with nothing in
   * flight, and a request it wakes for is dispatched from there like from the event loop. Ordering with the
   * caller's {@link SharedLane.wakeWorker}: the state is published before the counter is read, so
   * either the caller sees "parked" and notifies, or this side sees its request.
   */
  private park(): void {
    if (this.inFlight.size > 0) return this.payRing();
    this.lane.setWorkerState(WorkerState.Parked);
    this.payRing();
    let queued = this.collectIfCounted();
    if (queued.length === 0 && this.lane.parkForRequest(this.seenRequests, this.slice))
      queued = this.collectIfCounted();
    this.lane.setWorkerState(WorkerState.Loop);
    if (queued.length === 0) {
      this.slice = Math.min(LONGEST_SLICE_MS, this.slice * 2);
      this.scheduleParking();
      return;
    }
    this.slice = FIRST_SLICE_MS;
    this.dispatchAll(queued);
  }

  private reply(id: number, op: string, value: unknown): void {
    if (this.lane.tryWriteReply(id, value)) {
      this.ringOwed = true;
      return;
    }
    try {
      this.deliver({ kind: 'reply', id, ok: true, value });
    } catch (error) {
      // postMessage refused the value before sending anything: say so instead of leaving the caller waiting
      const refused = new GuardBridgeSerializationError(
        `the result of ${op} cannot be copied back to the calling thread: ${error instanceof Error ? error.message : String(error)}`,
        op,
        'result',
      );
      this.publish({ kind: 'reply', id, ok: false, error: encodeThrown(refused) });
    }
  }

  private async run(request: CallRequest, context: CallContext): Promise<unknown> {
    if (request.op === PING_OP) return 'pong';
    if (request.op === SHUTDOWN_OP) {
      await this.service.shutdown?.();
      return null;
    }
    const handlers = this.service.handlers;
    const handler: BridgeHandler | undefined = Object.prototype.hasOwnProperty.call(handlers, request.op)
      ? handlers[request.op]
      : undefined;
    if (handler === undefined) throw new GuardBridgeError(`unknown sync bridge operation ${request.op}`, request.op);
    return await handler(request.args, context);
  }

  /**
   * A blocked caller usually sends its next call a few microseconds after getting an answer (a
   * loop of sync calls). Waking this thread for it costs an OS wake-up, often more than the call
   * itself; polling the request counter briefly avoids that (the budget adapts, see
   * `spin-budget.ts`, and is 0 when the process has fewer than two usable cores: a poll would
   * only keep the caller off its core). Nothing is in flight while this spins, so it delays no
   * other call. True when a request was taken.
   *
   * The caller skips the wake-up while the state says "polling". Publishing the state and then
   * looking at the slot (the caller: filling the slot, then reading the state) guarantees that
   * one of the two sides sees the other, so no request is left asleep.
   */
  private pollForNext(): boolean {
    this.poll.setMax(this.lane.pollMicros());
    const budget = this.poll.next();
    if (budget <= 0) return false; // park() looks at what is queued
    this.lane.setWorkerState(WorkerState.Polling);
    this.payRing();
    let queued = this.collectIfCounted();
    const arrived = queued.length > 0 || this.lane.spinForRequest(this.seenRequests, budget);
    this.lane.setWorkerState(WorkerState.Loop);
    if (arrived) this.poll.hit();
    else this.poll.miss();
    if (queued.length === 0) queued = this.collectIfCounted();
    return this.dispatchAll(queued);
  }

  /**
   * Dispatches `queued`; true when something was taken. When nothing is in flight afterwards (the
   * messages were stale wake-ups or cancellations), parks again: the end of a call would have.
   */
  private dispatchAll(queued: readonly (Request | typeof WAKE)[]): boolean {
    for (const message of queued) {
      if (message === WAKE) this.takeShared();
      else this.dispatch(message);
    }
    if (queued.length > 0 && this.inFlight.size === 0) this.scheduleParking();
    return queued.length > 0;
  }

  /**
   * Takes (without running) what is waiting: the shared slot first (it was sent first), then the
   * port. Both are skipped when the request counter has not moved since the last look, and the
   * port (a native `receiveMessageOnPort` per read) when no request was posted on it: on one
   * core the caller runs only once this thread blocks, so each step here delays the answer.
   */
  private collectIfCounted(): (Request | typeof WAKE)[] {
    const count = this.lane.requestCount();
    if (count === this.seenRequests) return [];
    this.seenRequests = count;
    const queued: (Request | typeof WAKE)[] = [];
    const shared = this.lane.takeRequest();
    if (shared !== null) queued.push({ kind: 'call', id: shared.id, op: shared.op, args: shared.args });
    const posted = this.lane.portRequestCount();
    if (posted !== this.seenPortRequests) {
      this.seenPortRequests = posted;
      const port = this.data.requests;
      for (let entry = receiveMessageOnPort(port); entry; entry = receiveMessageOnPort(port)) {
        queued.push(entry.message as Request | typeof WAKE);
      }
    }
    return queued;
  }
}

/** A call in flight, as its handler sees it. */
class Call implements CallContext {
  cancelled = false;
  private listeners: (() => void)[] | null = null;

  onCancel(listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const listener of this.listeners ?? []) listener();
  }
}

/**
 * `process.exit()` and uncaught exceptions (including unhandled rejections) end the worker; both
 * first post a death notice so a blocked caller fails at once instead of at its deadline. An
 * out-of-memory termination runs no JavaScript: the caller's deadline and ping catch that one.
 */
function announceDeath(publish: (message: WorkerMessage) => void): void {
  const exit = process.exit.bind(process);
  const tell = (message: WorkerMessage): void => {
    try {
      publish(message);
    } catch {
      // nothing more can be done from a dying worker
    }
  };
  process.exit = (code?: number | string | null) => {
    tell({ kind: 'died', exitCode: exitCodeOf(code ?? process.exitCode ?? 0), error: null });
    return exit(code);
  };
  process.on('uncaughtException', (error: unknown) => {
    tell({ kind: 'died', exitCode: 1, error: encodeThrown(error) });
    exit(1);
  });
}

function exitCodeOf(code: number | string): number | null {
  const value = Number(code);
  return Number.isInteger(value) ? value : null;
}

function busyWait(micros: number): void {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until);
}
