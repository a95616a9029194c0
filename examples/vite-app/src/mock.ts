/**
 * The browser mock of development: MSW's service worker (`public/mockServiceWorker.js`) answering with the
 * stateful mock of the gateway, seeded with one certificate. Only `main.ts`'s `import.meta.env.DEV` branch
 * imports this file, so production builds contain none of it.
 */
import { createMockState } from '@mtls-gateway/mock-server';
import { setupMockWorker } from '@mtls-gateway/mock-server/browser';

export const DEMO_ACCOUNT = 'le1606809';

export async function startMock(): Promise<void> {
  const state = createMockState({
    certificates: [{ accountId: DEMO_ACCOUNT, name: 'Demo certificate', subject: 'CN=demo.example.com' }],
  });
  // Same-origin requests only: the app calls the gateway on its own origin (see main.ts).
  await setupMockWorker({ state, baseUrl: window.location.origin }).start();
}
