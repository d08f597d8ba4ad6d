/**
 * Accepting a detection pattern: it must compile, and it must not backtrack catastrophically.
 *
 * The ReDoS check is `redos-detector` (a maintained static analyser of ECMAScript regexes). It is
 * run on the pattern anchored at one start position, `^(?:pattern)`: the analyser then measures
 * how many ways one input can be matched from one position, which is what explodes in `(a+)+$`,
 * `(a|a)*$` or `(\w+\s?)*$`. Run unanchored, it also counts the engine's retries at every later
 * start position and flags nearly every useful pattern (`<script[^>]*>`, `union\s+select`);
 * those retries cost at most (input length) × (cost per position), which the matcher bounds by
 * truncating its input (`patternMaxContentLength`). The analysis is deterministic (a step
 * budget, not a clock), with a time limit only as a safety net: hitting either refuses the pattern.
 */
import { isSafe } from 'redos-detector';
import { GuardPatternError } from '../errors.js';
import { describe, isWellFormed } from '../validate.js';

/** Flags every pattern is compiled with: case-insensitive and multi-line, as the original (`re.IGNORECASE | re.MULTILINE`). */
export const PATTERN_FLAGS = 'im';

/** The analyser's settings (see the module comment); exported so the README and tests quote the same numbers. */
export const REDOS_CHECK = Object.freeze({
  /** Most distinct ways one input may match from one position; typical detection patterns score 1–3. */
  maxScore: 25,
  /** Analysis step budget: deterministic, so a pattern is accepted or refused the same way on every machine. */
  maxSteps: 2000,
  /** Safety net on the analysis time, in ms. */
  timeout: 1000,
});

/** Limits applied before the (costlier) analysis. */
export interface PatternLimits {
  /** Longest pattern accepted, in characters. */
  readonly maxLength: number;
}

/** A pattern that passed every check, compiled. */
export interface CompiledPattern {
  /** The pattern as given (what is stored and listed). */
  readonly source: string;
  /** The compiled expression (flags `i` and `m`). */
  readonly regex: RegExp;
}

/** The verdict on one pattern: compiled, or refused with a reason. */
export type PatternVerdict =
  { readonly ok: true; readonly compiled: CompiledPattern } | { readonly ok: false; readonly error: GuardPatternError };

/**
 * Python's leading inline flags (`(?i)`, `(?im)`…): JavaScript (Node 20) has no inline flag
 * groups, but every pattern is compiled with `i` and `m` anyway, so a leading group made of
 * those flags only is dropped and a pattern written for a Python replica still works here.
 */
const LEADING_PY_FLAGS = /^\(\?[im]+\)/;

/** Checks `pattern` (syntax, length, ReDoS safety) without throwing. */
export function checkPattern(pattern: unknown, limits: PatternLimits, field = 'pattern'): PatternVerdict {
  const refuse = (
    reason: GuardPatternError['reason'],
    message: string,
    source = describe(pattern),
  ): PatternVerdict => ({
    ok: false,
    error: new GuardPatternError(field, source, reason, message),
  });
  if (typeof pattern !== 'string') return refuse('syntax', `expected a string, got ${describe(pattern)}`);
  if (pattern.length === 0) return refuse('empty', 'must not be empty', pattern);
  // Redis would store a lone surrogate as U+FFFD: refused here, before it can be held in memory
  // during an outage and then refused by every write-back.
  if (!isWellFormed(pattern)) return refuse('syntax', 'contains a lone UTF-16 surrogate', pattern);
  if (pattern.length > limits.maxLength)
    return refuse('too-long', `is ${pattern.length} characters long; the limit is ${limits.maxLength}`, pattern);
  const body = pattern.replace(LEADING_PY_FLAGS, '');
  let regex: RegExp;
  try {
    regex = new RegExp(body, PATTERN_FLAGS);
  } catch (error) {
    return refuse(
      'syntax',
      `is not a valid regular expression: ${error instanceof Error ? error.message : 'invalid'}`,
      pattern,
    );
  }
  let safe: boolean;
  let why = 'it is too complex to prove safe';
  try {
    // Anchored at one position (see the module comment); non-capturing, so group numbers stay.
    const verdict = isSafe(new RegExp(`^(?:${body})`, PATTERN_FLAGS), REDOS_CHECK);
    safe = verdict.safe;
    if (verdict.error === 'hitMaxScore') why = 'the same input can match it in too many ways';
  } catch {
    safe = false; // a construct the analyser cannot model: not proven safe
  }
  if (!safe) return refuse('unsafe', `may backtrack catastrophically (ReDoS): ${why}`, pattern);
  return { ok: true, compiled: { source: pattern, regex } };
}

/** Like {@link checkPattern}, but throws the {@link GuardPatternError}. */
export function requireSafePattern(pattern: unknown, limits: PatternLimits, field = 'pattern'): CompiledPattern {
  const verdict = checkPattern(pattern, limits, field);
  if (!verdict.ok) throw verdict.error;
  return verdict.compiled;
}
