import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs the account-scale benchmark (a vitest file: it uses the test database helpers); kept out
// of the default `vitest run` because only this config includes it. See bench/account-scale.ts.
const conditions = ['@mtls-gateway/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['bench/account-scale.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
    fileParallelism: false,
  },
});
