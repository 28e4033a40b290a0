import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// PGlite starts from a template data directory made once by the global setup (~0.5 s per file
// instead of ~3 s); hooks may still be slow on a busy 2-core machine.
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: '@pd/postgres',
      globalSetup: ['./vitest.globalSetup.config.ts'],
      hookTimeout: 60_000,
      testTimeout: 30_000,
    },
  }),
);
