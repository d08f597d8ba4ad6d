import { defineConfig } from 'tsup';

/**
 * One build, two module formats. Each public entry point is listed by the name it has
 * under `dist/`, so package.json `exports` can point at it.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    async: 'src/async/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  shims: true,
});
