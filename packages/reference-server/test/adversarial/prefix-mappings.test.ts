import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';
import {
  ACCOUNT,
  type AdversarialGateway,
  createTestPki,
  startAdversarialGateway,
  stubResolver,
  type TestPki,
  uploadAndMap,
} from './hardening-fixture.js';

// Finding 8: a prefix mapping `https://api.example.com*` also matched `https://api.example.com.attacker.tld/`
// and `https://api.example.com:8443/`, so the tenant's client certificate was presented to another host.
// Here the "attacker" is a TLS server on 127.0.0.1 that asks for a client certificate and records who
// connected; names reach it through a resolver stub (nothing leaves loopback).

let database: TestDatabase;
let pki: TestPki;
let gateway: AdversarialGateway;
let partner: TestTlsServer;
let attacker: TestTlsServer;

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
  pki = await createTestPki();
  const serverOptions = {
    ...pki.serverCert,
    ca: pki.p12s.ca.certPem,
    requestCert: true,
    rejectUnauthorized: false,
  };
  partner = await startTlsServer(serverOptions);
  attacker = await startTlsServer(serverOptions);
  const resolve = stubResolver({
    'api.example.com': ['127.0.0.1'],
    'api.example.com.attacker.tld': ['127.0.0.1'],
    'attacker.tld': ['127.0.0.1'],
  });
  gateway = await startAdversarialGateway(database.db, pki, { resolve });
  // The tenant maps its certificate to every URL of api.example.com (the default port 443) and, so the
  // legitimate case can be shown on loopback, to every URL of the partner's port.
  await uploadAndMap(gateway, pki, 'tenant-default-port', 'https://api.example.com*');
  await uploadAndMap(gateway, pki, 'tenant-partner', `https://api.example.com:${partner.port}*`);
});

afterAll(async () => {
  await gateway?.close();
  await partner?.close();
  await attacker?.close();
  await database?.cleanup();
  await pki?.cleanup();
});

describe('a prefix mapping is used only for its own origin, at a path boundary', () => {
  it('presents the certificate to the mapped origin (control)', async () => {
    for (const suffix of ['', '/', '/v1/users', '?page=2']) {
      const answer = await gateway.forward(`https://api.example.com:${partner.port}${suffix}`);
      expect(answer.status, answer.body).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ peerCommonName: 'tenant-partner' });
    }
  });

  it.each([
    [
      'another host that starts with the mapped one',
      (port: number) => `https://api.example.com.attacker.tld:${port}/`,
    ],
    ['another port of the mapped host', (port: number) => `https://api.example.com:${port}/`],
  ])('never presents it to %s', async (_what, url) => {
    const before = attacker.requests.length;
    const answer = await gateway.forward(url(attacker.port));
    expect(answer.status, answer.body).toBe(200);
    expect(attacker.requests.length).toBe(before + 1);
    expect(attacker.requests.at(-1)?.peerCommonName).toBeUndefined();
    expect((JSON.parse(answer.body) as { peerCommonName?: string }).peerCommonName).toBeUndefined();
  });

  it('refuses to send at all with LP-stop-if-certificate-not-found when only a look-alike URL matched', async () => {
    const before = attacker.requests.length;
    const socketsBefore = gateway.sockets.length;
    for (const url of [
      `https://api.example.com.attacker.tld:${attacker.port}/`,
      `https://api.example.com:${attacker.port}/`,
    ]) {
      const answer = await gateway.forward(url, { headers: { 'LP-stop-if-certificate-not-found': 'true' } });
      expect(answer.status).toBe(400);
      expect(answer.headers['lp-gateway-error']).toBe('certificate_not_found');
    }
    expect(attacker.requests.length).toBe(before);
    expect(gateway.sockets.length).toBe(socketsBefore);
  });

  it('refuses userinfo look-alikes (api.example.com@attacker.tld) without sending anything', async () => {
    const before = attacker.requests.length;
    const answer = await gateway.forward(`https://api.example.com@attacker.tld:${attacker.port}/`);
    expect(answer.status).toBe(400);
    expect(attacker.requests.length).toBe(before);
  });

  it('answers the mapping check with the same rule', async () => {
    const targets = [
      `https://api.example.com/hooks`,
      `https://api.example.com`,
      `https://api.example.com?x=1`,
      `https://api.example.com.attacker.tld/`,
      `https://api.example.com:8443/`,
      `https://api.example.com@attacker.tld/`,
      `http://api.example.com/`,
      `https://api.example.com-attacker.tld/`,
    ].map((url) => ({ serviceName: 'WEBHOOKS', url }));
    const answer = await gateway.api('POST', `/api/account/${ACCOUNT}/checks/serviceUrlMappings`, targets);
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as Array<{ exist: boolean }>).map((item) => item.exist)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
