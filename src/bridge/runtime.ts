/**
 * The process's (more exactly: this thread's) bridge: one worker, started on the first sync call
 * that needs I/O, shared by every sync RedisManager, store and feed download. The worker is
 * `unref`'d, so a script that simply ends is not kept alive by it; `closeSyncBridge()` shuts it
 * down explicitly (closing its Redis connections first).
 *
 * One bridge per thread even when guard-core is loaded twice — `require('guard-core/sync')` and
 * `import('guard-core/sync')` load the CommonJS and the ESM build, two copies of this module: the
 * settings and the channel live on `globalThis` under a `Symbol.for` key that carries the bridge
 * protocol version ({@link BRIDGE_PROTOCOL}), so both copies use the first one's worker, and two
 * package versions that could not understand each other's worker never share one.
 */
import { isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GuardBridgeStartError, GuardInputError } from '../core/errors.js';
import { SyncChannel } from './channel/sync-channel.js';
import { locateWorker } from './channel/locate-worker.js';
import { usableCores, type UsableCores } from './channel/usable-cores.js';
import { BRIDGE_PROTOCOL } from './protocol.js';

/** Settings of the sync bridge; see {@link configureSyncBridge}. */
export interface SyncBridgeOptions {
  /** How long the worker may take to load and signal readiness, in ms (default 10 000). Read at each worker start. */
  readonly startTimeoutMs?: number;
  /**
   * Added to a call's own timeout (the Redis connect/command timeout, an HTTP request's
   * `timeoutMs`) to get the bridge's deadline, so the worker's own timeout error arrives first
   * (default 1 000 ms). Read on every call.
   */
  readonly graceMs?: number;
  /** After a timed-out call, how long the worker has to answer a health ping before it is replaced (default 1 000 ms). */
  readonly pingTimeoutMs?: number;
  /**
   * Longest time, in microseconds, the caller busy-waits for an answer before it sleeps (0 never
   * spins). Default `'auto'`: 300 when the process can run on at least two cores at once (CPU
   * affinity and cgroup CPU quota), 0 when it cannot — a spinning caller would then hold the
   * very core the worker needs. Waking a sleeping thread costs tens of microseconds on many
   * machines, more than the bridge itself; the spin avoids that when a core is free, at the price
   * of CPU. It adapts per operation: the caller compares sustained windows of spinning and of
   * sleeping on the live workload and keeps spinning only while it is clearly faster. Applies
   * from the next call.
   */
  readonly spinMicros?: number | 'auto';
  /**
   * Longest time, in microseconds, the worker keeps polling for the next call after answering one
   * (0 never polls), which spares it an OS wake-up in loops of sync calls. Default `'auto'`, as
   * for `spinMicros`. The budget halves while polls go unanswered (a script busy between calls)
   * and is probed again now and then, so the CPU it can burn stays bounded. Applies from the next call.
   */
  readonly pollMicros?: number | 'auto';
  /**
   * Location of `bridge-worker.js`, for bundled apps where it is not next to guard-core's own
   * files. The one setting tied to a worker's start: it can change only while no worker runs
   * (before the first sync call that needs I/O, or after the worker died); changing it to another
   * file while a worker started from a different one runs throws `GuardInputError`.
   */
  readonly workerUrl?: URL | string;
}

/** The waiting strategy in force, as decided from the usable cores (see {@link bridgeWaiting}). */
export interface BridgeWaiting {
  /** The caller's spin ceiling in µs, after resolving `'auto'`. */
  readonly spinMicros: number;
  /** The worker's poll ceiling in µs, after resolving `'auto'`. */
  readonly pollMicros: number;
  /** What the automatic choice was based on (measured at the last worker start, or now when none started). */
  readonly usable: UsableCores;
}

interface Settings {
  startTimeoutMs: number;
  graceMs: number;
  pingTimeoutMs: number;
  spinMicros: number | 'auto';
  pollMicros: number | 'auto';
  workerUrl: URL | null;
}

/** What both builds share (see the module notes); its shape is part of {@link BRIDGE_PROTOCOL}. */
interface SharedBridge {
  readonly protocol: number;
  readonly settings: Settings;
  channel: SyncChannel | null;
  /** The cores measured at the last worker start; null before the first. */
  usable: UsableCores | null;
}

/** Busy-wait ceilings when at least two cores are usable (µs). */
const SPIN_MICROS = 300;
const POLL_MICROS = 300;

const DEFAULTS: Readonly<Settings> = {
  startTimeoutMs: 10_000,
  graceMs: 1_000,
  pingTimeoutMs: 1_000,
  spinMicros: 'auto',
  pollMicros: 'auto',
  workerUrl: null,
};

const KNOWN_OPTIONS: readonly string[] = [
  'startTimeoutMs',
  'graceMs',
  'pingTimeoutMs',
  'spinMicros',
  'pollMicros',
  'workerUrl',
] satisfies readonly (keyof SyncBridgeOptions)[];

/** The `globalThis` key of this protocol version's bridge. */
export const SHARED_BRIDGE_KEY: unique symbol = Symbol.for(`guard-core.sync-bridge.v${BRIDGE_PROTOCOL}`);

const bridge: SharedBridge = sharedBridge();

function sharedBridge(): SharedBridge {
  const holder = globalThis as { [SHARED_BRIDGE_KEY]?: SharedBridge };
  const existing = holder[SHARED_BRIDGE_KEY];
  if (existing !== undefined && existing.protocol === BRIDGE_PROTOCOL) return existing;
  const created: SharedBridge = { protocol: BRIDGE_PROTOCOL, settings: { ...DEFAULTS }, channel: null, usable: null };
  // Not enumerable, not writable: nothing iterating globalThis trips over it, nothing replaces it.
  Object.defineProperty(holder, SHARED_BRIDGE_KEY, { value: created, enumerable: false, configurable: false });
  return created;
}

/** The bridge's channel, created on first use (by whichever copy of guard-core comes first). */
export function bridgeChannel(): SyncChannel {
  const { settings } = bridge;
  bridge.channel ??= new SyncChannel({
    workerUrl: () => (settings.workerUrl ? requireWorkerFile(settings.workerUrl) : locateWorker()),
    beforeStart: () => {
      bridge.usable = usableCores();
    },
    get startTimeoutMs() {
      return settings.startTimeoutMs;
    },
    get pingTimeoutMs() {
      return settings.pingTimeoutMs;
    },
    get spinMicros() {
      return spinMicros();
    },
    get pollMicros() {
      return pollMicros();
    },
  });
  return bridge.channel;
}

function spinMicros(): number {
  const setting = bridge.settings.spinMicros;
  return setting === 'auto' ? autoMicros(SPIN_MICROS) : setting;
}

function pollMicros(): number {
  const setting = bridge.settings.pollMicros;
  return setting === 'auto' ? autoMicros(POLL_MICROS) : setting;
}

/** The busy-wait ceiling `'auto'` stands for: `micros` with two usable cores or more, else 0. */
function autoMicros(micros: number): number {
  return waitingFor(usable(), micros);
}

/** The cores measured at the last worker start, or measured now when no worker started yet. */
function usable(): UsableCores {
  return (bridge.usable ??= usableCores());
}

/**
 * The automatic rule: busy-waiting needs the caller and the worker to run at the same time, so
 * it is allowed only when at least two cores are really usable.
 */
export function waitingFor(usable: UsableCores, micros: number): number {
  return usable.cores >= 2 ? micros : 0;
}

/** The waiting strategy now in force (for diagnostics and the benchmark). */
export function bridgeWaiting(): BridgeWaiting {
  return {
    spinMicros: spinMicros(),
    pollMicros: pollMicros(),
    usable: usable(),
  };
}

/** The bridge's margin over a call's own timeout. */
export function bridgeGraceMs(): number {
  return bridge.settings.graceMs;
}

/**
 * Changes the sync bridge's settings (see {@link SyncBridgeOptions}). Only the given fields
 * change, and nothing changes when one is refused. Every setting but `workerUrl` can change at
 * any time: timeouts and busy-wait ceilings are read on each call (or worker start).
 *
 * Throws `GuardInputError` naming the field for an unknown field, for a value that is not a
 * non-negative finite number (positive for timeouts; `'auto'` also for `spinMicros` and
 * `pollMicros`), and for a `workerUrl` naming another file than the one the running worker
 * was started from.
 */
export function configureSyncBridge(options: SyncBridgeOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new GuardInputError('options', `expected an object of sync bridge settings, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new GuardInputError(key, `unknown sync bridge setting (known: ${KNOWN_OPTIONS.join(', ')})`);
    }
  }
  const next: Settings = { ...bridge.settings };
  if (options.startTimeoutMs !== undefined) next.startTimeoutMs = positive('startTimeoutMs', options.startTimeoutMs);
  if (options.graceMs !== undefined) next.graceMs = nonNegative('graceMs', options.graceMs);
  if (options.pingTimeoutMs !== undefined) next.pingTimeoutMs = positive('pingTimeoutMs', options.pingTimeoutMs);
  if (options.spinMicros !== undefined) next.spinMicros = microsOrAuto('spinMicros', options.spinMicros);
  if (options.pollMicros !== undefined) next.pollMicros = microsOrAuto('pollMicros', options.pollMicros);
  if (options.workerUrl !== undefined) next.workerUrl = changeableWorkerUrl(workerUrlOf(options.workerUrl));
  Object.assign(bridge.settings, next);
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

/** `workerUrl` may change only while no worker runs from another file (see {@link SyncBridgeOptions}). */
function changeableWorkerUrl(url: URL): URL {
  const channel = bridge.channel;
  if (channel !== null && channel.generation !== 0 && channel.workerFile !== url.href) {
    throw new GuardInputError(
      'workerUrl',
      `it only applies when the bridge worker starts, before the first sync call that needs I/O; a worker ` +
        `started from ${channel.workerFile ?? '?'} is running (set it before any sync call)`,
    );
  }
  return url;
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

function microsOrAuto(field: string, value: number | 'auto'): number | 'auto' {
  if (value === 'auto') return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new GuardInputError(field, `expected 'auto' or a non-negative number of microseconds, got ${String(value)}`);
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
