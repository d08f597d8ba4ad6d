/**
 * "TSDoc on every export": every declaration a user can import from a public entry point, every
 * public member of its exported classes and every member of its exported interfaces carries a doc
 * comment. Overrides (`override name`, `override code`) inherit their base's comment, and
 * private or protected members are not public API.
 */
import { Node, Project, type ClassDeclaration, type InterfaceDeclaration } from 'ts-morph';
import { expect, test } from 'vitest';

/** The `exports` of package.json, as sources (the CLI and the bridge worker export nothing). */
const ENTRY_POINTS = ['src/index.ts', 'src/async/index.ts', 'src/sync.ts', 'src/testing/index.ts'];

/** Members with these modifiers are not checked: not public, or documented by the base class. */
const HIDDEN = ['private', 'protected'] as const;
const INHERITS_DOC = 'override';

function where(node: Node): string {
  const file = node.getSourceFile().getFilePath();
  return `${file.slice(file.indexOf('/src/') + 1)}:${node.getStartLineNumber()}`;
}

function documented(node: Node): boolean {
  const target = Node.isVariableDeclaration(node) ? node.getVariableStatement() : node;
  if (target === undefined || !Node.isJSDocable(target)) return true; // e.g. a re-exported namespace
  if (target.getJsDocs().length > 0) return true;
  // An overloaded function or method is documented on its signatures.
  return Node.isOverloadable(target) && target.getOverloads().some((o) => o.getJsDocs().length > 0);
}

function undocumentedClassMembers(cls: ClassDeclaration, name: string): string[] {
  const missing: string[] = [];
  for (const member of cls.getMembers()) {
    if (Node.isConstructorDeclaration(member)) {
      const hidden = HIDDEN.some((modifier) => member.hasModifier(modifier));
      if (!hidden && member.getParameters().length > 0 && member.getJsDocs().length === 0) {
        missing.push(`${where(member)} ${name}.constructor`);
      }
      continue;
    }
    if (Node.isClassStaticBlockDeclaration(member)) continue;
    if (HIDDEN.some((modifier) => member.hasModifier(modifier)) || member.hasModifier(INHERITS_DOC)) continue;
    const memberName = member.getName();
    if (memberName.startsWith('#') || documented(member)) continue;
    // A setter is documented by its getter.
    if (Node.isSetAccessorDeclaration(member) && member.getGetAccessor()?.getJsDocs().length) continue;
    missing.push(`${where(member)} ${name}.${memberName}`);
  }
  return missing;
}

function undocumentedInterfaceMembers(iface: InterfaceDeclaration, name: string): string[] {
  return iface
    .getMembers()
    .filter((member) => Node.isJSDocable(member) && member.getJsDocs().length === 0)
    .map((member) => `${where(member)} ${name}.${Node.hasName(member) ? member.getName() : '(call)'}`);
}

test('every public export, class member and interface member has a doc comment', () => {
  const project = new Project({ tsConfigFilePath: 'tsconfig.json', skipAddingFilesFromTsConfig: true });
  const missing = new Set<string>();
  let exports = 0;
  for (const entry of ENTRY_POINTS) {
    const file = project.addSourceFileAtPath(entry);
    project.resolveSourceFileDependencies();
    for (const [name, declarations] of file.getExportedDeclarations()) {
      for (const declaration of declarations) {
        exports++;
        if (!documented(declaration)) missing.add(`${where(declaration)} ${name}`);
        if (Node.isClassDeclaration(declaration)) {
          for (const m of undocumentedClassMembers(declaration, name)) missing.add(m);
        }
        if (Node.isInterfaceDeclaration(declaration)) {
          for (const m of undocumentedInterfaceMembers(declaration, name)) missing.add(m);
        }
      }
    }
  }
  expect(exports).toBeGreaterThan(100); // the entry points were read
  expect([...missing].sort()).toEqual([]);
}, 60_000);
