/**
 * What the browser tests share: Debian's Chromium through playwright-core, building the console as
 * `vite build` does, where screenshots go, and a page's console collected (nothing secret may appear in it).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type InlineConfig } from 'vite';

/** The console package. */
export const consoleRoot = fileURLToPath(new URL('..', import.meta.url));
/** Screenshots of every page, kept after the run (gitignored). */
export const screenshotDir = path.join(consoleRoot, 'test-results');
/**
 * The screenshot the root README shows: (re)written when it is missing or with MTLS_UPDATE_SCREENSHOTS=1,
 * so that a test run does not change a committed file (the days until expiry differ from day to day).
 */
const committedScreenshot = path.join(consoleRoot, '..', '..', 'docs', 'console.png');
export const docsScreenshot =
  process.env.MTLS_UPDATE_SCREENSHOTS === '1' || !existsSync(committedScreenshot)
    ? committedScreenshot
    : path.join(screenshotDir, 'docs-console.png');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const viteConfig: InlineConfig = {
  root: consoleRoot,
  configFile: path.join(consoleRoot, 'vite.config.ts'),
  logLevel: 'silent',
};

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  }
  await mkdir(screenshotDir, { recursive: true });
  // The flags keep Chromium off the network it cannot reach here (no background or component traffic).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
  });
}

/**
 * `vite build` of the console into `outDir` (the server under test serves it through `MTLS_CONSOLE_DIR`;
 * the package's own `dist/` is left to `pnpm build` and to packing), and the ids of the modules bundled.
 * Vitest sets NODE_ENV=test and Vite derives `import.meta.env.DEV` from it: build as the command line does.
 */
export async function buildConsole(outDir: string): Promise<string[]> {
  const modules = new Set<string>();
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      ...viteConfig,
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
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return [...modules];
}

/** The page's console messages and errors, collected. */
export function collectConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => lines.push(`pageerror: ${error.message}`));
  return lines;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Signs in through the form. */
export async function signIn(page: Page, accountId: string, token: string): Promise<void> {
  await page.getByLabel('Account id').fill(accountId);
  await page.getByLabel('Bearer token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The table row of a certificate. */
export const certificateRow = (page: Page, name: string) =>
  page.locator('table.certificates tbody tr').filter({ has: page.getByRole('link', { name, exact: true }) });
