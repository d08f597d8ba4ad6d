/**
 * checkStoreConformance: the runner-agnostic core. No test framework; resolves to a report,
 * like Go's `fstest.TestFS` returns every misbehaviour at once and leaves failing to the caller.
 */
import { checkProperty } from './engine.js';
import { fastCheck } from './fast-check.js';
import type { StoreConformanceOptions } from './options.js';
import { CATALOGUE } from './properties/index.js';
import type { ConformanceReport, PropertyResult, PropertyStatus } from './report.js';
import { ConformanceSession } from './session.js';
import type { ConformanceStore, StoreTarget } from './store-types.js';

/**
 * Checks `target` (a store, a factory `{ make({ prefix }) }`, or a factory function) against the
 * cloud-IP store protocol and resolves to a report: passed / failed / skipped / indeterminate per
 * property, with seeds, paths and minimal call sequences. Bad options reject with
 * `GuardInputError`, a missing `fast-check` with `ConformanceDependencyError`; a misbehaving
 * store never makes it reject.
 *
 * @example
 * const report = await checkStoreConformance(() => new MyStore(), { capabilities: { ttl: false } });
 * if (!report.ok) { console.error(formatConformanceReport(report)); process.exitCode = 1; }
 */
export async function checkStoreConformance<S extends ConformanceStore>(
  target: StoreTarget<S>,
  options?: StoreConformanceOptions,
): Promise<ConformanceReport> {
  const session = ConformanceSession.create(target, options);
  fastCheck();
  return runSession(session);
}

/** Checks every property of an already created session, one after another. */
export async function runSession(session: ConformanceSession): Promise<ConformanceReport> {
  const started = performance.now();
  const mode = await session.resolveMode();
  const results: PropertyResult[] = [];
  for (const def of CATALOGUE) results.push(await checkProperty(def, session, mode));
  const counts: Record<PropertyStatus, number> = { passed: 0, failed: 0, skipped: 0, indeterminate: 0 };
  for (const r of results) counts[r.status] += 1;
  return {
    store: session.name,
    mode,
    seed: session.options.seed,
    numRuns: session.options.numRuns,
    relaxations: session.options.capabilities.relaxations,
    results,
    ok: counts.failed === 0 && counts.indeterminate === 0,
    counts,
    durationMs: performance.now() - started,
  };
}
