/**
 * The process's (more exactly: this thread's) bridge: one worker, started on the first sync call
 * that needs I/O, shared by every sync RedisManager, store and feed download. The worker is
 * `unref`'d, so a script that simply ends is not kept alive by it; `closeSyncBridge()` shuts it
 * down explicitly (closing its Redis connections first).
 */
import { isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GuardBridgeStartError, GuardInputError } from '../core/errors.js';
import { SyncChannel } from './channel/sync-channel.js';
import { locateWorker } from './channel/locate-worker.js';

/** Settings of the sync bridge; see {@link configureSyncBridge}. */
export interface SyncBridgeOptions {
  /** How long the worker may take to load and signal readiness, in ms (default 10 000). */
  readonly startTimeoutMs?: number;
  /**
   * Added to a call's own timeout (the Redis connect/command timeout, an HTTP request's
   * `timeoutMs`) to get the bridge's deadline, so the worker's own timeout error arrives first
   * (default 1 000 ms).
   */
  readonly graceMs?: number;
  /** After a timed-out call, how long the worker has to answer a health ping before it is replaced (default 1 000 ms). */
  readonly pingTimeoutMs?: number;
  /**
   * Longest time, in microseconds, the caller busy-waits for an answer before it sleeps (default
   * 300; 0 never spins). Waking a sleeping thread costs tens of microseconds on many machines,
   * more than the bridge itself; the spin avoids that when a core is free, at the price of CPU.
   * It adapts per operation: the caller compares sustained windows of spinning and of sleeping on
   * the live workload and keeps spinning only while it is clearly faster (about 6% of calls run in
   * the other mode, to notice a change). Takes effect when the next worker starts.
   */
  readonly spinMicros?: number;
  /**
   * Longest time, in microseconds, the worker keeps polling for the next call after answering one
   * (default 300; 0 never polls), which spares it an OS wake-up in loops of sync calls. The
   * budget halves while polls go unanswered (a script busy between calls) and is probed again now
   * and then, so the CPU it can burn stays bounded. Takes effect when the next worker starts.
   */
  readonly pollMicros?: number;
  /**
   * Location of `bridge-worker.js`, for bundled apps where it is not next to guard-core's own
   * files. Takes effect when the next worker starts.
   */
  readonly workerUrl?: URL | string;
}

interface Settings {
  startTimeoutMs: number;
  graceMs: number;
  pingTimeoutMs: number;
  spinMicros: number;
  pollMicros: number;
  workerUrl: URL | null;
}

const DEFAULTS: Readonly<Settings> = {
  startTimeoutMs: 10_000,
  graceMs: 1_000,
  pingTimeoutMs: 1_000,
  spinMicros: 300,
  pollMicros: 300,
  workerUrl: null,
};

const settings: Settings = { ...DEFAULTS };
let channel: SyncChannel | null = null;

/** The bridge's channel, created on first use. */
export function bridgeChannel(): SyncChannel {
  channel ??= new SyncChannel({
    workerUrl: () => (settings.workerUrl ? requireWorkerFile(settings.workerUrl) : locateWorker()),
    get startTimeoutMs() {
      return settings.startTimeoutMs;
    },
    get pingTimeoutMs() {
      return settings.pingTimeoutMs;
    },
    get spinMicros() {
      return settings.spinMicros;
    },
    get pollMicros() {
      return settings.pollMicros;
    },
  });
  return channel;
}

/** The bridge's margin over a call's own timeout. */
export function bridgeGraceMs(): number {
  return settings.graceMs;
}

/**
 * Changes the sync bridge's timeouts (and, for bundled apps, where its worker file is). Only the
 * given fields change. Throws `GuardInputError` naming the field for a value that is not a
 * non-negative finite number (positive for timeouts).
 */
export function configureSyncBridge(options: SyncBridgeOptions): void {
  const next: Settings = { ...settings };
  if (options.startTimeoutMs !== undefined) next.startTimeoutMs = positive('startTimeoutMs', options.startTimeoutMs);
  if (options.graceMs !== undefined) next.graceMs = nonNegative('graceMs', options.graceMs);
  if (options.pingTimeoutMs !== undefined) next.pingTimeoutMs = positive('pingTimeoutMs', options.pingTimeoutMs);
  if (options.spinMicros !== undefined) next.spinMicros = nonNegative('spinMicros', options.spinMicros);
  if (options.pollMicros !== undefined) next.pollMicros = nonNegative('pollMicros', options.pollMicros);
  if (options.workerUrl !== undefined) next.workerUrl = workerUrlOf(options.workerUrl);
  Object.assign(settings, next);
}

/**
 * Shuts the sync bridge down: its Redis connections are closed (QUIT, bounded) and the worker
 * is terminated. Every sync call that needs I/O afterwards throws (`GuardBridgeClosedError`, or
 * a `GuardRedisError` 503 / `GuardHttpError` whose `cause` is one). Idempotent.
 *
 * Optional: the worker never keeps a process alive. Call it to close connections cleanly,
 * for instance from `process.on('exit')`.
 */
export function closeSyncBridge(): void {
  bridgeChannel().close();
}

function positive(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GuardInputError(field, `expected a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function nonNegative(field: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new GuardInputError(field, `expected a non-negative number, got ${String(value)}`);
  }
  return value;
}

function requireWorkerFile(url: URL): URL {
  if (url.protocol === 'file:' && !existsSync(url)) {
    throw new GuardBridgeStartError(
      `sync bridge worker entry not found: ${fileURLToPath(url)} (set by configureSyncBridge)`,
    );
  }
  return url;
}

function workerUrlOf(value: URL | string): URL {
  if (value instanceof URL) return value;
  if (typeof value === 'string' && value.startsWith('file:')) return new URL(value);
  if (typeof value === 'string' && isAbsolute(value)) return pathToFileURL(value);
  throw new GuardInputError('workerUrl', `expected a file: URL or an absolute path, got ${String(value)}`);
}
