import { defineConfig } from 'tsup';

// Bundles only the bench's own code. `@pd/*` stay external and resolve, as for any user, to the
// packages' built `dist/` (the root `bench` task builds them first: turbo `dependsOn: ["^build"]`).
export default defineConfig({
  entry: ['src/run.ts', 'src/child.ts'],
  format: ['esm'],
  target: 'node20',
  clean: true,
  sourcemap: true,
  dts: false,
});
