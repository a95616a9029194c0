import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

/** Where the reference server serves the console: every asset URL of the build starts with it. */
const BASE = '/console/';

/**
 * Serves MSW's worker script in development only, read from the installed msw (so it always matches the msw
 * the mock runs with) and never copied into `dist/`: the gateway must not ship a request interceptor.
 */
function mockServiceWorker(): Plugin {
  const file = createRequire(import.meta.url).resolve('msw/mockServiceWorker.js');
  return {
    name: 'mock-service-worker',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use(`${BASE}mockServiceWorker.js`, (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript');
        response.end(readFileSync(file));
      });
    },
  };
}

export default defineConfig({
  base: BASE,
  plugins: [mockServiceWorker()],
  // JSX for Preact without a preset: its automatic runtime is all the console needs.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // Workspace packages from their TypeScript sources: no build of the SDK or the mock needed first.
  resolve: { conditions: ['@mtls-gateway/source', 'module', 'browser', 'development|production'] },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    // Everything the page loads comes from the gateway under a strict CSP: no inlined data: URLs.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
