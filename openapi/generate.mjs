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
 * The problem catalogue (`x-problem-codes` of the `ProblemCode` schema) as a TypeScript module, after checking
 * that the prose table of the API description names exactly the same codes with the same statuses.
 */
function renderProblemCatalogue(spec) {
  const catalogue = spec.components?.schemas?.ProblemCode?.['x-problem-codes'];
  if (!Array.isArray(catalogue) || catalogue.length === 0) {
    throw new Error('The ProblemCode schema has no x-problem-codes catalogue.');
  }
  const documented = new Map();
  for (const [, codes, status] of spec.info.description.matchAll(
    /^\| (`[a-z0-9_]+`(?:, `[a-z0-9_]+`)*) \| (\d{3}) \|/gm,
  )) {
    for (const code of codes.matchAll(/`([a-z0-9_]+)`/g)) documented.set(code[1], Number(status));
  }
  const mismatches = [];
  for (const { code, status } of catalogue) {
    if (documented.get(code) !== status)
      mismatches.push(`${code} ${status}: not so in the description's table`);
    documented.delete(code);
  }
  for (const [code, status] of documented)
    mismatches.push(`${code} ${status}: in the table, not in x-problem-codes`);
  if (mismatches.length > 0)
    throw new Error(`The problem code table disagrees with x-problem-codes:\n- ${mismatches.join('\n- ')}`);
  const entries = catalogue.map(
    ({ code, status, title }) => `  ${code}: { status: ${status}, title: ${JSON.stringify(title)} },`,
  );
  return `/**
 * ${banner('x-problem-codes of the ProblemCode schema')}
 */

/** Every problem code the gateway answers with, its HTTP status and its title. */
export const PROBLEM_CATALOGUE = {
${entries.join('\n')}
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;
`;
}

/**
 * @param {string} [path] the spec to render from (tests pass a modified copy)
 * @returns {Promise<Map<string, string>>} absolute path of each generated file → its expected content
 */
export async function renderGeneratedFiles(path = specPath) {
  const spec = await bundleSpec(path);
  const types = astToString(await openapiTS(spec, { alphabetize: false }));
  const bundled = `${JSON.stringify({ 'x-generated': banner('bundled spec'), ...spec }, null, 2)}\n`;
  const generated = resolve(root, 'packages/contract/src/generated');
  return new Map([
    [resolve(generated, 'mtls.json'), bundled],
    [resolve(generated, 'openapi.ts'), `/**\n * ${banner('openapi-typescript')}\n */\n\n${types}`],
    [resolve(generated, 'problem-catalogue.ts'), renderProblemCatalogue(spec)],
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
