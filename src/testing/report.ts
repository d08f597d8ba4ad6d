/**
 * The results of a check and how they read: one line per property, and for each failure the
 * property, the minimal call sequence, the seed/path to replay it and a one-line replay hint.
 */
import type { PropertyId } from './property-ids.js';
import type { StoreMode } from './store-types.js';

/** The four outcomes. `indeterminate`: the kit could not decide (transport error, time limit). */
export type PropertyStatus = 'passed' | 'failed' | 'skipped' | 'indeterminate';

/** The outcome of one property. */
export interface PropertyResult {
  /** Stable id, e.g. `P04`. */
  readonly id: PropertyId;
  /** What the property requires. */
  readonly title: string;
  /** How it ended: passed, failed, skipped (a capability the store does not declare) or indeterminate. */
  readonly status: PropertyStatus;
  /** Why it was skipped or indeterminate, or the failure's message; null when passed. */
  readonly reason: string | null;
  /** The seed fast-check used for this property (derived from the base seed and the id). */
  readonly seed: number | null;
  /** fast-check's path to the (shrunk) failing case. */
  readonly path: string | null;
  /** The replay path of a model-based (P24) failure. */
  readonly replayPath: string | null;
  /** Runs executed (shrinks not included). */
  readonly numRuns: number;
  /** Shrinking steps that led to the reported case. */
  readonly numShrinks: number;
  /** Wall-clock time the property took, in milliseconds. */
  readonly durationMs: number;
  /** The failing case as code: every store call, clock move and wait, and the failed expectation. */
  readonly callSequence: string | null;
  /** The generated values of the failing case, as fast-check prints them. */
  readonly counterexample: string | null;
  /** What was thrown (a `ConformanceViolation` for a broken expectation, or the store's own error). */
  readonly error: unknown;
  /** Whether replaying seed + path failed again; `false` means the store is non-deterministic. */
  readonly reproduced: boolean | null;
  /** How to rerun exactly this case, as options and as environment variables. */
  readonly replay: string | null;
}

/** The outcome of a whole check. */
export interface ConformanceReport {
  /** The store's label. */
  readonly store: string;
  /** The store's kind as declared or probed. */
  readonly mode: StoreMode;
  /** The base seed (each property derives its own from it). */
  readonly seed: number;
  /** The base number of runs. */
  readonly numRuns: number;
  /** Departures from the strict default capabilities, e.g. `ttl: false`. */
  readonly relaxations: readonly string[];
  /** One entry per property, in id order. */
  readonly results: readonly PropertyResult[];
  /** True when nothing failed and nothing was indeterminate (skips are allowed). */
  readonly ok: boolean;
  /** How many properties ended in each status. */
  readonly counts: Readonly<Record<PropertyStatus, number>>;
  /** Wall-clock time of the whole run, in milliseconds. */
  readonly durationMs: number;
}

/** Everything about one failure, as printed by the test binding and by {@link formatConformanceReport}. */
export function formatPropertyFailure(
  result: PropertyResult,
  report: { store: string; mode: StoreMode; seed: number },
): string {
  const lines = [
    `${result.id} ${result.title} — ${result.status.toUpperCase()}`,
    `  store: ${report.store} (${report.mode}); base seed ${report.seed}; property seed ${result.seed ?? '-'}; ` +
      `path ${JSON.stringify(result.path)}${result.replayPath === null ? '' : `; replayPath ${JSON.stringify(result.replayPath)}`}`,
    `  after ${result.numRuns} run(s) and ${result.numShrinks} shrink(s)`,
    `  ${result.reason ?? ''}`,
  ];
  if (result.reproduced === false) {
    lines.push(
      '  NON-DETERMINISTIC: replaying this seed and path passed; the store behaves differently on identical calls',
    );
  }
  if (result.callSequence !== null) {
    lines.push('  minimal call sequence:', indent(result.callSequence, 4));
  }
  if (result.counterexample !== null) lines.push(`  generated values: ${result.counterexample}`);
  if (result.replay !== null) lines.push(`  replay: ${result.replay}`);
  return lines.join('\n');
}

/** A readable summary: one line per property, then the details of each failure. */
export function formatConformanceReport(report: ConformanceReport): string {
  const c = report.counts;
  const head = [
    `guard-core store conformance: ${report.store} (${report.mode}) — ${report.ok ? 'OK' : 'NOT CONFORMANT'}`,
    `  ${c.passed} passed, ${c.failed} failed, ${c.indeterminate} indeterminate, ${c.skipped} skipped; ` +
      `seed ${report.seed}, numRuns ${report.numRuns}, ${Math.round(report.durationMs)} ms`,
  ];
  if (report.relaxations.length > 0) head.push(`  relaxed capabilities: ${report.relaxations.join('; ')}`);
  const rows = report.results.map(
    (r) =>
      `  ${r.status.padEnd(13)} ${r.id} ${r.title}${r.status === 'passed' || r.reason === null ? '' : ` — ${firstLine(r.reason)}`}`,
  );
  const failures = report.results
    .filter((r) => r.status === 'failed' || r.status === 'indeterminate')
    .map((r) => formatPropertyFailure(r, report));
  return [...head, ...rows, ...failures.map((f) => `\n${f}`)].join('\n');
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

const resultsOfErrors = new WeakMap<StoreConformanceError, PropertyResult>();

/** Thrown by a test `runStoreConformance` registered, when its property failed or was indeterminate. */
export class StoreConformanceError extends Error {
  override name = 'StoreConformanceError';

  /** `message` is the printed failure; `result` is the property's outcome (its store error becomes the `cause`). */
  constructor(message: string, result: PropertyResult) {
    // The store's own error is the cause (its stack leads into the store); a broken expectation
    // is fully described by the message already.
    const own = result.error instanceof Error && !/^Conformance(Violation|Indeterminate)$/.test(result.error.name);
    super(message, own ? { cause: result.error } : undefined);
    // Kept off the instance: test runners print every own field of an error, and the message says it all.
    resultsOfErrors.set(this, result);
  }

  /** The full result, seed and path included. */
  get result(): PropertyResult {
    return resultsOfErrors.get(this) as PropertyResult;
  }
}
