/**
 * The browser mock of `pnpm console:dev`: MSW's service worker answering as the gateway, with seeded
 * certificates (one expiring soon, one expired, one without key material, one deleted) and mappings. Only
 * `main.tsx`'s development branch imports this file.
 */
import { createMockState, createTestP12, type MockSeed } from '@mtls-gateway/mock-server';
import { setupMockWorker } from '@mtls-gateway/mock-server/browser';

export const DEMO_ACCOUNT = 'le1606809';
export const DEMO_P12_PASSWORD = 'changeit';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The demo data, dated relative to `now` so "expires soon" stays true. */
export function demoSeed(now: Date): MockSeed {
  const at = (days: number) => new Date(now.getTime() + days * DAY_MS).toISOString();
  const certificate = (name: string, subject: string, notBefore: number, notAfter: number) => ({
    accountId: DEMO_ACCOUNT,
    name,
    subject,
    notBefore: at(notBefore),
    notAfter: at(notAfter),
  });
  return {
    idSeed: 7,
    certificates: [
      certificate('Billing API', 'CN=billing.example.com,O=Example', -340, 12),
      certificate('Identity provider', 'CN=idp-client.example.com,O=Example', -165, 200),
      certificate('Webhooks 2025', 'CN=hooks.example.com,O=Example', -385, -20),
      certificate('Partner sandbox', 'CN=sandbox.partner.example,O=Partner', -30, 700),
      { ...certificate('Lost key', 'CN=lost.example.com', -100, 265), keyMaterial: false },
      { ...certificate('Retired', 'CN=retired.example.com', -500, 90), deleted: true },
    ],
    mappings: [
      {
        accountId: DEMO_ACCOUNT,
        certificate: 'Identity provider',
        serviceName: 'IDP',
        url: 'https://idp.example.com/token',
      },
      {
        accountId: DEMO_ACCOUNT,
        certificate: 'Billing API',
        serviceName: 'WEBHOOKS',
        url: 'https://billing.example.com/*',
      },
      {
        accountId: DEMO_ACCOUNT,
        certificate: 'Partner sandbox',
        serviceName: 'TEST_SERVICE',
        url: 'https://sandbox.partner.example/v2/*',
      },
    ],
  };
}

/** What the development banner tells: how to sign in, and a PKCS#12 file to try uploads with. */
export interface DevMock {
  accountId: string;
  demoP12Url: string;
  demoP12Password: string;
}

/**
 * Starts the worker served at `workerUrl` (quiet: MSW would log request bodies, passwords included) and makes
 * a demo PKCS#12 file in the browser.
 */
export async function startMock(workerUrl: string): Promise<DevMock> {
  const state = createMockState(demoSeed(new Date()));
  await setupMockWorker({ state, baseUrl: window.location.origin }).start({
    serviceWorker: { url: workerUrl },
  });
  const demoFile = new Blob([createTestP12({ commonName: 'console-demo', password: DEMO_P12_PASSWORD })], {
    type: 'application/x-pkcs12',
  });
  return {
    accountId: DEMO_ACCOUNT,
    demoP12Url: URL.createObjectURL(demoFile),
    demoP12Password: DEMO_P12_PASSWORD,
  };
}
