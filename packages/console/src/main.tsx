/**
 * Entry point. In development (`vite`) the browser mock answers first (MSW's service worker, seeded data);
 * `import.meta.env.DEV` is `false` in production builds, so the branch and everything it imports — mock,
 * msw, ajv, node-forge — are not in the bundle the gateway serves.
 */
import { render } from 'preact';
import { App } from './app.js';
import type { DevMock } from './mock.js';
import './style.css';

async function start(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) throw new Error('index.html has no #app element');
  let devMock: DevMock | undefined;
  if (import.meta.env.DEV) {
    const { startMock } = await import('./mock.js');
    devMock = await startMock(`${import.meta.env.BASE_URL}mockServiceWorker.js`);
  }
  render(<App devMock={devMock} />, root);
}

start().catch((error: unknown) => {
  const root = document.getElementById('app');
  if (root)
    root.textContent = `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
});
