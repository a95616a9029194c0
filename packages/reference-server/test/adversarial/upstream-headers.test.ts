import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';
import {
  type AdversarialGateway,
  createTestPki,
  startAdversarialGateway,
  type TestPki,
} from './hardening-fixture.js';

// Finding 9: the caller's X-Forwarded-For / Forwarded reached the partner unchanged (IP spoofing towards
// partners that allowlist by client address), the upstream's X-Request-Id replaced the gateway's, and an
// upstream could forge the LP-*-from-transport headers of a gateway transport failure.

let database: TestDatabase;
let pki: TestPki;
let gateway: AdversarialGateway;
let upstream: TestTlsServer;

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
  pki = await createTestPki();
  upstream = await startTlsServer(pki.serverCert, (_request, response, recorded) => {
    response.setHeader('content-type', 'application/json');
    response.setHeader('x-request-id', 'upstream-chosen-id');
    response.setHeader('lp-message-from-transport', 'connect ECONNREFUSED (forged by the remote)');
    response.setHeader('LP-Error-From-Transport', 'ECONNREFUSED');
    response.setHeader('lp-custom-from-transport', 'forged');
    response.setHeader('x-upstream', 'kept');
    response.end(JSON.stringify({ headers: recorded.headers }));
  });
  gateway = await startAdversarialGateway(database.db, pki);
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await database?.cleanup();
  await pki?.cleanup();
});

describe('client address headers towards the upstream', () => {
  it('drops the caller’s X-Forwarded-*, X-Real-IP and Forwarded and states the real client address', async () => {
    const answer = await gateway.forward(`${upstream.url}/whoami`, {
      headers: {
        'X-Forwarded-For': ['203.0.113.66', '198.51.100.1'],
        'X-Forwarded-Host': 'admin.partner.example',
        'X-Forwarded-Proto': 'https',
        'X-Real-IP': '203.0.113.66',
        Forwarded: 'for=203.0.113.66;proto=https;host=admin.partner.example',
        FORWARDED: 'for="[2001:db8::66]"',
        'X-Trace': 'kept',
      },
    });
    expect(answer.status, answer.body).toBe(200);
    const seen = (JSON.parse(answer.body) as { headers: Record<string, string | undefined> }).headers;
    // The gateway's test server listens on 127.0.0.1 and is not behind a trusted proxy.
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.forwarded).toBe('for=127.0.0.1;proto=http');
    expect(seen['x-real-ip']).toBeUndefined();
    expect(seen['x-forwarded-host']).toBeUndefined();
    expect(seen['x-forwarded-proto']).toBeUndefined();
    expect(JSON.stringify(seen)).not.toMatch(/203\.0\.113\.66|198\.51\.100\.1|2001:db8::66|admin\.partner/);
    expect(seen['x-trace']).toBe('kept');
  });

  it('states the client address even when the caller sent none', async () => {
    const answer = await gateway.forward(`${upstream.url}/plain`);
    const seen = (JSON.parse(answer.body) as { headers: Record<string, string | undefined> }).headers;
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.forwarded).toBe('for=127.0.0.1;proto=http');
  });
});

describe('headers of the upstream answer', () => {
  it('keeps the gateway’s X-Request-Id and strips the upstream’s LP-*-from-transport', async () => {
    const answer = await gateway.forward(`${upstream.url}/answer`, {
      headers: { 'X-Request-Id': 'caller-chosen-id-123' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-request-id']).toBe('caller-chosen-id-123');
    expect(answer.headers['lp-message-from-transport']).toBeUndefined();
    expect(answer.headers['lp-error-from-transport']).toBeUndefined();
    expect(answer.headers['lp-custom-from-transport']).toBeUndefined();
    expect(answer.headers['lp-gateway-error']).toBeUndefined();
    expect(answer.headers['x-upstream']).toBe('kept');
  });

  it('keeps a generated request id too (no incoming X-Request-Id)', async () => {
    const answer = await gateway.forward(`${upstream.url}/answer`);
    expect(answer.headers['x-request-id']).toEqual(expect.any(String));
    expect(answer.headers['x-request-id']).not.toBe('upstream-chosen-id');
  });
});
