import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, openTestPostgres, type TestDatabase } from '../storage/testing/test-databases.js';
import { assertMasterKeyOpensStoredSecrets, EmbeddedSecretStore, findSealedKeyIds } from './embedded.js';
import { MasterKeyMismatchError } from './errors.js';
import { Keyring, loadMasterKey, MasterKey } from './master-key.js';
import { sealConsumerSecret } from './sealed-box.js';
import { createTestMaterial } from './testing/test-material.js';

const material = createTestMaterial();
const plain = {
  privateKeyPem: material.privateKeyPem,
  certificatePem: material.certificatePem,
  chainPem: material.chainPem,
};

async function addConsumer(
  db: Database,
  key: MasterKey,
  consumerKey: string,
  revoked = false,
): Promise<void> {
  await db.query(
    `INSERT INTO oauth_credentials (consumer_key, consumer_secret_encrypted, accounts, permissions, revoked_at)
     VALUES ($1, $2, '{*}', '{MTLS_READ_INTERNAL}', $3)`,
    [consumerKey, sealConsumerSecret(key, consumerKey, 'secret'), revoked ? new Date() : null],
  );
}

async function mismatch(work: Promise<unknown>): Promise<MasterKeyMismatchError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MasterKeyMismatchError);
  return error as MasterKeyMismatchError;
}

describe.each([
  { kind: 'pglite', open: openTestPglite },
  { kind: 'postgres', open: openTestPostgres },
])('assertMasterKeyOpensStoredSecrets on $kind', ({ open }) => {
  let handle: TestDatabase;
  const sealing = MasterKey.generate();
  const other = MasterKey.generate();

  beforeAll(async () => {
    handle = await open();
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  it('accepts any key on a database that is not migrated yet, or holds nothing sealed', async () => {
    await expect(findSealedKeyIds(handle.db, { certificateSecrets: true })).resolves.toEqual({
      certificateSecrets: new Map(),
      consumerSecrets: new Map(),
    });
    await migrate(handle.db);
    const check = { certificateSecrets: true, keySource: 'MTLS_MASTER_KEY' };
    await expect(assertMasterKeyOpensStoredSecrets(handle.db, new Keyring(other), check)).resolves.toBe(
      undefined,
    );
  });

  it('accepts the sealing key (current or previous) and refuses another one, naming both ids', async () => {
    const store = new EmbeddedSecretStore({ db: handle.db, masterKey: sealing });
    await store.put('certificates/acc-1/1/v1', plain, { accountId: 'acc-1', certificateId: '1' });
    await store.put('certificates/acc-1/2/v1', plain, { accountId: 'acc-1', certificateId: '2' });
    await addConsumer(handle.db, sealing, 'consumer-1');
    await addConsumer(handle.db, other, 'revoked-1', true); // revoked: never opened again, not checked
    const check = { certificateSecrets: true, keySource: 'MTLS_MASTER_KEY' };

    await expect(findSealedKeyIds(handle.db, check)).resolves.toEqual({
      certificateSecrets: new Map([[sealing.id, 2]]),
      consumerSecrets: new Map([[sealing.id, 1]]),
    });
    await assertMasterKeyOpensStoredSecrets(handle.db, new Keyring(sealing), check);
    await assertMasterKeyOpensStoredSecrets(handle.db, new Keyring(other, [sealing]), check);

    const before = await handle.db.query('SELECT ref, key_id, ciphertext FROM secret_blobs ORDER BY ref');
    const error = await mismatch(assertMasterKeyOpensStoredSecrets(handle.db, new Keyring(other), check));
    expect(error.code).toBe('master_key_mismatch');
    expect(error.message).toContain('MTLS_MASTER_KEY does not open the secrets stored in this database');
    expect(error.message).toContain(
      `2 certificate secrets and 1 OAuth consumer secret are sealed with master key ${sealing.id}`,
    );
    expect(error.message).toContain(`the configured key is ${other.id}`);
    expect(error.message).not.toContain(other.exportBase64());
    expect(error.message).not.toContain(sealing.exportBase64());
    const after = await handle.db.query('SELECT ref, key_id, ciphertext FROM secret_blobs ORDER BY ref');
    expect(after.rows).toEqual(before.rows);
  });

  it('with Vault, checks only the consumer secrets (the master key seals nothing else)', async () => {
    const vault = { certificateSecrets: false, keySource: 'The master key file /data/master.key' };
    await expect(findSealedKeyIds(handle.db, vault)).resolves.toEqual({
      certificateSecrets: new Map(),
      consumerSecrets: new Map([[sealing.id, 1]]),
    });
    const error = await mismatch(assertMasterKeyOpensStoredSecrets(handle.db, new Keyring(other), vault));
    expect(error.message).toMatch(
      /^The master key file \/data\/master\.key does not open .*: 1 OAuth consumer secret is sealed/,
    );
  });
});

describe('loadMasterKey with requiredKeyIds', () => {
  it('does not generate a key file the stored secrets cannot be opened with', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-key-check-'));
    try {
      const error = await mismatch(loadMasterKey({ dataDir, requiredKeyIds: ['0011223344556677'] }));
      expect(error.message).toContain('MTLS_MASTER_KEY is not set');
      expect(error.message).toContain('sealed with master key 0011223344556677');
      expect(error.message).toContain('Restore the master.key file');
      expect(await readdir(dataDir)).toEqual([]);
      // Without required ids, a first start still generates one.
      const generated = await loadMasterKey({ dataDir, requiredKeyIds: [] });
      expect(await loadMasterKey({ dataDir, requiredKeyIds: [generated.id] })).toMatchObject({
        id: generated.id,
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
