import { defineConfig } from 'vitest/config';

// Shared by every package's vitest.config.ts (merged with mergeConfig).
export default defineConfig({
  // Resolve sibling @pd/* packages to their sources (the "@pd/source" export condition), so tests
  // run without building lower packages first. Vitest runs tests in the SSR environment; a
  // top-level `resolve.conditions` alone does not reach it.
  ssr: {
    resolve: {
      conditions: ['@pd/source', 'module', 'node', 'development|production'],
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    // A freshly created package has no tests yet; the root summary fails if nothing ran at all.
    passWithNoTests: true,
    typecheck: {
      enabled: true,
      include: ['src/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
