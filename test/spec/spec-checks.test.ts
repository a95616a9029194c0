// Breaking the spec must break the build: the linters and the drift check of the generated files catch each kind
// of mistake below. Each case runs the real tools on a modified copy of openapi/.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { renderGeneratedFiles } from '../../openapi/generate.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules/.bin', name);
let workDir: string;
let original: string;

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

async function lintCopy(mutate: (spec: string) => string) {
  const dir = await mkdtemp(join(workDir, 'case-'));
  await cp(join(root, 'openapi'), dir, { recursive: true });
  const mutated = mutate(original);
  expect(mutated, 'the mutation must change the spec').not.toBe(original);
  const specPath = join(dir, 'mtls.yaml');
  await writeFile(specPath, mutated);
  const [redocly, spectral] = await Promise.all([
    run(bin('redocly'), ['lint', specPath, '--config', join(dir, 'redocly.yaml')]),
    run(bin('spectral'), [
      'lint',
      specPath,
      '--ruleset',
      join(dir, '.spectral.yaml'),
      '--fail-severity',
      'warn',
    ]),
  ]);
  return { redocly, spectral, specPath };
}

beforeAll(async () => {
  // Inside the repository, so that the copied Spectral ruleset resolves its npm rulesets from node_modules.
  const cacheDir = join(root, 'node_modules/.cache');
  await mkdir(cacheDir, { recursive: true });
  workDir = await mkdtemp(join(cacheDir, 'mtls-spec-checks-'));
  original = await readFile(join(root, 'openapi/mtls.yaml'), 'utf8');
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('the spec checks', () => {
  test('pass on the committed spec', async () => {
    const { redocly, spectral } = await lintCopy((spec) => `${spec}\n`);
    expect(redocly.code, redocly.output).toBe(0);
    expect(spectral.code, spectral.output).toBe(0);
  });

  test('fail on an example that does not match its schema', async () => {
    const { redocly, spectral } = await lintCopy((spec) =>
      spec.replace(/status: Available(\n\s+expirationDate: .2027)/, 'status: Availabl$1'),
    );
    expect(redocly.code).not.toBe(0);
    expect(redocly.output).toContain('no-invalid-media-type-examples');
    expect(spectral.code).not.toBe(0);
    expect(spectral.output).toContain('oas3-valid-media-example');
  });

  test('fail on an undefined $ref', async () => {
    const { redocly, spectral } = await lintCopy((spec) =>
      spec.replace(/(\$ref: .#\/components\/schemas\/Health)(['"])/, '$1y$2'),
    );
    expect(redocly.code).not.toBe(0);
    expect(redocly.output).toContain('no-unresolved-refs');
    expect(spectral.code).not.toBe(0);
    expect(spectral.output).toContain('invalid-ref');
  });

  test('fail on an operation without operationId', async () => {
    const { redocly, spectral } = await lintCopy((spec) =>
      spec.replace('      operationId: getHealth\n', ''),
    );
    expect(redocly.code).not.toBe(0);
    expect(redocly.output).toContain('operation-operationId');
    expect(spectral.code).not.toBe(0);
    expect(spectral.output).toContain('operation-operationId');
  });
});

describe('the generated files', () => {
  test('are current', async () => {
    const files: Map<string, string> = await renderGeneratedFiles();
    for (const [path, expected] of files) {
      expect(await readFile(path, 'utf8'), `${path} is stale: run \`pnpm generate\``).toBe(expected);
    }
  });

  test('go stale when the spec changes without regenerating', async () => {
    const dir = await mkdtemp(join(workDir, 'drift-'));
    await cp(join(root, 'openapi'), dir, { recursive: true });
    const specPath = join(dir, 'mtls.yaml');
    await writeFile(
      specPath,
      original
        .replace('summary: Liveness', 'summary: Liveness probe')
        .replace('title: "Not found" }', 'title: "Nothing there" }'),
    );
    const files: Map<string, string> = await renderGeneratedFiles(specPath);
    const stale = [];
    for (const [path, expected] of files) {
      if ((await readFile(path, 'utf8')) !== expected) stale.push(path);
    }
    expect(stale).toHaveLength(files.size);
  });

  test('refuse a problem catalogue that disagrees with the code table of the description', async () => {
    const dir = await mkdtemp(join(workDir, 'catalogue-'));
    await cp(join(root, 'openapi'), dir, { recursive: true });
    const specPath = join(dir, 'mtls.yaml');
    await writeFile(
      specPath,
      original.replace('{ code: name_conflict, status: 409,', '{ code: name_conflict, status: 422,'),
    );
    await expect(renderGeneratedFiles(specPath)).rejects.toThrow(
      /name_conflict 422: not so in the description's table/,
    );
    await writeFile(specPath, original.replace(/^ {8}- \{ code: route_not_found, .*\n/m, ''));
    await expect(renderGeneratedFiles(specPath)).rejects.toThrow(
      /route_not_found 404: in the table, not in x-problem-codes/,
    );
  });
});
