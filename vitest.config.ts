import { defineConfig } from 'vitest/config';

// Unit tests never touch the network; integration tests share one emulator per file (see
// packages/sandbox/src/testing), so they run one file at a time on CI's two cores.
export default defineConfig({
  test: {
    // The JSON report lets .ci/run print the plain 'N passed, N failed' line CI reads.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          globalSetup: ['test/tmpdir.setup.ts'],
          include: ['packages/*/tests/unit/**/*.test.ts', 'stacks/test/**/*.test.ts', 'test/unit/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'packages/*/tests/integration/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
