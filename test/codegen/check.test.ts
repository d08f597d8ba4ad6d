/**
 * `--check` and write mode: clean on the repository as committed, and failing (naming the file)
 * on every kind of drift. Drift is made on a temp copy of the sources, never in the real src/sync.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliOutput } from '../../scripts/codegen/cli.js';
import {
  REPO_ROOT,
  compareGeneration,
  createGenerator,
  writeGeneration,
  type Generation,
} from '../../scripts/codegen/generate.js';
import { copyOfRepositorySources, type TempTree } from './temp-tree.js';

/** Collects what the CLI prints. */
function capture(): CliOutput & { readonly out: string[]; readonly err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, log: (line) => out.push(line), error: (line) => err.push(line) };
}

describe('drift on a temp copy of the sources', () => {
  let tree: TempTree;
  let generator: () => Promise<Generation>;
  let generation: Generation;
  const manager = 'redis/manager.ts';

  beforeAll(async () => {
    tree = copyOfRepositorySources();
    generator = createGenerator({ rootDir: tree.root });
    generation = await generator();
    writeGeneration(generation);
  });

  afterAll(() => tree?.remove());

  it('the committed src/sync matches a fresh generation of the committed src/async', () => {
    // The same comparison `npm run codegen -- --check` makes (npm test runs that command first).
    expect(compareGeneration(generation, path.join(REPO_ROOT, 'src/sync'))).toEqual([]);
  });

  it('mirrors the modules of src/async, without twins and async-only modules', () => {
    const paths = generation.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining(['index.ts', 'redis/manager.ts', 'cloud/redis-store.ts', 'cloud/store-protocol.ts']),
    );
    for (const skipped of ['seams/redis.ts', 'seams/http.ts', 'seams/ioredis-connection.ts', 'support/background.ts']) {
      expect(paths).not.toContain(skipped);
    }
  });

  it('a hand-edited generated file is CHANGED', () => {
    const original = readFileSync(tree.at(`src/sync/${manager}`), 'utf8');
    try {
      writeFileSync(tree.at(`src/sync/${manager}`), original.replace('getKey(', 'getKeyEdited('));
      expect(compareGeneration(generation)).toEqual([{ kind: 'CHANGED', path: manager }]);
    } finally {
      writeFileSync(tree.at(`src/sync/${manager}`), original);
    }
  });

  it('a deleted generated file is MISSING', () => {
    const original = readFileSync(tree.at(`src/sync/${manager}`), 'utf8');
    try {
      rmSync(tree.at(`src/sync/${manager}`));
      expect(compareGeneration(generation)).toEqual([{ kind: 'MISSING', path: manager }]);
    } finally {
      writeFileSync(tree.at(`src/sync/${manager}`), original);
    }
  });

  it('a file no source produces is an ORPHAN', () => {
    const orphan = 'redis/leftover.ts';
    try {
      writeFileSync(tree.at(`src/sync/${orphan}`), 'export const leftover = 1;\n');
      expect(compareGeneration(generation)).toEqual([{ kind: 'ORPHAN', path: orphan }]);
    } finally {
      rmSync(tree.at(`src/sync/${orphan}`));
    }
  });

  it('the CLI lists every difference and exits 1; write mode repairs them and leaves identical files alone', async () => {
    const store = 'cloud/in-memory-store.ts';
    writeFileSync(tree.at('src/sync/redis/leftover.ts'), 'export const leftover = 1;\n');
    appendFileSync(tree.at(`src/sync/${manager}`), '// edited\n');
    rmSync(tree.at(`src/sync/${store}`));
    const checked = capture();
    expect(await runCli(['--check'], checked, async () => generation)).toBe(1);
    expect(checked.err).toEqual([
      `MISSING src/sync/${store}`,
      'ORPHAN src/sync/redis/leftover.ts',
      `CHANGED src/sync/${manager}`,
      'FAIL: the sync tree is out of date; run `npm run codegen` and commit the result.',
    ]);

    const summary = writeGeneration(generation);
    expect([...summary.written].sort()).toEqual([store, manager].sort());
    expect(summary.removed).toEqual(['redis/leftover.ts']);
    expect(summary.unchanged).toBe(generation.files.length - 2);
    const clean = capture();
    expect(await runCli(['--check'], clean, async () => generation)).toBe(0);
    expect(clean.out[0]).toMatch(/^codegen --check: OK, \d+ generated files are up to date/);
  });

  it('a source changed without regeneration fails the check naming its output; regenerating fixes it', async () => {
    appendFileSync(
      tree.at('src/async/cloud/in-memory-store.ts'),
      '\n/** Added after the last generation. */\nexport const ADDED_LATER = 1;\n',
    );
    let fresh: Generation | undefined;
    const regenerate = async () => (fresh = await generator());
    const checked = capture();
    expect(await runCli(['--check'], checked, regenerate)).toBe(1);
    expect(checked.err).toEqual([
      'CHANGED src/sync/cloud/in-memory-store.ts',
      'FAIL: the sync tree is out of date; run `npm run codegen` and commit the result.',
    ]);

    const written = capture();
    expect(await runCli([], written, async () => fresh ?? regenerate())).toBe(0);
    expect(written.out[0]).toBe('wrote   src/sync/cloud/in-memory-store.ts');
    expect(readFileSync(tree.at('src/sync/cloud/in-memory-store.ts'), 'utf8')).toContain(
      'export const ADDED_LATER = 1;',
    );
  });

  it('a new source module with a refused construct fails the CLI with file:line and writes nothing', async () => {
    const source = tree.at('src/async/cloud/timers.ts');
    writeFileSync(source, 'export function later(): void {\n  setTimeout(() => undefined, 5);\n}\n');
    try {
      const output = capture();
      expect(await runCli([], output, generator)).toBe(1);
      expect(output.err).toEqual([
        expect.stringMatching(/^src\/async\/cloud\/timers\.ts:2:3 {2}timer `setTimeout` used for concurrency/),
        'codegen: 1 construct(s) have no faithful sync translation; nothing written.',
      ]);
      expect(existsSync(tree.at('src/sync/cloud/timers.ts'))).toBe(false);
    } finally {
      rmSync(source);
    }
  });
});
