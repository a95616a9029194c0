import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCA, startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { P12Factory } from '../../src/certificates/testing/p12-fixtures.js';

// Graceful shutdown of `mtls-gateway serve` as its own process (PGlite, generated key): SIGTERM while uploads
// and forwards stream. Loopback only: the upstreams are local HTTPS servers of a throw-away CA.

const ACCOUNT = 'le1606809';
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

interface ServeProcess {
  child: ChildProcess;
  apiUrl: string;
  opsUrl: string;
  /** The development token: printed on the first start of a data dir only. */
  token: string | undefined;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startServe(env: Record<string, string>, options: { token: boolean }): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mtls-gateway/source', 'src/bin.ts', 'serve'],
    {
      cwd: packageRoot,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        MTLS_OPS_PORT: '0',
        MTLS_RATE_LIMIT_RPS: '0',
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const api = /mtls-gateway listening on (http:\/\/\S+) /.exec(output);
    const ops = /operator listener \(.*\) on (http:\/\/\S+)/.exec(output);
    const token = /\n {2}(mtls_\S+)\n/.exec(output);
    if (api?.[1] && ops?.[1] && (token?.[1] || !options.token)) {
      return { child, apiUrl: api[1], opsUrl: ops[1], token: token?.[1], stderr: () => output, exited };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${output}`);
    }
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request on its own connection whose body is sent in `chunks` pieces over `durationMs`. */
function slowRequest(
  url: string,
  options: {
    method: string;
    headers: Record<string, string>;
    body: Buffer;
    chunks: number;
    durationMs: number;
  },
): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const request = httpRequest(url, {
      method: options.method,
      agent: false,
      headers: { ...options.headers, 'content-length': String(options.body.length) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (chunk: Buffer) => parts.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(parts).toString('utf8'),
        }),
      );
    });
    const size = Math.ceil(options.body.length / options.chunks);
    void (async () => {
      for (let offset = 0; offset < options.body.length; offset += size) {
        request.write(options.body.subarray(offset, offset + size));
        await sleep(options.durationMs / options.chunks);
      }
      request.end();
    })();
  });
}

function uploadBody(factory: P12Factory, name: string): Buffer {
  const p12 = factory.valid(name, { keyIndex: 0 });
  return Buffer.from(
    JSON.stringify([{ name, p12: p12.bytes.toString('base64'), password: p12.password }]),
    'utf8',
  );
}

/** What a new connection to `url` gets: a status, or the error code (ECONNREFUSED once the port is closed). */
async function newConnectionOutcome(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const request = httpRequest(`${url}/healthz`, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    request.end();
  });
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const tempDirs: string[] = [];
const children: ChildProcess[] = [];
const upstreams: TestTlsServer[] = [];
const ca = createTestCA();
let caFile: string;

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mtls-shutdown-'));
  tempDirs.push(dir);
  return dir;
}

async function startUpstream(answerAfterMs: number | 'never'): Promise<TestTlsServer> {
  const server = await startTlsServer(
    { ...ca.issue({ commonName: 'localhost', kind: 'server' }) },
    (_request, response) => {
      if (answerAfterMs === 'never') return;
      setTimeout(() => response.end('slow hello'), answerAfterMs);
    },
  );
  upstreams.push(server);
  return server;
}

function track(serve: ServeProcess): ServeProcess {
  children.push(serve.child);
  return serve;
}

beforeAll(async () => {
  const dir = await newDataDir();
  caFile = path.join(dir, 'upstream-ca.pem');
  await writeFile(caFile, ca.certPem);
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const upstream of upstreams) await upstream.close();
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

describe('SIGTERM during streaming uploads and forwards', () => {
  const factory = new P12Factory();
  let dataDir: string;
  let token: string;
  const created: number[] = [];

  it('lets in-flight uploads and forwards finish, refuses new connections, exits 0', async () => {
    dataDir = await newDataDir();
    const upstream = await startUpstream(2_000);
    const serve = track(
      await startServe(
        { MTLS_DATA_DIR: dataDir, MTLS_EGRESS_ALLOW: '127.0.0.1', MTLS_UPSTREAM_CA_FILE: caFile },
        { token: true },
      ),
    );
    token = serve.token as string;
    const auth = { authorization: `Bearer ${token}` };

    const uploads = [1, 2, 3].map((index) =>
      slowRequest(`${serve.apiUrl}/mtls/account/${ACCOUNT}/certificates`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: uploadBody(factory, `shutdown-${index}`),
        chunks: 10,
        durationMs: 2_000,
      }),
    );
    const forward = slowRequest(`${serve.apiUrl}/mtls/account/${ACCOUNT}`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain', 'LP-forward-url': `${upstream.url}/slow` },
      body: Buffer.from('x'.repeat(2_000)),
      chunks: 4,
      durationMs: 800,
    });

    // A pipelined request behind an in-flight upload on one kept-alive connection: it arrives during the drain.
    const socket = connect(Number(new URL(serve.apiUrl).port), '127.0.0.1');
    await once(socket, 'connect');
    const raw: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => raw.push(chunk));
    socket.on('error', () => undefined);
    const socketClosed = once(socket, 'close');
    const pipelinedBody = uploadBody(factory, 'shutdown-pipelined');
    socket.write(
      `POST /mtls/account/${ACCOUNT}/certificates HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${pipelinedBody.length}\r\n\r\n`,
    );
    socket.write(pipelinedBody.subarray(0, 100));

    await sleep(700);
    const signalledAt = performance.now();
    serve.child.kill('SIGTERM');
    await sleep(300);

    // New connections: refused (the port is closed) or 503.
    const outcome = await newConnectionOutcome(serve.apiUrl);
    expect([503, 'ECONNREFUSED']).toContain(outcome);
    // The operator listener keeps answering during the drain, and says "not ready".
    expect((await fetch(`${serve.opsUrl}/healthz`)).status).toBe(200);
    const readiness = await fetch(`${serve.opsUrl}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ status: 'unavailable', draining: true });

    socket.write(
      Buffer.concat([
        pipelinedBody.subarray(100),
        Buffer.from('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
      ]),
    );

    let lastAnswerAt = 0;
    const answered = <T>(answer: T): T => {
      lastAnswerAt = Math.max(lastAnswerAt, performance.now());
      return answer;
    };
    const answers = await Promise.all(uploads.map((upload) => upload.then(answered)));
    for (const answer of answers) {
      expect(answer.status, answer.body).toBe(201);
      const saved = JSON.parse(answer.body) as { successfulySavedCertificates: { id: number }[] };
      created.push(...saved.successfulySavedCertificates.map((certificate) => certificate.id));
    }
    const forwarded = answered(await forward);
    expect(forwarded.status).toBe(200);
    expect(forwarded.body).toBe('slow hello');

    await socketClosed;
    answered(undefined);
    const text = Buffer.concat(raw).toString('utf8');
    expect(text).toMatch(/^HTTP\/1\.1 201 /);
    const pipelined = text.slice(text.indexOf('HTTP/1.1 503'));
    expect(pipelined).toMatch(/^HTTP\/1\.1 503 /);
    expect(pipelined).toMatch(/lp-gateway-error: unavailable/i);
    expect(pipelined).toMatch(/connection: close/i);
    expect(pipelined).toContain('"code":"unavailable"');
    const firstBody = text.slice(text.indexOf('\r\n\r\n') + 4, text.indexOf('HTTP/1.1 503'));
    created.push(
      ...(
        JSON.parse(firstBody) as { successfulySavedCertificates: { id: number }[] }
      ).successfulySavedCertificates.map((certificate) => certificate.id),
    );

    const exit = await serve.exited;
    console.log(
      `graceful shutdown: last in-flight answer ${((lastAnswerAt - signalledAt) / 1000).toFixed(2)} s after ` +
        `SIGTERM, exit ${((exit.at - signalledAt) / 1000).toFixed(2)} s after it, code ${exit.code}`,
    );
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(serve.stderr()).toMatch(/Shutting down, waiting up to 30000 ms for [4-9] requests/);
    expect(created).toHaveLength(4);
  }, 120_000);

  it('after the clean shutdown, a restart lists every certificate whose create got a 201, each Available', async () => {
    expect(created).toHaveLength(4);
    const serve = track(await startServe({ MTLS_DATA_DIR: dataDir }, { token: false }));
    const response = await fetch(`${serve.apiUrl}/mtls/account/${ACCOUNT}/certificates`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const listed = (await response.json()) as { id: number; status: string }[];
    for (const id of created) {
      expect(listed.find((certificate) => certificate.id === id)).toMatchObject({ id, status: 'Available' });
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toMatchObject({ code: 0 });
  }, 120_000);
});

describe('a request that never finishes', () => {
  async function startWithStuckForward(env: Record<string, string>) {
    const upstream = await startUpstream('never');
    const serve = track(
      await startServe(
        {
          MTLS_DATA_DIR: await newDataDir(),
          MTLS_EGRESS_ALLOW: '127.0.0.1',
          MTLS_UPSTREAM_CA_FILE: caFile,
          ...env,
        },
        { token: true },
      ),
    );
    const forward = fetch(`${serve.apiUrl}/mtls/account/${ACCOUNT}`, {
      headers: { authorization: `Bearer ${serve.token}`, 'LP-forward-url': `${upstream.url}/never` },
    }).then(
      (response) => response.status,
      (error: { cause?: { code?: string } }) => error.cause?.code ?? 'error',
    );
    await waitUntil(() => upstream.requests.length > 0, 'the forward to reach the upstream');
    return { serve, forward };
  }

  it('MTLS_SHUTDOWN_TIMEOUT_MS passing closes every connection and exits 1', async () => {
    const { serve, forward } = await startWithStuckForward({ MTLS_SHUTDOWN_TIMEOUT_MS: '1000' });
    const signalledAt = performance.now();
    serve.child.kill('SIGTERM');
    const exit = await serve.exited;
    const seconds = (exit.at - signalledAt) / 1000;
    console.log(`shutdown timeout 1 s: exited ${seconds.toFixed(2)} s after SIGTERM, code ${exit.code}`);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(seconds).toBeLessThan(15); // the bound is 1 s + at most 5 s of closing; generous for a busy machine
    expect(await forward).not.toBe(200);
    expect(serve.stderr()).toContain('Shutdown timeout of 1000 ms passed');
  }, 120_000);

  it('a second SIGTERM exits at once, a request still in flight', async () => {
    const { serve, forward } = await startWithStuckForward({});
    serve.child.kill('SIGTERM');
    await sleep(500);
    expect(serve.child.exitCode).toBeNull(); // draining: 30 s by default
    const secondAt = performance.now();
    serve.child.kill('SIGTERM');
    const exit = await serve.exited;
    const seconds = (exit.at - secondAt) / 1000;
    console.log(`second SIGTERM: exited ${seconds.toFixed(2)} s after it, code ${exit.code}`);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(seconds).toBeLessThan(10);
    expect(await forward).not.toBe(200);
    expect(serve.stderr()).toContain('Second signal');
  }, 120_000);
});
