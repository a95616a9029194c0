import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buildConnector } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer, toPkcs12 } from '../../../../test/support/pki.js';
import type { CertificateService } from '../certificates/certificate-service.js';
import { P12Factory } from '../certificates/testing/p12-fixtures.js';
import type { GatewayConfig } from '../config/config.js';
import type { HostResolver } from '../egress/guarded-connector.js';
import { rawRequest } from '../http/testing/http-client.js';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { createMappingRoutes } from '../mappings/mapping-routes.js';
import type { MappingService } from '../mappings/mapping-service.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { openTestPostgres, type TestDatabase } from '../storage/testing/test-databases.js';
import type { SocketOpenerFactory } from './forwarding-engine.js';
import { createForwarding, type Forwarding } from './forwarding-routes.js';

// Network rule: every upstream is a TLS server of this test on 127.0.0.1 (allowlisted explicitly); private
// names only ever reach a resolver stub, and the socket opener refuses anything that is not loopback.

const ACCOUNT = 'le1606809';
const p12s = new P12Factory();
const clientCa = p12s.ca;
const serverCert = p12s.ca
  .createIntermediate('Upstream Server CA')
  .issue({ commonName: 'localhost', kind: 'server' });

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request with exactly these headers (node:http lets a test send Connection, TE, Proxy-*, …). */
async function send(url: string, options: Parameters<typeof rawRequest>[1] = {}): Promise<Answer> {
  const { status, headers, bytes } = await rawRequest(url, options);
  return { status, headers, body: bytes };
}

function json(answer: Answer): Record<string, unknown> {
  return JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
}

function countingLoopbackOpener(): { factory: SocketOpenerFactory; sockets: string[] } {
  const sockets: string[] = [];
  return {
    sockets,
    factory: (options) => {
      const real = buildConnector(options);
      return (connectOptions, callback) => {
        sockets.push(connectOptions.hostname);
        if (connectOptions.hostname !== '127.0.0.1' && connectOptions.hostname !== '::1') {
          callback(new Error(`test opener: ${connectOptions.hostname} is not loopback`), null);
          return;
        }
        real(connectOptions, callback);
      };
    },
  };
}

interface Gateway {
  app: TestApp;
  forwarding: Forwarding;
  sockets: string[];
  token: string;
  cleanup(): Promise<void>;
  forward(
    targetUrl: string,
    options?: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | Readable },
  ): Promise<Answer>;
}

let caFile: string;
let caDirectory: string;

async function startGateway(
  db: Database,
  overrides: Partial<GatewayConfig> = {},
  options: { resolve?: HostResolver } = {},
): Promise<Gateway> {
  const { config, cleanup } = await testConfig({
    egressAllow: ['127.0.0.1'],
    upstreamCaFile: caFile,
    ...overrides,
  });
  const opener = countingLoopbackOpener();
  const forwarding = createForwarding({
    openSocket: opener.factory,
    resolve: options.resolve,
    changePollIntervalMs: 100,
  });
  const app = await startTestApp({
    db,
    config,
    routes: [forwarding.routes, createMappingRoutes({ validateUrl: forwarding.validateMappingUrl })],
  });
  const { token } = await app.context.auth.tokens.create({
    accounts: [ACCOUNT],
    permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
  });
  return {
    app,
    forwarding,
    sockets: opener.sockets,
    token,
    async cleanup() {
      await app.close();
      await cleanup();
    },
    forward(targetUrl, request = {}) {
      return send(`${app.url}/mtls/account/${ACCOUNT}`, {
        ...request,
        headers: { authorization: `Bearer ${token}`, 'LP-forward-url': targetUrl, ...request.headers },
      });
    },
  };
}

describe('forwarding over HTTP', () => {
  let dripFinished: (finished: boolean) => void = () => undefined;
  const dripClosed = new Promise<boolean>((resolve) => {
    dripFinished = resolve;
  });
  let database: TestDatabase;
  let gateway: Gateway;
  let certificates: CertificateService;
  let mappings: MappingService;
  let mtls: TestTlsServer;
  let plain: TestTlsServer;

  async function uploadAndMap(commonName: string, url: string, serviceName: 'WEBHOOKS' | 'IDP' = 'WEBHOOKS') {
    const fixture = p12s.valid(commonName, { keyIndex: 0 });
    const saved = await certificates.create(ACCOUNT, [
      {
        name: `${commonName}-${randomBytes(3).toString('hex')}`,
        p12: fixture.bytes,
        password: fixture.password,
      },
    ]);
    const id = saved.successfulySavedCertificates[0]?.id as number;
    await mappings.activate(ACCOUNT, id, { serviceName, url });
    return id;
  }

  beforeAll(async () => {
    caDirectory = await mkdtemp(path.join(tmpdir(), 'mtls-upstream-ca-'));
    caFile = path.join(caDirectory, 'ca.pem');
    await writeFile(caFile, p12s.ca.certPem);
    database = await openTestPostgres();
    await migrate(database.db);
    gateway = await startGateway(database.db);
    // The app's own services: their changes reach its forwarding engine at once.
    ({ certificates, mappings } = gateway.app.context);
    mtls = await startTlsServer({
      ...serverCert,
      ca: clientCa.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    plain = await startTlsServer(serverCert, (request, response, recorded) => {
      if (recorded.path.startsWith('/drip')) {
        // A first chunk, then nothing: the exchange only ends when someone gives up.
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first chunk');
        response.once('close', () => dripFinished(response.writableFinished));
        return;
      }
      if (recorded.path.startsWith('/redirect')) {
        response.writeHead(302, { location: `https://127.0.0.1:${plain.port}/elsewhere` });
        response.end('moved');
        return;
      }
      if (recorded.path.startsWith('/unauthorized')) {
        response.writeHead(401, {
          'www-authenticate': 'Bearer realm="remote"',
          'content-type': 'text/plain',
        });
        response.end('remote says no');
        return;
      }
      if (request.method === 'HEAD') {
        response.writeHead(200, { 'content-length': '1234', 'x-head': 'yes' });
        response.end();
        return;
      }
      if (recorded.path.startsWith('/binary')) {
        response.setHeader('content-type', 'application/octet-stream');
        response.setHeader('x-upstream', 'yes');
        response.setHeader('set-cookie', ['a=1; Secure', 'b=2; HttpOnly']);
        response.setHeader('lp-gateway-error', 'forged-by-remote');
        response.setHeader('connection', 'x-hop-response');
        response.setHeader('x-hop-response', 'must not pass');
        response.statusCode = 201;
        response.end(Buffer.from(recorded.body).reverse());
        return;
      }
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ path: recorded.path, peerCommonName: recorded.peerCommonName ?? null }));
    });
  });

  afterAll(async () => {
    await gateway?.cleanup();
    await Promise.all([mtls?.close(), plain?.close()]);
    await database?.cleanup();
    await rm(caDirectory, { recursive: true, force: true });
  });

  it('presents the mapped certificate to an upstream that requires one', async () => {
    const url = `${mtls.url}/hooks?tenant=42`;
    await uploadAndMap('tenant-42', url);
    const answer = await gateway.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['lp-gateway-error']).toBeUndefined();
    expect(json(answer)).toMatchObject({ path: '/hooks?tenant=42', peerCommonName: 'tenant-42' });
    expect(mtls.requests.at(-1)?.peerCommonName).toBe('tenant-42');
  });

  it('closes the upstream exchange when the caller goes away in the middle of the answer', async () => {
    const request = httpRequest(`${gateway.app.url}/mtls/account/${ACCOUNT}`, {
      headers: { authorization: `Bearer ${gateway.token}`, 'LP-forward-url': `${plain.url}/drip` },
    });
    request.end();
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(200);
    await once(response, 'data');
    request.destroy();
    // The remote sees its answer cut short (not finished) instead of a connection held open forever.
    expect(await dripClosed).toBe(false);
  });

  it('goes out over plain TLS without a mapping; stop-if-not-found answers 400 and sends nothing', async () => {
    const open = await gateway.forward(`${plain.url}/open`);
    expect(open.status).toBe(200);
    expect(json(open).peerCommonName).toBeNull();

    const before = plain.requests.length;
    const stopped = await gateway.forward(`${plain.url}/open`, {
      headers: { 'LP-stop-if-certificate-not-found': 'true' },
    });
    expect(stopped.status).toBe(400);
    expect(stopped.headers['lp-gateway-error']).toBe('certificate_not_found');
    expect(json(stopped)).toMatchObject({ code: 'certificate_not_found', status: 400 });
    expect(plain.requests.length).toBe(before);
  });

  it('answers 424 with the transport headers when the remote rejects the certificate', async () => {
    const url = `${mtls.url}/strangers`;
    const stranger = p12s.ca.createIntermediate('Not Trusted By The Remote');
    const certificate = stranger.issue({ commonName: 'stranger', kind: 'client' });
    // Its chain leads to the trusted root, but the remote only accepts leaves issued by the root itself.
    const saved = await certificates.create(ACCOUNT, [
      {
        name: `stranger-${randomBytes(3).toString('hex')}`,
        p12: toPkcs12(certificate, 'pw', { includeChain: false }),
        password: 'pw',
      },
    ]);
    await mappings.activate(ACCOUNT, saved.successfulySavedCertificates[0]?.id as number, {
      serviceName: 'WEBHOOKS',
      url,
    });
    const answer = await gateway.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } });
    expect(answer.status).toBe(424);
    expect(answer.headers['lp-gateway-error']).toBe('transport_failure');
    expect(answer.headers['lp-error-from-transport']).toBe('ERR_TLS_CLIENT_CERTIFICATE_REJECTED');
    expect(answer.headers['lp-message-from-transport']).toContain('rejected the client certificate');
    expect(json(answer)).toMatchObject({ code: 'transport_failure', status: 424 });
    expect(answer.body.toString()).not.toMatch(/PRIVATE KEY|BEGIN/);
  });

  it('passes bodies (binary) and headers through as documented, both ways', async () => {
    const payload = randomBytes(256 * 1024);
    const before = plain.requests.length;
    const answer = await gateway.forward(`${plain.url}/binary?x=%2F&y=1`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'LP-authorization-override': 'Bearer remote-token',
        'LP-custom': 'gateway only',
        'x-custom': 'kept',
        'x-dup': ['one', 'two'],
        connection: 'keep-alive, x-hop-request',
        'x-hop-request': 'must not pass',
        'proxy-authorization': 'Basic c2VjcmV0',
        te: 'trailers',
        'keep-alive': 'timeout=5',
      },
      body: payload,
    });
    expect(answer.status).toBe(201);
    expect(answer.body.equals(Buffer.from(payload).reverse())).toBe(true);
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(answer.headers['set-cookie']).toEqual(['a=1; Secure', 'b=2; HttpOnly']);
    expect(answer.headers['lp-gateway-error']).toBeUndefined();
    expect(answer.headers['x-hop-response']).toBeUndefined();
    expect(answer.headers.connection ?? '').not.toContain('x-hop-response');

    expect(plain.requests.length).toBe(before + 1);
    const seen = plain.requests.at(-1);
    expect(seen?.path).toBe('/binary?x=%2F&y=1');
    expect(seen?.body.equals(payload)).toBe(true);
    expect(seen?.headers.authorization).toBe('Bearer remote-token');
    expect(seen?.headers.host).toBe(`127.0.0.1:${plain.port}`);
    expect(seen?.headers['x-custom']).toBe('kept');
    expect(seen?.headers['x-dup']).toBe('one, two');
    expect(seen?.headers['content-type']).toBe('application/octet-stream');
    expect(seen?.headers['content-length']).toBe(String(payload.length));
    for (const name of Object.keys(seen?.headers ?? {})) {
      expect(name).not.toMatch(/^lp-|^proxy-|^x-hop-request$|^te$|^keep-alive$/);
    }
  });

  it('streams a JSON body byte for byte (never parsed) and forwards no Authorization without an override', async () => {
    const body = Buffer.from('{ "a" :1,\n"b": [ ] }');
    await gateway.forward(`${plain.url}/binary`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: Readable.from([body.subarray(0, 5), body.subarray(5)]),
    });
    const seen = plain.requests.at(-1);
    expect(seen?.method).toBe('PUT');
    expect(seen?.body.equals(body)).toBe(true);
    expect(seen?.headers.authorization).toBeUndefined();
  });

  it('forwards a Content-Type the gateway itself could not parse, unchanged', async () => {
    const answer = await gateway.forward(`${plain.url}/binary`, {
      method: 'POST',
      headers: { 'content-type': 'not a media type' },
      body: Buffer.from('odd'),
    });
    expect(answer.status).toBe(201);
    expect(plain.requests.at(-1)?.headers['content-type']).toBe('not a media type');
  });

  it('returns redirects and remote errors as they are, never following them', async () => {
    const before = plain.requests.length;
    const redirect = await gateway.forward(`${plain.url}/redirect`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe(`https://127.0.0.1:${plain.port}/elsewhere`);
    expect(redirect.body.toString()).toBe('moved');
    expect(plain.requests.length).toBe(before + 1);

    const unauthorized = await gateway.forward(`${plain.url}/unauthorized`, { method: 'DELETE' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer realm="remote"');
    expect(unauthorized.headers['lp-gateway-error']).toBeUndefined();
    expect(unauthorized.body.toString()).toBe('remote says no');
  });

  it('forwards HEAD (headers only) and PATCH', async () => {
    const head = await gateway.forward(`${plain.url}/head`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1234');
    expect(head.headers['x-head']).toBe('yes');
    const patch = await gateway.forward(`${plain.url}/patched`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('diff'),
    });
    expect(patch.status).toBe(200);
    expect(plain.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/patched' });
  });

  it('needs write permission for non-GET forwarding', async () => {
    const { token } = await gateway.app.context.auth.tokens.create({
      accounts: [ACCOUNT],
      permissions: ['MTLS_READ_INTERNAL'],
    });
    const headers = { authorization: `Bearer ${token}`, 'LP-forward-url': `${plain.url}/open` };
    const url = `${gateway.app.url}/mtls/account/${ACCOUNT}`;
    expect((await send(url, { headers })).status).toBe(200);
    const post = await send(url, { method: 'POST', headers, body: Buffer.from('x') });
    expect(post.status).toBe(403);
    expect(post.headers['lp-gateway-error']).toBe('forbidden');
  });

  it('uses a rotated certificate within 1 s, on this replica and on another one', async () => {
    const url = `${mtls.url}/rotation`;
    const id = await uploadAndMap('before-rotation', url);
    const replicaDb = await database.reopen();
    // A replica shares the database and the master key (the embedded secret store lives in the database).
    const replica = await startGateway(replicaDb, { masterKey: gateway.app.context.config.masterKey });
    try {
      // Both replicas have the old certificate cached and pooled.
      for (const instance of [gateway, replica]) {
        const warm = await instance.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } });
        expect(json(warm).peerCommonName).toBe('before-rotation');
      }
      const rotated = p12s.valid('after-rotation', { keyIndex: 1 });
      await certificates.update(ACCOUNT, [{ id, p12: rotated.bytes, password: rotated.password }]);
      const committedAt = performance.now();

      for (const instance of [gateway, replica]) {
        let switchedAfter: number | undefined;
        while (switchedAfter === undefined) {
          const answer = await instance.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } });
          const elapsed = performance.now() - committedAt;
          if (json(answer).peerCommonName === 'after-rotation') switchedAfter = elapsed;
          else expect(elapsed).toBeLessThan(1_000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        // Once switched, never back.
        for (let index = 0; index < 3; index++) {
          const answer = await instance.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } });
          expect(json(answer).peerCommonName).toBe('after-rotation');
        }
      }
      // No pool of version 1 is left on either replica; version 2 has its own.
      for (const instance of [gateway, replica]) {
        await instance.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } });
        const pools = instance.forwarding.engine?.pools;
        expect(pools?.has({ accountId: ACCOUNT, certificate: { id, version: 1 }, origin: mtls.url })).toBe(
          false,
        );
        expect(pools?.has({ accountId: ACCOUNT, certificate: { id, version: 2 }, origin: mtls.url })).toBe(
          true,
        );
      }
    } finally {
      await replica.cleanup();
    }
  });

  it('stops presenting a deleted certificate', async () => {
    const url = `${mtls.url}/deleted`;
    const id = await uploadAndMap('to-be-deleted', url);
    expect(
      json(await gateway.forward(url, { headers: { 'LP-service-name': 'WEBHOOKS' } })).peerCommonName,
    ).toBe('to-be-deleted');
    await certificates.delete(ACCOUNT, id);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const answer = await gateway.forward(url, {
      headers: { 'LP-service-name': 'WEBHOOKS', 'LP-stop-if-certificate-not-found': 'true' },
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['lp-gateway-error']).toBe('certificate_not_found');
  });

  it('exposes upstream latency, pool count and refusals as metrics', async () => {
    await gateway.forward(`${plain.url}/open`);
    const text = await gateway.app.context.metrics.render();
    expect(text).toMatch(
      /mtls_upstream_request_duration_seconds_count\{certificate="none",outcome="2xx"\} \d+/,
    );
    expect(text).toMatch(
      /mtls_upstream_request_duration_seconds_count\{certificate="client_certificate",outcome="2xx"\} \d+/,
    );
    expect(text).toMatch(/mtls_upstream_pools \d+/);
  });

  describe('p12 test', () => {
    async function testP12(
      file: Buffer,
      password: string,
      headers: Record<string, string>,
      body?: string,
    ): Promise<Response> {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(file)], { type: 'application/x-pkcs12' }), 'cert.p12');
      form.set('password', password);
      if (body !== undefined) form.set('body', body);
      return fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}/p12-test/multipart`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.token}`, ...headers },
        body: form,
      });
    }

    it('calls the URL with the file’s certificate and keeps nothing', async () => {
      const fixture = p12s.valid('p12-tester', { keyIndex: 2 });
      const poolsBefore = gateway.forwarding.engine?.pools.size;
      const certificatesBefore = (await certificates.list(ACCOUNT)).length;
      const response = await testP12(
        fixture.bytes,
        fixture.password,
        {
          'LP-forward-url': `${mtls.url}/p12?probe=1`,
          'LP-content-type-override': 'application/json',
          'LP-authorization-override': 'Bearer for-the-remote',
        },
        '{"ping":true}',
      );
      expect(response.status).toBe(200);
      expect(response.headers.get('lp-gateway-error')).toBeNull();
      expect(await response.json()).toMatchObject({ path: '/p12?probe=1', peerCommonName: 'p12-tester' });
      const seen = mtls.requests.at(-1);
      expect(seen).toMatchObject({ method: 'POST', peerCommonName: 'p12-tester' });
      expect(seen?.body.toString()).toBe('{"ping":true}');
      expect(seen?.headers['content-type']).toBe('application/json');
      expect(seen?.headers.authorization).toBe('Bearer for-the-remote');
      expect(gateway.forwarding.engine?.pools.size).toBe(poolsBefore);
      expect((await certificates.list(ACCOUNT)).length).toBe(certificatesBefore);
    });

    it('honours LP-method-override', async () => {
      const fixture = p12s.valid('p12-method', { keyIndex: 2 });
      const response = await testP12(fixture.bytes, fixture.password, {
        'LP-forward-url': `${mtls.url}/p12-get`,
        'LP-method-override': 'GET',
      });
      expect(response.status).toBe(200);
      expect(mtls.requests.at(-1)).toMatchObject({ method: 'GET', path: '/p12-get' });
    });

    it.each([
      [
        'p12_wrong_password',
        () => ({ file: p12s.valid('wrong-password', { keyIndex: 0 }).bytes, password: 'not-it' }),
      ],
      ['p12_corrupt', () => ({ file: randomBytes(300), password: 'changeit' })],
      ['p12_no_private_key', () => ({ file: p12s.withoutKey('no-key'), password: 'changeit' })],
      ['p12_no_certificate', () => ({ file: p12s.withoutCertificate('no-cert'), password: 'changeit' })],
      ['p12_key_mismatch', () => ({ file: p12s.withMismatchedKey('mismatch'), password: 'changeit' })],
      ['p12_expired', () => ({ file: p12s.outOfValidity('expired', 'expired').bytes, password: 'changeit' })],
      [
        'p12_not_yet_valid',
        () => ({ file: p12s.outOfValidity('future', 'not-yet-valid').bytes, password: 'changeit' }),
      ],
    ])('answers 400 %s for such a file, calling nothing', async (code, make) => {
      const { file, password } = make();
      const before = mtls.requests.length + plain.requests.length;
      const response = await testP12(file, password, { 'LP-forward-url': `${mtls.url}/never` });
      expect(response.status).toBe(400);
      expect(response.headers.get('lp-gateway-error')).toBe(code);
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem.code).toBe(code);
      expect(problem.detail).not.toContain(password === 'changeit' ? '\u0000' : password);
      expect(mtls.requests.length + plain.requests.length).toBe(before);
    });

    it('answers 424 when the remote cannot be reached', async () => {
      const fixture = p12s.valid('p12-unreachable', { keyIndex: 2 });
      const port = await closedPort();
      const response = await testP12(fixture.bytes, fixture.password, {
        'LP-forward-url': `https://127.0.0.1:${port}/`,
      });
      expect(response.status).toBe(424);
      expect(response.headers.get('lp-error-from-transport')).toBe('ECONNREFUSED');
    });

    it('answers 400 when the file part is missing', async () => {
      const form = new FormData();
      form.set('password', 'x');
      const response = await fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}/p12-test/multipart`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.token}`, 'LP-forward-url': `${mtls.url}/` },
        body: form,
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('lp-gateway-error')).toBe('invalid_request');
    });
  });

  describe('mapping activation with isValidateUrlEnabled=true', () => {
    async function activate(certificateId: number, url: string): Promise<Response> {
      return fetch(
        `${gateway.app.url}/mtls/account/${ACCOUNT}/certificates/activate/${certificateId}?isValidateUrlEnabled=true`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ serviceName: 'IDP', url }),
        },
      );
    }

    async function upload(commonName: string): Promise<number> {
      const fixture = p12s.valid(commonName, { keyIndex: 0 });
      const saved = await certificates.create(ACCOUNT, [
        {
          name: `${commonName}-${randomBytes(3).toString('hex')}`,
          p12: fixture.bytes,
          password: fixture.password,
        },
      ]);
      return saved.successfulySavedCertificates[0]?.id as number;
    }

    it('makes a real call with the certificate before storing the mapping', async () => {
      const id = await upload('validated');
      const response = await activate(id, `${mtls.url}/validate-me`);
      expect(response.status).toBe(201);
      expect(mtls.requests.at(-1)).toMatchObject({
        method: 'GET',
        path: '/validate-me',
        peerCommonName: 'validated',
      });
    });

    it('answers 424 and stores nothing when the URL cannot be reached', async () => {
      const id = await upload('not-validated');
      const url = `https://127.0.0.1:${await closedPort()}/down`;
      const response = await activate(id, url);
      expect(response.status).toBe(424);
      expect(response.headers.get('lp-error-from-transport')).toBe('ECONNREFUSED');
      expect((await mappings.list(ACCOUNT)).some((mapping) => mapping.url === url)).toBe(false);
    });
  });

  describe('limits and timeouts', () => {
    let limited: Gateway;
    beforeAll(async () => {
      limited = await startGateway(database.db, {
        bodyLimitBytes: 1024,
        upstreamTimeouts: { connectMs: 1_000, totalMs: 400 },
      });
    });
    afterAll(async () => {
      await limited?.cleanup();
    });

    it('answers 413 for a declared or a counted body over the limit, forwarding nothing', async () => {
      const before = plain.requests.length;
      const declared = await limited.forward(`${plain.url}/big`, {
        method: 'POST',
        body: Buffer.alloc(2048),
      });
      expect(declared.status).toBe(413);
      expect(declared.headers['lp-gateway-error']).toBe('payload_too_large');
      const chunked = await limited.forward(`${plain.url}/big`, {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked' },
        body: Readable.from(Array.from({ length: 8 }, () => Buffer.alloc(256))),
      });
      expect(chunked.status).toBe(413);
      expect(plain.requests.length).toBe(before);
      const small = await limited.forward(`${plain.url}/small`, { method: 'POST', body: Buffer.alloc(1024) });
      expect(small.status).toBe(200);
    });

    it('answers 424 when the remote is too slow', async () => {
      const slow = await startTlsServer(serverCert, (_request, response) => {
        setTimeout(() => response.end('late'), 3_000).unref();
      });
      try {
        const answer = await limited.forward(`${slow.url}/slow`);
        expect(answer.status).toBe(424);
        expect(answer.headers['lp-error-from-transport']).toBe('ETIMEDOUT');
      } finally {
        await slow.close();
      }
    });
  });

  describe('SSRF guard', () => {
    let guarded: Gateway;
    const resolver = Object.assign(
      async (hostname: string) => {
        resolver.calls.push(hostname);
        const table: Record<string, string[]> = {
          'internal.example.com': ['10.0.0.5'],
          'metadata.example.com': ['169.254.169.254'],
          'router.example.com': ['192.168.0.1'],
          'ula.example.com': ['fd00::5'],
          'mapped.example.com': ['::ffff:172.16.0.1'],
          'rebind.example.com': ['93.184.215.14', '10.0.0.1'],
          localhost: ['127.0.0.1'],
        };
        const addresses = table[hostname.replace(/\.$/, '')];
        if (!addresses)
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        return addresses.map((address) => ({
          address,
          family: address.includes(':') ? (6 as const) : (4 as const),
        }));
      },
      { calls: [] as string[] },
    );

    beforeAll(async () => {
      guarded = await startGateway(database.db, { egressAllow: [] }, { resolve: resolver });
    });
    afterAll(async () => {
      await guarded?.cleanup();
    });

    async function expectBlocked(targetUrl: string): Promise<void> {
      const connectionsBefore = plain.connectionCount;
      const answer = await guarded.forward(targetUrl);
      expect(answer.status, `${targetUrl}: ${answer.body.toString()}`).toBe(403);
      expect(answer.headers['lp-gateway-error']).toBe('destination_blocked');
      expect(json(answer)).toMatchObject({ code: 'destination_blocked', status: 403 });
      expect(guarded.sockets).toEqual([]);
      expect(plain.connectionCount).toBe(connectionsBefore);
    }

    it('refuses every loopback notation of a live loopback server', async () => {
      const port = plain.port;
      for (const host of [
        '127.0.0.1',
        '127.1',
        '127.0.1',
        '2130706433',
        '017700000001',
        '0177.0.0.1',
        '0x7f.1',
        '0x7f000001',
        '127.0.0.1.',
        '[::1]',
        '[0:0:0:0:0:0:0:1]',
        '[::ffff:127.0.0.1]',
        '[::ffff:7f00:1]',
        '[64:ff9b::127.0.0.1]',
        'localhost',
        'localhost.',
        'LOCALHOST',
      ]) {
        await expectBlocked(`https://${host}:${port}/probe`);
      }
    });

    it('refuses names that resolve to private, link-local and mapped addresses, before any socket', async () => {
      for (const host of [
        'internal.example.com',
        'metadata.example.com',
        'router.example.com',
        'ula.example.com',
        'mapped.example.com',
        'rebind.example.com',
      ]) {
        await expectBlocked(`https://${host}/probe`);
      }
      expect(resolver.calls).toEqual(expect.arrayContaining(['internal.example.com', 'rebind.example.com']));
    });

    it('refuses metadata and private literals', async () => {
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'https://10.0.0.1/',
        'https://[fd00::1]/',
        'http://0.0.0.0/',
      ]) {
        await expectBlocked(url);
      }
    });

    it('counts refusals', async () => {
      const text = await guarded.app.context.metrics.render();
      expect(text).toMatch(/mtls_egress_refused_total\{reason="loopback"\} \d+/);
      expect(text).toMatch(/mtls_egress_refused_total\{reason="private"\} \d+/);
    });
  });
});

async function closedPort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
