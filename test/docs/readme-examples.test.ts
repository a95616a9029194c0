// Every ```ts block of the package READMEs compiles, against the packages as they are: each block is one ES
// module (strict TypeScript, DOM and Node types, vitest's globals, top-level await). What a reader supplies
// (a token, a state) is declared in a hidden prelude, an HTML comment right before the block:
//
//   <!-- ts-prelude
//   declare const token: string;
//   -->
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const READMES = ['packages/sdk/README.md', 'packages/mock-server/README.md', 'packages/contract/README.md'];
// Under test/, whose node_modules hold every workspace package (and msw, vitest through the root).
const scratch = path.join(root, 'test/node_modules/.cache/readme-examples');

interface Block {
  readme: string;
  /** 1-based line of the first code line in the README. */
  line: number;
  prelude: string;
  code: string;
}

/** The ```ts blocks of a README, each with the ts-prelude comment right before it (if any). */
function tsBlocks(readme: string, text: string): Block[] {
  const blocks: Block[] = [];
  const pattern = /(?:<!-- ts-prelude\n([\s\S]*?)-->\n)?```ts\n([\s\S]*?)```/g;
  for (const match of text.matchAll(pattern)) {
    const fenceOffset = (match.index ?? 0) + match[0].indexOf('```ts');
    const line = text.slice(0, fenceOffset).split('\n').length + 1;
    blocks.push({ readme, line, prelude: match[1] ?? '', code: match[2] ?? '' });
  }
  return blocks;
}

test('the tsBlocks reader finds blocks, their preludes and their lines', () => {
  const text =
    'a\n<!-- ts-prelude\ndeclare const x: 1;\n-->\n```ts\nx;\n```\n\n```ts\ny;\n```\n```sh\nz\n```\n';
  expect(tsBlocks('R', text)).toEqual([
    { readme: 'R', line: 6, prelude: 'declare const x: 1;\n', code: 'x;\n' },
    { readme: 'R', line: 10, prelude: '', code: 'y;\n' },
  ]);
});

test('every TypeScript example of the package READMEs compiles', async () => {
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  const files = new Map<string, Block>();
  for (const readme of READMES) {
    const blocks = tsBlocks(readme, await readFile(path.join(root, readme), 'utf8'));
    for (const [index, block] of blocks.entries()) {
      const name = `${path.basename(path.dirname(readme))}-${String(index + 1).padStart(2, '0')}.ts`;
      // The prelude goes on the code's first line, so that error lines map to README lines one to one.
      const prelude = block.prelude.replaceAll('\n', ' ');
      await writeFile(path.join(scratch, name), `${prelude}export {};\n${block.code}`);
      files.set(name, block);
    }
  }
  expect(files.size).toBeGreaterThan(10);
  await writeFile(path.join(scratch, 'package.json'), '{ "type": "module" }\n');
  await writeFile(
    path.join(scratch, 'tsconfig.json'),
    JSON.stringify({
      extends: path.join(root, 'tsconfig.base.json'),
      compilerOptions: { noEmit: true, declaration: false, types: ['node', 'vitest/globals'] },
      include: ['*.ts'],
    }),
  );
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', scratch, '--pretty', 'false']).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
  );
  // file.ts(line,col): error … → README.md:line
  const errors = result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((message) => {
      const located = /^(?:.*[/\\])?([\w-]+\.ts)\((\d+),\d+\): (.*)$/.exec(message);
      const block = located && files.get(located[1] as string);
      if (!located || !block) return message;
      return `${block.readme}:${block.line + Number(located[2]) - 2}: ${located[3]}`;
    });
  expect(errors).toEqual([]);
}, 120_000);
