/**
 * Renames in comments: a TSDoc `{@link Name}` or a backticked `` `Name` `` that mentions a renamed
 * type follows the rename, so the sync docs point at the sync names. Prose is left alone.
 */
import { ts, type SourceFile } from 'ts-morph';
import type { Edit } from './edits.js';
import { RENAMES } from './rules.js';

const MENTION = new RegExp(`(\\{@link(?:code|plain)?\\s+|\`)(${Object.keys(RENAMES).join('|')})\\b`, 'g');

/** Edits renaming every mention found in the file's comments. */
export function commentEdits(file: SourceFile): Edit[] {
  const source = file.getFullText();
  const edits: Edit[] = [];
  for (const [start, end] of triviaRanges(file.compilerNode)) {
    const trivia = source.slice(start, end);
    for (const match of trivia.matchAll(MENTION)) {
      const [, lead = '', name = ''] = match;
      const at = start + (match.index ?? 0) + lead.length;
      edits.push({ start: at, end: at + name.length, text: RENAMES[name] ?? name });
    }
  }
  return edits;
}

/**
 * The trivia before every token (`[pos, start)`): whitespace and comments only, so a match in
 * it is always inside a comment, never in a string or template.
 */
function triviaRanges(root: ts.SourceFile): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const visit = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = node.getChildren(root);
    if (children.length === 0) {
      if (node.kind === ts.SyntaxKind.SyntaxList) return; // an empty list owns no trivia
      const start = node.getStart(root);
      if (start > node.pos) ranges.push([node.pos, start]);
      return;
    }
    for (const child of children) visit(child);
  };
  visit(root);
  return ranges;
}
