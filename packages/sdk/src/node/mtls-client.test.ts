import { createPrivateKey } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTestCA,
  selfSignedServer,
  startTlsServer,
  type TestCertificate,
  type TestTlsServer,
} from '../../../../test/support/pki.js';
import {
  MTLSError,
  MTLSGeneralIssueError,
  MTLSInvalidCertError,
  MTLSInvalidKeyError,
  MTLSInvalidRequestError,
  MTLSMissingConfError,
  MTLSRemoteThrewError,
  MTLSRequestTimeoutError,
} from './errors.js';
import {
  type ClientTLS,
  createMTLSClient,
  DEFAULT_MTLS_MAX_RESPONSE_BYTES,
  DEFAULT_MTLS_TIMEOUT_MS,
  type MTLSClient,
} from './mtls-client.js';

// Key generation is the slow part: build the PKI once and reuse keys where the test does not care.
const partnerCA = createTestCA({ commonName: 'Partner CA' });
const serverCert = partnerCA.issue({ commonName: 'localhost', kind: 'server' });
const clientCert = partnerCA.issue({ commonName: 'tenant-42', kind: 'client' });
const strangerCert = createTestCA().issue({
  commonName: 'stranger',
  kind: 'client',
  keyPem: clientCert.keyPem,
});
const unknownCA = createTestCA({ commonName: 'Unknown CA' });
const unknownCAServerCert = unknownCA.issue({
  commonName: 'localhost',
  kind: 'server',
  keyPem: serverCert.keyPem,
});

const clientTLS = (certificate: TestCertificate = clientCert, ca?: string): ClientTLS => ({
  cert: certificate.certPem,
  key: certificate.keyPem,
  ...(ca === undefined ? {} : { ca }),
});

/** Servers and clients opened by a test, closed after it whatever happens. */
const openServers: TestTlsServer[] = [];
const openClients: MTLSClient[] = [];
async function serve(...args: Parameters<typeof startTlsServer>): Promise<TestTlsServer> {
  const server = await startTlsServer(...args);
  openServers.push(server);
  return server;
}
function client(...args: Parameters<typeof createMTLSClient>): MTLSClient {
  const created = createMTLSClient(...args);
  openClients.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(openClients.splice(0).map((c) => c.close()));
  await Promise.all(openServers.splice(0).map((s) => s.close()));
});

describe('mutual TLS', () => {
  let mtlsServer: TestTlsServer;
  beforeAll(async () => {
    // Requires a client certificate issued by the partner CA.
    mtlsServer = await startTlsServer({
      ...serverCert,
      ca: partnerCA.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  afterAll(() => mtlsServer.close());

  it('presents the client certificate to a server that requires one', async () => {
    const answer = await client(clientTLS(clientCert, partnerCA.certPem)).get(
      `${mtlsServer.url}/orders?id=7`,
    );
    expect(answer.statusCode).toBe(200);
    expect(typeof answer.body).toBe('string');
    expect(JSON.parse(answer.body)).toMatchObject({ path: '/orders?id=7', peerCommonName: 'tenant-42' });
    expect(mtlsServer.requests.at(-1)).toMatchObject({ peerCommonName: 'tenant-42', authorized: true });
  });

  it('fails with mtls.remote-threw when the server rejects a certificate from another CA', async () => {
    const call = client(clientTLS(strangerCert, partnerCA.certPem)).get(mtlsServer.url);
    await expect(call).rejects.toBeInstanceOf(MTLSRemoteThrewError);
    await expect(call).rejects.toMatchObject({
      code: 'mtls.remote-threw',
      message: expect.stringMatching(/^MTLS: .*rejected the client certificate/),
    });
  });

  it('reuses one TLS connection for sequential requests', async () => {
    const reusing = client(clientTLS(clientCert, partnerCA.certPem));
    const connectionsBefore = mtlsServer.connectionCount;
    await reusing.get(`${mtlsServer.url}/first`);
    await reusing.post(`${mtlsServer.url}/second`, {}, 'x');
    const [first, second] = mtlsServer.requests.slice(-2);
    expect(first?.path).toBe('/first');
    expect(second?.path).toBe('/second');
    expect(second?.connectionId).toBe(first?.connectionId);
    expect(mtlsServer.connectionCount).toBe(connectionsBefore + 1);
  });
});

describe('server certificate verification', () => {
  it('rejects a server signed by an unknown CA by default, naming the cause and the fix', async () => {
    const server = await serve(unknownCAServerCert);
    const call = client(clientTLS()).get(server.url);
    await expect(call).rejects.toBeInstanceOf(MTLSRemoteThrewError);
    await expect(call).rejects.toThrow(
      "MTLS: the server's certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); pass its CA as ClientTLS.ca or set allowSelfSigned",
    );
    // An explicit `false` is the same as the default.
    await expect(
      client(clientTLS()).get(server.url, {}, undefined, { allowSelfSigned: false }),
    ).rejects.toMatchObject({ code: 'mtls.remote-threw' });
  });

  it('trusts a server whose CA is given as ClientTLS.ca', async () => {
    const server = await serve(unknownCAServerCert);
    const answer = await client(clientTLS(clientCert, unknownCA.certPem)).get(server.url);
    expect(answer.statusCode).toBe(200);
  });

  it('accepts an untrusted server with allowSelfSigned, per request or as a client default', async () => {
    const server = await serve(unknownCAServerCert);
    expect(
      (await client(clientTLS()).get(server.url, {}, undefined, { allowSelfSigned: true })).statusCode,
    ).toBe(200);
    expect((await client(clientTLS(), { allowSelfSigned: true }).get(server.url)).statusCode).toBe(200);
  });

  it('accepts a self-signed server only with allowSelfSigned', async () => {
    const server = await serve(selfSignedServer());
    const selfSignedClient = client(clientTLS());
    await expect(selfSignedClient.get(server.url)).rejects.toThrow(
      /not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
    const answer = await selfSignedClient.get(server.url, {}, undefined, { allowSelfSigned: true });
    expect(answer.statusCode).toBe(200);
  });

  it('never reuses an unverified connection for a verified call', async () => {
    const server = await serve(unknownCAServerCert);
    const mixed = client(clientTLS());
    await mixed.get(server.url, {}, undefined, { allowSelfSigned: true });
    // A pooled unverified connection to the same origin exists now; the verified call must not take it.
    await expect(mixed.get(server.url)).rejects.toMatchObject({ code: 'mtls.remote-threw' });
    expect(server.requests).toHaveLength(1);
  });

  it('reports an expired server certificate and one issued for another host', async () => {
    const expired = await serve(
      partnerCA.issue({
        commonName: 'localhost',
        kind: 'server',
        validity: 'expired',
        keyPem: serverCert.keyPem,
      }),
    );
    const elsewhere = await serve(
      partnerCA.issue({
        commonName: 'elsewhere',
        kind: 'server',
        altNames: ['elsewhere.example'],
        keyPem: serverCert.keyPem,
      }),
    );
    const verifying = client(clientTLS(clientCert, partnerCA.certPem));
    await expect(verifying.get(expired.url)).rejects.toThrow(/certificate is expired \(CERT_HAS_EXPIRED\)/);
    await expect(verifying.get(elsewhere.url)).rejects.toThrow(
      /does not cover .* \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
  });

  it('reports a refused connection as mtls.remote-threw', async () => {
    const server = await startTlsServer(serverCert);
    const { url } = server;
    await server.close();
    await expect(client(clientTLS()).get(url)).rejects.toMatchObject({
      code: 'mtls.remote-threw',
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});

describe('requests and answers', () => {
  let server: TestTlsServer;
  let tenant: MTLSClient;
  beforeAll(async () => {
    server = await startTlsServer(serverCert, (request, response, recorded) => {
      const route = recorded.path;
      if (route === '/text') {
        response.setHeader('content-type', 'text/plain');
        response.end('plain words');
      } else if (route === '/missing') {
        response.statusCode = 404;
        response.end('{"error":"not found"}');
      } else if (route === '/cookies') {
        response.setHeader('Set-Cookie', ['a=1', 'b=2']);
        response.setHeader('X-Many', ['one', 'two']);
        response.setHeader('X-Single', 'yes');
        response.end('ok');
      } else if (route === '/verbose-options' || request.method === 'HEAD') {
        response.setHeader('allow', 'GET, POST');
        response.end('a body that must be ignored');
      } else {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            method: recorded.method,
            contentType: recorded.headers['content-type'] ?? null,
            tenant: recorded.headers['x-tenant'] ?? null,
            body: recorded.body.toString('utf8'),
          }),
        );
      }
    });
    tenant = createMTLSClient(clientTLS(clientCert, partnerCA.certPem));
  });
  afterAll(async () => {
    await tenant.close();
    await server.close();
  });

  it('sends every documented method with the caller headers', async () => {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const answer = await tenant[method](`${server.url}/echo`, { 'X-Tenant': '42' }, undefined, {
        json: true,
      });
      expect(answer.body).toEqual({
        method: method.toUpperCase(),
        contentType: null,
        tenant: '42',
        body: '',
      });
    }
  });

  it('json: stringifies the body, sets Content-Type and parses the answer', async () => {
    const answer = await tenant.post(`${server.url}/echo`, {}, { hello: 'world', n: [1, 2] }, { json: true });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({
      method: 'POST',
      contentType: 'application/json',
      tenant: null,
      body: '{"hello":"world","n":[1,2]}',
    });
  });

  it('json: keeps a Content-Type set by the caller, whatever its case', async () => {
    const answer = await tenant.put(
      `${server.url}/echo`,
      { 'Content-TYPE': 'application/vnd.api+json' },
      { data: 1 },
      { json: true },
    );
    expect(answer.body).toMatchObject({ contentType: 'application/vnd.api+json', body: '{"data":1}' });
  });

  it('json: falls back to the text when the answer is not JSON', async () => {
    const answer = await tenant.get(`${server.url}/text`, {}, undefined, { json: true });
    expect(answer.body).toBe('plain words');
  });

  it('without json: sends strings and bytes as-is, objects as JSON, and returns text', async () => {
    const fromString = await tenant.post(`${server.url}/echo`, { 'content-type': 'text/csv' }, 'a,b\n1,2');
    expect(typeof fromString.body).toBe('string');
    expect(JSON.parse(fromString.body)).toMatchObject({ contentType: 'text/csv', body: 'a,b\n1,2' });

    const fromBuffer = await tenant.post(`${server.url}/echo`, {}, Buffer.from('raw bytes'));
    expect(JSON.parse(fromBuffer.body)).toMatchObject({ contentType: null, body: 'raw bytes' });

    const fromObject = await tenant.patch(`${server.url}/echo`, {}, { op: 'replace' });
    expect(JSON.parse(fromObject.body)).toMatchObject({
      contentType: 'application/json',
      body: '{"op":"replace"}',
    });
  });

  it('returns HTTP error statuses as answers, not errors', async () => {
    const answer = await tenant.get(`${server.url}/missing`, {}, undefined, { json: true });
    expect(answer).toMatchObject({ statusCode: 404, body: { error: 'not found' } });
  });

  it('flattens answer headers to lower-case names with repeated values joined', async () => {
    const { headers } = await tenant.get(`${server.url}/cookies`);
    expect(headers['set-cookie']).toBe('a=1, b=2');
    expect(headers['x-many']).toBe('one, two');
    expect(headers['x-single']).toBe('yes');
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('head and options answer with body undefined', async () => {
    const head = await tenant.head(`${server.url}/anything`);
    expect(head).toMatchObject({ statusCode: 200, body: undefined });
    expect(head.headers.allow).toBe('GET, POST');
    const options = await tenant.options(`${server.url}/verbose-options`, {}, { json: true });
    expect(options).toMatchObject({ statusCode: 200, body: undefined });
    expect('body' in options ? options.body : undefined).toBeUndefined();
    expect(server.requests.at(-1)?.method).toBe('OPTIONS');
  });

  it('request() takes the method by name and refuses unknown ones', async () => {
    const answer = await tenant.request('put', `${server.url}/echo`, {}, undefined, { json: true });
    expect(answer.body).toMatchObject({ method: 'PUT' });
    await expect(tenant.request('TRACE', `${server.url}/echo`)).rejects.toBeInstanceOf(
      MTLSInvalidRequestError,
    );
  });

  it('refuses bad URLs, schemes, headers and timeouts with mtls.invalid-request', async () => {
    const requestsBefore = server.requests.length;
    await expect(tenant.get('not a url')).rejects.toMatchObject({ code: 'mtls.invalid-request' });
    await expect(tenant.get('ftp://127.0.0.1/file')).rejects.toThrow(/scheme "ftp:" is not supported/);
    await expect(tenant.get(`${server.url}/echo`, { 'bad header': 'x' })).rejects.toMatchObject({
      code: 'mtls.invalid-request',
    });
    await expect(tenant.get(`${server.url}/echo`, {}, undefined, { timeout: -5 })).rejects.toMatchObject({
      code: 'mtls.invalid-request',
    });
    expect(server.requests.length).toBe(requestsBefore);
  });
});

describe('timeouts', () => {
  it('gives up with mtls.request-timeout when the server never answers', async () => {
    const silent = await serve(serverCert, () => {
      // Never answer.
    });
    const started = Date.now();
    const call = client(clientTLS(clientCert, partnerCA.certPem)).get(silent.url, {}, undefined, {
      timeout: 200,
    });
    await expect(call).rejects.toBeInstanceOf(MTLSRequestTimeoutError);
    await expect(call).rejects.toThrow(
      /^MTLS: no complete answer from https:\/\/127\.0\.0\.1:\d+ within 200 ms/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(silent.requests).toHaveLength(1);
  });

  it('applies the client default timeout', async () => {
    const silent = await serve(serverCert, () => {});
    const call = client(clientTLS(clientCert, partnerCA.certPem), { timeout: 150 }).get(silent.url);
    await expect(call).rejects.toMatchObject({ code: 'mtls.request-timeout' });
  });
});

describe('hardening', () => {
  it('bounds every call by DEFAULT_MTLS_TIMEOUT_MS (30 s) unless a timeout is given', async () => {
    expect(DEFAULT_MTLS_TIMEOUT_MS).toBe(30_000);
    const server = await serve(serverCert);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      await client(clientTLS(clientCert, partnerCA.certPem)).get(server.url);
      expect(timers.mock.calls.map(([, delay]) => delay)).toContain(30_000);
      timers.mockClear();
      await client(clientTLS(clientCert, partnerCA.certPem), { timeout: 1_234 }).get(server.url);
      expect(timers.mock.calls.map(([, delay]) => delay)).toContain(1_234);
      expect(timers.mock.calls.map(([, delay]) => delay)).not.toContain(30_000);
    } finally {
      timers.mockRestore();
    }
  });

  it('cuts off a streamed answer larger than maxResponseBytes and closes the connection', async () => {
    expect(DEFAULT_MTLS_MAX_RESPONSE_BYTES).toBe(10 * 1024 * 1024);
    let written = 0;
    let serverSawClose = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const endless = await serve(serverCert, (_request, response) => {
      // No Content-Length: the body streams until the client goes away.
      response.setHeader('content-type', 'text/plain');
      response.on('close', () => {
        serverSawClose = true;
      });
      const pump = () => {
        while (!response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    const call = client(clientTLS(clientCert, partnerCA.certPem), { maxResponseBytes: 256 * 1024 }).get(
      endless.url,
    );
    await expect(call).rejects.toBeInstanceOf(MTLSRemoteThrewError);
    await expect(call).rejects.toThrow(
      /^MTLS: the answer of https:\/\/127\.0\.0\.1:\d+ is larger than maxResponseBytes \(at least \d+ > 262144 bytes\); the connection was closed/,
    );
    await expect.poll(() => serverSawClose).toBe(true);
    await expect.poll(() => endless.openConnections).toBe(0);
    // The server was stopped by the closed connection: it wrote the limit plus what socket buffers hold,
    // nowhere near an endless stream.
    const writtenAtClose = written;
    expect(writtenAtClose).toBeLessThan(32 * 1024 * 1024);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(written).toBe(writtenAtClose);
  });

  it('refuses an answer whose Content-Length is over the limit without reading it', async () => {
    const server = await serve(serverCert, (_request, response) => {
      response.setHeader('content-length', String(50 * 1024 * 1024));
      response.write('start of a huge body');
    });
    const call = client(clientTLS(clientCert, partnerCA.certPem)).get(server.url);
    await expect(call).rejects.toMatchObject({
      code: 'mtls.remote-threw',
      message: expect.stringContaining(
        `(Content-Length ${50 * 1024 * 1024} > ${DEFAULT_MTLS_MAX_RESPONSE_BYTES} bytes)`,
      ),
    });
    await expect.poll(() => server.openConnections).toBe(0);
  });

  it('accepts an answer of exactly maxResponseBytes, per request or with Infinity', async () => {
    const server = await serve(serverCert, (_request, response) => response.end('x'.repeat(1000)));
    const limited = client(clientTLS(clientCert, partnerCA.certPem), { maxResponseBytes: 10 });
    await expect(limited.get(server.url)).rejects.toMatchObject({ code: 'mtls.remote-threw' });
    expect((await limited.get(server.url, {}, undefined, { maxResponseBytes: 1000 })).body).toHaveLength(
      1000,
    );
    expect(
      (await limited.get(server.url, {}, undefined, { maxResponseBytes: Number.POSITIVE_INFINITY })).body,
    ).toHaveLength(1000);
    await expect(limited.get(server.url, {}, undefined, { maxResponseBytes: 0 })).rejects.toMatchObject({
      code: 'mtls.invalid-request',
    });
    expect(() => createMTLSClient(clientTLS(), { maxResponseBytes: -1 })).toThrow(MTLSInvalidRequestError);
  });

  it('allowSelfSigned still refuses a self-signed certificate issued for another host, sending nothing', async () => {
    const server = await serve(
      selfSignedServer({ commonName: 'elsewhere', altNames: ['elsewhere.example'] }),
    );
    const lenient = client(clientTLS(), { allowSelfSigned: true });
    const call = lenient.post(server.url, {}, 'secret payload');
    await expect(call).rejects.toBeInstanceOf(MTLSRemoteThrewError);
    await expect(call).rejects.toThrow(
      /does not cover https:\/\/127\.0\.0\.1:\d+ \(ERR_TLS_CERT_ALTNAME_INVALID\)/,
    );
    // Also per request, and on a second attempt (no resumed session skips the check).
    await expect(
      client(clientTLS()).get(server.url, {}, undefined, { allowSelfSigned: true }),
    ).rejects.toMatchObject({ code: 'mtls.remote-threw' });
    expect(server.requests).toHaveLength(0);
  });

  it('allowSelfSigned checks the host on every connection, also against an IPv6 literal', async () => {
    const server = await serve({ ...selfSignedServer(), host: '::1' });
    const lenient = client(clientTLS(), { allowSelfSigned: true });
    expect((await lenient.get(`${server.url}/a`)).statusCode).toBe(200);
    const other = await serve({
      ...selfSignedServer({ commonName: 'v4-only', altNames: ['127.0.0.1'] }),
      host: '::1',
    });
    await expect(lenient.get(other.url)).rejects.toThrow(/ERR_TLS_CERT_ALTNAME_INVALID/);
    expect(other.requests).toHaveLength(0);
  });

  it('refuses an http: URL with mtls.invalid-request and opens no connection', async () => {
    let connections = 0;
    const plain = createNetServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    const { port } = plain.address() as AddressInfo;
    try {
      const call = client(clientTLS()).post(`http://127.0.0.1:${port}/orders`, {}, { id: 1 });
      await expect(call).rejects.toBeInstanceOf(MTLSInvalidRequestError);
      await expect(call).rejects.toThrow(
        `MTLS: "http://127.0.0.1:${port}" is plain http://, which carries no client certificate; use an https:// URL`,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});

describe('validation of the TLS material at creation', () => {
  const otherKeyPem = serverCert.keyPem;
  const expectCode = (tls: ClientTLS, errorClass: new (...args: never[]) => MTLSError, code: string) => {
    let thrown: unknown;
    try {
      createMTLSClient(tls);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(errorClass);
    expect(thrown).toMatchObject({ code, message: expect.stringMatching(/^MTLS: /) });
    return thrown as MTLSError;
  };

  it('mtls.missing-conf without certificate or key', () => {
    expectCode({ cert: '', key: clientCert.keyPem }, MTLSMissingConfError, 'mtls.missing-conf');
    expectCode({ cert: clientCert.certPem, key: '  ' }, MTLSMissingConfError, 'mtls.missing-conf');
    expectCode(undefined as unknown as ClientTLS, MTLSMissingConfError, 'mtls.missing-conf');
  });

  it('mtls.invalid-key for a non-PEM, unparsable, encrypted or mismatched key, without echoing the key', () => {
    const keyBody = otherKeyPem.split('\n')[5] ?? '';
    const mismatch = expectCode(
      { cert: clientCert.certPem, key: otherKeyPem },
      MTLSInvalidKeyError,
      'mtls.invalid-key',
    );
    expect(mismatch.message).toContain('does not belong to the certificate "CN=tenant-42"');
    expect(JSON.stringify(mismatch)).not.toContain(keyBody);

    const der = createPrivateKey(otherKeyPem).export({ type: 'pkcs8', format: 'der' });
    expectCode({ cert: clientCert.certPem, key: der }, MTLSInvalidKeyError, 'mtls.invalid-key');
    const garbled = `-----BEGIN PRIVATE KEY-----\n${keyBody.split('').reverse().join('')}\n-----END PRIVATE KEY-----\n`;
    const unparsable = expectCode(
      { cert: clientCert.certPem, key: garbled },
      MTLSInvalidKeyError,
      'mtls.invalid-key',
    );
    expect(unparsable.message).not.toContain(keyBody.split('').reverse().join(''));
    const encrypted = createPrivateKey(clientCert.keyPem).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    });
    expect(
      expectCode({ cert: clientCert.certPem, key: encrypted }, MTLSInvalidKeyError, 'mtls.invalid-key')
        .message,
    ).toContain('encrypted');
  });

  it('mtls.invalid-cert for a bad certificate or CA', () => {
    expectCode({ cert: 'hello', key: clientCert.keyPem }, MTLSInvalidCertError, 'mtls.invalid-cert');
    expectCode(
      { cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', key: clientCert.keyPem },
      MTLSInvalidCertError,
      'mtls.invalid-cert',
    );
    expectCode({ ...clientTLS(), ca: 'not a CA' }, MTLSInvalidCertError, 'mtls.invalid-cert');
  });

  it('accepts Buffers and keeps the key out of the client and of its JSON form', () => {
    const created = createMTLSClient({
      cert: Buffer.from(clientCert.chainPem),
      key: Buffer.from(clientCert.keyPem),
      ca: Buffer.from(partnerCA.certPem),
    });
    const keyBody = clientCert.keyPem.split('\n')[3] ?? '';
    expect(JSON.stringify(created)).not.toContain(keyBody);
    expect(Object.keys(created).sort()).toEqual(
      ['close', 'delete', 'get', 'head', 'options', 'patch', 'post', 'put', 'request'].sort(),
    );
    return created.close();
  });

  it('refuses a bad default timeout', () => {
    expect(() => createMTLSClient(clientTLS(), { timeout: Number.NaN })).toThrow(MTLSInvalidRequestError);
  });
});

describe('close()', () => {
  it('closes the connections and fails later calls with mtls.general-issue', async () => {
    const server = await serve(serverCert);
    const closing = createMTLSClient(clientTLS(clientCert, partnerCA.certPem));
    await closing.get(server.url);
    await closing.close();
    await closing.close(); // idempotent
    const call = closing.get(server.url);
    await expect(call).rejects.toBeInstanceOf(MTLSGeneralIssueError);
    await expect(call).rejects.toThrow(
      'MTLS: this client is closed; create a new one with createMTLSClient()',
    );
    // The server sees the pooled connection go away.
    await expect.poll(() => server.openConnections).toBe(0);
  });
});

describe('MTLSError', () => {
  it('has a stable code, a class name and a JSON form', () => {
    const error = new MTLSRequestTimeoutError('slow');
    expect(error).toBeInstanceOf(MTLSError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MTLSRequestTimeoutError');
    expect(error.message).toBe('MTLS: slow');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'MTLSRequestTimeoutError',
      code: 'mtls.request-timeout',
      message: 'MTLS: slow',
    });
  });
});
