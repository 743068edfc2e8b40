import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test-support/**/*.test.ts', 'bench/**/*.test.ts', 'web/**/*.test.ts'],
    globalSetup: ['test-support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The local runtimes are heavy on a 2-core machine: run test files one or two at a time.
    maxWorkers: 2,
    minWorkers: 1,
    pool: 'forks',
  },
});
