/**
 * `mtls` end to end against the real `mtls-gateway serve` (from sources, PGlite in a temporary data
 * directory) and a loopback HTTPS upstream that requires a client certificate of the test CA. Every command is
 * a real process with real files. Loopback only: the gateway, the upstream and the closed port are 127.0.0.1.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCA, startTlsServer, type TestTlsServer, toPkcs12 } from '../../../test/support/pki.js';
import {
  type ServeProcess,
  startServe,
  stopServe,
} from '../../reference-server/bench/support/serve-process.js';
import { type CliRun, type RunCliOptions, runCli, runsShowing } from './support/cli-process.js';

const ACCOUNT = 'le-cli-e2e';
const PASSWORD = 'e2e-p12-Secret-7f3a';
const CLIENT_NAME = 'cli-e2e-client';
const RENEWED_NAME = 'cli-e2e-renewed';

let dir: string;
let serve: ServeProcess;
let upstream: TestTlsServer;
let env: Record<string, string>;
const files = {
  p12: '',
  renewed: '',
  password: '',
  wrongPassword: '',
  body: '',
};

/** Echo of the test upstream (`startTlsServer`'s default handler). */
interface UpstreamEcho {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  peerCommonName?: string;
}

function mtls(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  return runCli(args, dir, { ...options, env: { ...env, ...options.env } });
}

function json<T>(run: CliRun): T {
  expect(run.err, `stderr of mtls ${run.args.join(' ')}`).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.out) as T;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mtls-cli-e2e-'));
  const ca = createTestCA({ commonName: 'CLI E2E CA' });
  files.p12 = path.join(dir, 'client.p12');
  files.renewed = path.join(dir, 'renewed.p12');
  files.password = path.join(dir, 'client.pass');
  files.wrongPassword = path.join(dir, 'wrong.pass');
  files.body = path.join(dir, 'event.json');
  await writeFile(files.p12, toPkcs12(ca.issue({ commonName: CLIENT_NAME, kind: 'client' }), PASSWORD));
  await writeFile(files.renewed, toPkcs12(ca.issue({ commonName: RENEWED_NAME, kind: 'client' }), PASSWORD));
  await writeFile(files.password, `${PASSWORD}\n`);
  await writeFile(files.wrongPassword, 'not-the-password\n');
  await writeFile(files.body, '{"event":"ping"}');
  const caFile = path.join(dir, 'upstream-ca.pem');
  await writeFile(caFile, ca.certPem);

  // Refuses any handshake without a client certificate of the CA: an answer proves one was presented.
  upstream = await startTlsServer({
    ...ca.issue({ commonName: 'localhost', kind: 'server' }),
    ca: ca.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  serve = await startServe({
    from: 'sources',
    env: {
      MTLS_DATA_DIR: path.join(dir, 'data'),
      MTLS_RATE_LIMIT_RPS: '0',
      MTLS_EGRESS_ALLOW: '127.0.0.1',
      MTLS_UPSTREAM_CA_FILE: caFile,
    },
    timeoutMs: 150_000,
  });
  env = { MTLS_GATEWAY_URL: serve.apiUrl, MTLS_ACCOUNT: ACCOUNT, MTLS_TOKEN: serve.token };
}, 180_000);

afterAll(async () => {
  if (serve) await stopServe(serve);
  await upstream?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('mtls against the reference server', { timeout: 240_000 }, () => {
  let certificateId = 0;
  let mappingId = 0;
  const hookUrl = () => `${upstream.url}/hooks?tenant=42`;

  it('inspects a p12 file locally', async () => {
    const human = await mtls(['p12', 'inspect', files.p12, '--password-file', files.password]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/Subject:\s+CN=cli-e2e-client/);
    expect(human.out).toMatch(/Issuer:\s+CN=CLI E2E CA/);
    expect(human.out).toMatch(/Key:\s+RSA 2048 bits/);
    expect(human.out).toMatch(/Not after:\s+\S+ \(in (29|30) days\)/);
    expect(human.out).toMatch(/Validity:\s+valid/);

    const report = json<Record<string, unknown>>(
      await mtls(['p12', 'inspect', files.p12, '--password-file', files.password, '--json']),
    );
    expect(report).toMatchObject({
      subject: `CN=${CLIENT_NAME}`,
      keyAlgorithm: 'RSA',
      keySize: 2048,
      validity: 'valid',
    });
    expect(report.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(report.chain).toEqual([expect.objectContaining({ subject: 'CN=CLI E2E CA' })]);
    expect(JSON.stringify(report)).not.toContain('PRIVATE KEY');

    const wrong = await mtls(['p12', 'inspect', files.p12, '--password-file', files.wrongPassword]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('p12_wrong_password');
  });

  it('uploads a certificate; a wrong password is the gateway problem p12_wrong_password (exit 1)', async () => {
    const wrong = await mtls([
      'certs',
      'upload',
      files.p12,
      '--name',
      'Wrong',
      '--password-file',
      files.wrongPassword,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toBe('');
    expect(wrong.err).toContain('p12_wrong_password');
    expect(wrong.err).toMatch(/\(400 p12_wrong_password\)/);
    expect(wrong.err).toMatch(/request id: \S+/);

    const wrongJson = await mtls([
      'certs',
      'upload',
      files.p12,
      '--name',
      'Wrong',
      '--password-file',
      files.wrongPassword,
      '--json',
    ]);
    expect(wrongJson.code).toBe(1);
    expect(JSON.parse(wrongJson.err)).toMatchObject({ error: { status: 400, code: 'p12_wrong_password' } });

    const human = await mtls([
      'certs',
      'upload',
      files.p12,
      '--name',
      'Cert1',
      '--password-file',
      files.password,
    ]);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^Uploaded certificate \d+ \(Cert1\): Available, expires \d{4}-\d\d-\d\d/);
    certificateId = Number(/certificate (\d+)/.exec(human.out)?.[1]);

    // The same file again by stdin password, under another name, as JSON.
    const viaStdin = json<{ successfulySavedCertificates: { id: number; name: string }[] }>(
      await mtls(['certs', 'upload', files.p12, '--name', 'Cert2', '--password-stdin', '--json'], {
        stdin: `${PASSWORD}\n`,
      }),
    );
    expect(viaStdin.successfulySavedCertificates[0]?.name).toBe('Cert2');

    const conflict = await mtls([
      'certs',
      'upload',
      files.p12,
      '--name',
      'Cert1',
      '--password-file',
      files.password,
    ]);
    expect(conflict.code).toBe(1);
    expect(conflict.err).toContain('name_conflict');
  });

  it('lists certificates as a table and as JSON, and gets one', async () => {
    const table = await mtls(['certs', 'list']);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*ID {2}NAME {2,}STATUS {2,}EXPIRES {2,}DAYS {2}SUBJECT$/);
    expect(lines.find((line) => line.includes('Cert1'))).toMatch(
      new RegExp(
        `^\\s*${certificateId} {2}Cert1 {2,}Available {2,}\\d{4}-\\d\\d-\\d\\d {2,}(29|30) {2}CN=${CLIENT_NAME}$`,
      ),
    );
    expect(table.out).not.toContain('\u001b['); // not a terminal: no colours

    const listed = json<{ id: number; name: string; status: string }[]>(
      await mtls(['certs', 'list', '--json']),
    );
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: certificateId, name: 'Cert1', status: 'Available' }),
      ]),
    );

    const shown = await mtls(['certs', 'get', String(certificateId)]);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/Name:\s+Cert1/);
    expect(shown.out).toMatch(new RegExp(`Subject:\\s+CN=${CLIENT_NAME}`));
    expect(json<{ id: number }>(await mtls(['certs', 'get', String(certificateId), '--json'])).id).toBe(
      certificateId,
    );

    const missing = await mtls(['certs', 'get', '999999999']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('(404 not_found)');
  });

  it('adds (validating the URL), lists and checks mappings', async () => {
    const added = json<{ id: number; url: string; certificationId: number }>(
      await mtls([
        'mappings',
        'add',
        String(certificateId),
        '--service',
        'WEBHOOKS',
        '--url',
        hookUrl(),
        '--validate-url',
        '--json',
      ]),
    );
    expect(added).toMatchObject({ url: hookUrl(), certificationId: certificateId });
    mappingId = added.id;
    // The validation call reached the upstream with the certificate.
    expect(upstream.requests.at(-1)?.peerCommonName).toBe(CLIENT_NAME);

    const table = await mtls(['mappings', 'list']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^\s*ID {2}SERVICE {2,}CERTIFICATE {2}NAME {2,}ENABLED {2}URL$/m);
    expect(table.out).toContain(hookUrl());
    expect(json<{ id: number }[]>(await mtls(['mappings', 'list', '--json'])).map((m) => m.id)).toContain(
      mappingId,
    );

    const checked = json<{ url: string; exist: boolean }[]>(
      await mtls([
        'mappings',
        'check',
        '--service',
        'WEBHOOKS',
        '--url',
        hookUrl(),
        '--url',
        `${upstream.url}/other`,
        '--json',
      ]),
    );
    expect(checked.map((check) => check.exist)).toEqual([true, false]);
    const human = await mtls(['mappings', 'check', '--service', 'WEBHOOKS', '--url', hookUrl()]);
    expect(human.out).toMatch(/^WEBHOOKS {2}yes {2,}https:/m);

    const badService = await mtls(['mappings', 'check', '--service', 'NOPE', '--url', hookUrl()]);
    expect(badService.code).toBe(2);
    expect(badService.err).toContain('unknown service "NOPE"');
  });

  it("tests a p12 file against the upstream: the remote's status, headers and body", async () => {
    const before = upstream.requests.length;
    const run = await mtls([
      'p12',
      'test',
      files.p12,
      '--url',
      `${upstream.url}/ping`,
      '--method',
      'GET',
      '--password-file',
      files.password,
    ]);
    expect(run.code).toBe(0);
    const [head = '', body = ''] = run.out.split('\n\n');
    expect(head.split('\n')[0]).toMatch(/^HTTP 200/);
    expect(head).toMatch(/^content-type: application\/json$/m);
    expect(JSON.parse(body)).toMatchObject({ method: 'GET', path: '/ping', peerCommonName: CLIENT_NAME });
    expect(upstream.requests.length).toBe(before + 1);

    const asJson = json<{ status: number; headers: Record<string, string>; body: string }>(
      await mtls([
        'p12',
        'test',
        files.p12,
        '--url',
        `${upstream.url}/ping`,
        '--password-file',
        files.password,
        '--json',
      ]),
    );
    expect(asJson.status).toBe(200);
    expect(JSON.parse(asJson.body)).toMatchObject({ method: 'POST', peerCommonName: CLIENT_NAME });

    const wrong = await mtls([
      'p12',
      'test',
      files.p12,
      '--url',
      `${upstream.url}/ping`,
      '--password-file',
      files.wrongPassword,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('p12_wrong_password');
  });

  it('forwards through the gateway, which presents the mapped certificate', async () => {
    const run = await mtls([
      'forward',
      'GET',
      hookUrl(),
      '--service',
      'WEBHOOKS',
      '-i',
      '-H',
      'X-Trace: cli-e2e',
    ]);
    expect(run.code).toBe(0);
    const echo = JSON.parse(run.out) as UpstreamEcho;
    expect(echo).toMatchObject({ method: 'GET', path: '/hooks?tenant=42', peerCommonName: CLIENT_NAME });
    expect(echo.headers['x-trace']).toBe('cli-e2e');
    expect(upstream.requests.at(-1)?.peerCommonName).toBe(CLIENT_NAME);
    expect(run.err).toMatch(/^HTTP 200/);
    expect(run.err).toMatch(/^content-type: application\/json$/m);

    const posted = await mtls([
      'forward',
      'POST',
      hookUrl(),
      '--service',
      'WEBHOOKS',
      '-H',
      'Content-Type: application/json',
      '--data',
      `@${files.body}`,
    ]);
    expect(posted.code).toBe(0);
    expect(posted.err).toBe('');
    expect(JSON.parse(posted.out)).toMatchObject({
      method: 'POST',
      body: '{"event":"ping"}',
      peerCommonName: CLIENT_NAME,
    });

    const asJson = json<{ status: number; body: string }>(
      await mtls(['forward', 'GET', hookUrl(), '--service', 'WEBHOOKS', '--json']),
    );
    expect(asJson.status).toBe(200);

    // No mapping for this service: the gateway stops instead of calling without a certificate.
    const unmapped = await mtls([
      'forward',
      'GET',
      hookUrl(),
      '--service',
      'IDP',
      '--stop-if-certificate-not-found',
    ]);
    expect(unmapped.code).toBe(1);
    expect(unmapped.err).toContain('certificate_not_found');
  });

  it('replaces the file of a certificate', async () => {
    const run = await mtls([
      'certs',
      'replace',
      String(certificateId),
      files.renewed,
      '--name',
      'Cert1-renewed',
      '--password-file',
      files.password,
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(new RegExp(`^Replaced certificate ${certificateId} \\(Cert1-renewed\\)`));
    const certificate = json<{ subject: string; version: number; name: string }>(
      await mtls(['certs', 'get', String(certificateId), '--json']),
    );
    expect(certificate).toMatchObject({ subject: `CN=${RENEWED_NAME}`, name: 'Cert1-renewed', version: 2 });
    // The mapping now presents the new certificate.
    const forwarded = await mtls(['forward', 'GET', hookUrl(), '--service', 'WEBHOOKS']);
    expect(JSON.parse(forwarded.out)).toMatchObject({ peerCommonName: RENEWED_NAME });
  });

  it('deletes a mapping, then the certificate (only with --yes when not on a terminal)', async () => {
    const mapping = await mtls(['mappings', 'delete', String(mappingId)]);
    expect(mapping.code).toBe(0);
    expect(mapping.out).toContain(`Deleted mapping ${mappingId}.`);

    const refused = await mtls(['certs', 'delete', String(certificateId)]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('refusing to delete without --yes');
    expect(refused.err).toContain('Usage: mtls certs delete <id>');

    const deleted = await mtls(['certs', 'delete', String(certificateId), '--yes']);
    expect(deleted.code).toBe(0);
    expect(deleted.out).toBe(`Deleted certificate ${certificateId} (Cert1-renewed).\n`);

    const active = json<{ id: number }[]>(await mtls(['certs', 'list', '--json']));
    expect(active.map((certificate) => certificate.id)).not.toContain(certificateId);
    const all = json<{ id: number; deleted: boolean }[]>(
      await mtls(['certs', 'list', '--deleted', '--json']),
    );
    expect(all.find((certificate) => certificate.id === certificateId)?.deleted).toBe(true);
  });

  it('exits 2 on usage errors, with a hint and the usage', async () => {
    const unknownCommand = await mtls(['certs', 'lsit']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.err).toContain('unknown command "certs lsit"; did you mean "list"?');

    const unknownFlag = await mtls(['certs', 'list', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.err.split('\n').slice(0, 3)).toEqual([
      "mtls: unknown option '--bogus'",
      'Usage: mtls certs list [--deleted] [--json]',
      "Run 'mtls certs list --help' for more.",
    ]);

    const missing = await mtls(['mappings', 'add', '--service', 'WEBHOOKS']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('missing <certificateId>');

    const noPassword = await mtls(['certs', 'upload', files.p12, '--name', 'X']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.err).toContain('no password');

    const help = await mtls(['certs', 'upload', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: mtls certs upload <file.p12> --name <name>');
  });

  it('exits 3 when nothing listens at the gateway URL', async () => {
    const port = await closedPort();
    const run = await mtls(['certs', 'list'], { env: { MTLS_GATEWAY_URL: `http://127.0.0.1:${port}` } });
    expect(run.code).toBe(3);
    expect(run.err).toContain('ECONNREFUSED');
  });

  it('reads the gateway settings from a profile file, and refuses one others can read', async () => {
    const configFile = path.join(dir, 'mtls.json');
    await writeFile(
      configFile,
      JSON.stringify({
        defaultProfile: 'local',
        profiles: { local: { gatewayUrl: serve.apiUrl, account: ACCOUNT, token: serve.token } },
      }),
    );
    await chmod(configFile, 0o600);
    const profileOnly = { MTLS_CONFIG: configFile, MTLS_GATEWAY_URL: '', MTLS_ACCOUNT: '', MTLS_TOKEN: '' };
    const run = await mtls(['certs', 'list', '--json', '--verbose'], { env: profileOnly });
    expect(run.code).toBe(0);
    expect(run.err).toContain(`profile "local" of ${configFile}`);

    await chmod(configFile, 0o644);
    const refused = await mtls(['certs', 'list'], { env: profileOnly });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('chmod 600');
  });

  it('never printed the token or a password', () => {
    expect(runsShowing(serve.token)).toEqual([]);
    expect(runsShowing(PASSWORD)).toEqual([]);
    expect(runsShowing('not-the-password')).toEqual([]);
  });
});
