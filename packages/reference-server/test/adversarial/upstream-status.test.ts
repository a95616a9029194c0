import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { FormData, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import type { CertificateSource } from '../../src/forwarding/certificate-resolver.js';
import { SecretStoreUnavailableError } from '../../src/secrets/errors.js';
import { DatabaseUnavailableError } from '../../src/storage/errors.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';
import {
  ACCOUNT,
  type AdversarialGateway,
  createTestPki,
  startAdversarialGateway,
  type TestPki,
} from './hardening-fixture.js';

// Finding 10: an upstream status outside 100–599 gave a 500 and left the upstream body unread; a 101 leaked
// undici's assertion text in a 424; a database or secret-store failure while choosing the certificate became
// 424 `transport_failure` quoting the internal message (a data-dir path) instead of 503 `unavailable`.

/** A TLS upstream on 127.0.0.1 that answers every request with raw bytes: a status line of our choice. */
interface RawUpstream {
  url: string;
  /** Connections that were closed (by either side) since the start. */
  readonly closed: number;
  /** Connections still open. */
  readonly open: number;
  setAnswer(head: string, body?: 'endless' | string): void;
  close(): Promise<void>;
}

async function startRawTlsUpstream(pki: TestPki): Promise<RawUpstream> {
  let answer = { head: 'HTTP/1.1 200 OK', body: 'ok' as 'endless' | string };
  let closed = 0;
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer(
    { cert: pki.serverCert.chainPem, key: pki.serverCert.keyPem },
    (socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        closed += 1;
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (!received.includes('\r\n\r\n')) return;
        received = '';
        const { head, body } = answer;
        if (body === 'endless') {
          // A body that never ends: only a gateway that closes the connection stops it.
          socket.write(`${head}\r\ntransfer-encoding: chunked\r\n\r\n`);
          const timer = setInterval(() => {
            if (socket.writable) socket.write('10\r\n0123456789abcdef\r\n');
          }, 20);
          socket.once('close', () => clearInterval(timer));
        } else {
          socket.write(`${head}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        }
      });
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get closed() {
      return closed;
    },
    get open() {
      return sockets.size;
    },
    setAnswer(head, body = 'upstream body') {
      answer = { head, body };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const UNDICI_TEXT = /assert|falsy|undici|HTTP\/1\.1 protocol|Invalid status|bad upgrade|expression/i;

let database: TestDatabase;
let pki: TestPki;
let gateway: AdversarialGateway;
let upstream: RawUpstream;

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
  pki = await createTestPki();
  upstream = await startRawTlsUpstream(pki);
  gateway = await startAdversarialGateway(database.db, pki);
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await database?.cleanup();
  await pki?.cleanup();
});

function expectBadGateway(answer: { status: number; headers: Record<string, unknown>; body: string }): void {
  expect(answer.status, answer.body).toBe(502);
  expect(answer.headers['lp-gateway-error']).toBe('bad_gateway');
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers['lp-message-from-transport']).toBeUndefined();
  expect(JSON.parse(answer.body)).toMatchObject({ code: 'bad_gateway', status: 502, title: 'Bad gateway' });
  expect(answer.body).not.toMatch(UNDICI_TEXT);
  expect(answer.body).not.toContain('upstream body');
}

describe('an upstream status the gateway cannot pass on', () => {
  it('answers 200 as-is (control)', async () => {
    upstream.setAnswer('HTTP/1.1 200 OK', 'fine');
    const answer = await gateway.forward(`${upstream.url}/control`);
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('fine');
  });

  it.each([
    ['600', 'HTTP/1.1 600 Beyond'],
    ['999', 'HTTP/1.1 999 Way Beyond'],
    ['99', 'HTTP/1.1 99 Too Low'],
    ['1000', 'HTTP/1.1 1000 Four Digits'],
    ['101 without Upgrade', 'HTTP/1.1 101 Switching Protocols'],
    ['101 with Upgrade', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade'],
  ])('answers 502 bad_gateway for %s, without undici’s words', async (_what, head) => {
    upstream.setAnswer(head);
    expectBadGateway(await gateway.forward(`${upstream.url}/status`));
  });

  it('names 101 Switching Protocols in the detail', async () => {
    upstream.setAnswer('HTTP/1.1 101 Switching Protocols');
    const answer = await gateway.forward(`${upstream.url}/upgrade`);
    expect(JSON.parse(answer.body).detail).toMatch(/101 Switching Protocols.*does not tunnel/);
  });

  it('destroys the upstream body of a 600 that never ends (the connection is closed)', async () => {
    upstream.setAnswer('HTTP/1.1 600 Endless', 'endless');
    const closedBefore = upstream.closed;
    const answer = await fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}`, {
      headers: { authorization: `Bearer ${gateway.token}`, 'LP-forward-url': `${upstream.url}/endless` },
    });
    expect(answer.status).toBe(502);
    expect(answer.headers.get('lp-gateway-error')).toBe('bad_gateway');
    expect(await answer.text()).toMatch(/status 600/);
    await waitFor(() => upstream.closed > closedBefore);
    // The gateway still works afterwards.
    upstream.setAnswer('HTTP/1.1 200 OK', 'again');
    expect((await gateway.forward(`${upstream.url}/after`)).body).toBe('again');
  });

  it('answers 502 for the p12 test too', async () => {
    upstream.setAnswer('HTTP/1.1 600 Beyond');
    const fixture = pki.p12s.valid('p12-test-client', { keyIndex: 0 });
    const form = new FormData();
    form.set(
      'file',
      new Blob([new Uint8Array(fixture.bytes)], { type: 'application/x-pkcs12' }),
      'client.p12',
    );
    form.set('password', fixture.password);
    const answer = await fetch(`${gateway.app.url}/mtls/account/${ACCOUNT}/p12-test/multipart`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.token}`, 'LP-forward-url': `${upstream.url}/p12` },
      body: form,
    });
    const body = await answer.text();
    expect(answer.status, body).toBe(502);
    expect(answer.headers.get('lp-gateway-error')).toBe('bad_gateway');
    expect(body).not.toMatch(UNDICI_TEXT);
  });
});

describe('a failure while choosing the certificate', () => {
  let plain: TestTlsServer;
  let failing: AdversarialGateway;
  const dataDirectory = '/var/lib/mtls-gateway/data/pglite-cluster';
  let failure: Error = new Error('unset');

  beforeAll(async () => {
    plain = await startTlsServer(pki.serverCert);
    const source: CertificateSource = {
      resolveMapping: async () => {
        throw failure;
      },
      loadCertificateMaterial: async () => undefined,
    };
    failing = await startAdversarialGateway(database.db, pki, { source: () => source });
  });
  afterAll(async () => {
    await failing?.close();
    await plain?.close();
  });

  it.each([
    ['the database is unavailable', () => new DatabaseUnavailableError(`PGlite at ${dataDirectory} closed`)],
    [
      'the secret store is unavailable',
      () => new SecretStoreUnavailableError(`Vault sealed (${dataDirectory})`),
    ],
    ['anything else from the source', () => new Error(`ENOENT: open ${dataDirectory}/PG_VERSION`)],
  ])('answers 503 unavailable when %s, quoting nothing internal and sending nothing', async (_what, make) => {
    failure = make();
    const socketsBefore = failing.sockets.length;
    const connectionsBefore = plain.connectionCount;
    const answer = await failing.forward(`${plain.url}/never`);
    expect(answer.status, answer.body).toBe(503);
    expect(answer.headers['lp-gateway-error']).toBe('unavailable');
    expect(answer.headers['lp-message-from-transport']).toBeUndefined();
    expect(answer.headers['lp-error-from-transport']).toBeUndefined();
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'unavailable', status: 503 });
    expect(answer.body).not.toContain(dataDirectory);
    expect(answer.body).not.toMatch(/PGlite|Vault|ENOENT|PG_VERSION/);
    expect(failing.sockets.length).toBe(socketsBefore);
    expect(plain.connectionCount).toBe(connectionsBefore);
  });
});
