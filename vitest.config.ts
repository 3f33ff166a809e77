import { defineConfig } from 'vitest/config';

// Sibling packages are read from source through this export condition, so tests never need a build first.
// vitest also hands these to the test processes' Node as --conditions, where they steer require() too; so no
// `module`: the AWS SDK lists its bundler-only ESM build under `module` before `node`.
const conditions = ['source-kafka-source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source-kafka-source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'apps/*/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/*.image.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'packages/*/src/**/*.int.test.ts',
            'apps/*/src/**/*.int.test.ts',
            'packages/*/test/**/*.int.test.ts',
            'apps/*/test/**/*.int.test.ts',
          ],
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 120_000,
          // One rerun of a failed test: on the shared 2-core machine a real-broker test has, rarely, hung until
          // its timeout and then passed on its own (a cause not found yet). A test that is broken fails twice.
          retry: 1,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // The built Docker image against the real broker; scripts/image-test builds it and runs this project.
        extends: true,
        test: {
          name: 'image',
          include: ['apps/*/test/**/*.image.test.ts'],
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 120_000,
          // One rerun of a failed test: on the shared 2-core machine a real-broker test has, rarely, hung until
          // its timeout and then passed on its own (a cause not found yet). A test that is broken fails twice.
          retry: 1,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
