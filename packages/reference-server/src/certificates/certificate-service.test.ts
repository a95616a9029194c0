import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateFileRejectedError, NameConflictError, NotFoundError } from '../errors.js';
import { EmbeddedSecretStore } from '../secrets/embedded.js';
import { MasterKey } from '../secrets/master-key.js';
import type { SecretMaterial, SecretStore } from '../secrets/secret-store.js';
import { startVaultDouble, type VaultDouble } from '../secrets/testing/vault-double.js';
import { VaultSecretStore } from '../secrets/vault.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, type TestDatabase, testDatabaseEngines } from '../storage/testing/test-databases.js';
import type { CertificateResource } from './certificate-record.js';
import { CertificateService } from './certificate-service.js';
import { createCrashWorld, FaultySecretStore } from './testing/fault-injection.js';
import { fingerprintOf, P12Factory, type P12Fixture } from './testing/p12-fixtures.js';

/** Each write has at least this many external effects (reads, statements, commits, secret calls). */
const MIN_CRASH_POINTS = 5;

const FUTURE = () => new Date(Date.now() + 60 * 60_000);

async function rowsOf(db: Database, accountId: string) {
  const { rows } = await db.query<{
    id: number;
    secret_state: string;
    deleted: boolean;
    secret_ref: string;
    version: number;
  }>(
    'SELECT id, secret_state, deleted, secret_ref, version FROM certificates WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return rows;
}

async function blobRefs(db: Database, accountId: string): Promise<string[]> {
  const { rows } = await db.query<{ ref: string }>(
    'SELECT ref FROM secret_blobs WHERE account_id = $1 ORDER BY ref',
    [accountId],
  );
  return rows.map((row) => row.ref);
}

/** The key in the material belongs to the certificate in the material, whose fingerprint the row shows. */
async function expectUsable(
  service: CertificateService,
  accountId: string,
  certificate: CertificateResource,
) {
  const loaded = await service.loadCertificateMaterial(accountId, certificate.id);
  expect(loaded, `certificate ${certificate.name} is Available but has no key material`).toBeDefined();
  const material = loaded?.material;
  if (!material) return;
  expect(fingerprintOf(material.certificatePem)).toBe(certificate.fingerprintSha256);
  const keyPublic = createPublicKey(createPrivateKey(material.privateKeyPem)).export({
    type: 'spki',
    format: 'der',
  });
  const certPublic = new X509Certificate(material.certificatePem).publicKey.export({
    type: 'spki',
    format: 'der',
  });
  expect(Buffer.compare(keyPublic, certPublic)).toBe(0);
  expect(loaded?.version).toBe(certificate.version);
}

/** Nothing Available lacks its key material (or has another certificate's key). */
async function expectConsistent(db: Database, secrets: SecretStore, accountId: string) {
  const service = new CertificateService({ db, secrets });
  const all = await service.list(accountId, { includeDeleted: true });
  for (const certificate of all) {
    if (certificate.status === 'Available') await expectUsable(service, accountId, certificate);
  }
  return all;
}

/** After a sweep: no pending row, and every stored secret of the account is referenced by a live row. */
async function expectSweptClean(db: Database, secrets: SecretStore, accountId: string) {
  await new CertificateService({ db, secrets }).sweepPendingCertificates(FUTURE());
  const rows = await rowsOf(db, accountId);
  expect(rows.filter((row) => row.secret_state === 'pending')).toEqual([]);
  const live = rows.filter((row) => !row.deleted).map((row) => row.secret_ref);
  expect((await blobRefs(db, accountId)).sort()).toEqual(live.sort());
}

describe.each(testDatabaseEngines)('CertificateService on $kind', ({ open }) => {
  let handle: TestDatabase;
  let db: Database;
  let store: EmbeddedSecretStore;
  let secrets: FaultySecretStore;
  let service: CertificateService;
  let factory: P12Factory;
  let first: P12Fixture;
  let second: P12Fixture;
  let accountCounter = 0;
  const newAccount = () => `acct${++accountCounter}`;

  beforeAll(async () => {
    handle = await open();
    db = handle.db;
    await migrate(db);
    store = new EmbeddedSecretStore({ db, masterKey: MasterKey.generate() });
    secrets = new FaultySecretStore(store);
    service = new CertificateService({ db, secrets });
    factory = new P12Factory();
    first = factory.valid('first client', { keyIndex: 0 });
    second = factory.valid('second client', { keyIndex: 1 });
  });
  afterAll(async () => handle?.cleanup());

  const upload = (name: string, fixture: P12Fixture = first) => ({
    name,
    p12: fixture.bytes,
    password: fixture.password,
  });

  describe('create', () => {
    it('stores the key in the secret store and the public facts in the row; status Available', async () => {
      const account = newAccount();
      const result = await service.create(account, [upload('Cert1')]);
      expect(result.failedSaveToVaultCertificates).toEqual([]);
      const [saved] = result.successfulySavedCertificates;
      expect(saved).toMatchObject({
        deleted: false,
        name: 'Cert1',
        displayName: 'Cert1',
        siteId: account,
        status: 'Available',
        subject: 'CN=first client',
        version: 1,
        fingerprintSha256: fingerprintOf(first.certificate.certPem),
      });
      expect(Number.isSafeInteger(saved?.id)).toBe(true);
      expect(saved?.expirationDate).toBe(
        new Date(new X509Certificate(first.certificate.certPem).validTo).toISOString(),
      );
      await expectUsable(service, account, saved as CertificateResource);
      const [row] = await rowsOf(db, account);
      expect(row).toMatchObject({ secret_state: 'stored', version: 1 });
      expect(await blobRefs(db, account)).toEqual([row?.secret_ref]);
      const { rows: changes } = await db.query(
        'SELECT kind, certificate_id FROM change_log WHERE account_id = $1',
        [account],
      );
      expect(changes).toEqual([{ kind: 'certificate.created', certificate_id: saved?.id }]);
      expect(await service.get(account, saved?.id as number)).toEqual(saved);
    });

    it('accepts the file as byte values or base64, like the JSON body', async () => {
      const account = newAccount();
      const result = await service.create(account, [
        { name: 'bytes', p12: [...first.bytes], password: first.password },
        { name: 'base64', p12: first.bytes.toString('base64'), password: first.password },
      ]);
      expect(result.successfulySavedCertificates.map((c) => c.status)).toEqual(['Available', 'Available']);
    });

    it('refuses the whole batch at its first unusable file, naming it; the files after it are not opened', async () => {
      const account = newAccount();
      const error = await service
        .create(account, [
          upload('ok'),
          { name: 'bad password', p12: first.bytes, password: 'nope' },
          { name: 'junk', p12: Buffer.from('not a p12 at all'), password: 'x' },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CertificateFileRejectedError);
      expect(error).toMatchObject({ code: 'p12_wrong_password' });
      expect(
        (error as CertificateFileRejectedError).errors.map((e) => [e.name, e.message.split(':')[0]]),
      ).toEqual([['/1/p12', 'p12_wrong_password']]);
      expect((error as Error).message).toContain('Item 1 ("bad password")');
      expect((error as Error).message).toContain('The item after it was not checked.');
      expect(await rowsOf(db, account)).toEqual([]);
      expect(await blobRefs(db, account)).toEqual([]);
    });

    it('refuses expired and not-yet-valid certificates unless allowExpired', async () => {
      const account = newAccount();
      const expired = factory.outOfValidity('old', 'expired');
      const future = factory.outOfValidity('future', 'not-yet-valid');
      await expect(service.create(account, [upload('e', expired)])).rejects.toMatchObject({
        code: 'p12_expired',
      });
      await expect(service.create(account, [upload('f', future)])).rejects.toMatchObject({
        code: 'p12_not_yet_valid',
      });
      const result = await service.create(account, [upload('e', expired), upload('f', future)], {
        allowExpired: true,
      });
      expect(result.successfulySavedCertificates.map((c) => [c.name, c.status])).toEqual([
        ['e', 'Expired'],
        ['f', 'UnAvailable'],
      ]);
      for (const certificate of result.successfulySavedCertificates) {
        expect(await service.loadCertificateMaterial(account, certificate.id)).toBeUndefined();
      }
    });

    it('answers 409 for a name taken in the account or used twice in the batch, storing nothing', async () => {
      const account = newAccount();
      await service.create(account, [upload('taken')]);
      await expect(service.create(account, [upload('new'), upload('taken')])).rejects.toBeInstanceOf(
        NameConflictError,
      );
      await expect(service.create(account, [upload('twice'), upload('twice')])).rejects.toBeInstanceOf(
        NameConflictError,
      );
      expect((await rowsOf(db, account)).length).toBe(1);
      // Names are per account.
      await expect(service.create(newAccount(), [upload('taken')])).resolves.toBeDefined();
    });

    it('reports a failed secret write in failedSaveToVaultCertificates and leaves nothing behind', async () => {
      const account = newAccount();
      secrets.faults.put = (ref) =>
        ref.includes(`accounts/${account}/`) &&
        secrets.attemptedPuts.filter((r) => r.includes(`accounts/${account}/`)).length === 2;
      try {
        const result = await service.create(account, [upload('stored'), upload('lost', second)]);
        expect(result.successfulySavedCertificates.map((c) => c.name)).toEqual(['stored']);
        expect(result.failedSaveToVaultCertificates).toEqual([
          expect.objectContaining({ name: 'lost', status: 'UnAvailable', deleted: false }),
        ]);
      } finally {
        secrets.faults = {};
      }
      const rows = await rowsOf(db, account);
      expect(rows.map((row) => row.secret_state)).toEqual(['stored']);
      expect(await blobRefs(db, account)).toEqual([rows[0]?.secret_ref]);
      expect((await service.list(account)).map((c) => c.name)).toEqual(['stored']);
      // The name of the failed one is free again.
      await expect(service.create(account, [upload('lost', second)])).resolves.toMatchObject({
        successfulySavedCertificates: [expect.objectContaining({ name: 'lost' })],
      });
    });
  });

  describe('reads and status', () => {
    it('computes the status from the stored row: a read never touches the secret store', async () => {
      const account = newAccount();
      const [saved] = (await service.create(account, [upload('metadata')])).successfulySavedCertificates;
      const readsBefore = secrets.attemptedGets.length;
      secrets.faults.get = () => true;
      try {
        // The store is down: lists and reads answer from the database, as they do for 10,000 certificates.
        expect((await service.list(account)).map((c) => c.status)).toEqual(['Available']);
        expect((await service.get(account, saved?.id as number)).status).toBe('Available');
        expect(secrets.attemptedGets.length).toBe(readsBefore);
        // Forwarding does read the key material, and reports the outage.
        await expect(service.loadCertificateMaterial(account, saved?.id as number)).rejects.toThrow();
      } finally {
        secrets.faults = {};
      }
    });

    it('lists exactly what reading each certificate renders (one JSON text from the database)', async () => {
      const account = newAccount();
      await db.query(
        `INSERT INTO certificates (id, account_id, name, display_name, secret_ref, secret_state, deleted,
           not_before, expires_at, subject, issuer, serial_number, fingerprint_sha256, created_at)
         VALUES
           (9000000001, $1, 'micro', 'Mi\u00e9ro', 'r1', 'stored', false, '2020-01-02 03:04:05.678999+00',
            '2031-12-31 23:59:59.999999+00', E'CN=a\x01b "quoted" \\\\ back', 'CN=Ca', 'AB01', 'FF', now() - interval '3 s'),
           (9000000002, $1, 'open', 'Open', 'r2', 'stored', false, NULL, NULL, NULL, NULL, 'not-hex', NULL,
            now() - interval '2 s'),
           (9000000003, $1, 'gone', 'Gone', 'r3', 'stored', true, '2020-01-01 00:00:00+00',
            '2021-01-01 00:00:00.0005+00', 'CN=g', 'CN=Ca', '01', 'EE', now() - interval '1 s'),
           (9000000004, $1, 'half', 'Half', 'r4', 'pending', false, NULL, NULL, NULL, NULL, NULL, NULL, now())`,
        [account],
      );
      const listed = await service.list(account, { includeDeleted: true });
      expect(listed.map((certificate) => certificate.name)).toEqual(['micro', 'open', 'gone']);
      const read = await Promise.all(listed.map((certificate) => service.get(account, certificate.id)));
      expect(listed).toEqual(read);
      expect(listed[0]).toMatchObject({
        notBefore: '2020-01-02T03:04:05.678Z',
        expirationDate: '2031-12-31T23:59:59.999Z',
        subject: 'CN=a?b "quoted" \\ back',
        displayName: 'Mi\u00e9ro',
      });
      expect((await service.list(account)).map((certificate) => certificate.name)).toEqual(['micro', 'open']);
      expect(await service.list(newAccount())).toEqual([]);
    });

    it('presents nothing when the key material disappeared behind the server’s back', async () => {
      const account = newAccount();
      const [saved] = (await service.create(account, [upload('gone')])).successfulySavedCertificates;
      await db.query('DELETE FROM secret_blobs WHERE account_id = $1', [account]);
      expect(await service.loadCertificateMaterial(account, saved?.id as number)).toBeUndefined();
    });

    it('answers 404 for an unknown certificate or one of another account', async () => {
      const account = newAccount();
      const [saved] = (await service.create(account, [upload('mine')])).successfulySavedCertificates;
      await expect(service.get(account, 12345)).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.get(newAccount(), saved?.id as number)).rejects.toBeInstanceOf(NotFoundError);
      expect(await service.loadCertificateMaterial(newAccount(), saved?.id as number)).toBeUndefined();
    });
  });

  describe('update', () => {
    it('replaces the file under a new secret, bumps the version, keeps the id, deletes the old secret', async () => {
      const account = newAccount();
      const [original] = (await service.create(account, [upload('Cert1')])).successfulySavedCertificates;
      const [before] = await rowsOf(db, account);
      const result = await service.update(account, [
        { id: original?.id as number, p12: second.bytes, password: second.password, name: 'Renamed' },
      ]);
      const [updated] = result.successfulySavedCertificates;
      expect(updated).toMatchObject({
        id: original?.id,
        version: 2,
        name: 'Renamed',
        displayName: 'Renamed',
        status: 'Available',
        fingerprintSha256: fingerprintOf(second.certificate.certPem),
      });
      await expectUsable(service, account, updated as CertificateResource);
      const [after] = await rowsOf(db, account);
      expect(after?.secret_ref).not.toBe(before?.secret_ref);
      expect(await blobRefs(db, account)).toEqual([after?.secret_ref]);
      const { rows } = await db.query<{ kind: string }>(
        'SELECT kind FROM change_log WHERE account_id = $1 ORDER BY id',
        [account],
      );
      expect(rows.map((row) => row.kind)).toEqual(['certificate.created', 'certificate.updated']);
    });

    it('changes nothing when the new secret cannot be written', async () => {
      const account = newAccount();
      const [original] = (await service.create(account, [upload('Cert1')])).successfulySavedCertificates;
      const rowsBefore = await rowsOf(db, account);
      secrets.faults.put = () => true;
      let result: Awaited<ReturnType<CertificateService['update']>>;
      try {
        result = await service.update(account, [
          { id: original?.id as number, p12: second.bytes, password: second.password },
        ]);
      } finally {
        secrets.faults = {};
      }
      expect(result.successfulySavedCertificates).toEqual([]);
      expect(result.failedSaveToVaultCertificates).toEqual([original]);
      expect(await rowsOf(db, account)).toEqual(rowsBefore);
      expect(await blobRefs(db, account)).toEqual([rowsBefore[0]?.secret_ref]);
      await expectUsable(service, account, original as CertificateResource);
    });

    it('refuses unknown or deleted ids (404), duplicate ids (400), taken names (409), bad files (400)', async () => {
      const account = newAccount();
      const saved = (await service.create(account, [upload('a'), upload('b', second)]))
        .successfulySavedCertificates;
      const [a, b] = saved as [CertificateResource, CertificateResource];
      const file = { p12: second.bytes, password: second.password };
      await expect(service.update(account, [{ id: 999, ...file }])).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.update(newAccount(), [{ id: a.id, ...file }])).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(
        service.update(account, [
          { id: a.id, ...file },
          { id: a.id, ...file },
        ]),
      ).rejects.toMatchObject({
        code: 'invalid_request',
        errors: [{ location: 'body', name: '/1/id', message: expect.any(String) }],
      });
      await expect(service.update(account, [{ id: a.id, ...file, name: 'b' }])).rejects.toBeInstanceOf(
        NameConflictError,
      );
      await expect(
        service.update(account, [{ id: a.id, p12: first.bytes, password: 'wrong' }]),
      ).rejects.toMatchObject({
        code: 'p12_wrong_password',
      });
      // Renaming to its own name is no conflict.
      await expect(service.update(account, [{ id: b.id, ...file, name: 'b' }])).resolves.toMatchObject({
        successfulySavedCertificates: [expect.objectContaining({ name: 'b', version: 2 })],
      });
      await service.delete(account, a.id);
      await expect(service.update(account, [{ id: a.id, ...file }])).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('delete', () => {
    it('soft-deletes, disables its mappings, removes the secret, frees the name; a second delete is 404', async () => {
      const account = newAccount();
      const [saved] = (await service.create(account, [upload('Cert1')])).successfulySavedCertificates;
      const id = saved?.id as number;
      await db.query(
        `INSERT INTO mappings (id, account_id, certificate_id, service_name, url) VALUES (77, $1, $2, 'IDP', 'https://x.example/')`,
        [account, id],
      );
      const deleted = await service.delete(account, id);
      expect(deleted).toMatchObject({ id, deleted: true, status: 'UnAvailable', name: 'Cert1' });
      expect(await blobRefs(db, account)).toEqual([]);
      const { rows: mappings } = await db.query('SELECT enabled, deleted FROM mappings WHERE id = 77');
      expect(mappings).toEqual([{ enabled: false, deleted: false }]);
      const { rows: changes } = await db.query<{ kind: string }>(
        'SELECT kind FROM change_log WHERE account_id = $1 ORDER BY id',
        [account],
      );
      expect(changes.map((change) => change.kind)).toEqual([
        'certificate.created',
        'mapping.updated',
        'certificate.deleted',
      ]);
      await expect(service.delete(account, id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(service.delete(account, 4242)).rejects.toBeInstanceOf(NotFoundError);
      expect(await service.get(account, id)).toMatchObject({ deleted: true, status: 'UnAvailable' });
      expect(await service.list(account)).toEqual([]);
      expect((await service.list(account, { includeDeleted: true })).map((c) => c.id)).toEqual([id]);
      await expect(service.create(account, [upload('Cert1')])).resolves.toBeDefined();
    });
  });

  describe('crash at every step (fault injection)', () => {
    it('create: whatever step it dies at, nothing Available lacks its key, and the sweep cleans up', async () => {
      let completed = false;
      let step = 1;
      for (; step < 50 && !completed; step++) {
        const account = newAccount();
        const world = createCrashWorld(db, store);
        world.crashAfter(step);
        const crashed = new CertificateService({ db: world.db, secrets: world.secrets });
        await crashed.create(account, [upload('Cert1'), upload('Cert2', second)]).catch(() => undefined);
        completed = !world.crashed;

        // "Restart": a new process on the same storage.
        const visible = await expectConsistent(db, store, account);
        for (const certificate of visible) expect(certificate.status).toBe('Available');
        await expectSweptClean(db, store, account);
        expect((await expectConsistent(db, store, account)).map((c) => c.name)).toEqual(
          visible.map((c) => c.name),
        );
        // Whatever did not make it can be uploaded again: no name is left blocked.
        const missing = ['Cert1', 'Cert2'].filter((name) => !visible.some((c) => c.name === name));
        if (missing.length > 0) {
          const retry = await service.create(
            account,
            missing.map((name) => upload(name)),
          );
          expect(retry.successfulySavedCertificates).toHaveLength(missing.length);
        }
      }
      expect(completed).toBe(true);
      // Every crash point before completion was exercised.
      expect(step).toBeGreaterThan(MIN_CRASH_POINTS);
    });

    it('update: whatever step it dies at, the certificate keeps a usable key (old or new), nothing leaks', async () => {
      let completed = false;
      let step = 1;
      for (; step < 50 && !completed; step++) {
        const account = newAccount();
        const [original] = (await service.create(account, [upload('Cert1')])).successfulySavedCertificates;
        const world = createCrashWorld(db, store);
        world.crashAfter(step);
        const crashed = new CertificateService({ db: world.db, secrets: world.secrets });
        await crashed
          .update(account, [{ id: original?.id as number, p12: second.bytes, password: second.password }])
          .catch(() => undefined);
        completed = !world.crashed;

        const [after] = await expectConsistent(db, store, account);
        expect(after?.status).toBe('Available');
        expect([
          [1, fingerprintOf(first.certificate.certPem)],
          [2, fingerprintOf(second.certificate.certPem)],
        ]).toContainEqual([after?.version, after?.fingerprintSha256]);
        if (completed) expect(after?.version).toBe(2);
        await expectSweptClean(db, store, account);
        await expectUsable(service, account, after as CertificateResource);
      }
      expect(completed).toBe(true);
      // Every crash point before completion was exercised.
      expect(step).toBeGreaterThan(MIN_CRASH_POINTS);
    });

    it('delete: whatever step it dies at, the certificate is either intact or deleted, and the sweep removes its key', async () => {
      let completed = false;
      let step = 1;
      for (; step < 50 && !completed; step++) {
        const account = newAccount();
        const [original] = (await service.create(account, [upload('Cert1')])).successfulySavedCertificates;
        const world = createCrashWorld(db, store);
        world.crashAfter(step);
        await new CertificateService({ db: world.db, secrets: world.secrets })
          .delete(account, original?.id as number)
          .catch(() => undefined);
        completed = !world.crashed;

        const [after] = await expectConsistent(db, store, account);
        expect(after?.deleted ? 'UnAvailable' : 'Available').toBe(after?.status);
        await expectSweptClean(db, store, account);
        if (completed) expect(after?.deleted).toBe(true);
      }
      expect(completed).toBe(true);
      // Every crash point before completion was exercised.
      expect(step).toBeGreaterThan(MIN_CRASH_POINTS);
    });
  });

  describe('sweepPendingCertificates', () => {
    it('removes every secret no certificate points to, page after page, and keeps the referenced ones', async () => {
      const account = newAccount();
      const [kept] = (await service.create(account, [upload('Cert1')])).successfulySavedCertificates;
      const loaded = await service.loadCertificateMaterial(account, kept?.id as number);
      const material = loaded?.material as SecretMaterial;
      // More than two pages of the sweep: an update or delete interrupted before removing its secret.
      const orphans = 1001;
      for (let index = 1; index <= orphans; index++) {
        await store.put(`accounts/${account}/certificates/${index}/v1-orphan`, material, {
          accountId: account,
          certificateId: String(index),
        });
      }
      // A sweep of one account (an abandoned name) leaves orphans alone.
      expect((await service.sweepPendingCertificates(FUTURE(), { accountId: account })).orphanedSecrets).toBe(
        0,
      );
      expect(await blobRefs(db, account)).toHaveLength(orphans + 1);

      expect((await service.sweepPendingCertificates(FUTURE())).orphanedSecrets).toBeGreaterThanOrEqual(
        orphans,
      );
      expect(await blobRefs(db, account)).toEqual((await rowsOf(db, account)).map((row) => row.secret_ref));
      await expectUsable(service, account, kept as CertificateResource);
    });

    it('keeps fresh pending rows (a create in progress) and removes old ones with their secrets', async () => {
      const account = newAccount();
      const world = createCrashWorld(db, store);
      // Crash right after the secret was written: a pending row and its secret remain.
      const crashed = new CertificateService({ db: world.db, secrets: world.secrets });
      world.crashAfter(4);
      await crashed.create(account, [upload('Cert1')]).catch(() => undefined);
      expect(world.effects.at(-1)).toBe('secrets.put');
      expect((await rowsOf(db, account)).map((row) => row.secret_state)).toEqual(['pending']);
      expect(await blobRefs(db, account)).toHaveLength(1);
      expect(await service.list(account)).toEqual([]);

      expect(await service.sweepPendingCertificates(new Date(Date.now() - 60_000))).toEqual({
        pendingCertificates: 0,
        orphanedSecrets: 0,
      });
      expect(await rowsOf(db, account)).toHaveLength(1);
      expect((await service.sweepPendingCertificates(FUTURE())).pendingCertificates).toBe(1);
      expect(await rowsOf(db, account)).toEqual([]);
      expect(await blobRefs(db, account)).toEqual([]);
    });

    it('lets a new upload take the name of an abandoned pending create', async () => {
      const account = newAccount();
      const world = createCrashWorld(db, store);
      world.crashAfter(4);
      await new CertificateService({ db: world.db, secrets: world.secrets })
        .create(account, [upload('Cert1')])
        .catch(() => undefined);
      // Still within the pending timeout: the name is held.
      await expect(service.create(account, [upload('Cert1')])).rejects.toBeInstanceOf(NameConflictError);
      const later = new CertificateService({ db, secrets: store, now: FUTURE });
      const result = await later.create(account, [upload('Cert1')]);
      expect(result.successfulySavedCertificates).toHaveLength(1);
      expect(await rowsOf(db, account)).toHaveLength(1);
    });
  });
});

describe('CertificateService with the Vault secret store (test double on loopback)', () => {
  let handle: TestDatabase;
  let vault: VaultDouble;
  let service: CertificateService;
  let fixture: P12Fixture;
  let replacement: P12Fixture;

  beforeAll(async () => {
    handle = await openTestPglite();
    await migrate(handle.db);
    vault = await startVaultDouble();
    service = new CertificateService({
      db: handle.db,
      secrets: new VaultSecretStore({ address: vault.address, token: vault.token }),
    });
    const factory = new P12Factory();
    fixture = factory.valid('vault client', { keyIndex: 0 });
    replacement = factory.valid('vault client 2', { keyIndex: 1 });
  });
  afterAll(async () => {
    await vault?.close();
    await handle?.cleanup();
  });

  it('creates, replaces and deletes with the key material in Vault only', async () => {
    const [created] = (
      await service.create('le1', [{ name: 'Cert1', p12: fixture.bytes, password: fixture.password }])
    ).successfulySavedCertificates;
    expect(created?.status).toBe('Available');
    await expectUsable(service, 'le1', created as CertificateResource);
    const { rowCount } = await handle.db.query('SELECT 1 FROM secret_blobs');
    expect(rowCount).toBe(0);

    const [updated] = (
      await service.update('le1', [
        { id: created?.id as number, p12: replacement.bytes, password: replacement.password },
      ])
    ).successfulySavedCertificates;
    expect(updated).toMatchObject({ id: created?.id, version: 2, status: 'Available' });
    await expectUsable(service, 'le1', updated as CertificateResource);

    vault.setSealed(true);
    try {
      // An unreachable store: the list still answers from the database; forwarding reports the outage.
      expect((await service.list('le1')).map((c) => c.status)).toEqual(['Available']);
      await expect(service.loadCertificateMaterial('le1', created?.id as number)).rejects.toMatchObject({
        code: 'secret_store_unavailable',
      });
      const result = await service.create('le1', [
        { name: 'Cert2', p12: fixture.bytes, password: fixture.password },
      ]);
      expect(result.failedSaveToVaultCertificates.map((c) => c.name)).toEqual(['Cert2']);
    } finally {
      vault.setSealed(false);
    }
    expect((await service.list('le1')).map((c) => c.name)).toEqual(['Cert1']);

    await service.delete('le1', created?.id as number);
    expect(await service.loadCertificateMaterial('le1', created?.id as number)).toBeUndefined();
    expect(await service.sweepPendingCertificates(FUTURE())).toEqual({
      pendingCertificates: 0,
      orphanedSecrets: 0,
    });
  });
});
