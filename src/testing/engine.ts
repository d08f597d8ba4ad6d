/**
 * Runs one property with `fc.check` (never `fc.assert`: the result is data, the caller decides
 * whether to fail), classifies the outcome, and replays a failure once from its seed and path
 * to tell a reproducible failure from a non-deterministic store.
 */
import type { RunDetails } from 'fast-check';
import { arbitraries } from './arbitraries.js';
import { ConformanceIndeterminate } from './assert.js';
import type { GateInfo, PropertyDefinition, PropertyEnv } from './properties/define.js';
import type { PropertyResult, PropertyStatus } from './report.js';
import type { ConformanceSession } from './session.js';
import type { StoreMode } from './store-types.js';
import { fastCheck } from './fast-check.js';
import { ConformanceFactoryError } from './prefix.js';
import { describeError } from './trace.js';

/** The seed of one property: fixed by the base seed and the id, so `only` does not change it. */
export function propertySeed(baseSeed: number, id: string): number {
  let hash = 0x811c9dc5;
  for (const char of id) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (baseSeed ^ hash) | 0;
}

/** Why `def` cannot run, or null; `mode` is `auto` when the store has not been probed yet. */
export function skipReasonOf(
  def: PropertyDefinition,
  session: ConformanceSession,
  mode: StoreMode | 'auto',
): string | null {
  const { only, exclude } = session.options;
  if (only !== null && !only.includes(def.id)) return `not selected (only: ${only.join(', ')})`;
  if (exclude.includes(def.id)) return 'excluded by options.exclude';
  const gate: GateInfo = { caps: session.options.capabilities, mode };
  return def.skipReason(gate);
}

/** Checks `def` against the session's store in `mode`. */
export async function checkProperty(
  def: PropertyDefinition,
  session: ConformanceSession,
  mode: StoreMode,
): Promise<PropertyResult> {
  const started = performance.now();
  const skip = skipReasonOf(def, session, mode);
  if (skip !== null) return blank(def, 'skipped', skip, started);
  const { options } = session;
  const caps = options.capabilities;
  const seed = propertySeed(options.seed, def.id);
  const replaying = options.path !== null;
  const numRuns = def.runs(options.numRuns, caps);
  session.lastFailure = null;
  const fc = fastCheck();
  const details = await fc.check(def.build(envOf(session, mode, options.replayPath), fc, arbitraries()), {
    seed,
    numRuns,
    timeout: def.runTimeoutMs(caps),
    interruptAfterTimeLimit: options.timeLimitMs,
    markInterruptAsFailure: false,
    endOnFailure: replaying || def.shrinks?.(caps) === false,
    ...(replaying ? { path: options.path } : {}),
  });
  // fast-check reports a time limit that stops the very first run as a failure with no
  // counterexample (and no error): that is the time limit, not the store.
  const cutShort = details.interrupted && details.failed && details.counterexample === null;
  if (!details.failed || cutShort) {
    const interrupted = details.interrupted && details.numRuns < numRuns && !replaying;
    if (!interrupted) return { ...blank(def, 'passed', null, started), seed, numRuns: details.numRuns };
    const reason = `time limit (${options.timeLimitMs} ms) reached after ${details.numRuns} of ${numRuns} runs`;
    return { ...blank(def, 'indeterminate', reason, started), seed, numRuns: details.numRuns };
  }
  return failedResult(def, session, mode, { details, seed, started });
}

/** The result of a failed check: classified, rendered as calls, and replayed once. */
async function failedResult(
  def: PropertyDefinition,
  session: ConformanceSession,
  mode: StoreMode,
  run: { details: RunDetails<never>; seed: number; started: number },
): Promise<PropertyResult> {
  const { options } = session;
  const { details, seed } = run;
  const error = details.errorInstance;
  const failure = session.failureSeen();
  const counterexample: unknown = details.counterexample;
  const finished = failure !== null && failure.error === error;
  const trace = finished ? failure.trace : session.lastStarted;
  const path = details.counterexamplePath;
  const replayPath = replayPathOf(counterexample) ?? options.replayPath;
  const replaying = options.path !== null;
  const reproduced = replaying || path === null ? null : await replay(def, session, mode, { seed, path, replayPath });
  return {
    id: def.id,
    title: def.title,
    status: classify(error, options.isIndeterminate),
    reason: describeFailure(error),
    seed,
    path,
    replayPath,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks,
    durationMs: performance.now() - run.started,
    callSequence: trace?.render(mode, finished ? describeFailure(error) : 'the run did not finish') ?? null,
    counterexample: counterexample === null ? null : clip(fastCheck().stringify(counterexample), 2000),
    error,
    reproduced,
    replay: path === null ? null : replayHint(def.id, options.seed, path, replayPath),
  };
}

function envOf(session: ConformanceSession, mode: StoreMode, replayPath: string | null): PropertyEnv {
  return {
    caps: session.options.capabilities,
    mode,
    timer: session.timer,
    replayPath,
    run: (body) => session.run(mode, body),
  };
}

/** Reruns exactly the failing case (no exploration, no shrinking); true when it fails again. */
async function replay(
  def: PropertyDefinition,
  session: ConformanceSession,
  mode: StoreMode,
  at: { seed: number; path: string; replayPath: string | null },
): Promise<boolean> {
  const fc = fastCheck();
  const again = await fc.check(def.build(envOf(session, mode, at.replayPath), fc, arbitraries()), {
    seed: at.seed,
    path: at.path,
    endOnFailure: true,
    timeout: def.runTimeoutMs(session.options.capabilities),
  });
  return again.failed;
}

function classify(error: unknown, isIndeterminate: (error: unknown) => boolean): PropertyStatus {
  if (error instanceof ConformanceIndeterminate) return 'indeterminate';
  if (error instanceof Error && error.message.startsWith('Property timeout')) return 'indeterminate';
  // A factory that could not reach its backend (say, GuardRedisError) could not be checked either.
  const own = error instanceof ConformanceFactoryError ? error.cause : error;
  return isIndeterminate(own) ? 'indeterminate' : 'failed';
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && /^Conformance(Violation|Indeterminate|FactoryError)$/.test(error.name)) {
    return error.message;
  }
  if (error instanceof Error && error.message.startsWith('Property timeout')) {
    return `${error.message} (a call never settled, or the store is too slow)`;
  }
  return `the store threw ${describeError(error)}`;
}

/** fast-check prints a command sequence as `cmd1,cmd2 /*replayPath="…"*\/`. */
function replayPathOf(counterexample: unknown): string | null {
  if (!Array.isArray(counterexample)) return null;
  for (const value of counterexample) {
    const toString = (value as { toString?: unknown } | null)?.toString;
    if (typeof toString !== 'function' || toString === Object.prototype.toString) continue;
    const match = /replayPath="([^"]*)"/.exec(String(toString.call(value)));
    if (match !== null) return match[1] ?? null;
  }
  return null;
}

/** One line that reruns the case: as options, and as environment variables. */
export function replayHint(id: string, baseSeed: number, path: string, replayPath: string | null): string {
  const rp = replayPath === null ? '' : `, replayPath: ${JSON.stringify(replayPath)}`;
  const rpEnv = replayPath === null ? '' : ` GUARD_CONFORMANCE_REPLAY_PATH='${replayPath}'`;
  return (
    `runStoreConformance(store, { only: ['${id}'], seed: ${baseSeed}, path: ${JSON.stringify(path)}${rp} })` +
    `  —  or env: GUARD_CONFORMANCE_ONLY=${id} GUARD_CONFORMANCE_SEED=${baseSeed} GUARD_CONFORMANCE_PATH=${path}${rpEnv}`
  );
}

function blank(
  def: PropertyDefinition,
  status: PropertyStatus,
  reason: string | null,
  started: number,
): PropertyResult {
  return {
    id: def.id,
    title: def.title,
    status,
    reason,
    seed: null,
    path: null,
    replayPath: null,
    numRuns: 0,
    numShrinks: 0,
    durationMs: performance.now() - started,
    callSequence: null,
    counterexample: null,
    error: null,
    reproduced: null,
    replay: null,
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
