/**
 * The AST rewrite of one mirrored module: each rule of README.md becomes a text edit on the
 * original source. Redundant parentheses left behind (`(x).y` after dropping `await`) are
 * removed by Prettier, which reprints the file from its AST.
 */
import {
  Node,
  SyntaxKind,
  ts,
  type CallExpression,
  type PropertyAccessExpression,
  type SourceFile,
  type TypeReferenceNode,
} from 'ts-morph';
import { commentEdits } from './comments.js';
import { applyEdits, type Edit } from './edits.js';
import { specifierFate, type Layout } from './layout.js';
import { PROMISE_ALL, RENAMES, SYMBOL_TABLE, UNWRAPPED_TYPES } from './rules.js';
import { isMemberName, moduleSpecifiers, promiseStatic } from './syntax.js';

/** The sync text of `file` before formatting (without the header). */
export function transformModule(file: SourceFile, layout: Layout): string {
  const edits: Edit[] = [...commentEdits(file), ...specifierEdits(file, layout)];
  file.forEachDescendant((node) => {
    edits.push(...editsFor(node));
  });
  return applyEdits(file.getFullText(), edits);
}

function editsFor(node: Node): Edit[] {
  if (node.getKind() === SyntaxKind.AsyncKeyword) return [remove(node.getStart(), node.getEnd())];
  // Up to the operand, line breaks included: `return await\n x` must not become `return\n x`.
  if (Node.isAwaitExpression(node)) return [remove(node.getStart(), node.getExpression().getStart())];
  if (Node.isForOfStatement(node)) {
    const keyword = node.getAwaitKeyword();
    return keyword ? [remove(keyword.getStart(), keyword.getEnd())] : [];
  }
  if (Node.isVariableDeclarationList(node) && isAwaitUsing(node)) {
    return [remove(node.getStart(), node.getStart() + 'await'.length)];
  }
  if (Node.isTypeReference(node)) return unwrapType(node);
  if (Node.isCallExpression(node)) return unwrapPromiseAll(node);
  if (Node.isPropertyAccessExpression(node)) return renameSymbol(node);
  if (Node.isIdentifier(node)) return renameIdentifier(node);
  return [];
}

/** `await using x = …` → `using x = …`. */
function isAwaitUsing(node: Node): boolean {
  return (node.getFlags() & ts.NodeFlags.BlockScoped) === (ts.NodeFlags.AwaitUsing as number);
}

/** `Promise<T>` → `T`, parenthesised where the context binds tighter than `T` (`Promise<A | B>[]` → `(A | B)[]`). */
function unwrapType(node: TypeReferenceNode): Edit[] {
  const [argument, ...rest] = node.getTypeArguments();
  if (!UNWRAPPED_TYPES.has(node.getTypeName().getText()) || argument === undefined || rest.length > 0) return [];
  const parens = needsParentheses(argument.getKind(), node.getParentOrThrow().getKind());
  return [
    { start: node.getStart(), end: argument.getStart(), text: parens ? '(' : '' },
    { start: argument.getEnd(), end: node.getEnd(), text: parens ? ')' : '' },
  ];
}

/** Type kinds that are not atoms: put where a type reference was, they may need parentheses. */
const COMPOUND_TYPES: ReadonlySet<SyntaxKind> = new Set([
  SyntaxKind.UnionType,
  SyntaxKind.IntersectionType,
  SyntaxKind.FunctionType,
  SyntaxKind.ConstructorType,
  SyntaxKind.ConditionalType,
  SyntaxKind.TypeOperator,
  SyntaxKind.InferType,
]);

/** Contexts that bind tighter than a compound type, with the compound kinds each one still accepts bare. */
const TIGHT_CONTEXTS: ReadonlyMap<SyntaxKind, ReadonlySet<SyntaxKind>> = new Map([
  [SyntaxKind.ArrayType, new Set<SyntaxKind>()],
  [SyntaxKind.IndexedAccessType, new Set<SyntaxKind>()],
  [SyntaxKind.OptionalType, new Set<SyntaxKind>()],
  [SyntaxKind.RestType, new Set<SyntaxKind>()],
  [SyntaxKind.TypeOperator, new Set<SyntaxKind>()],
  [SyntaxKind.ConditionalType, new Set<SyntaxKind>([SyntaxKind.UnionType, SyntaxKind.IntersectionType])],
  [
    SyntaxKind.UnionType,
    new Set<SyntaxKind>([SyntaxKind.UnionType, SyntaxKind.IntersectionType, SyntaxKind.TypeOperator]),
  ],
  [SyntaxKind.IntersectionType, new Set<SyntaxKind>([SyntaxKind.IntersectionType, SyntaxKind.TypeOperator])],
]);

/**
 * Parentheses are added only where needed, never blindly: a parenthesised arrow-function return
 * type (`(): (T) => …`) would not even parse.
 */
function needsParentheses(inner: SyntaxKind, context: SyntaxKind): boolean {
  const accepted = TIGHT_CONTEXTS.get(context);
  return accepted !== undefined && COMPOUND_TYPES.has(inner) && !accepted.has(inner);
}

/** `Promise.all(x)` → `(x)`: each element is already a value, computed in order. */
function unwrapPromiseAll(node: CallExpression): Edit[] {
  const [argument, ...rest] = node.getArguments();
  if (promiseStatic(node.getExpression()) !== PROMISE_ALL || argument === undefined || rest.length > 0) return [];
  return [
    { start: node.getStart(), end: argument.getStart(), text: '(' },
    { start: argument.getEnd(), end: node.getEnd(), text: ')' },
  ];
}

/** `Symbol.asyncDispose` → `Symbol.dispose`. */
function renameSymbol(node: PropertyAccessExpression): Edit[] {
  const target = node.getExpression();
  const name = node.getNameNode();
  const renamed = SYMBOL_TABLE[name.getText()];
  if (!Node.isIdentifier(target) || target.getText() !== 'Symbol' || renamed === undefined) return [];
  return [{ start: name.getStart(), end: name.getEnd(), text: renamed }];
}

function renameIdentifier(node: Node): Edit[] {
  if (!Node.isIdentifier(node) || isMemberName(node)) return [];
  const renamed = RENAMES[node.getText()];
  return renamed === undefined ? [] : [{ start: node.getStart(), end: node.getEnd(), text: renamed }];
}

/** Imports of twinned modules point at the twin; imports outside the async folder keep resolving. */
function specifierEdits(file: SourceFile, layout: Layout): Edit[] {
  const edits: Edit[] = [];
  for (const literal of moduleSpecifiers(file)) {
    const fate = specifierFate(layout, file.getFilePath(), literal.getLiteralValue());
    if (fate.kind === 'rewrite') {
      edits.push({ start: literal.getStart(), end: literal.getEnd(), text: `'${fate.specifier}'` });
    }
  }
  return edits;
}

function remove(start: number, end: number): Edit {
  return { start, end, text: '' };
}
