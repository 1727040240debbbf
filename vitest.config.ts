import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One project per top-level area, so `vitest --project service` runs just that area.
    projects: [
      {
        test: {
          name: 'service',
          include: ['service/test/**/*.test.ts'],
          environment: 'node',
          // dynalite, started once for the whole run; tests get its endpoint via inject().
          globalSetup: ['service/test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
