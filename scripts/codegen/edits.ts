/**
 * Text edits computed from the original AST and applied in one pass, so the transformer never
 * re-parses a half-rewritten file. Formatting is left to Prettier afterwards.
 */

/** Replace `text[start, end)` with `text`. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Applies edits to `source`. An edit lying wholly inside another one is dropped (the outer edit
 * already replaced that text); a partial overlap is a generator bug and throws.
 */
export function applyEdits(source: string, edits: readonly Edit[]): string {
  const ordered = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of ordered) {
    if (edit.start < cursor) {
      if (edit.end <= cursor) continue;
      throw new Error(`codegen: overlapping edits at ${edit.start}..${edit.end} (previous edit ends at ${cursor})`);
    }
    parts.push(source.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  parts.push(source.slice(cursor));
  return parts.join('');
}
