// A user installs the command line client from its tarball (`npm install -g @mtls-gateway/cli` in effect) and
// runs the installed `mtls` bin: help, version, and a local PKCS#12 inspection that sends nothing.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestP12 } from '@mtls-gateway/mock-server';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type PackedConsumer, packedConsumer, run } from './support/packed-consumer.js';

let consumer: PackedConsumer;
let bin: string;

beforeAll(async () => {
  consumer = await packedConsumer({ packages: ['cli', 'sdk', 'contract'], install: ['cli'] });
  bin = join(consumer.dir, 'node_modules/.bin/mtls');
}, 180_000);

afterAll(async () => {
  await consumer?.remove();
});

test('the packed manifest is publishable: public, the mtls bin, no workspace ranges, no sources or tests', async () => {
  const manifest = await consumer.packedManifest('@mtls-gateway/cli');
  expect(manifest.private).toBeUndefined();
  expect(manifest.publishConfig).toEqual({ access: 'public' });
  expect(manifest.bin).toEqual({ mtls: './dist/bin.js' });
  expect(JSON.stringify(manifest)).not.toMatch(/workspace:/);
  const files = await consumer.listTarball('@mtls-gateway/cli');
  expect(files).toContain('package/dist/bin.js');
  expect(files.filter((file) => /\.test\.|\/src\/|\/testing\//.test(file))).toEqual([]);
});

test('the installed mtls prints its version and help, and inspects a PKCS#12 file locally', async () => {
  const { stdout: version } = await run(bin, ['--version'], { cwd: consumer.dir });
  expect(version.trim()).toMatch(/\d+\.\d+\.\d+/);
  const { stdout: help } = await run(bin, ['--help'], { cwd: consumer.dir });
  expect(help).toMatch(/certs/);
  expect(help).toMatch(/mappings/);

  await writeFile(
    join(consumer.dir, 'client.p12'),
    createTestP12({ commonName: 'cli-consumer', password: 'pw-1' }),
  );
  await writeFile(join(consumer.dir, 'client.pass'), 'pw-1\n');
  const { stdout } = await run(
    bin,
    ['p12', 'inspect', 'client.p12', '--password-file', 'client.pass', '--json'],
    {
      cwd: consumer.dir,
      env: { PATH: process.env.PATH ?? '' },
    },
  );
  expect(stdout).toContain('CN=cli-consumer');
  expect(stdout).not.toContain('pw-1');
});
