import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Runs the soak benchmark (`pnpm bench:soak`, see bench/soak.ts and bench/README.md); kept apart from
// `pnpm bench` and `pnpm test`, which never include it. The deadline follows SOAK_MINUTES.
const conditions = ['@mtls-gateway/source'];
const minutes = Number(process.env.SOAK_MINUTES ?? 10);

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['bench/soak.ts'],
    testTimeout: Math.max(1, minutes) * 60_000 + 300_000,
    hookTimeout: 120_000,
    disableConsoleIntercept: true,
    fileParallelism: false,
  },
});
