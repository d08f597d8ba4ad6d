/**
 * P24: model-based sequences. `fc.commands` over set / get / clear (and clock advances when a
 * clock is declared), on a small pool of colliding names; every `get` must agree with a plain
 * Map model. fast-check shrinks a failure to a minimal program and gives a replay path.
 */
import { expectOneOf } from '../assert.js';
import type { Arbitrary, AsyncCommand } from 'fast-check';
import { asInput, type Arbitraries, type RangesForm } from '../arbitraries.js';
import type { FastCheck } from '../fast-check.js';
import type { RunScope } from '../session.js';
import type { Timer } from '../timer.js';
import { show, showRanges } from '../trace.js';
import { OMIT_TTL, type StoreView } from '../view.js';
import { asyncProp, RUN_TIMEOUT_MS, scaled, type PropertyDefinition, type PropertyEnv } from './define.js';

/** Names that collide under case folding, trimming, globbing or normalisation, or in a plain object. */
const NAME_POOL = ['aws', 'AWS', 'aws ', 'gcp', 'a*', '\u00e9', 'e\u0301', 'constructor'] as const;

interface Entry {
  readonly ranges: ReadonlySet<string>;
  readonly deadline: number | null;
}

/** The model: what every name should hold, and the time elapsed on the declared clock. */
interface Model {
  readonly entries: Map<string, Entry>;
  now: number;
}

interface Real {
  readonly store: StoreView;
  readonly scope: RunScope;
  readonly timer: Timer | null;
  readonly emptyIsAbsent: boolean;
}

type Command = AsyncCommand<Model, Real>;

class SetCommand implements Command {
  constructor(
    readonly name: string,
    readonly list: readonly string[],
    readonly ttl: number | null,
    readonly form: RangesForm,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    await real.store.set(this.name, asInput(this.list, this.form), this.ttl ?? OMIT_TTL);
    if (this.list.length === 0 && real.emptyIsAbsent) model.entries.delete(this.name);
    else {
      const deadline = this.ttl === null ? null : model.now + this.ttl * 1000;
      model.entries.set(this.name, { ranges: new Set(this.list), deadline });
    }
  }
  toString(): string {
    const ttl = this.ttl === null ? '' : `, ${this.ttl}`;
    return `set(${show(this.name)}, ${showRanges(asInput(this.list, this.form))}${ttl})`;
  }
}

class GetCommand implements Command {
  constructor(readonly name: string) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const actual = await real.store.get(this.name);
    expectOneOf(actual, allowedReads(model, this.name, real.timer?.resolutionMs ?? 0), `get(${show(this.name)})`);
  }
  toString(): string {
    return `get(${show(this.name)})`;
  }
}

class ClearCommand implements Command {
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    await real.store.clear();
    model.entries.clear();
  }
  toString(): string {
    return 'clear()';
  }
}

class AdvanceCommand implements Command {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    if (real.timer === null) throw new Error('kit bug: advance without a clock');
    await real.timer.until(real.timer.mark(), this.ms, real.scope.trace);
    model.now += this.ms;
  }
  toString(): string {
    return `clock.advance(${this.ms})`;
  }
}

/** What a read may return: the value, null, or — within a resolution of a deadline — either. */
function allowedReads(model: Model, name: string, resolutionMs: number): (ReadonlySet<string> | null)[] {
  const entry = model.entries.get(name);
  if (entry === undefined) return [null];
  if (entry.deadline === null || model.now < entry.deadline - resolutionMs) return [entry.ranges];
  if (model.now >= entry.deadline + resolutionMs) return [null];
  return [entry.ranges, null];
}

function commandArbitraries(env: PropertyEnv, fc: FastCheck, arb: Arbitraries): Arbitrary<Command>[] {
  const name = fc.constantFrom(...NAME_POOL);
  const clocked = env.timer?.clocked === true;
  // Without a clock, only TTLs that cannot run out during a run (the model cannot move real time).
  const ttl: Arbitrary<number | null> =
    env.caps.ttl === null
      ? fc.constant(null)
      : clocked
        ? fc.option(fc.constantFrom(1, 2, 60, 3600), { nil: null })
        : fc.option(fc.constantFrom(3600, 86_400), { nil: null });
  const set = fc.tuple(name, arb.smallSet(), ttl, arb.rangesForm).map(([n, l, t, f]) => new SetCommand(n, l, t, f));
  const get = name.map((n) => new GetCommand(n));
  // fc.commands picks among the arbitraries uniformly: repeating one weights it. A clear wipes
  // the evidence of an earlier fault, so it is rare.
  const commands: Arbitrary<Command>[] = [set, set, set, get, get, get, fc.constant(new ClearCommand())];
  if (clocked) {
    const ms = fc.oneof(
      fc.constantFrom(1, 500, 999, 1000, 1001, 2000, 60_000),
      fc.integer({ min: 1, max: 10_000_000 }),
    );
    commands.push(ms.map((m) => new AdvanceCommand(m)));
  }
  return commands;
}

const P24: PropertyDefinition = {
  id: 'P24',
  title: 'model-based: random set/get/clear sequences agree with an in-memory model',
  skipReason: () => null,
  runs: (base) => scaled(base, 1),
  runTimeoutMs: () => RUN_TIMEOUT_MS,
  build: (env, fc, arb) => {
    // 'medium' size: about 20 commands per run (the default, about 5, rarely repeats a name after a write).
    const base = { maxCommands: 40, size: 'medium' as const };
    const options = env.replayPath === null ? base : { ...base, replayPath: env.replayPath };
    return asyncProp(fc.commands(commandArbitraries(env, fc, arb), options), (commands) =>
      env.run(async (scope) => {
        const store = await scope.open();
        const real: Real = { store, scope, timer: env.timer, emptyIsAbsent: env.caps.emptySet === 'absent' };
        const model: Model = { entries: new Map(), now: 0 };
        await fc.asyncModelRun(() => ({ model, real }), commands);
        // A final sweep (Hypothesis' invariant idea): a lost write shows even if no later get hit its name.
        scope.trace.code('// final check of every name:');
        for (const name of NAME_POOL) await new GetCommand(name).run(model, real);
      }),
    );
  },
};

/** The model-based property. */
export const MODEL_PROPERTIES: readonly PropertyDefinition[] = [P24];
