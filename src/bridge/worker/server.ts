/**
 * The worker's serving loop: takes each call (from the shared slot or the request port), runs
 * its handler, publishes the answer (shared slot or reply port) and rings the doorbell. Also makes
 * the worker announce its own death, because the blocked caller cannot observe it otherwise.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { GuardBridgeError, GuardBridgeSerializationError } from '../../core/errors.js';
import { encodeThrown } from '../codec/error-codec.js';
import { SharedLane } from '../channel/shared-lane.js';
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

/** Starts serving `service` and tells the caller it is ready. */
export function serve(service: BridgeService, data: BridgeWorkerData): void {
  const server = new BridgeServer(service, data);
  announceDeath((message) => server.publish(message));
  data.requests.on('message', (message: Request | typeof WAKE) => server.onPortMessage(message));
  server.publish({ kind: 'ready' });
}

class BridgeServer {
  private readonly lane: SharedLane;
  private readonly poll: SpinBudget;
  private readonly inFlight = new Map<number, Call>();

  constructor(
    private readonly service: BridgeService,
    private readonly data: BridgeWorkerData,
  ) {
    this.lane = new SharedLane(data.memory);
    this.poll = new SpinBudget(data.pollMicros);
  }

  /** A request or a wake-up arrived on the port; a request in the shared slot always goes first (it was sent first). */
  onPortMessage(message: Request | typeof WAKE): void {
    this.takeShared();
    if (message !== WAKE) this.dispatch(message);
  }

  /** Posts `message` on the reply port and rings. */
  publish(message: WorkerMessage): void {
    this.data.port.postMessage(message);
    this.ring();
  }

  private ring(): void {
    if (this.data.ringJitterUs) busyWait(Math.random() * this.data.ringJitterUs);
    this.lane.ring();
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
    if (call.cancelled) return; // the caller gave up on this call and would drop the answer
    if (failure !== null) this.publish(failure);
    else this.reply(id, op, value);
    if (this.inFlight.size === 0) this.pollForNext();
  }

  private reply(id: number, op: string, value: unknown): void {
    if (this.lane.tryWriteReply(id, value)) {
      this.ring();
      return;
    }
    try {
      this.publish({ kind: 'reply', id, ok: true, value });
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
   * loop of sync calls). Waking this thread from its event loop for it costs an OS wake-up, often
   * more than the call itself; polling the request counter briefly avoids that (the budget adapts,
   * see `spin-budget.ts`). Nothing is in flight while this spins, so it delays no other call.
   *
   * The caller skips the wake-up message while the polling flag is set. Clearing the flag and
   * then looking at the slot once more (the caller: filling the slot, then reading the flag)
   * guarantees that one of the two sides sees the other, so no request is left asleep.
   */
  private pollForNext(): void {
    const budget = this.poll.next();
    if (budget <= 0) return;
    const seen = this.lane.requestCount();
    this.lane.setPolling(true);
    const arrived = this.takeQueued() || this.lane.spinForRequest(seen, budget);
    this.lane.setPolling(false);
    if (arrived) this.poll.hit();
    else this.poll.miss();
    this.takeQueued();
  }

  /** Dispatches what is already waiting (shared slot, then port), without waiting for the event loop. */
  private takeQueued(): boolean {
    let took = this.takeShared();
    const port = this.data.requests;
    for (let entry = receiveMessageOnPort(port); entry; entry = receiveMessageOnPort(port)) {
      took = true;
      this.onPortMessage(entry.message as Request | typeof WAKE);
    }
    return took;
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
  process.exit = ((code?: number | string | null) => {
    tell({ kind: 'died', exitCode: exitCodeOf(code ?? process.exitCode ?? 0), error: null });
    return exit(code);
  }) as typeof process.exit;
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
