/**
 * The worker's serving loop: runs each call's handler, answers on the private port, rings the
 * doorbell. Also makes the worker announce its own death, because the blocked caller cannot
 * observe it any other way.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { GuardBridgeError, GuardBridgeSerializationError } from '../../core/errors.js';
import { encodeThrown } from '../codec/error-codec.js';
import { ring } from '../channel/doorbell.js';
import {
  PING_OP,
  REQUEST_BELL,
  SHUTDOWN_OP,
  type BridgeHandler,
  type BridgeService,
  type BridgeWorkerData,
  type CallRequest,
  type Request,
  type WorkerMessage,
} from '../protocol.js';

/** Starts serving `service` and tells the caller it is ready. */
export function serve(service: BridgeService, data: BridgeWorkerData): void {
  const server = new BridgeServer(service, data);
  announceDeath((message) => server.send(message));
  data.requests.on('message', (request: Request) => server.dispatch(request));
  server.send({ kind: 'ready' });
}

class BridgeServer {
  private readonly bell: Int32Array;
  private readonly inFlight = new Map<number, AbortController>();

  constructor(
    private readonly service: BridgeService,
    private readonly data: BridgeWorkerData,
  ) {
    this.bell = new Int32Array(data.doorbell);
  }

  dispatch(request: Request): void {
    if (request.kind === 'cancel') this.inFlight.get(request.id)?.abort();
    else void this.answer(request);
  }

  send(message: WorkerMessage): void {
    this.data.port.postMessage(message);
    if (this.data.ringJitterUs) busyWait(Math.random() * this.data.ringJitterUs);
    ring(this.bell);
  }

  private async answer(request: CallRequest): Promise<void> {
    const { id, op } = request;
    const controller = new AbortController();
    this.inFlight.set(id, controller);
    let reply: WorkerMessage;
    try {
      const value = await this.run(request, controller.signal);
      reply = { kind: 'reply', id, ok: true, value };
    } catch (error) {
      reply = { kind: 'reply', id, ok: false, error: encodeThrown(error) };
    } finally {
      this.inFlight.delete(id);
    }
    if (controller.signal.aborted) return; // the caller gave up on this call and would drop the answer
    try {
      this.send(reply);
    } catch (error) {
      // postMessage refused the value before sending anything: say so instead of leaving the caller waiting
      const refused = new GuardBridgeSerializationError(
        `the result of ${op} cannot be copied back to the calling thread: ${error instanceof Error ? error.message : String(error)}`,
        op,
        'result',
      );
      this.send({ kind: 'reply', id, ok: false, error: encodeThrown(refused) });
    }
    if (this.inFlight.size === 0) this.pollForNext();
  }

  private async run(request: CallRequest, signal: AbortSignal): Promise<unknown> {
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
    return await handler(request.args, signal);
  }

  /**
   * A blocked caller usually sends its next call a few microseconds after getting an answer (a
   * loop of sync calls). Waking this thread from its event loop for it costs an OS wake-up, often
   * more than the call itself; polling the request counter briefly avoids that. Nothing else is
   * in flight while this spins, so it delays no other work of this worker.
   */
  private pollForNext(): void {
    const budget = this.data.pollMicros;
    if (budget <= 0) return;
    const seen = Atomics.load(this.bell, REQUEST_BELL);
    if (this.takeRequests()) return;
    const until = performance.now() + budget / 1000;
    while (Atomics.load(this.bell, REQUEST_BELL) === seen) {
      if (performance.now() >= until) return;
    }
    this.takeRequests();
  }

  /** Dispatches the requests already queued, without waiting for the event loop to deliver them. */
  private takeRequests(): boolean {
    let took = false;
    for (
      let entry = receiveMessageOnPort(this.data.requests);
      entry;
      entry = receiveMessageOnPort(this.data.requests)
    ) {
      took = true;
      this.dispatch(entry.message as Request);
    }
    return took;
  }
}

/**
 * `process.exit()` and uncaught exceptions (including unhandled rejections) end the worker; both
 * first post a death notice so a blocked caller fails at once instead of at its deadline. An
 * out-of-memory termination runs no JavaScript: the caller's deadline and ping catch that one.
 */
function announceDeath(send: (message: WorkerMessage) => void): void {
  const exit = process.exit.bind(process);
  const tell = (message: WorkerMessage): void => {
    try {
      send(message);
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
