import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildConnector } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { P12Factory } from '../certificates/testing/p12-fixtures.js';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { migrate } from '../storage/migrations.js';
import { openTestPostgres, type TestDatabase } from '../storage/testing/test-databases.js';
import type { SocketOpenerFactory } from './forwarding-engine.js';
import { createForwarding } from './forwarding-routes.js';

// Network rule: the only upstream is a TLS server of this test on 127.0.0.1; the socket opener refuses
// anything else.

const ACCOUNT = 'le1606809';
const BODY_LIMIT = 256 * 1024;
const FILE_LIMIT = 64 * 1024;
const PASSWORD_CAP = 4 * 1024;
const BOUNDARY = 'mtls-p12-test-boundary';
const run = promisify(execFile);

const p12s = new P12Factory();
const serverCert = p12s.ca.issue({ commonName: 'localhost', kind: 'server' });

interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: Array<{ location: string; name?: string; message: string }>;
}

const loopbackOnly: SocketOpenerFactory = (options) => {
  const real = buildConnector(options);
  return (connectOptions, callback) => {
    if (connectOptions.hostname !== '127.0.0.1') {
      callback(new Error(`test opener: ${connectOptions.hostname} is not loopback`), null);
      return;
    }
    real(connectOptions, callback);
  };
};

/** The head of one multipart part (its content and a CRLF follow). */
function partHead(name: string, options: { filename?: string; type?: string } = {}): string {
  const filename = options.filename === undefined ? '' : `; filename="${options.filename}"`;
  const type = options.type === undefined ? '' : `Content-Type: ${options.type}\r\n`;
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename}\r\n${type}\r\n`;
}

describe('p12-test multipart caps over HTTP', () => {
  let database: TestDatabase;
  let app: TestApp;
  let upstream: TestTlsServer;
  let token: string;
  let workDir: string;
  let cleanupConfig: () => Promise<void>;
  const fixture = p12s.valid('p12-form', { keyIndex: 0 });

  const endpoint = () => `${app.url}/mtls/account/${ACCOUNT}/p12-test/multipart`;
  const headers = (extra: Record<string, string> = {}) => ({
    authorization: `Bearer ${token}`,
    'LP-forward-url': `${upstream.url}/probe`,
    ...extra,
  });
  const form = (parts: Record<string, string | Blob | [Blob, string]>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(parts)) {
      if (Array.isArray(value)) data.append(name, value[0], value[1]);
      else data.append(name, value);
    }
    return data;
  };
  const p12Blob = (bytes: Uint8Array = fixture.bytes): [Blob, string] => [
    new Blob([Uint8Array.from(bytes)], { type: 'application/x-pkcs12' }),
    'cert.p12',
  ];
  const post = (body: FormData) => fetch(endpoint(), { method: 'POST', headers: headers(), body });
  async function problemOf(response: Response, status: number, code: string): Promise<Problem> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    expect(response.headers.get('lp-gateway-error')).toBe(code);
    return JSON.parse(text) as Problem;
  }
  /** Runs curl against the gateway; answers status and body. */
  async function curl(args: string[]): Promise<{ status: number; body: string }> {
    const { stdout } = await run('curl', [
      '-sS',
      '--max-time',
      '20',
      '-H',
      `authorization: Bearer ${token}`,
      '-H',
      `LP-forward-url: ${upstream.url}/probe`,
      '-w',
      '\n%{http_code}',
      ...args,
      endpoint(),
    ]);
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
  }
  const refusals = () =>
    app.logs.lines
      .map((line) => JSON.parse(line) as { msg?: string })
      .map((entry) => entry.msg ?? '')
      .filter((message) => message.includes('larger than the limit'));

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'mtls-p12-form-'));
    const caFile = path.join(workDir, 'ca.pem');
    await writeFile(caFile, p12s.ca.certPem);
    await writeFile(path.join(workDir, 'cert.p12'), fixture.bytes);
    upstream = await startTlsServer(serverCert);
    database = await openTestPostgres();
    await migrate(database.db);
    const prepared = await testConfig(
      {},
      {
        MTLS_BODY_LIMIT: String(BODY_LIMIT),
        MTLS_MULTIPART_FILE_LIMIT: String(FILE_LIMIT),
        MTLS_EGRESS_ALLOW: '127.0.0.1',
        MTLS_UPSTREAM_CA_FILE: caFile,
      },
    );
    cleanupConfig = prepared.cleanup;
    const forwarding = createForwarding({ openSocket: loopbackOnly });
    app = await startTestApp({ db: database.db, config: prepared.config, routes: [forwarding.routes] });
    token = (
      await app.context.auth.tokens.create({ accounts: [ACCOUNT], permissions: ['MTLS_READ_INTERNAL'] })
    ).token;
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.close();
    await database?.cleanup();
    await cleanupConfig?.();
    await rm(workDir, { recursive: true, force: true });
  });

  it('sends a valid form on, with a body part declared as JSON byte for byte (curl -F …;type=application/json)', async () => {
    const requestsBefore = upstream.requests.length;
    const answer = await curl([
      '-F',
      `file=@${path.join(workDir, 'cert.p12')};type=application/x-pkcs12`,
      '-F',
      `password=${fixture.password}`,
      '-F',
      'body={ "ping" :  true };type=application/json',
    ]);
    expect(answer.status, answer.body).toBe(200);
    expect(upstream.requests).toHaveLength(requestsBefore + 1);
    const seen = upstream.requests.at(-1);
    expect(seen?.body.toString('utf8')).toBe('{ "ping" :  true }');
    expect(seen?.headers['content-type']).toBe('application/json');
  });

  it('accepts a password of 1024 characters in 4096 bytes; 413 past 4096 bytes, 400 past 1024 characters', async () => {
    // 1024 four-byte characters: within the spec's maxLength, so the form is read and the file checked.
    const widest = await post(form({ file: p12Blob(), password: '😀'.repeat(1024) }));
    await problemOf(widest, 400, 'p12_wrong_password');

    const tooManyBytes = await problemOf(
      await post(form({ file: p12Blob(), password: '😀'.repeat(1025) })),
      413,
      'payload_too_large',
    );
    expect(tooManyBytes.detail).toBe(
      `The multipart part "password" is larger than the limit of ${PASSWORD_CAP} bytes.`,
    );

    const tooManyCharacters = await problemOf(
      await post(form({ file: p12Blob(), password: 'x'.repeat(1025) })),
      400,
      'invalid_request',
    );
    expect(tooManyCharacters.errors).toEqual([
      { location: 'body', name: 'password', message: 'must NOT have more than 1024 characters' },
    ]);
  });

  it('refuses a 10 MiB password part after reading a few KiB of it, without waiting for the rest', async () => {
    const url = new URL(endpoint());
    const outgoing = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      // No Content-Length: the body goes out chunked, so nothing at the edge can refuse it up front.
      headers: headers({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
    });
    let answered: IncomingMessage | undefined;
    const answer = new Promise<IncomingMessage>((resolve, reject) => {
      outgoing.on('response', (response) => {
        answered = response;
        resolve(response);
      });
      outgoing.on('error', reject);
    });
    answer.catch(() => undefined);

    const refusalsBefore = refusals().length;
    outgoing.write(partHead('file', { filename: 'cert.p12', type: 'application/x-pkcs12' }));
    outgoing.write(fixture.bytes);
    outgoing.write(`\r\n${partHead('password')}`);
    const chunk = Buffer.alloc(16 * 1024, 'p');
    let passwordBytesSent = 0;
    while (passwordBytesSent < 64 * 1024) {
      outgoing.write(chunk);
      passwordBytesSent += chunk.length;
    }
    // The client stops here, 64 KiB into a 10 MiB part: the server must refuse the part now. Buffering the
    // part before checking it would wait for the rest forever.
    await expect.poll(() => refusals().length, { timeout: 10_000 }).toBe(refusalsBefore + 1);
    expect(refusals().at(-1)).toBe(
      `The multipart part "password" is larger than the limit of ${PASSWORD_CAP} bytes.`,
    );
    expect(passwordBytesSent).toBe(64 * 1024);

    // Then send on, as a client that does not read early answers would, until the answer arrives.
    while (!answered && passwordBytesSent < 10 * 1024 * 1024) {
      if (!outgoing.write(chunk)) await Promise.race([new Promise((r) => outgoing.once('drain', r)), answer]);
      passwordBytesSent += chunk.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const response = await answer;
    const chunks: Buffer[] = [];
    for await (const piece of response) chunks.push(piece as Buffer);
    outgoing.destroy();
    expect(response.statusCode).toBe(413);
    expect(response.headers['lp-gateway-error']).toBe('payload_too_large');
    const problem = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Problem;
    expect(problem.detail).toBe(
      `The multipart part "password" is larger than the limit of ${PASSWORD_CAP} bytes.`,
    );
    // Answered long before the client got through its 10 MiB.
    expect(passwordBytesSent).toBeLessThan(10 * 1024 * 1024);
  });

  it('refuses a chunked body whose parts each fit but together pass MTLS_BODY_LIMIT', async () => {
    const parts = [
      Buffer.from(partHead('file', { filename: 'cert.p12', type: 'application/x-pkcs12' })),
      Buffer.alloc(60 * 1024, 1), // under the file limit
      Buffer.from(`\r\n${partHead('password')}x\r\n${partHead('body', { type: 'text/plain' })}`),
      Buffer.alloc(200 * 1024, 'b'), // under the body limit
      Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
    ];
    const requestsBefore = upstream.requests.length;
    const response = await fetch(endpoint(), {
      method: 'POST',
      headers: headers({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
      // A stream: sent chunked, without Content-Length.
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of parts) {
            for (let offset = 0; offset < part.length; offset += 16 * 1024) {
              controller.enqueue(new Uint8Array(part.subarray(offset, offset + 16 * 1024)));
            }
          }
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const problem = await problemOf(response, 413, 'payload_too_large');
    expect(problem.detail).toBe(
      `The multipart body is larger than the limit of ${BODY_LIMIT} bytes (MTLS_BODY_LIMIT). Send a smaller file or body.`,
    );
    expect(upstream.requests).toHaveLength(requestsBefore);
  });

  it('refuses a file part over MTLS_MULTIPART_FILE_LIMIT, naming the part and the limit', async () => {
    const problem = await problemOf(
      await post(form({ file: p12Blob(new Uint8Array(FILE_LIMIT + 1)), password: 'x' })),
      413,
      'payload_too_large',
    );
    expect(problem.detail).toBe(`The multipart part "file" is larger than the limit of ${FILE_LIMIT} bytes.`);
  });

  it('keeps refusing a file sent as a text field (curl -F file=<…), repeated and unknown parts', async () => {
    const asText = await curl(['-F', `file=<${path.join(workDir, 'cert.p12')}`, '-F', 'password=x']);
    expect(asText.status).toBe(400);
    expect((JSON.parse(asText.body) as Problem).errors).toEqual([
      { location: 'body', name: 'file', message: 'must be a file part' },
    ]);

    const twice = new FormData();
    twice.append('file', ...p12Blob());
    twice.append('password', 'a');
    twice.append('password', 'b');
    expect((await problemOf(await post(twice), 400, 'invalid_request')).errors).toEqual([
      { location: 'body', name: 'password', message: 'is sent twice' },
    ]);
    expect(
      (
        await problemOf(
          await post(form({ file: p12Blob(), password: 'x', extra: 'y' })),
          400,
          'invalid_request',
        )
      ).errors,
    ).toEqual([{ location: 'body', name: 'extra', message: 'is not allowed' }]);
  });

  it('bounds the number of parts, also parts that are not form fields', async () => {
    // `attachment` parts are skipped by the parser, never shown to the form, but still counted.
    const skipped = `--${BOUNDARY}\r\nContent-Disposition: attachment; name="x"\r\n\r\nx\r\n`;
    const body = `${skipped.repeat(10)}--${BOUNDARY}--\r\n`;
    const response = await fetch(endpoint(), {
      method: 'POST',
      headers: headers({ 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }),
      body,
    });
    const problem = await problemOf(response, 413, 'payload_too_large');
    expect(problem.detail).toMatch(/more parts than allowed/);
  });
});
