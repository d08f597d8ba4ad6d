/**
 * The generator's programmatic API: generate the sync tree in memory, then write it or compare
 * it with what is on disk. Tests run it on temp dirs; `main.ts` runs it on the repository.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Project, ts, type SourceFile } from 'ts-morph';
import { formatTypeScript, prettierOptionsFor } from './format.js';
import { listFiles, listSourceModules, makeLayout, moduleKind, outputPathOf, shown, type Layout } from './layout.js';
import { findRefusals, type Refusal } from './refusals.js';
import { header } from './rules.js';
import { transformModule } from './transform.js';

/** The repository this generator lives in. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where to read and write; paths are relative to `rootDir` unless absolute. */
export interface GenerateOptions {
  /** Repository root (default: this generator's repository). Headers and messages show paths relative to it. */
  readonly rootDir?: string;
  /** The async source folder (default `src/async`). */
  readonly srcDir?: string;
  /** The sync output folder (default `src/sync`). */
  readonly outDir?: string;
  /** Hand-written twins, relative to `srcDir` (default: the table in rules.ts). */
  readonly twins?: Readonly<Record<string, string>>;
  /** Async-only modules, relative to `srcDir` (default: the table in rules.ts). */
  readonly asyncOnly?: readonly string[];
}

/** One generated module. */
export interface GeneratedFile {
  /** Path under the output folder, with forward slashes. */
  readonly path: string;
  /** The async module it was generated from, relative to the repository root. */
  readonly source: string;
  /** The formatted text, header included. */
  readonly content: string;
}

/** The result of a generation: every file, and every refused construct (when any, nothing should be written). */
export interface Generation {
  /** The folders and module tables used. */
  readonly layout: Layout;
  /** One entry per mirrored module, in path order. */
  readonly files: readonly GeneratedFile[];
  /** Refused constructs, by module then position. */
  readonly refusals: readonly Refusal[];
}

/** A difference between a generation and a folder on disk. */
export interface Difference {
  /** MISSING: not on disk; CHANGED: text differs; ORPHAN: on disk, produced by no source. */
  readonly kind: 'MISSING' | 'CHANGED' | 'ORPHAN';
  /** Path under the compared folder, with forward slashes. */
  readonly path: string;
}

/** What {@link writeGeneration} did; paths are under the written folder. */
export interface WriteSummary {
  /** Files created or rewritten. */
  readonly written: readonly string[];
  /** How many files already had the generated text. */
  readonly unchanged: number;
  /** Orphans deleted. */
  readonly removed: readonly string[];
}

/** Translates every mirrored module of `srcDir` in memory. Never touches the disk. */
export async function generate(options: GenerateOptions = {}): Promise<Generation> {
  return createGenerator(options)();
}

/**
 * A generator that keeps its ts-morph project between runs: each run re-reads the async sources
 * from disk but reuses the parsed libraries, so a second run (tests, watch loops) is cheap.
 */
export function createGenerator(options: GenerateOptions = {}): () => Promise<Generation> {
  const layout = makeLayout(
    options.rootDir ?? REPO_ROOT,
    options.srcDir ?? 'src/async',
    options.outDir ?? 'src/sync',
    options.twins,
    options.asyncOnly,
  );
  const project = new Project({
    compilerOptions: compilerOptions(),
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
  });
  return async () => {
    const mirrored = listSourceModules(layout).filter((file) => moduleKind(layout, file) === 'mirrored');
    syncProject(project, layout, mirrored);
    const files: GeneratedFile[] = [];
    const refusals: Refusal[] = [];
    for (const sourcePath of mirrored) {
      const file = project.getSourceFileOrThrow(sourcePath);
      refusals.push(...findRefusals(file, layout));
      files.push(await generateModule(file, layout));
    }
    return { layout, files, refusals };
  };
}

/** Header + transformed text, formatted. */
async function generateModule(file: SourceFile, layout: Layout): Promise<GeneratedFile> {
  const sourcePath = file.getFilePath();
  const outPath = outputPathOf(layout, sourcePath);
  const text = `${header(shown(layout, sourcePath))}\n${transformModule(file, layout)}`;
  const content = await formatTypeScript(text, await prettierOptionsFor(outPath));
  return { path: toPosix(path.relative(layout.outDir, outPath)), source: shown(layout, sourcePath), content };
}

/** Makes the project hold the current text of every async module: new ones added, edited ones re-read, removed ones dropped. */
function syncProject(project: Project, layout: Layout, mirrored: readonly string[]): void {
  const current = new Set(listSourceModules(layout));
  for (const file of project.getSourceFiles()) {
    const filePath = file.getFilePath();
    if (!filePath.startsWith(layout.srcDir + path.sep)) continue;
    if (current.has(filePath)) file.refreshFromFileSystemSync();
    else project.removeSourceFile(file);
  }
  for (const filePath of mirrored) {
    if (project.getSourceFile(filePath) === undefined) project.addSourceFileAtPath(filePath);
  }
}

/**
 * Compares a generation with `dir` (default: its output folder): files missing there, files whose
 * text differs, and files there that no source produces. Sorted by path.
 */
export function compareGeneration(generation: Generation, dir: string = generation.layout.outDir): Difference[] {
  const expected = new Map(generation.files.map((file) => [file.path, file.content]));
  const differences: Difference[] = [];
  for (const [file, content] of expected) {
    const target = path.join(dir, file);
    if (!existsSync(target)) differences.push({ kind: 'MISSING', path: file });
    else if (readFileSync(target, 'utf8') !== content) differences.push({ kind: 'CHANGED', path: file });
  }
  for (const file of listFiles(dir).map((found) => toPosix(path.relative(dir, found)))) {
    if (!expected.has(file)) differences.push({ kind: 'ORPHAN', path: file });
  }
  return differences.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Makes `dir` (default: the output folder) hold exactly the generation: changed files are
 * rewritten, orphans and emptied folders removed, identical files left untouched.
 */
export function writeGeneration(generation: Generation, dir: string = generation.layout.outDir): WriteSummary {
  const written: string[] = [];
  let unchanged = 0;
  for (const file of generation.files) {
    const target = path.join(dir, file.path);
    if (existsSync(target) && readFileSync(target, 'utf8') === file.content) {
      unchanged += 1;
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    written.push(file.path);
  }
  const expected = new Set(generation.files.map((file) => file.path));
  const removed: string[] = [];
  for (const file of listFiles(dir).map((found) => toPosix(path.relative(dir, found)))) {
    if (expected.has(file)) continue;
    unlinkSync(path.join(dir, file));
    removed.push(file);
  }
  removeEmptyFolders(dir);
  return { written, unchanged, removed };
}

/** The repository's compiler options, so types (and thus refusals) match `npm run typecheck`. */
function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(REPO_ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file)) as {
    config: { compilerOptions?: unknown };
  };
  return ts.convertCompilerOptionsFromJson(config.compilerOptions, REPO_ROOT, configPath).options;
}

function removeEmptyFolders(dir: string): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyFolders(path.join(dir, entry.name));
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}
