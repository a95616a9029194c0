#!/usr/bin/env node
// Generates everything that derives from openapi/mtls.yaml, and checks that the committed copies are current.
//   node openapi/generate.mjs           write the generated files
//   node openapi/generate.mjs --check   exit 1 (listing the stale files) when a committed copy differs
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, loadConfig } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const specPath = resolve(root, 'openapi/mtls.yaml');
const banner = (what) =>
  `This file is generated from openapi/mtls.yaml by \`pnpm generate\` (${what}). Do not edit it by hand.`;

/** Bundles the spec into one JSON document: YAML anchors expanded, external references inlined. */
async function bundleSpec(path) {
  const config = await loadConfig({ configPath: resolve(root, 'openapi/redocly.yaml') });
  const { bundle: document, problems } = await bundle({ ref: path, config });
  const errors = problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `Cannot bundle ${relative(root, path)}:\n${errors.map((p) => `- ${p.message}`).join('\n')}`,
    );
  }
  return document.parsed;
}

/**
 * @param {string} [path] the spec to render from (tests pass a modified copy)
 * @returns {Promise<Map<string, string>>} absolute path of each generated file → its expected content
 */
export async function renderGeneratedFiles(path = specPath) {
  const spec = await bundleSpec(path);
  const types = astToString(await openapiTS(spec, { alphabetize: false }));
  const bundled = `${JSON.stringify({ 'x-generated': banner('bundled spec'), ...spec }, null, 2)}\n`;
  return new Map([
    [resolve(root, 'openapi/generated/mtls.json'), bundled],
    // The mock imports its own copy so that it bundles for browsers (no file system there).
    [resolve(root, 'packages/mock-server/src/generated/mtls.json'), bundled],
    [
      resolve(root, 'packages/sdk/src/generated/openapi.ts'),
      `/**\n * ${banner('openapi-typescript')}\n */\n\n${types}`,
    ],
  ]);
}

async function main() {
  const check = process.argv.includes('--check');
  const stale = [];
  for (const [path, expected] of await renderGeneratedFiles()) {
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === expected) continue;
    if (check) stale.push(relative(root, path));
    else await writeFile(path, expected);
  }
  if (stale.length > 0) {
    console.error(
      `Generated files are stale; run \`pnpm generate\` and commit the result:\n  ${stale.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log(check ? 'Generated files are current.' : 'Generated files written.');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
