import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { request as httpsRequest } from 'node:https';
import { connect, createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCA,
  selfSignedServer,
  splitPem,
  startTlsServer,
  type TestCA,
  type TestCertificate,
  type TestTlsServer,
  toPkcs12,
} from './pki.js';

/** One HTTPS request with Node's own client; resolves with status, body and the TLS error code if any. */
async function get(
  url: string,
  tls: { ca?: string; cert?: string; key?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { ...tls, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('createTestCA / issue', () => {
  let ca: TestCA;
  let server: TestCertificate;
  let client: TestCertificate;

  beforeAll(() => {
    ca = createTestCA({ commonName: 'Root For Tests' });
    server = ca.issue({ commonName: 'localhost', kind: 'server' });
    client = ca.issue({ commonName: 'tenant-42', kind: 'client', altNames: ['client.example'] });
  });

  it('makes a CA certificate that signs what it issues', () => {
    const caCert = new X509Certificate(ca.certPem);
    const serverCert = new X509Certificate(server.certPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('CN=Root For Tests');
    expect(serverCert.ca).toBe(false);
    expect(serverCert.issuer).toBe('CN=Root For Tests');
    expect(serverCert.checkIssued(caCert)).toBe(true);
    expect(serverCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
  });

  it('pairs each certificate with its own private key', () => {
    expect(new X509Certificate(server.certPem).checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
    expect(new X509Certificate(client.certPem).checkPrivateKey(createPrivateKey(server.keyPem))).toBe(false);
  });

  it('gives servers loopback alt names and the serverAuth usage, clients clientAuth', () => {
    const serverCert = new X509Certificate(server.certPem);
    expect(serverCert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(serverCert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(serverCert.checkHost('localhost')).toBe('localhost');
    expect(serverCert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    const clientCert = new X509Certificate(client.certPem);
    expect(clientCert.subject).toBe('CN=tenant-42');
    expect(clientCert.subjectAltName).toBe('DNS:client.example');
    expect(clientCert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('encodes IPv6 alt names of any shape', () => {
    const cert = ca.issue({
      commonName: 'v6',
      kind: 'server',
      altNames: ['2001:db8::7', 'fe80::1:2', '::'],
      keyPem: server.keyPem,
    });
    expect(new X509Certificate(cert.certPem).subjectAltName).toBe(
      'IP Address:2001:DB8:0:0:0:0:0:7, IP Address:FE80:0:0:0:0:0:1:2, IP Address:0:0:0:0:0:0:0:0',
    );
  });

  it('puts the CA after the leaf in chainPem', () => {
    expect(splitPem(server.chainPem)).toEqual([server.certPem, ca.certPem]);
  });

  it('gives two default-named CAs different names and serials that differ', () => {
    const other = createTestCA();
    expect(new X509Certificate(other.certPem).subject).not.toBe(new X509Certificate(ca.certPem).subject);
    const again = ca.issue({ commonName: 'localhost', kind: 'server', keyPem: server.keyPem });
    expect(new X509Certificate(again.certPem).serialNumber).not.toBe(
      new X509Certificate(server.certPem).serialNumber,
    );
  });

  it('honours validity shortcuts and explicit dates', () => {
    const now = Date.now();
    const expired = new X509Certificate(
      ca.issue({ commonName: 'old', kind: 'server', validity: 'expired' }).certPem,
    );
    expect(Date.parse(expired.validTo)).toBeLessThan(now);
    const future = new X509Certificate(
      ca.issue({ commonName: 'new', kind: 'server', validity: 'not-yet-valid', keyPem: server.keyPem })
        .certPem,
    );
    expect(Date.parse(future.validFrom)).toBeGreaterThan(now);
    // 2050 and later need GeneralizedTime (RFC 5280): exercise both encodings.
    const explicit = new X509Certificate(
      ca.issue({
        commonName: 'explicit',
        kind: 'client',
        notBefore: new Date('2030-01-02T03:04:05Z'),
        notAfter: new Date('2051-06-07T08:09:10Z'),
        keyPem: server.keyPem,
      }).certPem,
    );
    expect(new Date(explicit.validFrom).toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(new Date(explicit.validTo).toISOString()).toBe('2051-06-07T08:09:10.000Z');
  });

  it('builds intermediate chains that verify up to the root', () => {
    const intermediate = ca.createIntermediate('Issuing CA');
    const leaf = intermediate.issue({ commonName: 'localhost', kind: 'server', keyPem: server.keyPem });
    const [leafPem, intermediatePem, rootPem] = splitPem(leaf.chainPem);
    expect(rootPem).toBe(ca.certPem);
    expect(intermediatePem).toBe(intermediate.certPem);
    const intermediateCert = new X509Certificate(intermediate.certPem);
    expect(intermediateCert.ca).toBe(true);
    expect(new X509Certificate(leafPem ?? '').verify(intermediateCert.publicKey)).toBe(true);
    expect(intermediateCert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
  });

  it('packages PKCS#12 files that TLS can load, in modern and legacy encryption', () => {
    for (const algorithm of ['aes256', '3des'] as const) {
      const p12 = toPkcs12(client, 'correct horse', { algorithm });
      expect(() => createSecureContext({ pfx: p12, passphrase: 'correct horse' })).not.toThrow();
      expect(() => createSecureContext({ pfx: p12, passphrase: 'wrong' })).toThrow();
    }
  });
});

describe('startTlsServer', () => {
  let ca: TestCA;
  let serverCert: TestCertificate;
  let clientCert: TestCertificate;
  let strangerCert: TestCertificate;
  let server: TestTlsServer;

  beforeAll(async () => {
    ca = createTestCA();
    serverCert = ca.issue({ commonName: 'localhost', kind: 'server' });
    clientCert = ca.issue({ commonName: 'tenant-42', kind: 'client' });
    strangerCert = createTestCA().issue({ commonName: 'stranger', kind: 'client' });
    server = await startTlsServer({
      ...serverCert,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves on loopback with a certificate the CA vouches for, and records the client CN', async () => {
    expect(server.url).toBe(`https://127.0.0.1:${server.port}`);
    const answer = await get(`${server.url}/hello?x=1`, {
      ca: ca.certPem,
      cert: clientCert.certPem,
      key: clientCert.keyPem,
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      method: 'GET',
      path: '/hello?x=1',
      peerCommonName: 'tenant-42',
    });
    expect(server.requests.at(-1)).toMatchObject({ peerCommonName: 'tenant-42', authorized: true });
  });

  it('refuses clients whose certificate another CA issued', async () => {
    const errorsBefore = server.tlsErrors.length;
    await expect(
      get(server.url, { ca: ca.certPem, cert: strangerCert.certPem, key: strangerCert.keyPem }),
    ).rejects.toThrow();
    expect(server.tlsErrors.length).toBeGreaterThan(errorsBefore);
  });

  it('is not trusted by clients that do not know its CA', async () => {
    // The server presents chainPem, which ends with the (self-signed) root.
    await expect(get(server.url, {})).rejects.toMatchObject({ code: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });

  it('numbers TLS connections so reuse is visible, and close() ends connections that wait for an answer', async () => {
    const silent = await startTlsServer(serverCert, () => {
      // Never answer: close() must still end the connection.
    });
    const socket = connect({ host: '127.0.0.1', port: silent.port, ca: ca.certPem, servername: 'localhost' });
    await once(socket, 'secureConnect');
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await expect.poll(() => silent.requests.length).toBe(1);
    expect(silent.requests[0]?.connectionId).toBe(1);
    expect(silent.connectionCount).toBe(1);
    const socketClosed = once(socket, 'close');
    await silent.close();
    await socketClosed;
  });

  it('serves a self-signed certificate that a client trusts only when told to', async () => {
    const selfSigned = selfSignedServer();
    const cert = new X509Certificate(selfSigned.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.verify(cert.publicKey)).toBe(true);
    const lonely = await startTlsServer(selfSigned, (_request, response) => response.end('ok'));
    try {
      await expect(get(lonely.url)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
      await expect(get(lonely.url, { ca: selfSigned.certPem })).resolves.toEqual({ status: 200, body: 'ok' });
    } finally {
      await lonely.close();
    }
  });

  it('serves expired certificates that clients reject as expired', async () => {
    const expired = ca.issue({
      commonName: 'localhost',
      kind: 'server',
      validity: 'expired',
      keyPem: serverCert.keyPem,
    });
    const stale = await startTlsServer(expired);
    try {
      await expect(get(stale.url, { ca: ca.certPem })).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });
    } finally {
      await stale.close();
    }
  });
});
