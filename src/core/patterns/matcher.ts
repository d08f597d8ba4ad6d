/**
 * Matching text against the active pattern set, with bounded input: whatever the patterns, the
 * work per call is bounded by `maxContentLength` (see `safety.ts` for why the bound matters).
 */
import type { CompiledPattern } from './safety.js';

/** The result of matching one text. */
export interface PatternMatchResult {
  /** The patterns (as given) that match, in the active set's order: built-in first, then custom. */
  readonly matched: readonly string[];
  /** True when the text was longer than the limit and only its beginning was inspected. */
  readonly truncated: boolean;
}

/**
 * Matches `text` (truncated to its first `maxContentLength` UTF-16 code units) against every
 * pattern. Truncation, not refusal: a guard must still inspect the start of an oversized value,
 * and `truncated` lets the caller treat the oversized value itself as suspicious if it wants.
 */
export function matchPatterns(
  patterns: readonly CompiledPattern[],
  text: string,
  maxContentLength: number,
): PatternMatchResult {
  const truncated = text.length > maxContentLength;
  const inspected = truncated ? text.slice(0, maxContentLength) : text;
  const matched: string[] = [];
  for (const { source, regex } of patterns) {
    regex.lastIndex = 0; // no g/y flag, but stay correct if a caller hands one in
    if (regex.test(inspected)) matched.push(source);
  }
  return { matched, truncated };
}
