/**
 * The kit's options and declared capabilities, validated strictly: an unknown key or a value of
 * the wrong kind throws `GuardInputError` naming it, so a typo can never silently switch a
 * check off (abstract-level's lesson).
 */
import { GuardInputError } from '../core/errors.js';
import type { ConformanceClock } from './clock.js';
import {
  envInt,
  envList,
  envString,
  optionalString,
  requireBoolean,
  requireEnum,
  requireFunction,
  requireIds,
  requireInt,
  requireRecord,
  type Env,
} from './option-checks.js';
import type { PropertyId } from './property-ids.js';
import type { RunnerBinding } from './runner.js';

/** TTL support as declared by the store's author. */
export interface TtlCapability {
  /**
   * How late (or early) an expiry may be observed, in ms. Default: 1000 without a clock (a
   * backend with second resolution), 1 with one. Real-time checks wait `ttl + resolutionMs`.
   */
  readonly resolutionMs?: number;
}

/** What the store under test supports. Strict defaults; each relaxation is listed in the report. */
export interface StoreCapabilities {
  /** TTL support (default `true`); `false` skips P09–P13 and P27. */
  readonly ttl?: boolean | TtlCapability;
  /**
   * A clock the store reads (e.g. `createManualClock()` passed to `new InMemoryCloudIpStore({ now })`).
   * With it TTL checks advance time instead of waiting, and run many cases.
   */
  readonly clock?: ConformanceClock;
  /** Called before every read, for eventually consistent backends (Hypothesis' `flush`). */
  readonly settle?: () => unknown;
  /**
   * A factory honours `make({ prefix })`: stores with different prefixes never see or clear
   * each other's data (default `true` for a factory; a bare instance cannot declare it).
   */
  readonly prefixes?: boolean;
  /** `linearizable` (default): overlapping calls behave as some serial order. `none` skips P20, P21, P23. */
  readonly concurrency?: 'linearizable' | 'none';
  /** `preserved` (default): an empty set reads back as an empty set. `absent`: it reads as `null`. */
  readonly emptySet?: 'preserved' | 'absent';
  /** The largest set the store must hold (default 10 000; P19). */
  readonly maxSetSize?: number;
  /** The longest provider name (in UTF-16 units) the store must hold (default 512; P17). */
  readonly maxNameLength?: number;
}

/** Options of `runStoreConformance` and `checkStoreConformance`. */
export interface StoreConformanceOptions {
  /** A label for titles and reports (default: the store's class name). */
  readonly name?: string;
  /** `auto` (default) probes the first call; `sync`/`async` declare it, and P25 checks every call. */
  readonly mode?: 'auto' | 'sync' | 'async';
  /** What the store supports; see {@link StoreCapabilities}. */
  readonly capabilities?: StoreCapabilities;
  /** Base seed (env `GUARD_CONFORMANCE_SEED`); each property derives its own from it. Random when unset. */
  readonly seed?: number;
  /** Base number of runs (env `GUARD_CONFORMANCE_RUNS`, default 100); each property scales it by its cost. */
  readonly numRuns?: number;
  /** Replay one failing case: fast-check's path (env `GUARD_CONFORMANCE_PATH`); needs exactly one `only`. */
  readonly path?: string;
  /** Replay path of a model-based (P24) failure (env `GUARD_CONFORMANCE_REPLAY_PATH`). */
  readonly replayPath?: string;
  /** Run only these properties (env `GUARD_CONFORMANCE_ONLY`, comma-separated). */
  readonly only?: readonly PropertyId[];
  /** Do not run these properties (reported as skipped, reason "excluded"). */
  readonly exclude?: readonly PropertyId[];
  /** Time budget per property in ms (default 60 000): past it fast-check stops and the property is indeterminate. */
  readonly timeLimitMs?: number;
  /**
   * Errors that mean "could not check" rather than "misbehaved" (a transport failure, throttling).
   * Default: `GuardRedisError` and errors named `TimeoutError`/`AbortError`.
   */
  readonly isIndeterminate?: (error: unknown) => boolean;
  /** `runStoreConformance` only: the runner's `test`/`it` (and `describe`), e.g. `import * as vitest from 'vitest'`. */
  readonly runner?: RunnerBinding;
}

const OPTION_KEYS = [
  'name',
  'mode',
  'capabilities',
  'seed',
  'numRuns',
  'path',
  'replayPath',
  'only',
  'exclude',
  'timeLimitMs',
  'isIndeterminate',
  'runner',
] as const;
const CAPABILITY_KEYS = [
  'ttl',
  'clock',
  'settle',
  'prefixes',
  'concurrency',
  'emptySet',
  'maxSetSize',
  'maxNameLength',
] as const;
const TTL_KEYS = ['resolutionMs'] as const;

/** Capabilities after defaults, as the properties read them. */
export interface ResolvedCapabilities {
  readonly ttl: { readonly resolutionMs: number } | null;
  readonly clock: ConformanceClock | null;
  readonly settle: (() => unknown) | null;
  readonly prefixes: boolean;
  readonly concurrency: 'linearizable' | 'none';
  readonly emptySet: 'preserved' | 'absent';
  readonly maxSetSize: number;
  readonly maxNameLength: number;
  /** Human-readable departures from the strict defaults, e.g. `emptySet: absent`. */
  readonly relaxations: readonly string[];
}

/** Options after validation, defaults and environment variables. */
export interface ResolvedOptions {
  readonly name: string | null;
  readonly mode: 'auto' | 'sync' | 'async';
  readonly capabilities: ResolvedCapabilities;
  readonly seed: number;
  readonly seedWasGiven: boolean;
  readonly numRuns: number;
  readonly path: string | null;
  readonly replayPath: string | null;
  readonly only: readonly PropertyId[] | null;
  readonly exclude: readonly PropertyId[];
  readonly timeLimitMs: number;
  readonly isIndeterminate: (error: unknown) => boolean;
  readonly runner: RunnerBinding | null;
}

const DEFAULT_RUNS = 100;
const DEFAULT_TIME_LIMIT_MS = 60_000;

/** Validates `options` (throws `GuardInputError` naming the field) and applies defaults and env. */
export function resolveOptions(
  options: StoreConformanceOptions | undefined,
  isFactory: boolean,
  env: Env = process.env,
): ResolvedOptions {
  const o = requireRecord('options', options ?? {}, OPTION_KEYS);
  const only = o.only === undefined ? envList(env, 'GUARD_CONFORMANCE_ONLY') : requireIds('options.only', o.only);
  const path = optionalString('options.path', o.path) ?? envString(env, 'GUARD_CONFORMANCE_PATH');
  const replayPath =
    optionalString('options.replayPath', o.replayPath) ?? envString(env, 'GUARD_CONFORMANCE_REPLAY_PATH');
  if ((path !== null || replayPath !== null) && (only === null || only.length !== 1)) {
    throw new GuardInputError('options.path', 'replaying a path needs exactly one property in `only`');
  }
  const givenSeed = o.seed === undefined ? envInt(env, 'GUARD_CONFORMANCE_SEED') : requireInt('options.seed', o.seed);
  return {
    name: optionalString('options.name', o.name),
    mode: requireEnum('options.mode', o.mode ?? 'auto', ['auto', 'sync', 'async'] as const),
    capabilities: resolveCapabilities(o.capabilities, isFactory),
    seed: givenSeed ?? randomSeed(),
    seedWasGiven: givenSeed !== null,
    numRuns:
      o.numRuns === undefined
        ? (envInt(env, 'GUARD_CONFORMANCE_RUNS', 1) ?? DEFAULT_RUNS)
        : requireInt('options.numRuns', o.numRuns, 1),
    path,
    replayPath,
    only,
    exclude: o.exclude === undefined ? [] : requireIds('options.exclude', o.exclude),
    timeLimitMs:
      o.timeLimitMs === undefined ? DEFAULT_TIME_LIMIT_MS : requireInt('options.timeLimitMs', o.timeLimitMs, 1),
    isIndeterminate:
      o.isIndeterminate === undefined
        ? defaultIsIndeterminate
        : requireFunction<(error: unknown) => boolean>('options.isIndeterminate', o.isIndeterminate),
    runner: o.runner === undefined ? null : requireRecord('options.runner', o.runner, null),
  };
}

function resolveCapabilities(value: unknown, isFactory: boolean): ResolvedCapabilities {
  const c = requireRecord('capabilities', value ?? {}, CAPABILITY_KEYS);
  const relaxations: string[] = [];
  const clock = c.clock === undefined ? null : requireClock(c.clock);
  const ttl = resolveTtl(c.ttl, clock !== null);
  if (ttl === null) relaxations.push('ttl: false');
  if (c.prefixes === true && !isFactory) {
    throw new GuardInputError(
      'capabilities.prefixes',
      'a bare store instance cannot make stores with other prefixes; pass a factory',
    );
  }
  const prefixes = isFactory
    ? c.prefixes === undefined
      ? true
      : requireBoolean('capabilities.prefixes', c.prefixes)
    : false;
  if (!prefixes) relaxations.push(isFactory ? 'prefixes: false' : 'instance (no factory: prefix isolation unchecked)');
  const concurrency = requireEnum('capabilities.concurrency', c.concurrency ?? 'linearizable', [
    'linearizable',
    'none',
  ] as const);
  if (concurrency === 'none') relaxations.push('concurrency: none');
  const emptySet = requireEnum('capabilities.emptySet', c.emptySet ?? 'preserved', ['preserved', 'absent'] as const);
  if (emptySet === 'absent') relaxations.push('emptySet: absent');
  const maxSetSize = c.maxSetSize === undefined ? 10_000 : requireInt('capabilities.maxSetSize', c.maxSetSize, 1);
  if (maxSetSize < 10_000) relaxations.push(`maxSetSize: ${maxSetSize}`);
  const maxNameLength =
    c.maxNameLength === undefined ? 512 : requireInt('capabilities.maxNameLength', c.maxNameLength, 1);
  if (maxNameLength < 512) relaxations.push(`maxNameLength: ${maxNameLength}`);
  return {
    ttl,
    clock,
    settle: c.settle === undefined ? null : requireFunction<() => unknown>('capabilities.settle', c.settle),
    prefixes,
    concurrency,
    emptySet,
    maxSetSize,
    maxNameLength,
    relaxations,
  };
}

function resolveTtl(value: unknown, hasClock: boolean): { resolutionMs: number } | null {
  const fallback = hasClock ? 1 : 1000;
  if (value === undefined || value === true) return { resolutionMs: fallback };
  if (value === false) return null;
  const t = requireRecord('capabilities.ttl', value, TTL_KEYS);
  return {
    resolutionMs:
      t.resolutionMs === undefined ? fallback : requireInt('capabilities.ttl.resolutionMs', t.resolutionMs, 1, 60_000),
  };
}

function requireClock(value: unknown): ConformanceClock {
  const c = requireRecord('capabilities.clock', value, null);
  requireFunction('capabilities.clock.now', c.now);
  requireFunction('capabilities.clock.advance', c.advance);
  return value as ConformanceClock;
}

/** GuardRedisError (checked by name, so a copy of the class from another bundle counts too), timeouts, aborts. */
function defaultIsIndeterminate(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'GuardRedisError' || name === 'TimeoutError' || name === 'AbortError';
}

function randomSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
}
