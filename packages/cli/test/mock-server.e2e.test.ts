/**
 * `mtls` end to end against the standalone mock (`startMockServer`, the same handlers `mtls-mock` serves) on
 * 127.0.0.1: list, upload, delete as real processes. The mock accepts any Bearer token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningMockServer, startMockServer } from '@mtls-gateway/mock-server/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCA, toPkcs12 } from '../../../test/support/pki.js';
import { type CliRun, runCli, runsShowing } from './support/cli-process.js';

const PASSWORD = 'mock-p12-Secret-19c2';
const TOKEN = 'mock-bearer-token-5d1e8a';

let dir: string;
let mock: RunningMockServer;
let p12File: string;
let passwordFile: string;

function mtls(args: readonly string[]): Promise<CliRun> {
  return runCli(args, dir, {
    env: { MTLS_GATEWAY_URL: mock.url, MTLS_ACCOUNT: 'le-cli-mock', MTLS_TOKEN: TOKEN },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-mock-'));
  p12File = path.join(dir, 'client.p12');
  passwordFile = path.join(dir, 'client.pass');
  await writeFile(
    p12File,
    toPkcs12(createTestCA().issue({ commonName: 'cli-mock-client', kind: 'client' }), PASSWORD),
  );
  await writeFile(passwordFile, PASSWORD);
  mock = await startMockServer({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('mtls against the standalone mock', { timeout: 180_000 }, () => {
  it('lists, uploads and deletes certificates', async () => {
    const empty = await mtls(['certs', 'list']);
    expect(empty).toMatchObject({ code: 0, out: 'No certificates.\n', err: '' });

    const uploaded = await mtls([
      'certs',
      'upload',
      p12File,
      '--name',
      'MockCert',
      '--password-file',
      passwordFile,
      '--json',
    ]);
    expect(uploaded.code).toBe(0);
    const id = (JSON.parse(uploaded.out) as { successfulySavedCertificates: { id: number }[] })
      .successfulySavedCertificates[0]?.id;
    expect(id).toBeTypeOf('number');

    const table = await mtls(['certs', 'list']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(
      new RegExp(`^${id} {2}MockCert {2}Available {2,}.* {2}CN=cli-mock-client$`, 'm'),
    );

    const wrong = await mtls(['certs', 'upload', p12File, '--name', 'Other', '--password-file', '/dev/null']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('p12_wrong_password');

    const deleted = await mtls(['certs', 'delete', String(id), '--yes', '--json']);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.out)).toMatchObject({ id, deleted: true });

    expect(JSON.parse((await mtls(['certs', 'list', '--json'])).out)).toEqual([]);
    const withDeleted = JSON.parse((await mtls(['certs', 'list', '--deleted', '--json'])).out) as {
      id: number;
    }[];
    expect(withDeleted.map((certificate) => certificate.id)).toEqual([id]);
  });

  it('never printed the token or the password', () => {
    expect(runsShowing(TOKEN)).toEqual([]);
    expect(runsShowing(PASSWORD)).toEqual([]);
  });
});
