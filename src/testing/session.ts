/**
 * One conformance check of one target: validated options, the resolved mode, fresh prefixes,
 * and the per-run setup/teardown the kit owns (fast-check reruns a predicate many times,
 * shrinking included, so test-runner hooks cannot do this — dubzzz/fast-check#169).
 */
import { randomBytes } from 'node:crypto';
import { GuardInputError } from '../core/errors.js';
import { resolveOptions, type ResolvedOptions, type StoreConformanceOptions } from './options.js';
import type { ConformanceStore, StoreMode } from './store-types.js';
import { resolveTarget, type ResolvedTarget } from './target.js';
import { createTimer, type Timer } from './timer.js';
import { Trace } from './trace.js';
import { isThenable, StoreView, type CallObservation } from './view.js';

/** The last failing run, kept so a failure can be shown as the calls that produced it. */
export interface FailedRun {
  readonly trace: Trace;
  readonly error: unknown;
}

/** Shared state of one check. Create with {@link ConformanceSession.create}. */
export class ConformanceSession {
  /** Time for TTL properties, or null when the store declared no TTL. */
  readonly timer: Timer | null;
  /** The label in titles and reports. */
  readonly name: string;
  /** The failing run seen last (the shrunk counterexample once fast-check is done). */
  lastFailure: FailedRun | null = null;
  /** The run started last (what was running when a per-run timeout hit). */
  lastStarted: Trace | null = null;
  private readonly token = randomBytes(3).toString('hex');
  private counter = 0;
  private mode: Promise<StoreMode> | null = null;

  private constructor(
    readonly target: ResolvedTarget,
    readonly options: ResolvedOptions,
  ) {
    const ttl = options.capabilities.ttl;
    this.timer = ttl === null ? null : createTimer(options.capabilities.clock, ttl.resolutionMs);
    this.name = options.name ?? target.defaultName;
  }

  /** Validates target and options synchronously (throws `GuardInputError`). */
  static create(target: unknown, options: StoreConformanceOptions | undefined): ConformanceSession {
    const resolved = resolveTarget(target);
    return new ConformanceSession(resolved, resolveOptions(options, resolved.isFactory));
  }

  /** The declared mode, or (for `auto`) what the first `get` of a fresh store returned. */
  resolveMode(): Promise<StoreMode> {
    const declared = this.options.mode;
    if (declared !== 'auto') return Promise.resolve(declared);
    this.mode ??= this.probeMode();
    return this.mode;
  }

  /** The failing run seen last (a method, so callers that reset the field are not narrowed to null). */
  failureSeen(): FailedRun | null {
    return this.lastFailure;
  }

  /** A namespace no other store of this process uses, e.g. `gc-conf-3f9a01-12`. */
  newPrefix(): string {
    this.counter += 1;
    return `gc-conf-${this.token}-${this.counter}`;
  }

  /** Runs `body` with a fresh scope; the scope's stores are cleared and disposed afterwards. */
  async run<T>(mode: StoreMode, body: (scope: RunScope) => Promise<T>): Promise<T> {
    const scope = new RunScope(this, mode);
    this.lastStarted = scope.trace;
    let result: T;
    try {
      result = await body(scope);
    } catch (error) {
      this.lastFailure = { trace: scope.trace, error };
      await scope.close().catch(() => undefined);
      throw error;
    }
    try {
      await scope.close();
    } catch (error) {
      const wrapped = new Error(`teardown failed (clear or dispose of a store): ${String(error)}`, { cause: error });
      this.lastFailure = { trace: scope.trace, error: wrapped };
      throw wrapped;
    }
    return result;
  }

  /**
   * Sync or async, from how the store's first calls return. Never waits on the store longer than
   * {@link PROBE_TEARDOWN_MS}, and rejects only for a usage error (a factory whose result is not a
   * store): a factory that throws, a get that never settles or a dispose that fails is for the
   * properties to report, not a reason to reject the check.
   */
  private async probeMode(): Promise<StoreMode> {
    let store: ConformanceStore;
    try {
      store = await this.target.open(this.newPrefix());
    } catch (error) {
      // What the factory made is not a store: a usage error, reported at once. A factory that
      // threw is the store's own failure: every property reports it.
      if (error instanceof GuardInputError) throw error;
      return 'async';
    }
    try {
      // A thenable means async, whatever it settles to (not awaited: it may never settle); a store
      // whose get fails at once gets a second chance through clear() before being taken as sync.
      for (const call of [() => store.get('gc-conf-mode-probe'), () => store.clear()]) {
        let returned: unknown;
        try {
          returned = call();
        } catch {
          continue;
        }
        if (!isThenable(returned)) return 'sync';
        Promise.resolve(returned).catch(() => undefined);
        return 'async';
      }
      return 'sync';
    } finally {
      await bounded(async () => {
        await settleMaybe(store.clear());
      });
      await bounded(() => this.target.dispose(store));
    }
  }
}

/** How long the mode probe waits for a store's clear() or dispose before moving on. */
const PROBE_TEARDOWN_MS = 5_000;

/** Runs `work`, ignoring its failure, and stops waiting after {@link PROBE_TEARDOWN_MS}. */
async function bounded(work: () => Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, PROBE_TEARDOWN_MS);
  });
  try {
    const done = Promise.resolve()
      .then(work)
      .then(
        () => undefined,
        () => undefined,
      );
    await Promise.race([done, timeUp]);
  } finally {
    clearTimeout(timer);
  }
}

/** The stores, trace and observations of one property run. */
export class RunScope {
  /** Every step of this run. */
  readonly trace = new Trace();
  /** How each call returned (value, thenable, throw), for P25. */
  readonly observations: CallObservation[] = [];
  private readonly opened: ConformanceStore[] = [];

  constructor(
    private readonly session: ConformanceSession,
    /** The store's kind for this run. */
    readonly mode: StoreMode,
  ) {}

  /** A fresh prefix (to derive related prefixes from, as P15/P16 do). */
  newPrefix(): string {
    return this.session.newPrefix();
  }

  /**
   * Opens a store: under `prefix` (default: a fresh one) from a factory, or the instance —
   * cleared first, since it is shared by every run.
   */
  async open(prefix: string = this.session.newPrefix()): Promise<StoreView> {
    const target = this.session.target;
    if (!target.isFactory && this.opened.length > 0)
      throw new Error('kit bug: the instance was opened twice in one run');
    const store = await target.open(prefix);
    this.opened.push(store);
    const label = `s${this.opened.length}`;
    this.trace.open(label, target.isFactory ? prefix : null);
    const view = new StoreView(label, store, {
      mode: this.mode,
      trace: this.trace,
      settle: this.session.options.capabilities.settle,
      observations: this.observations,
    });
    if (!target.isFactory) await settleMaybe(store.clear());
    return view;
  }

  /** Clears and disposes every store this run opened; rethrows the first failure after trying all. */
  async close(): Promise<void> {
    let failure: { error: unknown } | null = null;
    for (const store of this.opened.splice(0)) {
      try {
        await settleMaybe(store.clear());
        await this.session.target.dispose(store);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== null) throw failure.error;
  }
}

async function settleMaybe(value: unknown): Promise<void> {
  if (isThenable(value)) await value;
}
