import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Examples import the package by name, as users do; inside this repository that name means
    // the source (tsconfig.json `paths` says the same to the type checker).
    alias: [
      { find: /^guard-core$/, replacement: source('./src/index.ts') },
      { find: /^guard-core\/async$/, replacement: source('./src/async/index.ts') },
      { find: /^guard-core\/sync$/, replacement: source('./src/sync.ts') },
      { find: /^guard-core\/testing$/, replacement: source('./src/testing/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // The sync API's worker is built from source per run: tests never pass against a stale dist/.
    setupFiles: ['test/support/use-source-worker.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2 cores: keep parallelism modest so timing-sensitive fault tests are not starved.
    maxWorkers: 2,
  },
});
