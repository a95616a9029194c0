import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { checkReadiness } from '../../src/operations/routes.js';
import { startVaultDouble, type VaultDouble } from '../../src/secrets/testing/vault-double.js';
import { migrate } from '../../src/storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../../src/storage/testing/test-databases.js';
import {
  ACCOUNT,
  type AdversarialGateway,
  createTestPki,
  startAdversarialGateway,
  type TestPki,
  uploadAndMap,
} from '../adversarial/hardening-fixture.js';
import {
  JWT_ENV,
  loadLoop,
  REQUEST_BOUND_MS,
  readWriteJwt,
  type Sample,
  type StoppableProxy,
  startStoppableProxy,
  summarize,
  timedRequest,
  timeUntil,
  within,
} from './outage-fixture.js';

// Issue "Faults and scale-out", point 2, for the secret store: Vault (the documented test double, behind a
// loopback proxy that is stopped and started so its port refuses connections, as a stopped Vault would)
// goes away under load. Forwarding with cached key material keeps working; loads of uncached material get
// 503 `unavailable` with `Retry-After`, uploads save nothing; readiness says so; it recovers within 5 s.

let database: TestDatabase;
let vault: VaultDouble;
let proxy: StoppableProxy;
let pki: TestPki;
let upstream: TestTlsServer;
let gateway: AdversarialGateway;
let jwt: string;

const auth = () => ({ authorization: `Bearer ${jwt}` });

const forward = (kind: string, url: string) =>
  timedRequest(kind, `${gateway.app.url}/mtls/account/${ACCOUNT}`, {
    headers: { ...auth(), 'LP-forward-url': url, 'LP-service-name': 'WEBHOOKS' },
  });
const forwardCached = () => forward('forward', `${upstream.url}/cached/call`);
// Mapped before the outage but never used: its key is not in memory, so forwarding needs the secret store.
const forwardUncached = () => forward('forward-uncached', `${upstream.url}/uncached/call`);

let uploadCounter = 0;
let uploadBody: (name: string) => string;
const upload = () => {
  uploadCounter += 1;
  return timedRequest('upload', `${gateway.app.url}/mtls/account/${ACCOUNT}/certificates`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: uploadBody(`outage-upload-${uploadCounter}`),
  });
};

function expectClientCertificate(sample: Sample, commonName: string): void {
  expect(sample.status, sample.body).toBe(200);
  expect((JSON.parse(sample.body) as { peerCommonName?: string }).peerCommonName).toBe(commonName);
}

beforeAll(async () => {
  database = await openTestPglite();
  await migrate(database.db);
  vault = await startVaultDouble();
  proxy = await startStoppableProxy(Number(new URL(vault.address).port));
  pki = await createTestPki();
  upstream = await startTlsServer({
    ...pki.serverCert,
    ca: pki.p12s.ca.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  gateway = await startAdversarialGateway(database.db, pki, {
    env: { ...JWT_ENV, VAULT_ADDR: proxy.address, VAULT_TOKEN: vault.token },
  });
  jwt = await readWriteJwt();
  await uploadAndMap(gateway, pki, 'cached-client', `${upstream.url}/cached*`);
  await uploadAndMap(gateway, pki, 'uncached-client', `${upstream.url}/uncached*`);
  const fixture = pki.p12s.valid('uploaded-client', { keyIndex: 0 });
  uploadBody = (name) =>
    JSON.stringify([{ name, p12: fixture.bytes.toString('base64'), password: fixture.password }]);
});

afterAll(async () => {
  await proxy?.start().catch(() => undefined);
  await gateway?.close();
  await upstream?.close();
  await pki?.cleanup();
  await proxy?.stop();
  await vault?.close();
  await database?.cleanup();
});

describe('secret store outage under forwarding and upload load', () => {
  it('keeps cached forwarding up, answers 503 with Retry-After otherwise, and recovers within 5 s', async () => {
    expect(gateway.app.context.secrets.constructor.name).toBe('VaultSecretStore');
    expectClientCertificate(await forwardCached(), 'cached-client');
    expect((await upload()).status).toBe(201);

    const forwards = loadLoop(forwardCached);
    const uploads = loadLoop(upload, 100);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const cutAt = performance.now();
    await proxy.stop();
    // Started only now, so the key of `uncached-client` was never loaded.
    const uncached = loadLoop(forwardUncached, 100);
    const loops = [forwards, uploads, uncached];
    const judgedFrom = performance.now() + 500;
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const readiness = await checkReadiness(gateway.app.context);
    expect(readiness).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', secretStore: 'unavailable' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the cached /readyz answer
    const ready = await timedRequest('readyz', `${gateway.app.url}/readyz`, { headers: auth() });
    expect(ready.status).toBe(503);

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const restoreAt = performance.now();
    await proxy.start();
    const recoveryMs = await timeUntil(async () => {
      const [uploaded, loaded] = await Promise.all([upload(), forwardUncached()]);
      const saved =
        uploaded.status === 201 &&
        (JSON.parse(uploaded.body) as { successfulySavedCertificates: unknown[] })
          .successfulySavedCertificates.length === 1;
      return saved && loaded.status === 200;
    }, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const loop of loops) await loop.stop();

    const all = loops.flatMap((loop) => loop.samples);
    const outage = within(all, judgedFrom, restoreAt);
    console.log(
      `secret store outage: ${Math.round(restoreAt - cutAt)} ms down; during it: ${summarize(outage)}; ` +
        `whole run: ${summarize(all)}; uploads and uncached loads back ${Math.round(recoveryMs)} ms after ` +
        'the secret store listened again',
    );

    for (const sample of all) {
      expect([200, 201, 503], `${sample.kind}: ${sample.body}`).toContain(sample.status);
      expect(sample.endedAt - sample.startedAt).toBeLessThan(REQUEST_BOUND_MS);
    }
    const cachedForwards = within(forwards.samples, judgedFrom, restoreAt);
    expect(cachedForwards.length).toBeGreaterThan(10);
    for (const sample of cachedForwards) expectClientCertificate(sample, 'cached-client');
    // The batch upload keeps the contract of the original API: 201 with every certificate listed under
    // `failedSaveToVaultCertificates` (nothing saved), or 503 when no certificate could be checked at all.
    const outageUploads = within(uploads.samples, judgedFrom, restoreAt);
    expect(outageUploads.length).toBeGreaterThan(5);
    for (const sample of outageUploads) {
      if (sample.status === 201) {
        const body = JSON.parse(sample.body) as {
          successfulySavedCertificates: unknown[];
          failedSaveToVaultCertificates: unknown[];
        };
        expect(body.successfulySavedCertificates).toEqual([]);
        expect(body.failedSaveToVaultCertificates).toHaveLength(1);
      } else {
        expect(sample.status, sample.body).toBe(503);
        expect(sample.retryAfter).toMatch(/^\d+$/);
      }
    }
    const refused = within(uncached.samples, judgedFrom, restoreAt);
    expect(refused.length).toBeGreaterThan(5);
    for (const sample of refused) {
      expect(sample.status, `${sample.kind}: ${sample.body}`).toBe(503);
      expect(sample.code).toBe('unavailable');
      expect(sample.retryAfter).toMatch(/^\d+$/);
    }
    expect(recoveryMs).toBeLessThan(5_000);
    expect((await timedRequest('readyz', `${gateway.app.url}/readyz`, { headers: auth() })).status).toBe(200);
  }, 60_000);
});
