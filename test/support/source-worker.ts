/**
 * The sync bridge's worker, built from the current source for this test run, so every way of
 * running the tests (`npm test`, `npx vitest`, one file) tests the source — never a stale `dist/`.
 * The bundle goes under `node_modules/.cache` (so its package imports resolve) with a name of its
 * own per run, and is removed at teardown.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bundles `src/bridge/worker/main.ts` (packages stay external) and returns the file's URL. */
export async function buildSourceWorker(): Promise<{ url: string; dispose(): void }> {
  const dir = join(ROOT, 'node_modules', '.cache', 'guard-core-test');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bridge-worker-${process.pid}-${Date.now()}.mjs`);
  await build({
    entryPoints: [join(ROOT, 'src', 'bridge', 'worker', 'main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return { url: pathToFileURL(file).href, dispose: () => rmSync(file, { force: true }) };
}
