import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';
import {
  type AdversarialGateway,
  createTestPki,
  startAdversarialGateway,
  stubResolver,
  type TestPki,
} from './hardening-fixture.js';

// Finding 11: a host entry of MTLS_EGRESS_ALLOW skipped every address check, on every port: an allowed name
// that resolves (or is re-pointed) to 169.254.169.254 reached the cloud metadata service.
// Network rule: the private and link-local addresses below only ever exist in the resolver stub; the test
// socket opener refuses anything that is not loopback, and each refusal is asserted to open no socket.

let database: TestDatabase;
let pki: TestPki;
let gateway: AdversarialGateway;
let partner: TestTlsServer;
let otherService: TestTlsServer;
const resolver = stubResolver({
  'partner.test': ['127.0.0.1'],
  'metadata.partner.test': ['169.254.169.254'],
  'mapped.partner.test': ['::ffff:169.254.169.254'],
  'hex-mapped.partner.test': ['::ffff:a9fe:a9fe'],
  'nat64.partner.test': ['64:ff9b::a9fe:a9fe'],
  'linklocal6.partner.test': ['fe80::1'],
  'aws6.partner.test': ['fd00:ec2::254'],
  'mixed.partner.test': ['127.0.0.1', '169.254.169.254'],
});

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
  pki = await createTestPki();
  partner = await startTlsServer(pki.serverCert);
  otherService = await startTlsServer(pki.serverCert);
  gateway = await startAdversarialGateway(database.db, pki, {
    resolve: resolver,
    config: {
      egressAllow: [
        `partner.test:${partner.port}`,
        'metadata.partner.test:443',
        'mapped.partner.test:443',
        'hex-mapped.partner.test:443',
        'nat64.partner.test:443',
        'linklocal6.partner.test:443',
        'aws6.partner.test:443',
        `mixed.partner.test:${partner.port}`,
        '*.partner.test:80',
      ],
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await partner?.close();
  await otherService?.close();
  await database?.cleanup();
  await pki?.cleanup();
});

async function expectBlocked(url: string): Promise<void> {
  const socketsBefore = gateway.sockets.length;
  const connections = partner.connectionCount + otherService.connectionCount;
  const answer = await gateway.forward(url);
  expect(answer.status, `${url}: ${answer.body}`).toBe(403);
  expect(answer.headers['lp-gateway-error']).toBe('destination_blocked');
  expect(answer.body).not.toMatch(/169\.254|fe80|fd00|a9fe/);
  expect(gateway.sockets.length, `${url} opened a socket`).toBe(socketsBefore);
  expect(partner.connectionCount + otherService.connectionCount).toBe(connections);
}

describe('a host entry without a port', () => {
  it.each(['partner.example', '*.partner.example', 'partner.example, 10.0.0.0/8'])(
    'is refused at start with a ConfigError naming the entry (%s)',
    (value) => {
      let thrown: unknown;
      try {
        loadConfig({ env: { MTLS_EGRESS_ALLOW: value } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      const entry = value.split(',')[0] ?? '';
      expect((thrown as ConfigError).message).toContain(`MTLS_EGRESS_ALLOW entry "${entry}"`);
      expect((thrown as ConfigError).message).toMatch(/without a port/);
    },
  );

  it('stops a server built without loadConfig too (the policy refuses it)', async () => {
    await expect(
      startAdversarialGateway(database.db, pki, { config: { egressAllow: ['partner.test'] } }),
    ).rejects.toThrow(/MTLS_EGRESS_ALLOW entry "partner\.test"/);
  });

  it('still allows IPs and CIDRs without a port', () => {
    expect(loadConfig({ env: { MTLS_EGRESS_ALLOW: '127.0.0.1,::1,10.20.0.0/16' } }).egressAllow).toHaveLength(
      3,
    );
  });
});

describe('an allowed host:port', () => {
  it('reaches its loopback service on that port (control)', async () => {
    const answer = await gateway.forward(`https://partner.test:${partner.port}/hello`);
    expect(answer.status, answer.body).toBe(200);
    expect(gateway.sockets.at(-1)).toBe('127.0.0.1');
  });

  it('does not open another port of the same host', async () => {
    await expectBlocked(`https://partner.test:${otherService.port}/admin`);
  });

  it.each([
    'https://metadata.partner.test/latest/meta-data/',
    'https://mapped.partner.test/latest/meta-data/',
    'https://hex-mapped.partner.test/latest/meta-data/',
    'https://nat64.partner.test/latest/meta-data/',
    'https://linklocal6.partner.test/',
    'https://aws6.partner.test/latest/meta-data/',
    'http://metadata.partner.test/latest/meta-data/',
  ])('never reaches a link-local or metadata address it resolves to: %s', async (url) => {
    await expectBlocked(url);
  });

  it('refuses a name with one metadata address among loopback ones', async () => {
    await expectBlocked(`https://mixed.partner.test:${partner.port}/`);
  });
});
