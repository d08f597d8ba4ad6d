/**
 * The worker's serving loop: runs each call's handler, answers on the private port, rings the
 * doorbell. Also makes the worker announce its own death, because the blocked caller cannot
 * observe it any other way.
 */
import { parentPort } from 'node:worker_threads';
import { GuardBridgeError, GuardBridgeSerializationError } from '../../core/errors.js';
import { encodeThrown } from '../codec/error-codec.js';
import { ring } from '../channel/doorbell.js';
import {
  PING_OP,
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
  if (parentPort === null) throw new Error('the sync bridge server must run in a worker thread');
  const bell = new Int32Array(data.doorbell);
  const send = (message: WorkerMessage): void => {
    data.port.postMessage(message);
    if (data.ringJitterUs) busyWait(Math.random() * data.ringJitterUs);
    ring(bell);
  };
  announceDeath(send);
  const inFlight = new Map<number, AbortController>();
  parentPort.on('message', (request: Request) => {
    if (request.kind === 'cancel') inFlight.get(request.id)?.abort();
    else void answer(service, request, inFlight, send);
  });
  send({ kind: 'ready' });
}

async function answer(
  service: BridgeService,
  request: CallRequest,
  inFlight: Map<number, AbortController>,
  send: (message: WorkerMessage) => void,
): Promise<void> {
  const { id, op } = request;
  const controller = new AbortController();
  inFlight.set(id, controller);
  let reply: WorkerMessage;
  try {
    const value = await run(service, request, controller.signal);
    reply = { kind: 'reply', id, ok: true, value };
  } catch (error) {
    reply = { kind: 'reply', id, ok: false, error: encodeThrown(error) };
  } finally {
    inFlight.delete(id);
  }
  if (controller.signal.aborted) return; // the caller gave up on this call and would drop the answer
  try {
    send(reply);
  } catch (error) {
    // postMessage refused the value before sending anything: say so instead of leaving the caller waiting
    const refused = new GuardBridgeSerializationError(
      `the result of ${op} cannot be copied back to the calling thread: ${error instanceof Error ? error.message : String(error)}`,
      op,
      'result',
    );
    send({ kind: 'reply', id, ok: false, error: encodeThrown(refused) });
  }
}

async function run(service: BridgeService, request: CallRequest, signal: AbortSignal): Promise<unknown> {
  if (request.op === PING_OP) return 'pong';
  if (request.op === SHUTDOWN_OP) {
    await service.shutdown?.();
    return null;
  }
  const handler: BridgeHandler | undefined = Object.prototype.hasOwnProperty.call(service.handlers, request.op)
    ? service.handlers[request.op]
    : undefined;
  if (handler === undefined) throw new GuardBridgeError(`unknown sync bridge operation ${request.op}`, request.op);
  return await handler(request.args, signal);
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
