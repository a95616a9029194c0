import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';

/**
 * Serves MSW's worker script at `/mockServiceWorker.js` in development only — read from the installed msw,
 * so it always matches the msw the mock runs with, and never copied into a production build (the usual
 * `npx msw init public/` would ship it in `dist/`).
 */
function mockServiceWorker(): Plugin {
  const file = createRequire(import.meta.url).resolve('msw/mockServiceWorker.js');
  return {
    name: 'mock-service-worker',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/mockServiceWorker.js', (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript');
        response.end(readFileSync(file));
      });
    },
  };
}

// `vite preview` of a production build can put a real gateway behind the page's origin, as a reverse proxy
// would in production: GATEWAY_URL=http://127.0.0.1:8080 pnpm preview.
const gateway = process.env.GATEWAY_URL;

export default defineConfig({
  plugins: [mockServiceWorker()],
  preview: gateway ? { proxy: { '/mtls': { target: gateway, changeOrigin: true } } } : {},
});
