// The main entry runs in browsers and edge runtimes, and stays small: at most 10 kB (minified + gzipped)
// beyond openapi-fetch itself. Sizes are deterministic (no timing), so this is a test, and it prints them.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, test } from 'vitest';
import { bundleEntry } from './support/bundle.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const BUDGET_BYTES = 10 * 1024;
let scratch: string | undefined;

async function bundle(input: string) {
  const { code, imports } = await bundleEntry(input);
  return { imports, gzipped: gzipSync(code).length };
}

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('the main entry bundles for the browser without Node built-ins, within 10 kB beyond openapi-fetch', async () => {
  // The peer entry must resolve openapi-fetch from this package, so it lives under the package's node_modules.
  const cache = join(packageDir, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  scratch = await mkdtemp(join(cache, 'bundle-size-'));
  const peerEntry = join(scratch, 'openapi-fetch-only.js');
  await writeFile(peerEntry, "export { default } from 'openapi-fetch';\n");

  const sdk = await bundle(join(packageDir, 'src/index.ts'));
  const peer = await bundle(peerEntry);
  const beyond = sdk.gzipped - peer.gzipped;
  console.log(
    `@mtls-gateway/sdk '.' entry: ${sdk.gzipped} B min+gz; openapi-fetch alone: ${peer.gzipped} B; ` +
      `beyond openapi-fetch: ${beyond} B (budget ${BUDGET_BYTES} B)`,
  );

  expect(
    sdk.imports,
    'the browser bundle must be self-contained (no node: or other external imports)',
  ).toEqual([]);
  expect(beyond).toBeLessThanOrEqual(BUDGET_BYTES);
});
