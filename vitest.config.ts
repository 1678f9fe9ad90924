import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests import the package's own entry points (`tickwork`, `tickwork/testing`, …) from source.
  resolve: { conditions: ['tickwork-source'] },
  ssr: { resolve: { conditions: ['tickwork-source'] } },
  // Vite's transformer (oxc) lowers only legacy decorators; esbuild, which bundles for deployment,
  // lowers standard ones — test/unit/kernel/Scheduled.test.ts covers both paths.
  oxc: { decorator: { legacy: true } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Quiet EMF: see the file.
          setupFiles: ['test/quietMetrics.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local for the run, started on a free port and stopped afterwards.
          globalSetup: ['test/integration/globalSetup.ts'],
          setupFiles: ['test/quietMetrics.ts'],
          // These suites start servers and bundle code: run them one at a time on a 2-core machine.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
