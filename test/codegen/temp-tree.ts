/**
 * Temporary source trees for the codegen tests: the generator runs on these, never on the real
 * `src/sync`.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/codegen/generate.js';

/** A temp root; `remove()` deletes it. */
export interface TempTree {
  readonly root: string;
  /** Absolute path of a file under the root. */
  at(relative: string): string;
  remove(): void;
}

/** Writes `files` (path relative to the root → text) under a new temp root. */
export function treeOf(files: Readonly<Record<string, string>>): TempTree {
  const tree = emptyTree();
  for (const [relative, text] of Object.entries(files)) {
    mkdirSync(path.dirname(tree.at(relative)), { recursive: true });
    writeFileSync(tree.at(relative), text);
  }
  return tree;
}

/** A copy of the repository's `src/async` and `src/core` (and a link to its node_modules) under a new temp root. */
export function copyOfRepositorySources(): TempTree {
  const tree = emptyTree();
  for (const folder of ['src/async', 'src/core']) {
    cpSync(path.join(REPO_ROOT, folder), tree.at(folder), { recursive: true });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), tree.at('node_modules'), 'dir');
  return tree;
}

function emptyTree(): TempTree {
  const root = mkdtempSync(path.join(tmpdir(), 'guard-codegen-'));
  return {
    root,
    at: (relative) => path.join(root, relative),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
