// The release process works on this workspace: `changeset version`, run on a copy of the manifests and the
// pending changesets, bumps the versions the changesets name, writes each package's CHANGELOG.md, keeps the
// private packages out, and leaves the workspace ranges between packages as they are.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
let copy: string | undefined;

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

test('changeset version bumps the named packages and writes their changelogs', async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'mtls-release-'));
  await cp(path.join(root, '.changeset'), path.join(copy, '.changeset'), { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml']) {
    await cp(path.join(root, file), path.join(copy, file));
  }
  const folders = ['test', ...(await readdir(path.join(root, 'packages'))).map((name) => `packages/${name}`)];
  folders.push(...(await readdir(path.join(root, 'examples'))).map((name) => `examples/${name}`));
  const before = new Map<string, { name: string; version: string; private?: boolean }>();
  for (const folder of folders) {
    await mkdir(path.join(copy, folder), { recursive: true });
    await cp(path.join(root, folder, 'package.json'), path.join(copy, folder, 'package.json'));
    before.set(folder, JSON.parse(await readFile(path.join(root, folder, 'package.json'), 'utf8')));
  }
  const pending = (await readdir(path.join(root, '.changeset'))).filter(
    (file) => file.endsWith('.md') && file !== 'README.md',
  );
  // Changesets reads git to find the changesets' commits; a repository of its own keeps the real one out.
  await run('git', ['init', '-q'], { cwd: copy });
  await writeFile(path.join(copy, '.gitignore'), 'node_modules\n');
  const changeset = path.join(root, 'node_modules/@changesets/cli/bin.js');
  await run(process.execPath, [changeset, 'version'], { cwd: copy, env: { ...process.env, CI: 'true' } });

  expect(pending.length, 'this test needs a pending changeset to apply').toBeGreaterThan(0);
  let bumped = 0;
  for (const [folder, manifest] of before) {
    const after = JSON.parse(await readFile(path.join(copy, folder, 'package.json'), 'utf8'));
    const changelog = await readFile(path.join(copy, folder, 'CHANGELOG.md'), 'utf8').catch(() => undefined);
    if (manifest.private) {
      expect(after.version, `${manifest.name} is private: never versioned`).toBe(manifest.version);
      expect(changelog).toBeUndefined();
      continue;
    }
    if (after.version !== manifest.version) {
      bumped += 1;
      expect(changelog, `${manifest.name} was bumped: it gets a changelog`).toContain(`## ${after.version}`);
    }
    expect(JSON.stringify(after.dependencies ?? {})).not.toMatch(/"\d/);
  }
  expect(bumped).toBeGreaterThan(0);
  const left = (await readdir(path.join(copy, '.changeset'))).filter((file) => file.endsWith('.md'));
  expect(left, 'applied changesets are removed').toEqual(['README.md']);
}, 60_000);
