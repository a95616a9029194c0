// An operator runs the server from its tarball as `npx mtls-gateway serve` would: the installed bin, the
// embedded database in the working folder, the API, its reference page and the console answering.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type PackedConsumer, packedConsumer, run } from './support/packed-consumer.js';

let consumer: PackedConsumer;
let bin: string;

beforeAll(async () => {
  consumer = await packedConsumer({
    packages: ['reference-server', 'console', 'sdk', 'contract'],
    install: ['reference-server'],
  });
  bin = join(consumer.dir, 'node_modules/.bin/mtls-gateway');
}, 240_000);

afterAll(async () => {
  await consumer?.remove();
});

test('the packed manifest is publishable: public, a bin, no workspace ranges, no sources or tests', async () => {
  const manifest = await consumer.packedManifest('@mtls-gateway/reference-server');
  expect(manifest.private).toBeUndefined();
  expect(manifest.publishConfig).toEqual({ access: 'public' });
  expect(manifest.bin).toEqual({ 'mtls-gateway': './dist/bin.js' });
  expect(JSON.stringify(manifest)).not.toMatch(/workspace:/);
  const files = await consumer.listTarball('@mtls-gateway/reference-server');
  expect(files).toEqual(
    expect.arrayContaining(['package/dist/bin.js', 'package/dist/certificates/p12-worker.js']),
  );
  expect(files.filter((file) => /\.test\.|\/src\/|\/testing\/|\/bench\//.test(file))).toEqual([]);
});

test('the installed bin prints its usage', async () => {
  const { stdout } = await run(bin, ['--help'], { cwd: consumer.dir });
  expect(stdout).toMatch(/serve/);
});

test('the installed server starts on its embedded database and answers the API, its reference page and the console', async () => {
  const child = spawn(bin, ['serve'], {
    cwd: consumer.dir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', MTLS_OPS_PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  try {
    let api: string | undefined;
    let token: string | undefined;
    const deadline = Date.now() + 60_000;
    while (!(api && token)) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      api = /mtls-gateway listening on (http:\/\/\S+) /.exec(output)?.[1];
      token = /\n {2}(mtls_\S+)\n/.exec(output)?.[1];
    }
    const list = await fetch(`${api}/mtls/account/le1606809/certificates`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual([]);
    const docs = await fetch(`${api}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const console = await fetch(`${api}/console/`);
    expect(console.status, 'the console is built into its package when packed').toBe(200);
    expect(await console.text()).toMatch(/<script type="module"/);
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
}, 90_000);
