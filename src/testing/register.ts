/**
 * runStoreConformance: the thin binding that turns the catalogue into tests of the running test
 * framework. Registration is synchronous (Jest cannot skip a test from inside it), and a
 * capability gap is registered as a skipped test with the reason in its name — never a pass.
 */
import { GuardInputError } from '../core/errors.js';
import { checkProperty, skipReasonOf } from './engine.js';
import { fastCheck } from './fast-check.js';
import type { StoreConformanceOptions } from './options.js';
import type { PropertyDefinition } from './properties/define.js';
import { CATALOGUE } from './properties/index.js';
import { formatPropertyFailure, StoreConformanceError } from './report.js';
import { resolveRunner, type ResolvedRunner } from './runner.js';
import { ConformanceSession } from './session.js';
import type { ConformanceStore, StoreTarget } from './store-types.js';

/** Extra time a registered test gets beyond the property's own limits (mode probe, replay). */
const TEST_TIMEOUT_MARGIN_MS = 15_000;

/**
 * Registers one test per property under a `describe` block of the running test framework:
 * vitest out of the box, any other runner through `options.runner` (`{ test, describe }` or
 * `{ it, describe }`). Call it at the top level of a test file:
 *
 * @example
 * import { runStoreConformance } from 'guard-core/testing';
 * runStoreConformance(() => new MyStore(), { capabilities: { ttl: { resolutionMs: 1000 } } });
 *
 * Bad options throw `GuardInputError` at once (unknown keys included), and so does a missing
 * `fast-check` (`ConformanceDependencyError`, saying what to install); a failing property
 * fails its test with a `StoreConformanceError` whose message holds the minimal call sequence,
 * the seed and path, and a replay hint.
 */
export function runStoreConformance<S extends ConformanceStore>(
  target: StoreTarget<S>,
  options?: StoreConformanceOptions,
): void {
  const session = ConformanceSession.create(target, options);
  const runner = resolveRunner(session.options.runner);
  // Fail here, once, rather than in every registered test.
  fastCheck();
  const declared = session.options.mode;
  const title = `guard-core store conformance: ${session.name}${declared === 'auto' ? '' : ` (${declared})`}`;
  const registerAll = (prefix: string) => {
    for (const def of CATALOGUE) registerProperty(runner, session, def, prefix);
  };
  if (runner.describe !== null) runner.describe(title, () => registerAll(''));
  else registerAll(`${title} › `);
}

function registerProperty(
  runner: ResolvedRunner,
  session: ConformanceSession,
  def: PropertyDefinition,
  prefix: string,
): void {
  const name = `${prefix}${def.id} ${def.title}`;
  const skip = skipReasonOf(def, session, session.options.mode);
  if (skip !== null) {
    const registerSkipped = runner.test.skip;
    if (typeof registerSkipped !== 'function') {
      throw new GuardInputError(
        'options.runner',
        `the runner's test function has no .skip (needed for ${def.id}: ${skip})`,
      );
    }
    registerSkipped(`${name} [skipped: ${skip}]`, () => undefined);
    return;
  }
  const timeout =
    session.options.timeLimitMs + 2 * def.runTimeoutMs(session.options.capabilities) + TEST_TIMEOUT_MARGIN_MS;
  // A rest parameter keeps `length` at 0: Jest and mocha treat a declared first parameter as a
  // `done` callback and would wait for it forever. vitest passes its test context in args[0].
  runner.test(
    name,
    async function conformanceTest(this: unknown, ...args: unknown[]) {
      const mode = await session.resolveMode();
      const result = await checkProperty(def, session, mode);
      if (result.status === 'skipped') {
        skipAtRunTime(this, args[0], `${def.id} skipped: ${result.reason ?? ''}`);
        return;
      }
      if (result.status !== 'passed') {
        const report = { store: session.name, mode, seed: session.options.seed };
        throw new StoreConformanceError(formatPropertyFailure(result, report), result);
      }
    },
    timeout,
  );
}

/**
 * A gap found only once the store was probed (`mode: 'auto'` resolving to sync for a
 * concurrency property): skip through the runner's context (vitest `ctx.skip`, mocha
 * `this.skip`), or fail with the fix when the runner cannot skip at run time.
 */
function skipAtRunTime(self: unknown, context: unknown, reason: string): void {
  for (const holder of [context, self]) {
    const skip = (holder as { skip?: unknown } | null | undefined)?.skip;
    if (typeof skip === 'function') {
      skip.call(holder, reason);
      return;
    }
  }
  throw new Error(
    `${reason}. This runner cannot skip at run time: declare mode: 'sync' so the test is registered as skipped.`,
  );
}
