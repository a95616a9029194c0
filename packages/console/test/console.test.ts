// The console as its users meet it: built by Vite, served by `mtls-gateway serve` at /console/ and driven in
// headless Chromium against a real gateway and a local TLS upstream that requires a client certificate; then
// the development server with the browser mock (`pnpm console:dev`). Everything listens on 127.0.0.1.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestP12 } from '@mtls-gateway/mock-server';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestCA, startTlsServer, type TestTlsServer, toPkcs12 } from '../../../test/support/pki.js';
import {
  type ServeProcess,
  startServe,
  stopServe,
} from '../../reference-server/bench/support/serve-process.js';
import {
  buildConsole,
  certificateRow,
  collectConsole,
  docsScreenshot,
  launchChromium,
  screenshot,
  signIn,
  viteConfig,
} from './support.js';

const PASSWORD = 'console-secret-7d21';
const DAY_MS = 24 * 60 * 60 * 1000;

let browser: Browser;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'mtls-console-'));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A link of the console's navigation. */
const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });

/** Nothing secret in the page's console, no script error, no CSP refusal. */
function expectQuietConsole(lines: string[], secrets: string[]): void {
  const text = lines.join('\n');
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/pageerror|Content Security Policy|Refused to/);
}

describe('built console, served by the reference server', () => {
  let gateway: ServeProcess;
  let upstream: TestTlsServer;
  let modules: string[];
  let firstP12: Buffer;
  let renewedP12: Buffer;
  let consoleUrl: string;

  beforeAll(async () => {
    const consoleDir = path.join(scratch, 'console-build');
    modules = await buildConsole(consoleDir);
    const upstreamCa = createTestCA({ commonName: 'Console Upstream CA' });
    const clientCa = createTestCA({ commonName: 'Console Client CA' });
    const serverCertificate = upstreamCa.issue({ commonName: 'localhost', kind: 'server' });
    // Requires a client certificate of clientCa: a call without one fails the handshake.
    upstream = await startTlsServer({
      chainPem: serverCertificate.chainPem,
      keyPem: serverCertificate.keyPem,
      ca: clientCa.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    firstP12 = toPkcs12(clientCa.issue({ commonName: 'console-client', kind: 'client' }), PASSWORD);
    renewedP12 = toPkcs12(clientCa.issue({ commonName: 'console-client-renewed', kind: 'client' }), PASSWORD);
    await writeFile(path.join(scratch, 'first.p12'), firstP12);
    await writeFile(path.join(scratch, 'renewed.p12'), renewedP12);
    const caFile = path.join(scratch, 'upstream-ca.pem');
    await writeFile(caFile, upstreamCa.certPem);

    gateway = await startServe({
      from: 'sources',
      env: {
        MTLS_DATA_DIR: path.join(scratch, 'gateway-data'),
        MTLS_RATE_LIMIT_RPS: '0',
        MTLS_EGRESS_ALLOW: '127.0.0.1',
        MTLS_UPSTREAM_CA_FILE: caFile,
        MTLS_CONSOLE_DIR: consoleDir,
      },
    });
    consoleUrl = `${gateway.apiUrl}/console/`;

    // A second account with certificates of every urgency, for the picture of the certificates page.
    const uploads = [
      { name: 'Billing API', days: 12 },
      { name: 'Identity provider', days: 200 },
      { name: 'Partner sandbox', days: 700 },
      { name: 'Webhooks 2025', days: -20 },
    ].map(({ name, days }) => ({
      name,
      password: PASSWORD,
      p12: toPkcs12(
        clientCa.issue({
          commonName: `${name.toLowerCase().replace(/\W+/g, '-')}.example.com`,
          kind: 'client',
          // Valid for a year, and valid now unless expired.
          notBefore: new Date(Date.now() + Math.min(-30, days - 365) * DAY_MS),
          notAfter: new Date(Date.now() + days * DAY_MS),
        }),
        PASSWORD,
      ).toString('base64'),
    }));
    const seeded = await fetch(`${gateway.apiUrl}/mtls/account/le-showcase/certificates?allowExpired=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(uploads),
    });
    expect(seeded.status, await seeded.clone().text()).toBe(201);
  }, 180_000);

  afterAll(async () => {
    if (gateway) await stopServe(gateway);
    await upstream?.close();
  });

  test('the production bundle has the SDK and no mock, msw, ajv or node-forge', () => {
    expect(modules.some((id) => id.includes('packages/sdk/'))).toBe(true);
    expect(modules.some((id) => /[/\\]preact[/\\]/.test(id))).toBe(true);
    expect(
      modules.filter((id) => /mock-server|[/\\]msw[/\\]|openapi-msw|[/\\]ajv|node-forge/.test(id)),
    ).toEqual([]);
  });

  test('is served at /console/ under a CSP of its own origin, without credentials', async () => {
    const response = await fetch(consoleUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${gateway.apiUrl}${script}`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  test('sign-in refuses a wrong token with the gateway problem, and is keyboard operable', async () => {
    const page = await browser.newPage();
    const lines = collectConsole(page);
    await page.goto(consoleUrl);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');
    await screenshot(page, 'server-sign-in');
    // Focus order: the heading, then account, token, button.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('accountId');
    await page.keyboard.type('le-console');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    await page.keyboard.type('mtls_not-a-real-token');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('unauthorized');
    expect(await alert.textContent()).toMatch(/Unauthorized|credentials/i);
    expect(page.url()).not.toContain('mtls_not-a-real-token');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expectQuietConsole(lines, ['mtls_not-a-real-token']);
    await page.close();
  });

  test('upload after a p12 test, map, check, forward, rotate and delete — against a real upstream', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const lines = collectConsole(page);
    await page.goto(consoleUrl);
    await signIn(page, 'le-console', gateway.token);
    await expect.poll(() => page.getByTestId('certificates-status').textContent()).toBe('0 certificates');
    // The token lives in sessionStorage only, never in the address.
    expect(await page.evaluate(() => sessionStorage.getItem('mtls-console.session'))).toContain(
      gateway.token,
    );
    expect(page.url()).not.toContain(gateway.token);

    // Upload: the file is tested against the upstream first (it requires a client certificate).
    await page.getByRole('link', { name: 'Upload a certificate' }).click();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Upload a certificate');
    const save = page.getByRole('button', { name: 'Save certificate' });
    expect(await save.isDisabled()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('console-billing');
    await page.getByLabel('PKCS#12 file').setInputFiles(path.join(scratch, 'first.p12'));
    await page.getByLabel('Password of the file').fill('not-the-password');
    await page.getByLabel('URL to test against').fill(`${upstream.url}/ping`);
    await page.getByRole('button', { name: 'Test certificate' }).click();
    // The gateway's problem, its code, and the message next to the password field.
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('p12_wrong_password');
    expect(await page.locator('#upload-password-error').textContent()).toBeTruthy();
    expect(await page.getByLabel('Password of the file').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Password of the file').fill(PASSWORD);
    await page.getByRole('button', { name: 'Test certificate' }).click();
    await expect
      .poll(() => page.getByTestId('answer-status').textContent(), { timeout: 20_000 })
      .toContain('200');
    expect(await page.getByTestId('answer-body').textContent()).toContain(
      '"peerCommonName": "console-client"',
    );
    await screenshot(page, 'server-upload-tested');
    expect(await save.isDisabled()).toBe(false);
    await save.click();

    // Saved: the certificate's page opens.
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent(), { timeout: 20_000 })
      .toBe('console-billing');
    expect(await page.locator('dl.facts').textContent()).toContain('CN=console-client');

    // A service name the gateway does not know: its error goes next to the field.
    const mappingForm = page.getByRole('form', { name: 'Add a mapping' });
    await mappingForm.getByLabel('Service name', { exact: true }).selectOption({ label: 'Other (type it)…' });
    await mappingForm.getByLabel('Other service name').fill('NOT_A_SERVICE');
    await mappingForm.getByLabel('URL', { exact: true }).fill(`${upstream.url}/*`);
    await mappingForm.getByRole('button', { name: 'Add mapping' }).click();
    await expect.poll(() => page.locator('#mapping-service-other-error').textContent()).toBeTruthy();
    expect(await mappingForm.getByRole('alert').textContent()).toContain('invalid_request');

    await mappingForm.getByLabel('Service name', { exact: true }).selectOption('WEBHOOKS');
    await mappingForm.getByLabel('Validate the URL first').check();
    await mappingForm.getByRole('button', { name: 'Add mapping' }).click();
    const mappingRow = page.locator('table.mappings tbody tr').filter({ hasText: `${upstream.url}/*` });
    await expect.poll(() => mappingRow.textContent(), { timeout: 20_000 }).toContain('WEBHOOKS');
    expect(await mappingRow.textContent()).toContain('prefix');
    await screenshot(page, 'server-certificate');

    // Which certificate would serve this URL?
    await nav(page, 'Mappings').click();
    const check = page.getByRole('form', { name: 'Check a URL' });
    await check.getByLabel('Service name', { exact: true }).selectOption('WEBHOOKS');
    await check.getByLabel('Request URL').fill(`${upstream.url}/hooks?tenant=42`);
    await check.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('check-result').textContent()).toContain('Yes');
    expect(await page.getByTestId('check-result').textContent()).toContain('console-billing');
    await check.getByLabel('Request URL').fill('https://elsewhere.example/hooks');
    await check.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('check-result').textContent()).toContain('No');
    await screenshot(page, 'server-mappings');

    // Forward through the gateway: the upstream saw the mapped certificate.
    await nav(page, 'Forward tester').click();
    const forward = async (headers: string) => {
      await page.getByLabel('Method').selectOption('POST');
      await page.getByLabel('URL', { exact: true }).fill(`${upstream.url}/hooks?tenant=42`);
      await page.getByLabel('Service name', { exact: true }).selectOption('WEBHOOKS');
      await page.getByLabel(/^Headers for the remote/).fill(headers);
      await page.getByLabel(/^Body/).fill('{"event":"ping"}');
      await page.getByLabel(/^Require a client certificate/).check();
      await page.getByRole('button', { name: 'Send' }).click();
      await expect
        .poll(() => page.getByTestId('answer-status').textContent(), { timeout: 20_000 })
        .toContain('200');
    };
    await forward('Content-Type: application/json\nX-Console-Test: yes');
    const body = (await page.getByTestId('answer-body').textContent()) ?? '';
    expect(body).toContain('"peerCommonName": "console-client"');
    expect(body).toContain('"x-console-test": "yes"');
    expect(body).toContain('{\\"event\\":\\"ping\\"}');
    expect(await page.getByTestId('certificate-presented').textContent()).toContain('Presented');
    expect(await page.getByTestId('certificate-presented').textContent()).toContain('console-billing');
    expect(await page.locator('.answer-status').textContent()).toMatch(/complete after \d+ ms/);
    await screenshot(page, 'server-forward');

    // A URL no mapping serves, certificate required: the gateway refuses with its problem.
    await page.getByLabel('URL', { exact: true }).fill('https://127.0.0.1:1/other');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 20_000 })
      .toContain('certificate_not_found');

    // Rotate: the renewed file, tested first, replaces the old one; forwarding presents it at once.
    await nav(page, 'Certificates').click();
    await page.getByRole('link', { name: 'console-billing', exact: true }).first().click();
    const replace = page.getByRole('form', { name: 'Replace the certificate' });
    await replace.getByLabel('PKCS#12 file').setInputFiles(path.join(scratch, 'renewed.p12'));
    await replace.getByLabel('Password of the file').fill(PASSWORD);
    await replace.getByLabel('URL to test against').fill(`${upstream.url}/ping`);
    await replace.getByRole('button', { name: 'Test certificate' }).click();
    await expect
      .poll(() => replace.getByTestId('answer-body').textContent(), { timeout: 20_000 })
      .toContain('console-client-renewed');
    await replace.getByRole('button', { name: 'Replace certificate' }).click();
    await expect
      .poll(() => page.locator('dl.facts').textContent(), { timeout: 20_000 })
      .toContain('CN=console-client-renewed');
    await nav(page, 'Forward tester').click();
    await forward('');
    expect(await page.getByTestId('answer-body').textContent()).toContain('console-client-renewed');

    // Delete, confirmed in a dialog: Escape cancels and gives focus back; confirming deletes.
    await nav(page, 'Certificates').click();
    await page.getByRole('link', { name: 'console-billing', exact: true }).first().click();
    const deleteButton = page.getByRole('button', { name: 'Delete certificate…' });
    await deleteButton.click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await screenshot(page, 'server-delete-dialog');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Delete certificate…');
    await deleteButton.click();
    await dialog.getByRole('button', { name: 'Delete certificate' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 20_000 })
      .toContain('was deleted');
    await expect.poll(() => page.getByTestId('certificates-status').textContent()).toBe('0 certificates');
    await page.getByLabel('Show deleted certificates').check();
    await expect.poll(() => certificateRow(page, 'console-billing').textContent()).toContain('Deleted');

    expectQuietConsole(lines, [gateway.token, PASSWORD]);
    await page.close();
  }, 180_000);

  test('the certificates page: urgency colours, the expiry timeline (docs/console.png)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const lines = collectConsole(page);
    await page.goto(consoleUrl);
    await signIn(page, 'le-showcase', gateway.token);
    await expect.poll(() => page.getByTestId('certificates-status').textContent()).toBe('4 certificates');
    expect(await certificateRow(page, 'Billing API').locator('.expiry').getAttribute('data-level')).toBe(
      'soon',
    );
    expect(await certificateRow(page, 'Webhooks 2025').locator('.expiry').getAttribute('data-level')).toBe(
      'expired',
    );
    expect(
      await certificateRow(page, 'Identity provider').locator('.expiry').getAttribute('data-level'),
    ).toBe('ok');
    expect(await certificateRow(page, 'Billing API').textContent()).toMatch(/1[12] days/);
    const timeline = page.getByTestId('expiry-timeline');
    expect(await timeline.locator('.timeline-row').count()).toBe(4);
    expect(await timeline.locator('.level-expired').count()).toBe(1);
    await screenshot(page, 'server-certificates');
    await page.screenshot({ path: docsScreenshot, fullPage: true });
    expect((await readFile(docsScreenshot)).subarray(1, 4).toString()).toBe('PNG');
    expectQuietConsole(lines, [gateway.token]);
    await page.close();
  }, 60_000);
});

describe('development server with the browser mock (pnpm console:dev)', () => {
  let server: ViteDevServer;
  let url: string;

  beforeAll(async () => {
    server = await createServer({ ...viteConfig, server: { host: '127.0.0.1', port: 0, strictPort: false } });
    await server.listen();
    url = `${server.resolvedUrls?.local[0] ?? ''}`;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  test('seeded data, drag-and-drop upload tested first, field errors, mappings and forwarding', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const lines = collectConsole(page);
    await page.goto(url);
    await expect
      .poll(() => page.getByTestId('dev-banner').textContent(), { timeout: 30_000 })
      .toContain('le1606809');
    await signIn(page, 'le1606809', 'any-token');
    await expect.poll(() => page.getByTestId('certificates-status').textContent()).toBe('5 certificates');
    expect(await certificateRow(page, 'Billing API').locator('.expiry').getAttribute('data-level')).toBe(
      'soon',
    );
    expect(await certificateRow(page, 'Webhooks 2025').locator('.expiry').getAttribute('data-level')).toBe(
      'expired',
    );
    expect(await page.getByTestId('expiry-timeline').locator('.timeline-row').count()).toBe(5);
    await screenshot(page, 'mock-certificates');
    await page.getByLabel('Show deleted certificates').check();
    await expect.poll(() => certificateRow(page, 'Retired').textContent()).toContain('Deleted');

    // Drop a file on the drop zone; a wrong password is shown next to the password field.
    await nav(page, 'Upload').click();
    const p12 = [...createTestP12({ commonName: 'dropped-client', password: PASSWORD })];
    const dataTransfer = await page.evaluateHandle((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.p12', { type: 'application/x-pkcs12' }));
      return transfer;
    }, p12);
    await page.getByTestId('upload-drop-zone').dispatchEvent('drop', { dataTransfer });
    expect(await page.locator('.chosen-file').textContent()).toContain('dropped.p12');
    await page.getByLabel('Name', { exact: true }).fill('Dropped');
    await page.getByLabel('Password of the file').fill('wrong');
    await page.getByLabel('URL to test against').fill('https://api.example.com/ping');
    await page.getByRole('button', { name: 'Test certificate' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('p12_wrong_password');
    expect(await page.locator('#upload-password-error').textContent()).toBeTruthy();
    await page.getByLabel('Password of the file').fill(PASSWORD);
    await page.getByRole('button', { name: 'Test certificate' }).click();
    await expect.poll(() => page.getByTestId('answer-status').textContent()).toContain('200');
    expect(await page.getByTestId('answer-body').textContent()).toContain('dropped-client');
    await screenshot(page, 'mock-upload');
    await page.getByRole('button', { name: 'Save certificate' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dropped');
    await screenshot(page, 'mock-certificate');

    // The seeded prefix mapping of Billing API serves this URL.
    await nav(page, 'Mappings').click();
    const check = page.getByRole('form', { name: 'Check a URL' });
    await check.getByLabel('Service name', { exact: true }).selectOption('WEBHOOKS');
    await check.getByLabel('Request URL').fill('https://billing.example.com/invoices');
    await check.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('check-result').textContent()).toContain('Billing API');
    await screenshot(page, 'mock-mappings');

    await nav(page, 'Forward tester').click();
    await page.getByLabel('URL', { exact: true }).fill('https://billing.example.com/invoices?page=2');
    await page.getByLabel('Service name', { exact: true }).selectOption('WEBHOOKS');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('answer-status').textContent()).toContain('200');
    expect(await page.getByTestId('certificate-presented').textContent()).toContain('Billing API');
    await screenshot(page, 'mock-forward');

    const text = lines.join('\n');
    expect(text, 'the mock is quiet').not.toContain('[MSW]');
    expectQuietConsole(lines, [PASSWORD]);
    await page.close();
  }, 120_000);
});
