/**
 * Where things are: which async modules are mirrored, twinned or async-only, and what a
 * relative import of a mirrored module must become in its sync twin.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ASYNC_ONLY, TWINS } from './rules.js';

/** Absolute folders and module tables of one generation. */
export interface Layout {
  /** Repository root; paths in headers and messages are shown relative to it. */
  readonly rootDir: string;
  /** The canonical async source folder. */
  readonly srcDir: string;
  /** The generated sync folder. */
  readonly outDir: string;
  /** Async module → its hand-written sync twin (absolute `.ts` paths). */
  readonly twins: ReadonlyMap<string, string>;
  /** Async-only modules (absolute `.ts` paths). */
  readonly asyncOnly: ReadonlySet<string>;
}

/** How the generator treats one async module. */
export type ModuleKind = 'mirrored' | 'twin' | 'async-only';

/** What becomes of one import or export specifier in the sync output. */
export type SpecifierFate =
  | { readonly kind: 'keep' }
  | { readonly kind: 'rewrite'; readonly specifier: string }
  | { readonly kind: 'refuse'; readonly message: string };

/** Builds a layout; table entries are relative to `srcDir`, as in {@link TWINS} and {@link ASYNC_ONLY}. */
export function makeLayout(
  rootDir: string,
  srcDir: string,
  outDir: string,
  twins: Readonly<Record<string, string>> = TWINS,
  asyncOnly: readonly string[] = ASYNC_ONLY,
): Layout {
  const src = path.resolve(rootDir, srcDir);
  return {
    rootDir: path.resolve(rootDir),
    srcDir: src,
    outDir: path.resolve(rootDir, outDir),
    twins: new Map(Object.entries(twins).map(([from, to]) => [path.resolve(src, from), path.resolve(src, to)])),
    asyncOnly: new Set(asyncOnly.map((file) => path.resolve(src, file))),
  };
}

/** Every TypeScript module under `srcDir` (declaration and test files excluded), sorted. */
export function listSourceModules(layout: Layout): string[] {
  return listFiles(layout.srcDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
    .sort();
}

/** Every file under `dir` (absolute paths); none when it does not exist. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Whether the module is mirrored, replaced by a hand-written twin, or kept out of the sync API. */
export function moduleKind(layout: Layout, file: string): ModuleKind {
  if (layout.twins.has(file)) return 'twin';
  if (layout.asyncOnly.has(file)) return 'async-only';
  return 'mirrored';
}

/** Where the sync twin of a mirrored module goes. */
export function outputPathOf(layout: Layout, sourceFile: string): string {
  return path.join(layout.outDir, path.relative(layout.srcDir, sourceFile));
}

/** `path` relative to the repository root, with forward slashes (for headers and messages). */
export function shown(layout: Layout, file: string): string {
  return toPosix(path.relative(layout.rootDir, file));
}

/**
 * The fate of a relative specifier written in `sourceFile`: a twinned module is pointed at its
 * twin, an async-only module is refused, a mirrored module keeps its path, and anything outside
 * the async folder (src/core) is re-pointed from the output's location. Package imports are kept.
 */
export function specifierFate(layout: Layout, sourceFile: string, specifier: string): SpecifierFate {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return { kind: 'keep' };
  const jsExtension = specifier.endsWith('.js');
  const target = path.resolve(path.dirname(sourceFile), jsExtension ? `${specifier.slice(0, -3)}.ts` : specifier);
  if (isInside(layout.srcDir, target)) {
    if (layout.asyncOnly.has(target)) {
      return { kind: 'refuse', message: `imports the async-only module ${shown(layout, target)}` };
    }
    const twin = layout.twins.get(target);
    if (twin === undefined) return { kind: 'keep' };
    return { kind: 'rewrite', specifier: relativeSpecifier(layout, sourceFile, twin, jsExtension) };
  }
  const moved = relativeSpecifier(layout, sourceFile, target, jsExtension);
  return moved === specifier ? { kind: 'keep' } : { kind: 'rewrite', specifier: moved };
}

function relativeSpecifier(layout: Layout, sourceFile: string, target: string, jsExtension: boolean): string {
  const from = path.dirname(outputPathOf(layout, sourceFile));
  let relative = toPosix(path.relative(from, target));
  if (jsExtension) relative = relative.replace(/\.ts$/, '.js');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
