import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { checkReadiness } from '../../src/operations/routes.js';
import type { Database } from '../../src/storage/database.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { TEST_DATABASE_URL } from '../../src/storage/testing/test-databases.js';
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
  summarize,
  timedRequest,
  timeUntil,
  within,
} from './outage-fixture.js';

// Issue "Faults and scale-out", point 2: PostgreSQL goes away under forwarding and write load. Forwarding with
// cached material keeps working; writes and reads get 503 `unavailable` with `Retry-After` (never a
// 500, never a hang); readiness says so; within 5 s of the database coming back everything works again, with
// no restart. The server is not stopped (other suites use it): this test's own database refuses connections
// (ALLOW_CONNECTIONS false) and its backends are terminated, as a restart would do.

const WRITE_ACCOUNT = 'le-writes';
const databaseName = `mtls_outage_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

let admin: pg.Client;
let db: Database;
let dataDir: string;
let pki: TestPki;
let upstream: TestTlsServer;
let gateway: AdversarialGateway;
let jwt: string;
let mappedUrl: string;

async function cutDatabase(): Promise<void> {
  await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS false`);
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [databaseName],
  );
}

async function restoreDatabase(): Promise<void> {
  await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`);
}

const auth = () => ({ authorization: `Bearer ${jwt}` });

const forwardCached = () =>
  timedRequest('forward', `${gateway.app.url}/mtls/account/${ACCOUNT}`, {
    headers: { ...auth(), 'LP-forward-url': mappedUrl, 'LP-service-name': 'WEBHOOKS' },
  });

// Writes go to another account: a mapping change drops the cached lookups of its own account (by design).
let writeCounter = 0;
let writeCertificateId = 0;
const writeMapping = () => {
  writeCounter += 1;
  return timedRequest(
    'write',
    `${gateway.app.url}/mtls/account/${WRITE_ACCOUNT}/certificates/activate/${writeCertificateId}`,
    {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ serviceName: 'WEBHOOKS', url: `${upstream.url}/written/${writeCounter}` }),
    },
  );
};

const listCertificates = () =>
  timedRequest('list', `${gateway.app.url}/mtls/account/${ACCOUNT}/certificates`, { headers: auth() });

let uncachedCounter = 0;
const forwardUncached = () => {
  uncachedCounter += 1;
  return timedRequest('forward-uncached', `${gateway.app.url}/mtls/account/${ACCOUNT}`, {
    headers: {
      ...auth(),
      'LP-forward-url': `${upstream.url}/hook/uncached/${uncachedCounter}`,
      'LP-service-name': 'WEBHOOKS',
    },
  });
};

const readyz = () => timedRequest('readyz', `${gateway.app.url}/readyz`, { headers: auth() });

function expectClientCertificate(sample: Sample): void {
  expect(sample.status, sample.body).toBe(200);
  expect((JSON.parse(sample.body) as { peerCommonName?: string }).peerCommonName).toBe('outage-client');
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databaseName}`);
  dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-outage-'));
  db = await openDatabase({ databaseUrl, dataDir, onBackgroundError: () => undefined });
  pki = await createTestPki();
  upstream = await startTlsServer({
    ...pki.serverCert,
    ca: pki.p12s.ca.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  gateway = await startAdversarialGateway(db, pki, { env: JWT_ENV });
  jwt = await readWriteJwt();
  mappedUrl = `${upstream.url}/hook*`;
  await uploadAndMap(gateway, pki, 'outage-client', mappedUrl);
  mappedUrl = `${upstream.url}/hook/cached`;
  const fixture = pki.p12s.valid('outage-writes', { keyIndex: 0 });
  const created = await timedRequest(
    'setup',
    `${gateway.app.url}/mtls/account/${WRITE_ACCOUNT}/certificates`,
    {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify([
        { name: 'outage-writes', p12: fixture.bytes.toString('base64'), password: fixture.password },
      ]),
    },
  );
  expect(created.status, created.body).toBe(201);
  writeCertificateId = (JSON.parse(created.body) as { successfulySavedCertificates: Array<{ id: number }> })
    .successfulySavedCertificates[0]?.id as number;
});

afterAll(async () => {
  await restoreDatabase().catch(() => undefined);
  await gateway?.close();
  await db?.close();
  await upstream?.close();
  await pki?.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
});

describe('PostgreSQL outage under forwarding and write load', () => {
  it('keeps cached forwarding up, answers 503 with Retry-After otherwise, and recovers within 5 s', async () => {
    // Warm the caches: the mapping lookup and the key of the certificate.
    expectClientCertificate(await forwardCached());
    expect((await writeMapping()).status).toBe(201);
    expect((await listCertificates()).status).toBe(200);

    const forwards = loadLoop(forwardCached);
    const writes = loadLoop(writeMapping);
    const lists = loadLoop(listCertificates);
    const uncached = loadLoop(forwardUncached, 100);
    const loops = [forwards, writes, lists, uncached];

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const cutAt = performance.now();
    await cutDatabase();
    // Let requests in flight at the cut settle before judging the outage window.
    const judgedFrom = performance.now() + 500;
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const readiness = await checkReadiness(gateway.app.context);
    // The embedded secret store lives in the same database, so it is down too.
    expect(readiness).toMatchObject({ status: 'unavailable', checks: { database: 'unavailable' } });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the cached /readyz answer
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({
      status: 'unavailable',
      checks: { database: 'unavailable' },
    });

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const restoreAt = performance.now();
    await restoreDatabase();
    const recoveryMs = await timeUntil(async () => {
      const [write, list] = await Promise.all([writeMapping(), listCertificates()]);
      return write.status === 201 && list.status === 200;
    }, 5_000);
    const readyMs = await timeUntil(
      async () => (await checkReadiness(gateway.app.context)).status === 'ok',
      5_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const loop of loops) await loop.stop();

    const all = loops.flatMap((loop) => loop.samples);
    const outage = within(all, judgedFrom, restoreAt);
    console.log(
      `database outage: ${Math.round(restoreAt - cutAt)} ms down; during it: ${summarize(outage)}; ` +
        `whole run: ${summarize(all)}; writes+reads back ${Math.round(recoveryMs)} ms after the database ` +
        `accepted connections again, readiness ok after ${Math.round(readyMs)} ms`,
    );

    // Never a 500 (or any answer other than the expected ones), never a hang.
    for (const sample of all) {
      expect([200, 201, 503], `${sample.kind}: ${sample.body}`).toContain(sample.status);
      expect(sample.endedAt - sample.startedAt).toBeLessThan(REQUEST_BOUND_MS);
    }
    // Cached forwarding kept working with the client certificate.
    const cachedForwards = within(forwards.samples, judgedFrom, restoreAt);
    expect(cachedForwards.length).toBeGreaterThan(10);
    for (const sample of cachedForwards) expectClientCertificate(sample);
    // A URL never forwarded before: chosen from the account's mapping index when it was loaded before the cut
    // (the mappings cannot change while the database is down), else 503 like any other read.
    for (const sample of within(uncached.samples, judgedFrom, restoreAt)) {
      if (sample.status === 200) expectClientCertificate(sample);
      else
        expect([sample.status, sample.code, sample.retryAfter]).toEqual([
          503,
          'unavailable',
          expect.stringMatching(/^\d+$/),
        ]);
    }
    // Writes and reads: 503 `unavailable` with Retry-After.
    const refused = within([...writes.samples, ...lists.samples], judgedFrom, restoreAt);
    expect(refused.length).toBeGreaterThan(10);
    for (const sample of refused) {
      expect(sample.status, `${sample.kind}: ${sample.body}`).toBe(503);
      expect(sample.code).toBe('unavailable');
      expect(sample.retryAfter).toMatch(/^\d+$/);
    }
    expect(recoveryMs).toBeLessThan(5_000);
    // After recovery: an uncached lookup and the readiness endpoint work again.
    expect((await forwardUncached()).status).toBe(200);
    expect((await readyz()).status).toBe(200);
  }, 60_000);
});
