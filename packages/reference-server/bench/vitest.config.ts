import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs the forwarding benchmark (a vitest file, since the repository has no TypeScript runner); kept out
// of the default `vitest run` because only this config includes `bench/`. See bench/forwarding.ts.
const conditions = ['@mtls-gateway/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['bench/forwarding.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
    fileParallelism: false,
  },
});
