import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { migrate } from '../storage/migrations.js';
import { openTestPostgres, type TestDatabase } from '../storage/testing/test-databases.js';
import { CERTIFICATE_PART_MAX_BYTES } from './certificate-form.js';
import { createCertificateRoutes } from './certificate-routes.js';
import { P12Factory } from './testing/p12-fixtures.js';

const ACCOUNT = 'le1606809';
const BODY_LIMIT = 24 * 1024;
const FILE_LIMIT = 16 * 1024;
const BOUNDARY = 'mtls-certificate-form-boundary';
const run = promisify(execFile);

interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: Array<{ location: string; name?: string; message: string }>;
}

function partHead(name: string, options: { filename?: string; type?: string } = {}): string {
  const filename = options.filename === undefined ? '' : `; filename="${options.filename}"`;
  const type = options.type === undefined ? '' : `Content-Type: ${options.type}\r\n`;
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename}\r\n${type}\r\n`;
}

/** A stream body (sent chunked, without Content-Length) of `pieces`, in 8 KiB chunks. */
function chunked(pieces: Array<string | Buffer>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) {
        const bytes = Buffer.from(piece);
        for (let offset = 0; offset < bytes.length; offset += 8 * 1024) {
          controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 8 * 1024)));
        }
      }
      controller.close();
    },
  });
}

describe('certificate multipart caps over HTTP', () => {
  let database: TestDatabase;
  let app: TestApp;
  let token: string;
  let workDir: string;
  let cleanupConfig: () => Promise<void>;
  const factory = new P12Factory();
  const fixture = factory.valid('form client', { keyIndex: 0 });

  const endpoint = () => `${app.url}/mtls/account/${ACCOUNT}/certificates/byFile`;
  const p12Blob = (bytes: Uint8Array = fixture.bytes): [Blob, string] => [
    new Blob([Uint8Array.from(bytes)], { type: 'application/x-pkcs12' }),
    'client.p12',
  ];
  const post = (parts: Record<string, string | [Blob, string]>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(parts)) {
      if (Array.isArray(value)) form.append(name, value[0], value[1]);
      else form.append(name, value);
    }
    return fetch(endpoint(), { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  };
  const postChunked = (pieces: Array<string | Buffer>) =>
    fetch(endpoint(), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      },
      body: chunked(pieces),
      duplex: 'half',
    } as RequestInit);
  async function problemOf(response: Response, status: number, code: string): Promise<Problem> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    expect(response.headers.get('lp-gateway-error')).toBe(code);
    return JSON.parse(text) as Problem;
  }
  async function curl(args: string[]): Promise<{ status: number; body: string }> {
    const { stdout } = await run('curl', [
      '-sS',
      '--max-time',
      '20',
      '-H',
      `authorization: Bearer ${token}`,
      '-w',
      '\n%{http_code}',
      ...args,
      endpoint(),
    ]);
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
  }
  const names = async () => (await database.db.query<{ name: string }>('SELECT name FROM certificates')).rows;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'mtls-certificate-form-'));
    await writeFile(path.join(workDir, 'client.p12'), fixture.bytes);
    database = await openTestPostgres();
    await migrate(database.db);
    const prepared = await testConfig(
      {},
      { MTLS_BODY_LIMIT: String(BODY_LIMIT), MTLS_MULTIPART_FILE_LIMIT: String(FILE_LIMIT) },
    );
    cleanupConfig = prepared.cleanup;
    app = await startTestApp({
      db: database.db,
      config: prepared.config,
      routes: [createCertificateRoutes()],
    });
    token = (
      await app.context.auth.tokens.create({
        accounts: [ACCOUNT],
        permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
      })
    ).token;
  });

  afterAll(async () => {
    await app?.close();
    await database?.cleanup();
    await cleanupConfig?.();
    await rm(workDir, { recursive: true, force: true });
  });

  it('parses the certificate part as JSON as a typed text field (curl -F …;type=application/json) or a Blob', async () => {
    const viaCurl = await curl([
      '-F',
      `file=@${path.join(workDir, 'client.p12')};type=application/x-pkcs12`,
      '-F',
      `certificate={"name":"curl-json","password":"${fixture.password}"};type=application/json`,
    ]);
    expect(viaCurl.status, viaCurl.body).toBe(201);
    const viaBlob = await post({
      file: p12Blob(),
      certificate: [
        new Blob([JSON.stringify({ name: 'blob-json', password: fixture.password })], {
          type: 'application/json',
        }),
        'certificate.json',
      ],
    });
    expect(viaBlob.status).toBe(201);
    expect((await names()).map((row) => row.name).sort()).toEqual(['blob-json', 'curl-json']);
  });

  it('refuses a file sent as a text field (curl -F file=<…)', async () => {
    const answer = await curl([
      '-F',
      `file=<${path.join(workDir, 'client.p12')}`,
      '-F',
      'name=as-text',
      '-F',
      `password=${fixture.password}`,
    ]);
    expect(answer.status).toBe(400);
    expect((JSON.parse(answer.body) as Problem).errors).toEqual([
      { location: 'body', name: 'file', message: 'must be a file part' },
    ]);
  });

  it('caps each metadata part at 4 × its maxLength in bytes (413); within the bytes, the schema decides (400)', async () => {
    for (const [name, value, limit] of [
      ['name', 'n'.repeat(4 * 128 + 1), 4 * 128],
      ['password', 'p'.repeat(4 * 1024 + 1), 4 * 1024],
    ] as const) {
      const fields = { name: 'capped', password: fixture.password, [name]: value };
      const problem = await problemOf(await post({ file: p12Blob(), ...fields }), 413, 'payload_too_large');
      expect(problem.detail).toBe(`The multipart part "${name}" is larger than the limit of ${limit} bytes.`);
    }
    // 129 characters fit the 512 bytes: read whole, then refused by CertificateName.maxLength.
    const long = await problemOf(
      await post({ file: p12Blob(), name: 'n'.repeat(129), password: fixture.password }),
      400,
      'invalid_request',
    );
    expect(long.errors).toEqual([
      { location: 'body', name: 'name', message: 'must NOT have more than 128 characters' },
    ]);
    expect(await names()).not.toContainEqual({ name: 'capped' });
  });

  it(`caps the certificate part at ${CERTIFICATE_PART_MAX_BYTES} bytes`, async () => {
    expect(CERTIFICATE_PART_MAX_BYTES).toBe(16 * 1024);
    const padded = `{"name":"padded","password":"x"${' '.repeat(CERTIFICATE_PART_MAX_BYTES)}}`;
    const problem = await problemOf(
      await post({
        file: p12Blob(),
        certificate: [new Blob([padded], { type: 'application/json' }), 'certificate.json'],
      }),
      413,
      'payload_too_large',
    );
    expect(problem.detail).toBe(
      `The multipart part "certificate" is larger than the limit of ${CERTIFICATE_PART_MAX_BYTES} bytes.`,
    );
  });

  it('refuses a chunked body whose parts each fit but together pass MTLS_BODY_LIMIT, storing nothing', async () => {
    const certificate = `{"name":"summed","password":"${fixture.password}"${' '.repeat(10 * 1024)}}`;
    const response = await postChunked([
      partHead('file', { filename: 'client.p12', type: 'application/x-pkcs12' }),
      Buffer.concat([fixture.bytes, Buffer.alloc(FILE_LIMIT - 512 - fixture.bytes.length)]),
      `\r\n${partHead('certificate', { type: 'application/json' })}${certificate}\r\n--${BOUNDARY}--\r\n`,
    ]);
    const problem = await problemOf(response, 413, 'payload_too_large');
    expect(problem.detail).toBe(
      `The multipart body is larger than the limit of ${BODY_LIMIT} bytes (MTLS_BODY_LIMIT). Send a smaller file or body.`,
    );
    expect(await names()).not.toContainEqual({ name: 'summed' });
  });

  it('counts what is not in any part too: a chunked body with a long epilogue is refused', async () => {
    const response = await postChunked([
      partHead('file', { filename: 'client.p12', type: 'application/x-pkcs12' }),
      fixture.bytes,
      `\r\n${partHead('name')}epilogue\r\n${partHead('password')}${fixture.password}\r\n--${BOUNDARY}--\r\n`,
      // After the closing boundary: ignored by the parser, but still bytes the server has to receive.
      Buffer.alloc(256 * 1024, 'e'),
    ]);
    const problem = await problemOf(response, 413, 'payload_too_large');
    expect(problem.detail).toMatch(/^The multipart body is larger than the limit of 24576 bytes/);
    expect(await names()).not.toContainEqual({ name: 'epilogue' });
  });

  it('refuses a part sent twice (400), before reading it', async () => {
    const form = new FormData();
    form.append('file', ...p12Blob());
    form.append('file', ...p12Blob());
    const response = await fetch(endpoint(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    expect((await problemOf(response, 400, 'invalid_request')).errors).toEqual([
      { location: 'body', name: 'file', message: 'is sent twice' },
    ]);
  });
});
