// The example app as its users meet it: built by Vite, driven in headless Chromium (Debian's, through
// playwright-core). Development: the browser mock answers through MSW's service worker. Production: the built
// page, with no mock code in it, calls a real `mtls-gateway serve` behind the same origin (vite preview as the
// reverse proxy). Workspace packages are compiled from their sources (the `@mtls-gateway/source` condition),
// as in the rest of the suite; their package.json files (`sideEffects`, `exports`) are the published ones.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestP12 } from '@mtls-gateway/mock-server';
import { type Browser, chromium, type Page } from 'playwright-core';
import {
  build,
  createServer,
  type InlineConfig,
  type PreviewServer,
  preview,
  type ViteDevServer,
} from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ServeProcess,
  startServe,
  stopServe,
} from '../../../packages/reference-server/bench/support/serve-process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'example-secret-9f3c';
const inline: InlineConfig = {
  root,
  configFile: path.join(root, 'vite.config.ts'),
  logLevel: 'silent',
  resolve: { conditions: ['@mtls-gateway/source', 'module', 'browser', 'development|production'] },
};

let browser: Browser;
let scratch: string;
let p12File: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH.`,
    );
  }
  scratch = await mkdtemp(path.join(tmpdir(), 'mtls-example-'));
  p12File = path.join(scratch, 'client.p12');
  await writeFile(p12File, createTestP12({ commonName: 'example-client', password: PASSWORD }));
  // The flags keep Chromium off the network it cannot reach here (no background or component traffic).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The page's console, collected: nothing of a secret may appear in it. */
function collectConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`pageerror: ${error.message}`));
  return lines;
}

async function signIn(page: Page, account: string, token: string): Promise<void> {
  await page.getByLabel('Account').fill(account);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Show certificates' }).click();
}

async function uploadP12(page: Page, name: string, password: string): Promise<void> {
  const form = page.locator('#upload');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('File').setInputFiles(p12File);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Upload' }).click();
}

const row = (page: Page, name: string) => page.getByRole('row').filter({ hasText: name });

describe('production build', () => {
  let outDir: string;
  const modules = new Set<string>();

  beforeAll(async () => {
    outDir = path.join(scratch, 'dist');
    // Vitest sets NODE_ENV=test, and Vite derives import.meta.env.DEV from NODE_ENV: build as `vite build` does.
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    await build({
      ...inline,
      build: { outDir, emptyOutDir: true },
      plugins: [
        {
          name: 'collect-modules',
          generateBundle(_options, bundle) {
            for (const chunk of Object.values(bundle)) {
              if (chunk.type === 'chunk') for (const id of Object.keys(chunk.modules)) modules.add(id);
            }
          },
        },
      ],
    }).finally(() => {
      process.env.NODE_ENV = nodeEnv;
    });
  }, 120_000);

  test('carries the SDK, and no mock, msw, ajv or node-forge code', async () => {
    const ids = [...modules];
    expect(ids.some((id) => id.includes('packages/sdk/'))).toBe(true);
    expect(ids.filter((id) => /mock-server|[/\\]msw[/\\]|openapi-msw|[/\\]ajv|node-forge/.test(id))).toEqual(
      [],
    );
    const files = await readdir(outDir, { recursive: true });
    expect(files.filter((file) => file.includes('mockServiceWorker'))).toEqual([]);
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      const code = await readFile(path.join(outDir, file), 'utf8');
      expect(code).not.toMatch(/mockServiceWorker|setupWorker|__mtlsMock/);
    }
  });

  describe('against a real gateway behind the same origin', () => {
    let gateway: ServeProcess;
    let server: PreviewServer;
    let url: string;

    beforeAll(async () => {
      gateway = await startServe({
        from: 'sources',
        env: { MTLS_DATA_DIR: path.join(scratch, 'gateway-data'), MTLS_RATE_LIMIT_RPS: '0' },
      });
      process.env.GATEWAY_URL = gateway.apiUrl;
      try {
        server = await preview({ ...inline, build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
      } finally {
        delete process.env.GATEWAY_URL;
      }
      url = server.resolvedUrls?.local[0] ?? '';
    }, 120_000);

    afterAll(async () => {
      await server?.close();
      if (gateway) await stopServe(gateway);
    });

    test('lists, uploads a real PKCS#12 and shows the gateway problem of a wrong password', async () => {
      const page = await browser.newPage();
      const console = collectConsole(page);
      await page.goto(url);
      await signIn(page, 'le-example', gateway.token);
      await expect.poll(() => page.locator('#status').textContent()).toBe('0 certificates');

      await uploadP12(page, 'billing', PASSWORD);
      await expect.poll(() => row(page, 'billing').textContent(), { timeout: 15_000 }).toContain('Available');
      expect(await row(page, 'billing').textContent()).toContain('CN=example-client');

      await uploadP12(page, 'billing-2', 'not-the-password');
      await expect
        .poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 })
        .toContain('p12_wrong_password');
      expect(console.join('\n')).not.toContain(PASSWORD);
      expect(console.join('\n')).not.toContain(gateway.token);
      await page.close();
    });
  });
});

describe('development server with the browser mock', () => {
  let server: ViteDevServer;
  let url: string;

  beforeAll(async () => {
    server = await createServer({ ...inline, server: { host: '127.0.0.1', port: 0, strictPort: false } });
    await server.listen();
    url = server.resolvedUrls?.local[0] ?? '';
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  test('the mock answers through the service worker: seeded list, upload, typed problems, a quiet console', async () => {
    const page = await browser.newPage();
    const console = collectConsole(page);
    await page.goto(url);
    await expect
      .poll(() => page.locator('#status').textContent(), { timeout: 30_000 })
      .toContain('the browser mock answers');
    await signIn(page, 'le1606809', 'any-token');
    await expect.poll(() => row(page, 'Demo certificate').textContent()).toContain('Available');

    await uploadP12(page, 'uploaded in the browser', PASSWORD);
    await expect
      .poll(() => row(page, 'uploaded in the browser').textContent(), { timeout: 15_000 })
      .toContain('CN=example-client');

    await uploadP12(page, 'wrong password', 'not-the-password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('p12_wrong_password');

    const text = console.join('\n');
    // MSW logs each request (with its body: passwords, PKCS#12 files) as a `[MSW] …` group unless quiet.
    expect(text, 'the mock is quiet by default').not.toContain('[MSW]');
    expect(text).not.toContain(PASSWORD);
    expect(text, 'one msw: the worker script is the installed one').not.toMatch(/version|mismatch/i);
    expect(text).not.toMatch(/pageerror/);
    await page.screenshot({ path: path.join(scratch, 'example-dev.png') });
    await page.close();
  }, 90_000);
});
