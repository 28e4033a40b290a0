import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// PGlite.create() takes ~3 s per file on a busy 2-core machine: allow slow beforeAll hooks.
export default mergeConfig(
  shared,
  defineProject({ test: { name: '@pd/postgres', hookTimeout: 60_000, testTimeout: 30_000 } }),
);
