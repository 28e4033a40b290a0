import { defineConfig } from 'tsup';

export default defineConfig({
  // Named entries keep the subpath layout in dist: dist/index.* and dist/saga/index.*.
  entry: { index: 'src/index.ts', 'saga/index': 'src/saga/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
