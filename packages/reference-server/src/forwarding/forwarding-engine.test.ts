import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { buildConnector } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCA,
  selfSignedServer,
  startTlsServer,
  type TestCertificate,
  type TestTlsServer,
} from '../../../../test/support/pki.js';
import type { LoadedCertificate } from '../certificates/certificate-service.js';
import { EgressRefusedError } from '../egress/egress-policy.js';
import { CertificateNotFoundError, PayloadTooLargeError, TransportFailureError } from '../errors.js';
import { MetricsRegistry } from '../operations/metrics.js';
import type { CertificateSource } from './certificate-resolver.js';
import { ForwardingEngine, type ForwardRequestInput, type SocketOpenerFactory } from './forwarding-engine.js';
import { registerForwardingMetrics } from './forwarding-metrics.js';
import { UpstreamTls } from './upstream-tls.js';

// Every upstream here listens on 127.0.0.1, allowlisted explicitly. Nothing else is ever contacted.

const serverCa = createTestCA({ commonName: 'Upstream Server CA' });
const clientCa = createTestCA({ commonName: 'Tenant Client CA' });
const serverCert = serverCa.issue({ commonName: 'localhost', kind: 'server' });

/** A certificate source over a map: accountId → url → certificate. */
class FakeSource implements CertificateSource {
  readonly mappings = new Map<string, number>();
  readonly certificates = new Map<number, LoadedCertificate>();
  lookups = 0;

  map(accountId: string, url: string, certificate: TestCertificate, id = 1, version = 1): void {
    this.mappings.set(`${accountId} ${url}`, id);
    this.certificates.set(id, {
      id,
      version,
      material: { privateKeyPem: certificate.keyPem, certificatePem: certificate.certPem, chainPem: [] },
      notAfter: null,
    });
  }

  async resolveMapping(request: { accountId: string; url: string }) {
    this.lookups += 1;
    const certificateId = this.mappings.get(`${request.accountId} ${request.url}`);
    return certificateId === undefined ? undefined : { certificateId };
  }

  async loadCertificateMaterial(_accountId: string, certificateId: number) {
    return this.certificates.get(certificateId);
  }
}

function countingOpener(): { factory: SocketOpenerFactory; sockets: string[] } {
  const sockets: string[] = [];
  return {
    sockets,
    factory: (options) => {
      const real = buildConnector(options);
      return (connectOptions, callback) => {
        sockets.push(connectOptions.hostname);
        real(connectOptions, callback);
      };
    },
  };
}

interface EngineSetup {
  engine: ForwardingEngine;
  source: FakeSource;
  sockets: string[];
  metrics: MetricsRegistry;
}

const engines: ForwardingEngine[] = [];

function setup(overrides: Partial<ConstructorParameters<typeof ForwardingEngine>[0]> = {}): EngineSetup {
  const source = new FakeSource();
  const opener = countingOpener();
  const metrics = new MetricsRegistry();
  const engine: ForwardingEngine = new ForwardingEngine({
    source,
    egressAllow: ['127.0.0.1'],
    upstreamTls: new UpstreamTls([serverCa.certPem]),
    bodyLimitBytes: 1024 * 1024,
    connectTimeoutMs: 2_000,
    totalTimeoutMs: 5_000,
    openSocket: opener.factory,
    metrics: registerForwardingMetrics(metrics, () => engine.pools.size),
    ...overrides,
  });
  engines.push(engine);
  return { engine, source, sockets: opener.sockets, metrics };
}

function input(targetUrl: string, overrides: Partial<ForwardRequestInput> = {}): ForwardRequestInput {
  return {
    accountId: 'le1',
    method: 'GET',
    targetUrl,
    stopIfCertificateNotFound: false,
    headers: [],
    body: null,
    ...overrides,
  };
}

async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

describe('ForwardingEngine', () => {
  let mtlsServer: TestTlsServer;
  let plainServer: TestTlsServer;
  const tenant = clientCa.issue({ commonName: 'tenant-42', kind: 'client' });

  beforeAll(async () => {
    mtlsServer = await startTlsServer({
      ...serverCert,
      ca: clientCa.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    plainServer = await startTlsServer(serverCert);
  });
  afterAll(async () => {
    await Promise.all([mtlsServer.close(), plainServer.close()]);
  });

  it('presents the mapped certificate and reuses the connection', async () => {
    const { engine, source, sockets } = setup();
    const url = `${mtlsServer.url}/hooks?tenant=42`;
    source.map('le1', url, tenant);
    const first = await engine.forwardRequest(input(url));
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(await text(first.body))).toMatchObject({
      path: '/hooks?tenant=42',
      peerCommonName: 'tenant-42',
    });
    expect(first.certificate).toEqual({ id: 1, version: 1 });
    // undici marks the connection free a tick after the answer ends.
    await new Promise((resolve) => setImmediate(resolve));
    const second = await engine.forwardRequest(input(url));
    await text(second.body);
    const [a, b] = mtlsServer.requests.slice(-2);
    expect(a?.connectionId).toBe(b?.connectionId);
    expect(sockets).toEqual(['127.0.0.1']);
  });

  it('goes out over plain TLS without a mapping, and stops when asked to', async () => {
    const { engine, sockets } = setup();
    const answer = await engine.forwardRequest(input(`${plainServer.url}/open`));
    expect(JSON.parse(await text(answer.body)).peerCommonName).toBeUndefined();
    expect(answer.certificate).toBeUndefined();

    const stopped = await rejection(
      engine.forwardRequest(input(`${plainServer.url}/open`, { stopIfCertificateNotFound: true })),
    );
    expect(stopped).toBeInstanceOf(CertificateNotFoundError);
    expect(sockets).toHaveLength(1);
  });

  it('never shares a pool between certificates or accounts', async () => {
    const { engine, source } = setup();
    const url = `${mtlsServer.url}/shared`;
    source.map('le1', url, tenant, 1);
    source.map(
      'le2',
      url,
      clientCa.issue({ commonName: 'tenant-7', kind: 'client', keyPem: tenant.keyPem }),
      2,
    );
    for (const accountId of ['le1', 'le2', 'le1']) {
      await text((await engine.forwardRequest(input(url, { accountId }))).body);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const seen = mtlsServer.requests
      .slice(-3)
      .map((request) => [request.peerCommonName, request.connectionId]);
    expect(seen[0]?.[0]).toBe('tenant-42');
    expect(seen[1]?.[0]).toBe('tenant-7');
    expect(seen[2]).toEqual(seen[0]);
    expect(seen[1]?.[1]).not.toBe(seen[0]?.[1]);
    expect(engine.pools.size).toBe(2);
  });

  it('uses the new version after a certificate change and closes the old pools', async () => {
    const { engine, source } = setup({ canUseCache: () => true });
    const url = `${mtlsServer.url}/rotate`;
    source.map('le1', url, tenant, 5, 1);
    await text((await engine.forwardRequest(input(url))).body);
    source.map(
      'le1',
      url,
      clientCa.issue({ commonName: 'tenant-42-rotated', kind: 'client', keyPem: tenant.keyPem }),
      5,
      2,
    );
    // Cached: still version 1 until the change is applied.
    await text((await engine.forwardRequest(input(url))).body);
    expect(mtlsServer.requests.at(-1)?.peerCommonName).toBe('tenant-42');
    engine.applyChanges([
      { id: 1, accountId: 'le1', certificateId: 5, mappingId: null, kind: 'certificate.updated' },
    ]);
    expect(engine.pools.size).toBe(0);
    const answer = await engine.forwardRequest(input(url));
    await text(answer.body);
    expect(answer.certificate).toEqual({ id: 5, version: 2 });
    expect(mtlsServer.requests.at(-1)?.peerCommonName).toBe('tenant-42-rotated');
  });

  it('answers 424 when the remote requires a certificate and none is mapped', async () => {
    const { engine, metrics } = setup();
    const error = await rejection(engine.forwardRequest(input(`${mtlsServer.url}/needs-cert`)));
    expect(error).toBeInstanceOf(TransportFailureError);
    const failure = error as TransportFailureError;
    expect(failure.code).toBe('transport_failure');
    expect(failure.headers['LP-error-from-transport']).toBe('UND_ERR_SOCKET');
    expect(failure.headers['LP-message-from-transport']).toContain('127.0.0.1:');
    expect(await metrics.render()).toMatch(
      /mtls_upstream_request_duration_seconds_count\{certificate="none",outcome="transport_failure"\} 1/,
    );
  });

  it('answers 424 when the remote rejects the presented certificate', async () => {
    const { engine, source } = setup();
    const url = `${mtlsServer.url}/reject`;
    const stranger = createTestCA({ commonName: 'Unknown CA' }).issue({
      commonName: 'stranger',
      kind: 'client',
      keyPem: tenant.keyPem,
    });
    source.map('le1', url, stranger);
    const error = (await rejection(engine.forwardRequest(input(url)))) as TransportFailureError;
    expect(error).toBeInstanceOf(TransportFailureError);
    expect(error.headers['LP-error-from-transport']).toBe('ERR_TLS_CLIENT_CERTIFICATE_REJECTED');
    expect(error.detail).not.toContain('BEGIN');
  });

  it('answers 424 when the server certificate is not trusted, expired or for another name', async () => {
    const untrusted = await startTlsServer(selfSignedServer());
    const expired = await startTlsServer(
      serverCa.issue({ commonName: 'localhost', kind: 'server', validity: 'expired' }),
    );
    const otherName = await startTlsServer(
      serverCa.issue({ commonName: 'other', kind: 'server', altNames: ['other.example'] }),
    );
    try {
      const { engine } = setup();
      const codeOf = async (url: string) =>
        ((await rejection(engine.forwardRequest(input(url)))) as TransportFailureError).headers[
          'LP-error-from-transport'
        ];
      expect(await codeOf(untrusted.url)).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(await codeOf(expired.url)).toBe('CERT_HAS_EXPIRED');
      expect(await codeOf(otherName.url)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      await Promise.all([untrusted.close(), expired.close(), otherName.close()]);
    }
  });

  it('answers 424 ECONNREFUSED for a closed port', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { engine } = setup();
    const error = (await rejection(
      engine.forwardRequest(input(`https://127.0.0.1:${port}/`)),
    )) as TransportFailureError;
    expect(error.headers['LP-error-from-transport']).toBe('ECONNREFUSED');
    expect(error.detail).toBe(`Connecting to 127.0.0.1:${port} failed: the connection was refused.`);
  });

  describe('timeouts', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      // Accepts TCP connections and never says anything: no TLS handshake ever completes.
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      silent.listen(0, '127.0.0.1');
      await once(silent, 'listening');
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('answers 424 UND_ERR_CONNECT_TIMEOUT when the handshake does not complete', async () => {
      const { engine } = setup({ connectTimeoutMs: 200 });
      const { port } = silent.address() as { port: number };
      const error = (await rejection(
        engine.forwardRequest(input(`https://127.0.0.1:${port}/`)),
      )) as TransportFailureError;
      expect(error.headers['LP-error-from-transport']).toBe('UND_ERR_CONNECT_TIMEOUT');
    });

    it('answers 424 ETIMEDOUT when the remote answers too slowly', async () => {
      const slow = await startTlsServer(serverCert, (_request, response) => {
        setTimeout(() => response.end('late'), 2_000).unref();
      });
      try {
        const { engine } = setup({ totalTimeoutMs: 300 });
        const started = performance.now();
        const error = (await rejection(
          engine.forwardRequest(input(`${slow.url}/slow`)),
        )) as TransportFailureError;
        expect(error.headers['LP-error-from-transport']).toBe('ETIMEDOUT');
        expect(performance.now() - started).toBeLessThan(1_900);
      } finally {
        await slow.close();
      }
    });
  });

  it('aborts the upstream exchange when the caller goes away', async () => {
    let upstreamClosed = false;
    const slow = await startTlsServer(serverCert, (request, response) => {
      request.socket.on('close', () => {
        upstreamClosed = true;
      });
      setTimeout(() => response.end('late'), 3_000).unref();
    });
    try {
      const { engine, metrics } = setup();
      const caller = new AbortController();
      const pending = rejection(engine.forwardRequest(input(`${slow.url}/slow`, { signal: caller.signal })));
      await new Promise((resolve) => setTimeout(resolve, 200));
      caller.abort();
      expect(await pending).toBeInstanceOf(TransportFailureError);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(upstreamClosed).toBe(true);
      expect(await metrics.render()).toMatch(/outcome="caller_gone"\} 1/);
    } finally {
      await slow.close();
    }
  });

  describe('request body limit', () => {
    it('refuses a declared Content-Length over the limit before sending anything', async () => {
      const { engine, sockets } = setup({ bodyLimitBytes: 10 });
      const error = await rejection(
        engine.forwardRequest(
          input(`${plainServer.url}/upload`, {
            method: 'POST',
            headers: ['Content-Length', '11'],
            body: Readable.from([Buffer.alloc(11)]),
          }),
        ),
      );
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(sockets).toEqual([]);
    });

    it('counts an undeclared (chunked) body and stops it at the limit', async () => {
      const { engine } = setup({ bodyLimitBytes: 1000 });
      const before = plainServer.requests.length;
      const chunks = Array.from({ length: 10 }, () => Buffer.alloc(200, 1));
      const error = await rejection(
        engine.forwardRequest(
          input(`${plainServer.url}/upload`, { method: 'POST', body: Readable.from(chunks) }),
        ),
      );
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(plainServer.requests.length).toBe(before);
    });
  });

  it('refuses loopback when it is not allowlisted, without opening a socket', async () => {
    const { engine, sockets, metrics } = setup({ egressAllow: [] });
    const error = await rejection(engine.forwardRequest(input(`${plainServer.url}/`)));
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(sockets).toEqual([]);
    expect(await metrics.render()).toContain('mtls_egress_refused_total{reason="loopback"} 1');
  });
});
