/**
 * The caller's side of the bridge: one worker thread, started on first use, and blocking calls
 * to it. The caller publishes a request, then waits on the doorbell and reads the reply from the
 * shared slot or its private port (`receiveMessageOnPort`), so it never needs its own event loop
 * to turn.
 *
 * Nothing here may hang: start-up has a deadline and a readiness signal, every call has a
 * deadline, a dying worker announces itself (a blocked thread cannot see the Worker's `'exit'`
 * event), and a worker that stops answering is detected by a ping after a timeout and replaced.
 */
import { receiveMessageOnPort, type ResourceLimits } from 'node:worker_threads';
import {
  GuardBridgeClosedError,
  GuardBridgeCrashError,
  GuardBridgeSerializationError,
  GuardBridgeStartError,
  GuardBridgeTimeoutError,
} from '../../core/errors.js';
import { decodeThrown } from '../codec/error-codec.js';
import {
  PING_OP,
  SHUTDOWN_OP,
  WAKE,
  type DiedMessage,
  type ReplyMessage,
  type Request,
  type WorkerMessage,
} from '../protocol.js';
import { SpinPolicy } from './spin-budget.js';
import { releaseWorker, spawnWorker, type Link } from './worker-link.js';

/** How a {@link SyncChannel} starts and watches its worker. */
export interface SyncChannelOptions {
  /** Finds the worker entry (a built JS file); called when a worker starts. Throws `GuardBridgeStartError`. */
  readonly workerUrl: () => URL;
  /** Called before each worker starts (the runtime measures the usable cores then). */
  readonly beforeStart?: () => void;
  /** A module exporting `handlers` to serve instead of the built-in Redis/HTTP service (tests). */
  readonly serviceUrl?: string;
  /** Deadline for the worker to load and signal readiness. */
  readonly startTimeoutMs: number;
  /** After a timed-out call, how long the worker has to answer a ping before it is replaced. */
  readonly pingTimeoutMs: number;
  /** Longest spin before parking, in microseconds (0 = always park at once); adapted per wait. Read on every call. */
  readonly spinMicros: number;
  /** Longest the worker polls for the next request after answering, in microseconds (0 = never); adapted. Read on every call. */
  readonly pollMicros: number;
  /** Heap limits of the worker (tests use them to provoke an out-of-memory death). */
  readonly resourceLimits?: ResourceLimits;
  /** Test hook, see `BridgeWorkerData.ringJitterUs`. */
  readonly ringJitterUs?: number;
}

/** How long an orderly shutdown may take before the worker is simply terminated. */
const SHUTDOWN_TIMEOUT_MS = 2000;

/** A blocking request/reply channel to one worker thread at a time. */
export class SyncChannel {
  private link: Link | null = null;
  private nextId = 1;
  private generations = 0;
  private closed = false;
  private startedFile: string | null = null;
  /** One spin policy per operation: a no-op and a Redis round trip wait very differently. */
  private policies = new Map<string, SpinPolicy>();

  constructor(private readonly options: SyncChannelOptions) {}

  /**
   * Identifies the live worker: it changes each time a fresh worker starts (0 when none runs).
   * Callers holding worker-side state (a Redis connection) re-create it when it changed.
   */
  get generation(): number {
    const link = this.link;
    if (link === null || link.dead) return 0;
    // A death notice may wait in the port (a script that never yields never runs the 'exit'
    // handler): read it first, or a caller keeps a handle the next worker does not know.
    this.sweep(link);
    return link.dead ? 0 : link.generation;
  }

  /** True after {@link close}. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs `op(...args)` in the worker and returns its result, or throws what it threw (rebuilt
   * as the same class). Throws `GuardBridgeSerializationError` (arguments not cloneable, nothing
   * sent), `GuardBridgeTimeoutError`, `GuardBridgeCrashError`, `GuardBridgeStartError` or
   * `GuardBridgeClosedError`.
   */
  call(op: string, args: readonly unknown[], timeoutMs: number): unknown {
    if (this.closed) throw new GuardBridgeClosedError(`the sync bridge is closed; ${op} was not run`, op);
    const link = this.live();
    link.lane.setPollMicros(this.options.pollMicros);
    const id = this.post(link, op, args);
    const posted = performance.now();
    const policy = this.policyFor(op);
    const reply = this.waitFor(link, id, timeoutMs, policy);
    if (reply === null) return this.timedOut(link, id, op, timeoutMs);
    policy.record((performance.now() - posted) * 1000);
    if (reply.kind === 'died') throw this.crashed(link, op, reply);
    if (reply.ok) return reply.value;
    throw decodeThrown(reply.error, callerFrames());
  }

  /**
   * Shuts the worker down (its service closes its connections first, within a short deadline)
   * and refuses every later call. Idempotent; never throws.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const link = this.link;
    this.link = null;
    if (link === null) return;
    if (!link.dead) {
      try {
        const id = this.post(link, SHUTDOWN_OP, []);
        this.waitFor(link, id, SHUTDOWN_TIMEOUT_MS);
      } catch {
        // best effort: the worker is terminated below either way
      }
    }
    this.discard(link);
  }

  /** The current worker, after sweeping what it said between calls; a fresh one when it died. */
  private live(): Link {
    const current = this.link;
    if (current !== null && !current.dead) {
      this.sweep(current);
      if (!current.dead) return current;
    }
    if (current !== null) this.discard(current);
    this.link = this.start();
    return this.link;
  }

  /** The `href` of the worker file last started, `null` before the first start. */
  get workerFile(): string | null {
    return this.startedFile;
  }

  private start(): Link {
    this.options.beforeStart?.();
    const url = this.options.workerUrl();
    this.startedFile = url.href;
    const link = spawnWorker(url, this.options, ++this.generations);
    this.policies = new Map(); // a new worker, a new machine state to learn
    this.awaitReady(link, url);
    return link;
  }

  private awaitReady(link: Link, url: URL): void {
    const timeoutMs = this.options.startTimeoutMs;
    // Start-up takes tens of milliseconds: no point spinning through it.
    const first = this.receive(link, (m) => m.kind === 'ready' || m.kind === 'load-failed', timeoutMs, null);
    if (first !== null && first.kind === 'ready') return;
    this.discard(link);
    if (first === null) {
      throw new GuardBridgeStartError(`the sync bridge worker ${url.href} did not become ready within ${timeoutMs} ms`);
    }
    if (first.kind === 'load-failed') {
      throw new GuardBridgeStartError(`the sync bridge worker ${url.href} failed to load: ${first.description}`);
    }
    const cause = first.kind === 'died' && first.error ? decodeThrown(first.error) : undefined;
    throw new GuardBridgeStartError(`the sync bridge worker ${url.href} exited during start-up`, null, { cause });
  }

  /** Sends a call; the id is spent only when it was sent, so a refused argument changes nothing. */
  private post(link: Link, op: string, args: readonly unknown[]): number {
    const id = this.nextId;
    try {
      this.send(link, { kind: 'call', id, op, args });
    } catch (error) {
      throw new GuardBridgeSerializationError(
        `an argument of ${op} cannot be copied to the sync bridge worker: ${messageOf(error)}`,
        op,
        'argument',
        { cause: error },
      );
    }
    this.nextId = id + 1;
    return id;
  }

  /**
   * Publishes a request: into the shared slot when it fits (waking the worker through its port
   * only if it is not polling), else on the port, whose structured clone throws for values that
   * cannot be copied — before anything was sent.
   */
  private send(link: Link, request: Request): void {
    const { lane } = link;
    if (request.kind === 'call' && lane.tryWriteRequest(request.id, request.op, request.args)) {
      lane.countRequest();
      if (lane.wakeWorker()) link.requests.postMessage(WAKE);
      return;
    }
    link.requests.postMessage(request);
    lane.countPortRequest();
    lane.countRequest();
    lane.wakeWorker(); // a parked worker reads its port when woken; one in its event loop gets the message itself
  }

  /** The reply to call `id` (or the worker's death notice), or null at the deadline. */
  private waitFor(
    link: Link,
    id: number,
    timeoutMs: number,
    policy: SpinPolicy | null = null,
  ): ReplyMessage | DiedMessage | null {
    const message = this.receive(link, (m) => m.kind === 'reply' && m.id === id, timeoutMs, policy);
    return message as ReplyMessage | DiedMessage | null;
  }

  /**
   * Blocks until a message satisfying `wanted` arrives, the worker announces its death, or the
   * deadline passes. Other messages (late replies to timed-out calls) are dropped.
   */
  private receive(
    link: Link,
    wanted: (m: WorkerMessage) => boolean,
    timeoutMs: number,
    policy: SpinPolicy | null,
  ): WorkerMessage | null {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      // Read the counter before looking: a ring after this read means a message published after
      // it, so the wait below returns at once instead of sleeping past a reply.
      const rung = link.lane.rung();
      const found = this.collectIfRung(link, rung, wanted);
      if (found !== null) return found;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return null;
      const spin = policy === null ? 0 : Math.min(policy.budget(), remaining * 1000);
      if (spin > 0 && link.lane.spinForRing(rung, spin)) continue;
      link.lane.waitForRing(rung, remaining);
    }
  }

  /**
   * {@link collect}, skipped when the doorbell has not rung since the last look: every message
   * the worker publishes, in either lane, is followed by a ring. This keeps the port reads
   * (`receiveMessageOnPort` is a native call) off the path of a call answered in the shared slot,
   * which matters most on one core, where the worker waits for the caller to block.
   */
  private collectIfRung(link: Link, rung: number, wanted: (m: WorkerMessage) => boolean): WorkerMessage | null {
    if (rung === link.collectedAt) return null;
    link.collectedAt = rung;
    return this.collect(link, wanted);
  }

  /** Everything published so far, in both lanes; the wanted message or a death notice, else null. */
  private collect(link: Link, wanted: (m: WorkerMessage) => boolean): WorkerMessage | null {
    const shared = link.lane.takeReply();
    if (shared !== null) {
      const message: ReplyMessage = { kind: 'reply', id: shared.id, ok: true, value: shared.value };
      if (wanted(message)) return message;
    }
    for (let entry = receiveMessageOnPort(link.port); entry; entry = receiveMessageOnPort(link.port)) {
      const message = entry.message as WorkerMessage;
      if (message.kind === 'died') {
        link.dead = true;
        return message;
      }
      if (wanted(message)) {
        link.collectedAt = Number.NaN; // more may wait behind it (a death notice): look again next time
        return message;
      }
    }
    return null;
  }

  private policyFor(op: string): SpinPolicy {
    let policy = this.policies.get(op);
    const spinMicros = this.options.spinMicros;
    if (policy === undefined || policy.maxMicros !== spinMicros) {
      // (a changed setting starts the policy over)
      policy = new SpinPolicy(spinMicros);
      this.policies.set(op, policy);
    }
    return policy;
  }

  /** Drops what arrived between calls (late replies); notices a death announced meanwhile. */
  private sweep(link: Link): void {
    this.collectIfRung(link, link.lane.rung(), () => false);
  }

  private timedOut(link: Link, id: number, op: string, timeoutMs: number): never {
    try {
      this.send(link, { kind: 'cancel', id });
    } catch {
      // the worker is gone; the ping below settles it
    }
    const alive = this.ping(link);
    if (!alive) this.discard(link);
    const verdict = alive
      ? 'the worker is alive and keeps serving'
      : 'the worker did not answer a ping either (crashed or wedged) and will be replaced';
    throw new GuardBridgeTimeoutError(
      `sync bridge call ${op} got no answer within ${timeoutMs} ms; ${verdict}. A server that runs on the ` +
        'calling thread cannot answer while that thread is blocked in a sync call.',
      op,
      timeoutMs,
    );
  }

  private ping(link: Link): boolean {
    if (link.dead) return false;
    const id = this.post(link, PING_OP, []);
    const reply = this.waitFor(link, id, this.options.pingTimeoutMs);
    return reply !== null && reply.kind === 'reply';
  }

  private crashed(link: Link, op: string, notice: DiedMessage): GuardBridgeCrashError {
    this.discard(link);
    const cause = notice.error ? decodeThrown(notice.error) : undefined;
    const how = notice.error ? `an uncaught exception: ${messageOf(cause)}` : `process.exit(${notice.exitCode ?? ''})`;
    return new GuardBridgeCrashError(
      `the sync bridge worker died during ${op} (${how}); the next call starts a fresh worker`,
      op,
      notice.exitCode,
      notice.error ? { cause } : undefined,
    );
  }

  private discard(link: Link): void {
    if (this.link === link) this.link = null;
    releaseWorker(link);
  }
}

/** The calling thread's frames, appended to a rebuilt error's stack (which holds the worker's). */
function callerFrames(): string {
  const holder: { stack?: string } = {};
  // eslint-disable-next-line @typescript-eslint/unbound-method -- a stack-frame boundary, never called
  Error.captureStackTrace(holder, SyncChannel.prototype.call);
  const frames = (holder.stack ?? '').split('\n').slice(1).join('\n');
  return `    at (guard-core sync bridge: the call was made from)\n${frames}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
