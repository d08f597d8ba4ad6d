/**
 * Constructs with no faithful sync meaning. Each is reported with its position so the canonical
 * source can be rewritten inside the translatable subset (README.md, "Refused").
 */
import { Node, type ArrowFunction, type FunctionExpression, type ReturnStatement, type SourceFile } from 'ts-morph';
import { shown, specifierFate, type Layout } from './layout.js';
import { PROMISE_ALL, REFUSED_CHAIN_METHODS, REFUSED_TIMERS } from './rules.js';
import { isMemberName, isPromiseValued, isThenable, moduleSpecifiers, promiseStatic, withoutParens } from './syntax.js';

/** One refused construct; `line` and `column` are 1-based. */
export interface Refusal {
  /** Path of the async module, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the construct's first character. */
  readonly line: number;
  /** 1-based column of the construct's first character. */
  readonly column: number;
  /** What is refused and what to write instead. */
  readonly message: string;
}

/** `path:line:col  message`, the form editors and terminals link to. */
export function formatRefusal(refusal: Refusal): string {
  return `${refusal.file}:${refusal.line}:${refusal.column}  ${refusal.message}`;
}

/** Every refused construct of a mirrored module, in source order. */
export function findRefusals(file: SourceFile, layout: Layout): Refusal[] {
  const found: Array<{ node: Node; message: string }> = [];
  for (const literal of moduleSpecifiers(file)) {
    const fate = specifierFate(layout, file.getFilePath(), literal.getLiteralValue());
    if (fate.kind === 'refuse') found.push({ node: literal, message: fate.message });
  }
  file.forEachDescendant((node) => {
    const message = refusalOf(node);
    if (message !== null) found.push({ node, message });
  });
  const name = shown(layout, file.getFilePath());
  return found
    .map(({ node, message }) => ({ file: name, ...file.getLineAndColumnAtPos(node.getStart()), message }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function refusalOf(node: Node): string | null {
  if (Node.isPropertyAccessExpression(node)) return promiseStaticRefusal(node) ?? chainRefusal(node);
  if (Node.isNewExpression(node) && node.getExpression().getText() === 'Promise') {
    return '`new Promise(…)` has no sync equivalent: write an async function over a seam instead';
  }
  if (Node.isIdentifier(node) && REFUSED_TIMERS.has(node.getText()) && !isDeclaredMember(node)) {
    return `timer \`${node.getText()}\` used for concurrency: start background work through runInBackground (support/background.ts)`;
  }
  if (Node.isExpressionStatement(node)) return floating(node.getExpression(), 'floating promise: await it');
  if (Node.isVoidExpression(node)) return floating(node.getExpression(), 'promise discarded with `void`: await it');
  if (Node.isVariableDeclaration(node) || Node.isPropertyDeclaration(node)) {
    const initializer = node.getInitializer();
    return initializer ? floating(initializer, 'promise stored without await: await it where it is created') : null;
  }
  if (Node.isReturnStatement(node)) return returnInTry(node);
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return asyncCallbackToVoid(node);
  return null;
}

function promiseStaticRefusal(node: Node): string | null {
  const name = promiseStatic(node);
  if (name === null || name === PROMISE_ALL) return null;
  return `\`Promise.${name}\` has no faithful sync translation (only \`await Promise.all(…)\` has one)`;
}

/** `.then/.catch/.finally` on something that may be a promise (an `any` receiver counts). */
function chainRefusal(node: Node): string | null {
  if (!Node.isPropertyAccessExpression(node) || !REFUSED_CHAIN_METHODS.has(node.getName())) return null;
  const call = node.getParent();
  if (!Node.isCallExpression(call) || call.getExpression() !== node) return null;
  const receiver = node.getExpression();
  if (!receiver.getType().isAny() && !isPromiseValued(receiver)) return null;
  return `\`.${node.getName()}(…)\` chain has no sync translation: use await with try/catch/finally`;
}

/** A promise-typed expression that is not awaited: its work would run beside the caller. */
function floating(expression: Node, message: string): string | null {
  const bare = withoutParens(expression);
  if (Node.isAwaitExpression(bare)) return null;
  return isPromiseValued(bare) ? message : null;
}

/**
 * `return promise` inside `try`: the async code leaves the try block before the promise settles
 * (the catch misses its rejection, the finally runs first); the sync code would not.
 */
function returnInTry(node: ReturnStatement): string | null {
  const expression = node.getExpression();
  if (expression === undefined || Node.isAwaitExpression(withoutParens(expression))) return null;
  if (!isPromiseValued(expression)) return null;
  let child: Node = node;
  for (let parent: Node | undefined = node.getParent(); parent !== undefined; parent = parent.getParent()) {
    if (Node.isFunctionLikeDeclaration(parent) || Node.isFunctionExpression(parent)) return null;
    const guarded =
      Node.isTryStatement(parent) &&
      (child === parent.getTryBlock() || (child === parent.getCatchClause() && parent.getFinallyBlock() !== undefined));
    if (guarded) return 'promise returned inside try without await: write `return await …`';
    child = parent;
  }
  return null;
}

/** An async callback handed to a parameter typed `() => void` (e.g. `forEach`): nobody awaits it. */
function asyncCallbackToVoid(node: ArrowFunction | FunctionExpression): string | null {
  if (!isThenable(node.getReturnType(), node)) return null;
  const contextual = node.getContextualType();
  const signatures = contextual?.getCallSignatures() ?? [];
  if (signatures.length === 0 || !signatures.every((s) => s.getReturnType().isVoid())) return null;
  return 'async callback passed where a void-returning function is expected: its promise would float';
}

function isDeclaredMember(node: Node): boolean {
  if (!Node.isIdentifier(node) || !isMemberName(node)) return false;
  return !Node.isPropertyAccessExpression(node.getParent());
}
