import { defineConfig } from 'vitest/config';

// dynalite, started once per project for the whole run; tests get its endpoint via inject().
const dynalite = ['test/support/dynalite-setup.ts'];

export default defineConfig({
  test: {
    // One project per top-level area, so `vitest --project web` runs just that area.
    projects: [
      {
        test: {
          name: 'service',
          include: ['service/test/**/*.test.ts'],
          environment: 'node',
          globalSetup: dynalite,
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'cdk',
          include: ['cdk/test/**/*.test.ts'],
          environment: 'node',
          // Synthesis is CPU-bound; the real-bundling test runs esbuild.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'scripts',
          include: ['scripts/test/**/*.test.ts'],
          environment: 'node',
          globalSetup: dynalite,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Checks of the repository as a whole (the import graph, the function's permissions).
          name: 'repo',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: dynalite,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'web',
          include: ['web/test/**/*.test.ts'],
          environment: 'node',
          globalSetup: dynalite,
          // Real Chromium against the dev server; the API-timeout case alone waits 5 s.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
