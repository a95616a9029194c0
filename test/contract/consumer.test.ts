// A consumer of the published packages: the SDK and the mock are packed (`pnpm pack`), installed into a
// fresh project outside the workspace, a consumer file is compiled with `tsc --strict` (its wrong calls must
// stay errors) and run against the standalone mock started from the installed package's `mtls-mock` bin.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packedConsumer, root, run, workspaceVersion } from '../consumer/support/packed-consumer.js';
import { deploymentMode } from './support/target.js';

const CONSUMER = `import { type Certificate, createMtlsGatewayClient, NotFoundError } from '@mtls-gateway/sdk';
import { createTestP12, type UpstreamEcho } from '@mtls-gateway/mock-server';
import type { RunningMockServer } from '@mtls-gateway/mock-server/node';

const baseUrl = process.argv[2];
if (baseUrl === undefined) throw new Error('usage: node consumer.js <mock url>');
const client = createMtlsGatewayClient({ baseUrl, accountId: 'le-consumer', auth: { bearer: 'consumer' }, maxRetries: 0 });

const p12 = createTestP12({ commonName: 'consumer-1', password: 'changeit' });
const saved = await client.certificates.create({ name: 'Consumer1', p12, password: 'changeit' });
const certificate: Certificate | undefined = saved.successfulySavedCertificates[0];
if (!certificate) throw new Error('nothing saved');
const url = 'https://api.example.com/hooks?tenant=42';
const mapping = await client.mappings.activate(certificate.id, { serviceName: 'WEBHOOKS', url });
const forwarded = await client.forward({
  method: 'POST',
  url,
  serviceName: 'WEBHOOKS',
  headers: { 'Content-Type': 'application/json' },
  body: '{"ping":true}',
});
const echo = (await forwarded.json()) as UpstreamEcho;
let notFound = false;
try {
  await client.certificates.get(42);
} catch (error) {
  notFound = error instanceof NotFoundError && error.status === 404 && error.code === 'not_found';
}
const listed = await client.certificates.list();
console.log(JSON.stringify({
  saved: { name: certificate.name, status: certificate.status },
  mapping: { name: mapping.name, certificationId: mapping.certificationId === certificate.id },
  forwarded: { status: forwarded.status, method: echo.method, body: echo.body, presented: echo.certificate?.name ?? null },
  notFound,
  listed: listed.map((item) => item.name),
}));

/** Never called: each line must stay a type error for a strict consumer. */
export function wrongCalls(server: RunningMockServer): void {
  // @ts-expect-error -- an unknown path
  void client.raw.GET('/nope');
  // @ts-expect-error -- not a documented service name
  void client.mappings.activate(1, { serviceName: 'NOPE', url });
  // @ts-expect-error -- TRACE is not a method the gateway forwards
  void client.forward({ method: 'TRACE', url });
  // @ts-expect-error -- a certificate name is a string
  void client.certificates.create({ name: 1, p12, password: '' });
  // @ts-expect-error -- createTestP12 takes an options object
  createTestP12('consumer');
  // @ts-expect-error -- the mock's url is read-only data, not a function
  server.url();
}
`;

describe.skipIf(deploymentMode)('packed SDK and mock in a fresh project', () => {
  let consumerDir = '';
  let removeConsumer: (() => Promise<void>) | undefined;
  let mock: ChildProcess | undefined;

  beforeAll(async () => {
    const consumer = await packedConsumer({
      packages: ['sdk', 'mock-server', 'contract'],
      install: ['sdk', 'mock-server'],
      dependencies: {
        '@types/node': await workspaceVersion('@types/node'),
        msw: await workspaceVersion('msw'),
      },
    });
    consumerDir = consumer.dir;
    removeConsumer = consumer.remove;
  }, 240_000);

  afterAll(async () => {
    if (mock && mock.exitCode === null) {
      const exited = once(mock, 'exit');
      mock.kill('SIGTERM');
      await exited;
    }
    await removeConsumer?.();
  });

  test('a strict consumer compiles, and its wrong calls are type errors', async () => {
    await writeFile(join(consumerDir, 'consumer.ts'), CONSUMER);
    await writeFile(
      join(consumerDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
          outDir: 'out',
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', consumerDir]).catch((error) => error);
    expect(result.stdout ?? '', 'tsc must pass, with every @ts-expect-error line still an error').toBe('');
  }, 120_000);

  test('it runs against mtls-mock started from the installed package', async () => {
    const bin = join(consumerDir, 'node_modules/.bin/mtls-mock');
    mock = spawn(bin, ['--port', '0', '--host', '127.0.0.1'], {
      cwd: consumerDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`mtls-mock did not start:\n${output}`)), 30_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      mock?.stdout?.on('data', read);
      mock?.stderr?.on('data', read);
      mock?.once('exit', (code) => reject(new Error(`mtls-mock exited with ${code}:\n${output}`)));
    });
    const { stdout } = await run(process.execPath, [join(consumerDir, 'out/consumer.js'), url], {
      cwd: consumerDir,
    });
    expect(JSON.parse(stdout)).toEqual({
      saved: { name: 'Consumer1', status: 'Available' },
      mapping: { name: 'Consumer1', certificationId: true },
      forwarded: { status: 200, method: 'POST', body: '{"ping":true}', presented: 'Consumer1' },
      notFound: true,
      listed: ['Consumer1'],
    });
  }, 60_000);
});
