import { defineConfig } from 'tsup';

/**
 * One build, two module formats. Each public entry point is listed by the name it has under
 * `dist/`, so package.json `exports` can point at it. Code splitting is on so that every entry
 * shares one copy of `src/core`: an error thrown through `guard-core/sync` is `instanceof` the
 * class imported from `guard-core`.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    async: 'src/async/index.ts',
    sync: 'src/sync.ts',
    // The sync bridge's worker: a prebuilt file the sync API starts by URL (never TypeScript source).
    'bridge-worker': 'src/bridge/worker/main.ts',
    // The `guard-core` executable (package.json `bin`).
    cli: 'src/cli/main.ts',
    // The conformance kit (`guard-core/testing`); fast-check stays external (an optional peer).
    testing: 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  shims: true,
  // esbuild renames classes it lowers (`_class3`); the error codec and users read `.name`.
  keepNames: true,
});
