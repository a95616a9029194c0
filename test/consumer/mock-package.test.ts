// A frontend team installs the mock from its tarball next to the msw it chose (a peer dependency), and uses
// it with the SDK's tarball: one msw in the tree, the mock's handlers answering the SDK.
import { realpath, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type PackedConsumer, packedConsumer, run, workspaceVersion } from './support/packed-consumer.js';

let consumer: PackedConsumer;

beforeAll(async () => {
  consumer = await packedConsumer({
    packages: ['mock-server', 'sdk', 'contract'],
    install: ['mock-server', 'sdk'],
    dependencies: { msw: await workspaceVersion('msw') },
  });
}, 180_000);

afterAll(async () => {
  await consumer?.remove();
});

test('the packed manifest is publishable: public, msw a peer, no workspace ranges, free of side effects', async () => {
  const manifest = await consumer.packedManifest('@mtls-gateway/mock-server');
  expect(manifest.private).toBeUndefined();
  expect(manifest.publishConfig).toEqual({ access: 'public' });
  expect(manifest.sideEffects).toBe(false);
  expect(manifest.peerDependencies).toMatchObject({ msw: expect.stringMatching(/^\^2\./) });
  expect(manifest.dependencies).not.toHaveProperty('msw');
  expect(JSON.stringify(manifest), 'workspace: ranges must be replaced by versions when packing').not.toMatch(
    /workspace:/,
  );
  const files = await consumer.listTarball('@mtls-gateway/mock-server');
  expect(files).toEqual(expect.arrayContaining(['package/dist/browser.js', 'package/dist/node.js']));
  expect(files.filter((file) => /\.test\.|\/src\//.test(file))).toEqual([]);
});

test("the mock uses the app's msw: one copy in the tree", async () => {
  const fromApp = createRequire(join(consumer.dir, 'package.json')).resolve('msw/package.json');
  const mockDir = await realpath(join(consumer.dir, 'node_modules/@mtls-gateway/mock-server'));
  const fromMock = createRequire(join(mockDir, 'package.json')).resolve('msw/package.json');
  expect(await realpath(fromMock)).toBe(await realpath(fromApp));
});

test('the installed mock answers the installed SDK in Node', async () => {
  await writeFile(
    join(consumer.dir, 'mock.mjs'),
    `import { createMtlsGatewayClient, NotFoundError } from '@mtls-gateway/sdk';
import { createMockState } from '@mtls-gateway/mock-server';
import { setupMockServer } from '@mtls-gateway/mock-server/node';

const mock = setupMockServer({ state: createMockState({ certificates: [{ accountId: 'le1', name: 'Cert1' }] }) });
mock.listen();
const client = createMtlsGatewayClient({ baseUrl: 'https://gw.example.com', accountId: 'le1', auth: { bearer: 't' } });
const list = await client.certificates.list();
const missing = await client.certificates.get(1234567890).catch((error) => error);
mock.close();
console.log(JSON.stringify({ names: list.map((c) => c.name), missing: missing instanceof NotFoundError }));
`,
  );
  const { stdout } = await run(process.execPath, ['mock.mjs'], { cwd: consumer.dir });
  expect(JSON.parse(stdout)).toEqual({ names: ['Cert1'], missing: true });
});
