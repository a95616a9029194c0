import { configDefaults, defineConfig } from 'vitest/config';

// Workspace packages are resolved to their TypeScript sources (the `@mtls-gateway/source`
// export condition), so tests never run against a stale build.
const conditions = ['@mtls-gateway/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'contract-package', root: 'packages/contract', include: ['src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'sdk', root: 'packages/sdk', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'mock-server',
          root: 'packages/mock-server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'reference-server',
          root: 'packages/reference-server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          root: 'test',
          include: ['**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'contract/**'],
        },
      },
      {
        extends: true,
        test: { name: 'cli', root: 'packages/cli', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'console',
          root: 'packages/console',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'examples', root: 'examples/vite-app', include: ['test/**/*.test.ts'] },
      },
      // The contract suite: one scenario suite run against every implementation (see test/README.md).
      { extends: true, test: { name: 'contract', root: 'test', include: ['contract/**/*.test.ts'] } },
    ],
    passWithNoTests: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
