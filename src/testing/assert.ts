/**
 * The kit's own assertions (no test runner's `expect`): each failure says what was read, what
 * the protocol requires, and why.
 */
import { show } from './trace.js';

/** The store broke the protocol. */
export class ConformanceViolation extends Error {
  override name = 'ConformanceViolation';
}

/** The run could not decide (e.g. the machine was too slow to read before a deadline). */
export class ConformanceIndeterminate extends Error {
  override name = 'ConformanceIndeterminate';
}

/** Fails with `message` when `condition` is false. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceViolation(message);
}

/** `actual` is exactly `null` (not `undefined`, not an empty set). */
export function expectNull(actual: unknown, what: string): void {
  check(actual === null, `${what}: expected null (absent), got ${show(actual)}`);
}

/** `actual` is a Set of strings equal to `expected`. */
export function expectSet(actual: unknown, expected: ReadonlySet<string>, what: string): void {
  const problem = setMismatch(actual, expected);
  if (problem !== null) throw new ConformanceViolation(`${what}: expected ${show(new Set(expected))}, got ${problem}`);
}

/** `actual` equals `expected` (a set, or `null` for absent). */
export function expectState(actual: unknown, expected: ReadonlySet<string> | null, what: string): void {
  if (expected === null) expectNull(actual, what);
  else expectSet(actual, expected, what);
}

/** `actual` equals one of `allowed` (sets or `null`). */
export function expectOneOf(actual: unknown, allowed: readonly (ReadonlySet<string> | null)[], what: string): void {
  const ok = allowed.some((a) => (a === null ? actual === null : setMismatch(actual, a) === null));
  if (!ok) {
    const options = allowed.map((a) => (a === null ? 'null' : show(new Set(a)))).join(' or ');
    throw new ConformanceViolation(`${what}: expected ${options}, got ${show(actual)}`);
  }
}

/** Why `actual` is not a Set of strings equal to `expected`, or null when it is. */
export function setMismatch(actual: unknown, expected: ReadonlySet<string>): string | null {
  if (!(actual instanceof Set)) return `${show(actual)} (not a Set)`;
  for (const item of actual) {
    if (typeof item !== 'string') return `${show(actual)} (contains ${show(item)}, not a string)`;
  }
  const missing = [...expected].filter((x) => !actual.has(x));
  const extra = [...actual].filter((x) => !expected.has(x as string));
  if (missing.length === 0 && extra.length === 0) return null;
  const parts = [show(actual)];
  if (missing.length > 0) parts.push(`missing ${missing.length}: ${show(missing.slice(0, 5))}`);
  if (extra.length > 0) parts.push(`unexpected ${extra.length}: ${show(extra.slice(0, 5))}`);
  return parts.join('; ');
}
