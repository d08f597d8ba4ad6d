/**
 * P09–P13, P27: TTL. With a declared clock the kit advances it and checks exactly around each
 * deadline (many cases, no waiting); otherwise it really waits `ttl + resolution` once per
 * property, with the shortest TTLs the declared resolution allows.
 */
import type { Arbitrary } from 'fast-check';
import { ConformanceIndeterminate, expectNull, expectSet, expectState } from '../assert.js';
import type { FastCheck } from '../fast-check.js';
import type { ResolvedCapabilities } from '../options.js';
import type { RunScope } from '../session.js';
import type { Timer } from '../timer.js';
import { show } from '../trace.js';
import type { StoreView } from '../view.js';
import {
  asyncProp,
  expectedOf,
  needsTtl,
  RUN_TIMEOUT_MS,
  scaled,
  type PropertyDefinition,
  type PropertyEnv,
} from './define.js';

/** Far enough in the future to catch "lives forever" (ten years), on a clock only. */
const LONG_AFTER_MS = 10 * 365 * 86_400_000;

function resolution(caps: ResolvedCapabilities): number {
  return caps.ttl?.resolutionMs ?? 1000;
}

/** The shortest TTL (s) whose deadline is more than `factor` resolutions away. */
function minTtl(caps: ResolvedCapabilities, factor: number): number {
  return Math.max(1, Math.ceil((factor * resolution(caps)) / 1000));
}

/** TTLs to try: many with a clock, only the shortest in real time. */
function ttlSeconds(env: PropertyEnv, fc: FastCheck, min: number): Arbitrary<number> {
  if (env.timer === null || !env.timer.clocked) return fc.constant(min);
  return fc.oneof(
    fc.constantFrom(min, min + 1, Math.max(min, 10), Math.max(min, 60), Math.max(min, 3600)),
    fc.integer({ min, max: 1_000_000 }),
  );
}

function runsFor(base: number, caps: ResolvedCapabilities): number {
  return caps.clock !== null ? scaled(base, 0.3) : 1;
}

/** Real-time runs wait up to `ttl + resolution` once or twice. */
function timeoutFor(maxTtlSeconds: (caps: ResolvedCapabilities) => number) {
  return (caps: ResolvedCapabilities): number =>
    caps.clock !== null ? RUN_TIMEOUT_MS : RUN_TIMEOUT_MS + maxTtlSeconds(caps) * 1000 + 3 * resolution(caps);
}

/** Shrinking re-runs the case many times; in real time each run waits for a deadline. */
function shrinksWithClockOnly(caps: ResolvedCapabilities): boolean {
  return caps.clock !== null;
}

function timerOf(env: PropertyEnv): Timer {
  if (env.timer === null) throw new Error('kit bug: a TTL property ran without a timer');
  return env.timer;
}

/**
 * `name` still reads `expected` just before `deadlineMs` (from `mark`). With a clock, time is
 * moved to `deadline - resolution`; in real time the read happens at once, and a read that
 * ends too late to prove anything makes the run indeterminate rather than passed.
 */
async function expectBefore(
  scope: RunScope,
  s: StoreView,
  timer: Timer,
  at: { mark: number; deadlineMs: number },
  name: string,
  expected: ReadonlySet<string> | null,
  what: string,
): Promise<void> {
  const latest = at.deadlineMs - timer.resolutionMs;
  if (timer.clocked) await timer.until(at.mark, latest, scope.trace);
  const value = await s.get(name);
  const elapsed = timer.elapsedSince(at.mark);
  if (!timer.clocked && elapsed >= latest) {
    throw new ConformanceIndeterminate(
      `${what}: the read ended ${Math.round(elapsed)} ms after the set began, too late to check it before the ` +
        `deadline (${at.deadlineMs} ms - resolution ${timer.resolutionMs} ms); the machine is too slow for this check`,
    );
  }
  expectState(value, expected, what);
}

const P09: PropertyDefinition = {
  id: 'P09',
  title: 'TTL: present before the deadline, absent after it',
  skipReason: needsTtl,
  shrinks: shrinksWithClockOnly,
  runs: runsFor,
  runTimeoutMs: timeoutFor((caps) => minTtl(caps, 2)),
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ name: arb.providerName, list: arb.smallSet(1), ttl: ttlSeconds(env, fc, minTtl(env.caps, 2)) }),
      ({ name, list, ttl }) =>
        env.run(async (scope) => {
          const timer = timerOf(env);
          const s = await scope.open();
          const mark = timer.mark();
          await s.set(name, list, ttl);
          const done = timer.mark();
          const deadlineMs = ttl * 1000;
          // In real time, read half-way to the deadline rather than at once: a TTL taken as
          // milliseconds has run out by then, and a read right after the set would miss it.
          if (!timer.clocked) await timer.until(mark, (deadlineMs - timer.resolutionMs) / 2, scope.trace);
          await expectBefore(
            scope,
            s,
            timer,
            { mark, deadlineMs },
            name,
            new Set(list),
            `get(${show(name)}) before its ${ttl} s TTL ran out`,
          );
          await timer.until(done, deadlineMs + timer.resolutionMs, scope.trace);
          expectNull(await s.get(name), `get(${show(name)}) after its ${ttl} s TTL ran out`);
        }),
    ),
};

const P10: PropertyDefinition = {
  id: 'P10',
  title: 'TTL: a plain set removes an earlier TTL',
  skipReason: needsTtl,
  shrinks: shrinksWithClockOnly,
  runs: runsFor,
  runTimeoutMs: timeoutFor(() => 1),
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ name: arb.providerName, a: arb.smallSet(1), b: arb.smallSet(1), ttl: ttlSeconds(env, fc, 1) }),
      ({ name, a, b, ttl }) =>
        env.run(async (scope) => {
          const timer = timerOf(env);
          const s = await scope.open();
          await s.set(name, a, ttl);
          await s.set(name, b);
          const done = timer.mark();
          const what = `get(${show(name)}) after set(…, ttl ${ttl}) then a plain set: the plain set must not keep the TTL`;
          await timer.until(done, ttl * 1000 + timer.resolutionMs, scope.trace);
          expectSet(await s.get(name), new Set(b), what);
          if (timer.clocked) {
            await timer.until(done, LONG_AFTER_MS, scope.trace);
            expectSet(await s.get(name), new Set(b), `${what} (ten years later)`);
          }
        }),
    ),
};

const P11: PropertyDefinition = {
  id: 'P11',
  title: 'TTL: a new set replaces the deadline (shorter or longer)',
  skipReason: needsTtl,
  shrinks: shrinksWithClockOnly,
  runs: runsFor,
  runTimeoutMs: timeoutFor((caps) => minTtl(caps, 2)),
  build: (env, fc, arb) => {
    const gapMin = minTtl(env.caps, 3) + 1;
    const gap = env.timer?.clocked ? fc.integer({ min: gapMin, max: 100_000 }) : fc.constant(gapMin);
    return asyncProp(
      fc.record({
        names: arb.providerNames(2, 2),
        a: arb.smallSet(1),
        b: arb.smallSet(1),
        short: ttlSeconds(env, fc, minTtl(env.caps, 2)),
        gap,
      }),
      ({ names, a, b, short, gap }) =>
        env.run(async (scope) => {
          const timer = timerOf(env);
          const [p, q] = names as [string, string];
          const long = short + gap;
          const s = await scope.open();
          const mark = timer.mark();
          await s.set(p, a, short);
          await s.set(p, b, long);
          await s.set(q, a, long);
          await s.set(q, b, short);
          const done = timer.mark();
          await timer.until(done, short * 1000 + timer.resolutionMs, scope.trace);
          expectNull(
            await s.get(q),
            `get(${show(q)}) set with ${long} s then ${short} s, after ${short} s: the newer, shorter TTL must win`,
          );
          const lengthened = `get(${show(p)}) set with ${short} s then ${long} s, after ${short} s: the newer, longer TTL must win`;
          await expectBefore(scope, s, timer, { mark, deadlineMs: long * 1000 }, p, new Set(b), lengthened);
          if (timer.clocked) {
            await timer.until(mark, long * 1000 + timer.resolutionMs, scope.trace);
            expectNull(await s.get(p), `get(${show(p)}) after its newer ${long} s TTL ran out`);
          }
        }),
    );
  },
};

/** A TTL outside the protocol's whole seconds from 1 up, or an omitted / `null` one (no expiry). */
type Degenerate = number | 'undefined' | 'null';

/** Every case P12 tries with a clock. */
const DEGENERATE_TTLS: readonly Degenerate[] = [
  0,
  -1,
  -3600,
  0.5,
  0.001,
  1.5,
  2.999,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  'undefined',
  'null',
];

/** In real time only the cases whose bound is one second, so one wait of a second covers them all. */
const REAL_TIME_DEGENERATE_TTLS: readonly Degenerate[] = DEGENERATE_TTLS.filter(
  (ttl) => typeof ttl !== 'number' || degenerateTtlBoundMs(ttl) === 1000,
);

/**
 * The latest a store may still hold a value it accepted with the non-whole `ttl`: the next whole
 * second (`ceil(ttl)` s, and 1 s for 0, negative and non-finite TTLs). Honouring a fraction
 * exactly, rounding it up or down, or expiring at once are all fine; living forever is not.
 */
export function degenerateTtlBoundMs(ttl: number): number {
  return Number.isFinite(ttl) && ttl > 1 ? Math.ceil(ttl) * 1000 : 1000;
}

interface DegenerateCase {
  readonly name: string;
  readonly ttl: Degenerate;
  /** When the set began (timer time). */
  readonly mark: number;
  /** What `get` must read once the bound has passed. */
  readonly outcome: 'rejected' | 'accepted' | 'no-expiry';
}

function ttlText(ttl: Degenerate): string {
  return typeof ttl === 'number' ? show(ttl) : ttl;
}

const P12: PropertyDefinition = {
  id: 'P12',
  // 0, negative, fractional, NaN and ±Infinity: outside the protocol's whole seconds.
  title: 'TTL: a TTL that is not whole seconds is rejected or expires by the next whole second, never lives forever',
  skipReason: needsTtl,
  shrinks: shrinksWithClockOnly,
  runs: (base, caps) => (caps.clock !== null ? scaled(base, 0.2) : 1),
  runTimeoutMs: timeoutFor(() => 1),
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        name: arb.providerName,
        a: arb.smallSet(1),
        b: arb.smallSet(1),
        // With a clock: random subsets, shrinking to the one TTL that fails. In real time: every
        // case with a one-second bound, in one run and one wait.
        ttls: env.timer?.clocked
          ? fc.subarray([...DEGENERATE_TTLS], { minLength: 1 })
          : fc.constant([...REAL_TIME_DEGENERATE_TTLS]),
      }),
      ({ name, a, b, ttls }) =>
        env.run(async (scope) => {
          const timer = timerOf(env);
          const s = await scope.open();
          const start = timer.mark();
          const cases: DegenerateCase[] = [];
          for (const [i, ttl] of ttls.entries()) {
            const caseName = i === 0 ? name : `${name}~${i}`;
            await s.set(caseName, a);
            const mark = timer.mark();
            if (ttl === 'undefined' || ttl === 'null') {
              await s.set(caseName, b, ttl === 'null' ? null : undefined);
              cases.push({ name: caseName, ttl, mark, outcome: 'no-expiry' });
              continue;
            }
            let rejected = false;
            try {
              await s.set(caseName, b, ttl);
            } catch {
              rejected = true;
            }
            if (rejected) {
              const what = `get(${show(caseName)}) after a set with ttl ${ttlText(ttl)} was rejected: the old value must stay`;
              expectSet(await s.get(caseName), new Set(a), what);
            }
            cases.push({ name: caseName, ttl, mark, outcome: rejected ? 'rejected' : 'accepted' });
          }
          const accepted = cases.filter((c) => c.outcome === 'accepted');
          // Past every accepted value's bound (nothing to wait for when all were rejected).
          let latest = 0;
          for (const c of accepted) {
            latest = Math.max(latest, c.mark - start + degenerateTtlBoundMs(c.ttl as number) + timer.resolutionMs);
          }
          if (latest > 0) await timer.until(start, latest, scope.trace);
          const check = async (when: string): Promise<void> => {
            for (const c of cases) {
              const called = `get(${show(c.name)}) ${when} set(…, ttl ${ttlText(c.ttl)})`;
              if (c.outcome === 'no-expiry') {
                expectSet(await s.get(c.name), new Set(b), `${called}: ${c.ttl} means no expiry`);
              } else if (c.outcome === 'rejected') {
                expectSet(await s.get(c.name), new Set(a), `${called} was rejected: the old value must stay`);
              } else {
                const bound = degenerateTtlBoundMs(c.ttl as number) / 1000;
                expectNull(
                  await s.get(c.name),
                  `${called} was accepted: a TTL that is not whole seconds must expire by the next whole second ` +
                    `(${bound} s) — or be rejected — never live forever`,
                );
              }
            }
          };
          await check(latest > 0 ? 'past the next whole second after' : 'after');
          if (timer.clocked) {
            await timer.until(start, LONG_AFTER_MS, scope.trace);
            await check('ten years after');
          }
        }),
    ),
};

const P13: PropertyDefinition = {
  id: 'P13',
  title: 'TTL: applies to its own name only',
  skipReason: needsTtl,
  shrinks: shrinksWithClockOnly,
  runs: runsFor,
  runTimeoutMs: timeoutFor(() => 1),
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({
        names: arb.providerNames(2, 2),
        a: arb.smallSet(1),
        b: arb.smallSet(),
        ttl: ttlSeconds(env, fc, 1),
        order: fc.boolean(),
      }),
      ({ names, a, b, ttl, order }) =>
        env.run(async (scope) => {
          const timer = timerOf(env);
          const [p1, p2] = names as [string, string];
          const s = await scope.open();
          if (order) await s.set(p2, b);
          await s.set(p1, a, ttl);
          if (!order) await s.set(p2, b);
          const done = timer.mark();
          await timer.until(done, ttl * 1000 + timer.resolutionMs, scope.trace);
          expectNull(await s.get(p1), `get(${show(p1)}) after its ${ttl} s TTL ran out`);
          const expected = expectedOf(b, env.caps);
          expectState(await s.get(p2), expected, `get(${show(p2)}) (no TTL) after another name's TTL ran out`);
          if (timer.clocked) {
            await timer.until(done, LONG_AFTER_MS, scope.trace);
            expectState(await s.get(p2), expected, `get(${show(p2)}) (no TTL) ten years later`);
          }
        }),
    ),
};

const P27: PropertyDefinition = {
  id: 'P27',
  title: 'TTL: reads do not extend it (no sliding expiry)',
  skipReason: needsTtl,
  shrinks: shrinksWithClockOnly,
  runs: runsFor,
  runTimeoutMs: timeoutFor((caps) => minTtl(caps, 4)),
  build: (env, fc, arb) =>
    asyncProp(
      fc.record({ name: arb.providerName, list: arb.smallSet(1), ttl: ttlSeconds(env, fc, minTtl(env.caps, 4)) }),
      ({ name, list, ttl }) =>
        env.run(async (scope) => {
          const timer = timerOf(env);
          const s = await scope.open();
          const mark = timer.mark();
          await s.set(name, list, ttl);
          const done = timer.mark();
          const deadlineMs = ttl * 1000;
          await timer.until(mark, deadlineMs / 2, scope.trace);
          const what = `get(${show(name)}) half-way through its ${ttl} s TTL`;
          await expectBefore(scope, s, timer, { mark, deadlineMs }, name, new Set(list), what);
          await timer.until(done, deadlineMs + timer.resolutionMs, scope.trace);
          expectNull(
            await s.get(name),
            `get(${show(name)}) after its ${ttl} s TTL ran out, though it was read meanwhile`,
          );
        }),
    ),
};

/** The TTL properties, in id order. */
export const TTL_PROPERTIES: readonly PropertyDefinition[] = [P09, P10, P11, P12, P13, P27];
