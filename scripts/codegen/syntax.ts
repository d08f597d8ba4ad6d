/**
 * Small AST questions shared by the transformer and the refusal checks.
 */
import { Node, SyntaxKind, type Identifier, type SourceFile, type StringLiteral, type Type } from 'ts-morph';

/**
 * The module specifiers of a file: static imports and exports, `import('…')` types and dynamic
 * `import('…')` calls.
 */
export function moduleSpecifiers(file: SourceFile): StringLiteral[] {
  const found: StringLiteral[] = [];
  file.forEachDescendant((node) => {
    if (Node.isImportDeclaration(node) || Node.isExportDeclaration(node)) {
      const specifier = node.getModuleSpecifier();
      if (Node.isStringLiteral(specifier)) found.push(specifier);
    } else if (Node.isImportTypeNode(node)) {
      const argument = node.getArgument();
      if (Node.isLiteralTypeNode(argument)) {
        const literal = argument.getLiteral();
        if (Node.isStringLiteral(literal)) found.push(literal);
      }
    } else if (Node.isCallExpression(node) && node.getExpression().getKind() === SyntaxKind.ImportKeyword) {
      const [argument] = node.getArguments();
      if (Node.isStringLiteral(argument)) found.push(argument);
    }
  });
  return found;
}

/**
 * True when the identifier names a member (`x.name`, `{ name: … }`, a method or property
 * declaration): renaming it would change an object's shape, not a type.
 */
export function isMemberName(identifier: Identifier): boolean {
  const parent = identifier.getParent();
  if (Node.isPropertyAccessExpression(parent)) return parent.getNameNode() === identifier;
  if (
    Node.isPropertyAssignment(parent) ||
    Node.isPropertyDeclaration(parent) ||
    Node.isPropertySignature(parent) ||
    Node.isMethodDeclaration(parent) ||
    Node.isMethodSignature(parent) ||
    Node.isGetAccessorDeclaration(parent) ||
    Node.isSetAccessorDeclaration(parent) ||
    Node.isEnumMember(parent)
  ) {
    return parent.getNameNode() === identifier;
  }
  return Node.isShorthandPropertyAssignment(parent);
}

/**
 * Whether a value of this type (seen at `where`) may be a promise: it has a callable `then`, or
 * is a union holding such a type. `any` and `unknown` are not.
 */
export function isThenable(type: Type, where: Node): boolean {
  if (type.isAny() || type.isUnknown()) return false;
  if (type.isUnion()) return type.getUnionTypes().some((member) => isThenable(member, where));
  const then = type.getApparentType().getProperty('then');
  return then !== undefined && then.getTypeAtLocation(where).getCallSignatures().length > 0;
}

/** Whether the expression's value may be a promise. */
export function isPromiseValued(expression: Node): boolean {
  return isThenable(expression.getType(), expression);
}

/** Strips any number of parentheses around an expression. */
export function withoutParens(node: Node): Node {
  let current = node;
  while (Node.isParenthesizedExpression(current)) current = current.getExpression();
  return current;
}

/** `Promise.<name>` property access, e.g. `Promise.all`; the static's name, or null. */
export function promiseStatic(node: Node): string | null {
  if (!Node.isPropertyAccessExpression(node)) return null;
  const target = node.getExpression();
  return Node.isIdentifier(target) && target.getText() === 'Promise' ? node.getName() : null;
}
