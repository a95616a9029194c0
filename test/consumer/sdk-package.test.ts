// A consumer installs the SDK from the tarball `pnpm pack` makes — not from the workspace — compiles against
// it with `tsc --strict` (wrong calls must stay errors) and runs each entry point in Node. The SDK depends on
// `@mtls-gateway/contract` as on any registry package; its tarball stands in for the registry here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  type PackedConsumer,
  packedConsumer,
  root,
  run,
  workspaceVersion,
} from './support/packed-consumer.js';

let consumer: PackedConsumer;
let consumerDir: string;

beforeAll(async () => {
  consumer = await packedConsumer({
    packages: ['sdk', 'contract'],
    install: ['sdk'],
    dependencies: { '@types/node': await workspaceVersion('@types/node') },
  });
  consumerDir = consumer.dir;
}, 180_000);

afterAll(async () => {
  await consumer?.remove();
});

test('the tarball holds the build and no sources or tests', async () => {
  const files = await consumer.listTarball('@mtls-gateway/sdk');
  expect(files).toEqual(
    expect.arrayContaining([
      'package/dist/index.js',
      'package/dist/p12/index.js',
      'package/dist/node/index.js',
    ]),
  );
  expect(files.filter((file) => /\.test\.|\/src\/|\/testing\//.test(file))).toEqual([]);
});

test('a strict TypeScript consumer compiles, and wrong calls are errors', async () => {
  await writeFile(
    join(consumerDir, 'consumer.ts'),
    `import { createMtlsGatewayClient, NotFoundError, type Certificate } from '@mtls-gateway/sdk';
import { createP12, parseP12 } from '@mtls-gateway/sdk/p12';
import { createMTLSClient, type IMTLSClient } from '@mtls-gateway/sdk/node';

const client = createMtlsGatewayClient({ baseUrl: 'http://127.0.0.1:1', accountId: 'le1606809', auth: { bearer: 't' } });
export async function use(): Promise<Certificate[]> {
  await client.mappings.activate(1, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks' });
  // @ts-expect-error -- an unknown path
  await client.raw.GET('/nope');
  // @ts-expect-error -- LP-forward-url is a required header
  await client.raw.GET('/mtls/account/{accountId}', { params: { path: { accountId: 'a' } } });
  // @ts-expect-error -- not a documented service name
  await client.mappings.activate(1, { serviceName: 'NOPE', url: 'https://api.example.com/hooks' });
  // @ts-expect-error -- the name must be a string
  await client.certificates.create([{ name: 1, p12: new Uint8Array(), password: '' }]);
  return client.certificates.list();
}
export const tools = { createP12, parseP12, NotFoundError };
export const direct: (pem: string) => IMTLSClient = (pem) => createMTLSClient({ cert: pem, key: pem });
`,
  );
  await writeFile(
    join(consumerDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2023', 'DOM'],
        noEmit: true,
        types: ['node'],
      },
      files: ['consumer.ts'],
    }),
  );
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', consumerDir]).catch((error) => error);
  expect(result.stdout ?? '', 'tsc must pass, with every @ts-expect-error line still an error').toBe('');
});

test('every entry point loads in Node from the installed package', async () => {
  const script = `
import * as sdk from '@mtls-gateway/sdk';
import * as p12 from '@mtls-gateway/sdk/p12';
import * as node from '@mtls-gateway/sdk/node';
console.log(JSON.stringify([typeof sdk.createMtlsGatewayClient, typeof p12.parseP12, typeof node.createMTLSClient, typeof node.createGatewayMTLSClient]));
`;
  await writeFile(join(consumerDir, 'load.mjs'), script);
  const { stdout } = await run(process.execPath, [join(consumerDir, 'load.mjs')], { cwd: consumerDir });
  expect(JSON.parse(stdout)).toEqual(['function', 'function', 'function', 'function']);
});
