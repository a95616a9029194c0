import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateRoutes } from '../../src/certificates/index.js';
import { P12Factory } from '../../src/certificates/testing/p12-fixtures.js';
import { createForwarding } from '../../src/forwarding/index.js';
import { startTestApp, type TestApp, testConfig } from '../../src/http/testing/test-app.js';
import { createMappingRoutes } from '../../src/mappings/index.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';

// Findings 3, 4, 5 and 12 of the hardening issue, with real clients (Node's fetch, undici, curl, raw
// sockets) against a listening gateway and a real TLS upstream that answers before reading the body.
// Network rule: everything is on 127.0.0.1.

const run = promisify(execFile);
const ACCOUNT = 'le1606809';
const OTHER_ACCOUNT = 'le0000002';
const BODY_LIMIT = 4 * 1024 * 1024;
const SIZES = [0, 1024, 64 * 1024, 1024 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024];

const pki = new P12Factory();
const serverCert = pki.ca.issue({ commonName: 'localhost', kind: 'server' });

interface Gateway {
  app: TestApp;
  writeToken: string;
  readToken: string;
  close(): Promise<void>;
}

let database: TestDatabase;
let caDirectory: string;
let caFile: string;

async function startGateway(overrides: Record<string, unknown> = {}): Promise<Gateway> {
  const { config, cleanup } = await testConfig({
    bodyLimitBytes: BODY_LIMIT,
    egressAllow: ['127.0.0.1'],
    upstreamCaFile: caFile,
    ...overrides,
  });
  const forwarding = createForwarding();
  const app = await startTestApp({
    db: database.db,
    config,
    routes: [
      certificateRoutes,
      createMappingRoutes({ validateUrl: forwarding.validateMappingUrl }),
      forwarding.routes,
    ],
  });
  const write = await app.context.auth.tokens.create({
    accounts: [ACCOUNT],
    permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
  });
  const read = await app.context.auth.tokens.create({
    accounts: [ACCOUNT],
    permissions: ['MTLS_READ_INTERNAL'],
  });
  return {
    app,
    writeToken: write.token,
    readToken: read.token,
    async close() {
      await app.close();
      await cleanup();
    },
  };
}

/** An HTTPS upstream that answers at once, never reading the request body (as nginx's `return 200`). */
async function startEarlyAnsweringUpstream(): Promise<{ url: string; server: HttpsServer }> {
  const server = createHttpsServer(
    { cert: serverCert.chainPem, key: serverCert.keyPem },
    (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end('answered early');
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `https://127.0.0.1:${port}`, server };
}

let gateway: Gateway;
let upstream: { url: string; server: HttpsServer };

beforeAll(async () => {
  caDirectory = await mkdtemp(path.join(tmpdir(), 'mtls-early-'));
  caFile = path.join(caDirectory, 'ca.pem');
  await writeFile(caFile, pki.ca.certPem);
  database = await openTestPglite();
  await migrate(database.db);
  gateway = await startGateway();
  upstream = await startEarlyAnsweringUpstream();
});

afterAll(async () => {
  await gateway?.close();
  upstream?.server.close();
  upstream?.server.closeAllConnections();
  await database?.cleanup();
  await rm(caDirectory, { recursive: true, force: true });
});

interface EarlyCase {
  status: number;
  code: string;
  label: string;
  /** The answer for a body of `size` bytes when it differs from `status`/`code`. */
  expected?(size: number): { status: number; code: string } | undefined;
  request(size: number): { path: string; method: string; headers: Record<string, string> };
}

const cases: EarlyCase[] = [
  {
    label: 'no credential, forwarding',
    status: 401,
    code: 'unauthorized',
    request: () => ({
      path: `/mtls/account/${ACCOUNT}`,
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'lp-forward-url': 'https://127.0.0.1:1/' },
    }),
  },
  {
    label: 'wrong token, byFile upload',
    status: 401,
    code: 'unauthorized',
    request: () => ({
      path: `/mtls/account/${ACCOUNT}/certificates/byFile`,
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x', authorization: 'Bearer mtls_wrong' },
    }),
  },
  {
    label: 'read-only token, forwarding POST',
    status: 403,
    code: 'forbidden',
    request: () => ({
      path: `/mtls/account/${ACCOUNT}`,
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'lp-forward-url': 'https://127.0.0.1:1/',
        authorization: `Bearer ${gateway.readToken}`,
      },
    }),
  },
  {
    label: 'another account, certificates',
    status: 403,
    code: 'forbidden',
    request: () => ({
      path: `/mtls/account/${OTHER_ACCOUNT}/certificates`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gateway.writeToken}` },
    }),
  },
  {
    label: 'text/plain to a JSON operation',
    status: 415,
    code: 'unsupported_media_type',
    // Authenticated, so the declared length is checked next.
    expected: (size) => (size > BODY_LIMIT ? { status: 413, code: 'payload_too_large' } : undefined),
    request: () => ({
      path: `/mtls/account/${ACCOUNT}/certificates`,
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${gateway.writeToken}` },
    }),
  },
];

async function fetchEarly(early: EarlyCase, size: number) {
  const { path: requestPath, method, headers } = early.request(size);
  const response = await fetch(`${gateway.app.url}${requestPath}`, {
    method,
    headers,
    body: new Uint8Array(size),
  });
  const text = await response.text();
  return { response, text };
}

describe('an answer given before the body is read reaches the client as that answer (finding 3)', () => {
  for (const early of cases) {
    it(`Node's fetch gets ${early.status} ${early.code} for bodies of 0 to 8 MiB (${early.label})`, async () => {
      for (const size of SIZES) {
        for (let attempt = 0; attempt < 3; attempt++) {
          // Authentication runs first: 401 and 403 whatever the size.
          const want = early.expected?.(size) ?? early;
          const { response, text } = await fetchEarly(early, size);
          expect({ size, status: response.status }).toEqual({ size, status: want.status });
          expect(response.headers.get('lp-gateway-error')).toBe(want.code);
          expect(JSON.parse(text)).toMatchObject({ code: want.code, status: want.status });
        }
      }
    }, 120_000);
  }

  it('a client still uploading when the answer is ready gets that answer (paced 2 MiB bodies)', async () => {
    for (const early of cases) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const { path: requestPath, method, headers } = early.request(0);
        const response = await fetch(`${gateway.app.url}${requestPath}`, {
          method,
          headers,
          body: Readable.toWeb(Readable.from(paced(32, 64 * 1024, 5))) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        expect({ case: early.label, status: response.status }).toEqual({
          case: early.label,
          status: early.status,
        });
        expect(await response.json()).toMatchObject({ code: early.code });
      }
    }
  }, 60_000);

  it('a refused body within the limit is discarded and the same connection serves the next request', async () => {
    const client = new Client(gateway.app.url, { pipelining: 1 });
    try {
      for (const size of [1024, 2 * 1024 * 1024]) {
        const refused = await client.request({
          path: `/mtls/account/${ACCOUNT}`,
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'lp-forward-url': 'https://127.0.0.1:1/' },
          body: Buffer.alloc(size),
        });
        expect(refused.statusCode).toBe(401);
        expect(refused.headers.connection).not.toBe('close');
        await refused.body.text();
        const next = await client.request({ path: '/healthz', method: 'GET' });
        expect(next.statusCode).toBe(200);
        await next.body.text();
      }
    } finally {
      await client.close();
    }
  });

  it('a chunked body over the limit gets 413 with Connection: close, never a reset', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'lp-forward-url': `${upstream.url}/`,
          authorization: `Bearer ${gateway.writeToken}`,
        },
        body: Readable.toWeb(Readable.from(chunks(8 * 1024 * 1024, 64 * 1024))) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      // The early-answering upstream may win the race: its 200 is a legitimate answer too.
      expect([200, 413]).toContain(response.status);
      await response.text();
    }
  });

  it('curl uploading 2 MiB without credentials prints the 401 problem', async () => {
    const file = path.join(caDirectory, 'upload.bin');
    await writeFile(file, Buffer.alloc(2 * 1024 * 1024));
    const { stdout } = await run('curl', [
      '-sS',
      '-o',
      '-',
      '-w',
      '\n%{http_code}',
      '-H',
      'Content-Type: application/octet-stream',
      '-H',
      'LP-forward-url: https://127.0.0.1:1/',
      '--data-binary',
      `@${file}`,
      `${gateway.app.url}/mtls/account/${ACCOUNT}`,
    ]);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('401');
    expect(JSON.parse(lines.slice(0, -1).join('\n'))).toMatchObject({ code: 'unauthorized' });
  });

  it('a raw client still sending a body over the limit reads the whole 413 before the connection closes', async () => {
    const socket = connect(Number(new URL(gateway.app.url).port), '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = once(socket, 'end');
    socket.on('error', () => undefined);
    socket.write(
      `POST /mtls/account/${ACCOUNT} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${gateway.writeToken}\r\n` +
        `Content-Type: application/octet-stream\r\nLP-forward-url: https://127.0.0.1:1/\r\n` +
        `Content-Length: ${64 * 1024 * 1024}\r\n\r\n`,
    );
    // Keep sending while the answer comes back: a close of both directions would reset the connection.
    for (let index = 0; index < 32 && !socket.destroyed; index++) {
      socket.write(Buffer.alloc(64 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await ended;
    const answer = Buffer.concat(received).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"code":"payload_too_large"');
    socket.destroy();
  });

  it('bodies are not parsed before authentication: invalid JSON without credentials is 401, not 400', async () => {
    const response = await fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(401);
    await response.text();
  });

  it('429 from the rate limit arrives before a body of every size is read', async () => {
    const limited = await startGateway({ rateLimitRps: 1 });
    try {
      for (const size of SIZES) {
        // One request spends the bucket, the next is refused.
        await (await fetch(`${limited.app.url}/healthz`)).text();
        await (
          await fetch(`${limited.app.url}/mtls/account/${ACCOUNT}/certificates`, {
            headers: { authorization: `Bearer ${limited.readToken}` },
          })
        ).text();
        const response = await fetch(`${limited.app.url}/mtls/account/${ACCOUNT}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'lp-forward-url': 'https://127.0.0.1:1/' },
          body: new Uint8Array(size),
        });
        expect({ size, status: response.status }).toEqual({ size, status: 429 });
        expect(response.headers.get('lp-gateway-error')).toBe('rate_limited');
        await response.text();
      }
    } finally {
      await limited.close();
    }
  }, 60_000);
});

describe('an upstream that answers before reading the body (finding 4)', () => {
  it('the caller gets the answer at once and its next request works', async () => {
    const client = new Client(gateway.app.url);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const response = await client.request({
          path: `/mtls/account/${ACCOUNT}`,
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'lp-forward-url': `${upstream.url}/echo`,
            authorization: `Bearer ${gateway.writeToken}`,
          },
          body: Buffer.alloc(1024 * 1024),
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        expect(response.statusCode).toBe(200);
        expect(await response.body.text()).toBe('answered early');
        const next = await client.request({ path: '/healthz', method: 'GET', headersTimeout: 10_000 });
        expect(next.statusCode).toBe(200);
        await next.body.text();
      }
    } finally {
      await client.close();
    }
  }, 60_000);

  it("Node's fetch gets the early answer for 1 MiB and 3 MiB bodies", async () => {
    for (const size of [1024 * 1024, 3 * 1024 * 1024]) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'lp-forward-url': `${upstream.url}/`,
            authorization: `Bearer ${gateway.writeToken}`,
          },
          body: new Uint8Array(size),
          signal: AbortSignal.timeout(15_000),
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('answered early');
      }
    }
  }, 60_000);
});

/** The nginx binary (Debian's `nginx-light`/`nginx`), when installed. */
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => {
  try {
    return statSync(candidate).isFile();
  } catch {
    return false;
  }
});

async function freePort(): Promise<number> {
  const server = createNetServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

/** nginx as an HTTPS upstream answering `return 200` without reading the body (the issue's reproduction). */
async function startNginx(): Promise<{ url: string; stop(): Promise<void> }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'mtls-nginx-'));
  const port = await freePort();
  await writeFile(path.join(directory, 'server.pem'), serverCert.chainPem);
  await writeFile(path.join(directory, 'server.key'), serverCert.keyPem);
  await writeFile(
    path.join(directory, 'nginx.conf'),
    `daemon off;
master_process off;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${directory}/server.pem;
    ssl_certificate_key ${directory}/server.key;
    location / { return 200 "answered early"; }
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX as string, ['-p', directory, '-c', `${directory}/nginx.conf`], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1', () => {
        probe.destroy();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('nginx did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `https://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      await rm(directory, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!NGINX)(
  'nginx answering `return 200` before reading the body (finding 4 as reported)',
  () => {
    let nginx: { url: string; stop(): Promise<void> };
    beforeAll(async () => {
      nginx = await startNginx();
    });
    afterAll(async () => nginx?.stop());

    it('a 1 MiB forward gets the answer, and the next request on the connection works', async () => {
      const client = new Client(gateway.app.url);
      try {
        for (let attempt = 0; attempt < 5; attempt++) {
          const response = await client.request({
            path: `/mtls/account/${ACCOUNT}`,
            method: 'POST',
            headers: {
              'content-type': 'application/octet-stream',
              'lp-forward-url': `${nginx.url}/`,
              authorization: `Bearer ${gateway.writeToken}`,
            },
            body: Buffer.alloc(1024 * 1024),
            headersTimeout: 10_000,
            bodyTimeout: 10_000,
          });
          expect(response.statusCode).toBe(200);
          expect(await response.body.text()).toBe('answered early');
          const next = await client.request({ path: '/healthz', method: 'GET', headersTimeout: 10_000 });
          expect(next.statusCode).toBe(200);
          await next.body.text();
        }
      } finally {
        await client.close();
      }
    }, 60_000);
  },
);

describe('slow clients are cut, healthy ones are not (finding 5)', () => {
  let slow: Gateway;
  beforeAll(async () => {
    slow = await startGateway({
      requestTimeouts: { headersMs: 500, bodyStartMs: 500, bodyMinBytesPerSecond: 500 },
    });
  });
  afterAll(async () => slow?.close());

  async function rawExchange(write: (socket: Socket) => Promise<void>): Promise<string> {
    const socket = connect(Number(new URL(slow.app.url).port), '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    const closed = once(socket, 'close');
    await write(socket);
    await closed;
    return Buffer.concat(received).toString('latin1');
  }

  it('headers that trickle in are answered 408 request_timeout and closed', async () => {
    const answer = await rawExchange(async (socket) => {
      socket.write('GET /healthz HTTP/1.1\r\n');
      for (let index = 0; index < 20 && !socket.destroyed && socket.writable; index++) {
        socket.write(`X-Slow-${index}: 1\r\n`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('LP-gateway-error: request_timeout');
    expect(answer).toContain('application/problem+json');
  }, 20_000);

  it('a connection that sends nothing is closed after the headers timeout', async () => {
    const answer = await rawExchange(async () => undefined);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);

  it('a body trickling below the minimum rate is answered 408 and closed', async () => {
    const answer = await rawExchange(async (socket) => {
      socket.write(
        `POST /mtls/account/${ACCOUNT}/certificates HTTP/1.1\r\nHost: x\r\n` +
          `Authorization: Bearer ${slow.writeToken}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[`,
      );
      for (let index = 0; index < 40 && !socket.destroyed && socket.writable; index++) {
        socket.write(' ');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer.toLowerCase()).toContain('lp-gateway-error: request_timeout');
  }, 20_000);

  it('a large body at a healthy rate is never cut', async () => {
    const response = await fetch(`${slow.app.url}/mtls/account/${ACCOUNT}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'lp-forward-url': `${upstream.url}/`,
        authorization: `Bearer ${slow.writeToken}`,
      },
      // 16 KiB every 50 ms (320 KB/s) for ~2 s: far above the minimum rate, longer than the grace period.
      body: Readable.toWeb(Readable.from(paced(40, 16 * 1024, 50))) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(200);
    await response.text();
  }, 20_000);
});

describe("Node's own client errors are problems too (finding 12)", () => {
  it('a control byte in a header gets a 400 problem with LP-gateway-error', async () => {
    const socket = connect(Number(new URL(gateway.app.url).port), '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => undefined);
    const closed = once(socket, 'close');
    socket.write(
      `GET /mtls/account/${ACCOUNT} HTTP/1.1\r\nHost: x\r\nLP-authorization-override: Bearer \x01x\r\n\r\n`,
    );
    await closed;
    const answer = Buffer.concat(received).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('Content-Type: application/problem+json');
    expect(answer).toContain('LP-gateway-error: invalid_request');
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(typeof body.requestId).toBe('string');
  });

  it('headers larger than Node accepts get a 431 problem', async () => {
    const response = await fetch(`${gateway.app.url}/healthz`, {
      headers: { 'x-large': 'a'.repeat(20_000) },
    });
    expect(response.status).toBe(431);
    expect(response.headers.get('lp-gateway-error')).toBe('headers_too_large');
    expect(await response.json()).toMatchObject({ code: 'headers_too_large' });
  });
});

function* chunks(total: number, size: number): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += size) yield Buffer.alloc(Math.min(size, total - sent));
}

async function* paced(count: number, size: number, delayMs: number): AsyncGenerator<Buffer> {
  for (let index = 0; index < count; index++) {
    yield Buffer.alloc(size);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}
