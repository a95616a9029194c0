import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, openTestPostgres, type TestDatabase } from '../storage/testing/test-databases.js';
import { EmbeddedSecretStore, rotateMasterKey } from './embedded.js';
import { InvalidMasterKeyError, SecretDecryptionError, SecretStoreUnavailableError } from './errors.js';
import { Keyring, loadMasterKey, MasterKey } from './master-key.js';
import { openConsumerSecret, sealConsumerSecret } from './sealed-box.js';
import { describeSecretStoreContract } from './testing/secret-store.contract.js';
import { createTestMaterial, pemBodyLines } from './testing/test-material.js';

const context = { accountId: 'acc-1', certificateId: '42' };

async function migrated(open: () => Promise<TestDatabase>): Promise<TestDatabase> {
  const handle = await open();
  await migrate(handle.db);
  return handle;
}

describeSecretStoreContract('embedded on PGlite', async () => {
  const handle = await migrated(openTestPglite);
  return {
    store: new EmbeddedSecretStore({ db: handle.db, masterKey: MasterKey.generate() }),
    cleanup: handle.cleanup,
  };
});

describeSecretStoreContract('embedded on PostgreSQL', async () => {
  const handle = await migrated(openTestPostgres);
  return {
    store: new EmbeddedSecretStore({ db: handle.db, masterKey: MasterKey.generate() }),
    cleanup: handle.cleanup,
  };
});

/** Every place the private key could show up in stored bytes: PEM lines, one-line base64, raw DER. */
function leakNeedles(material: ReturnType<typeof createTestMaterial>): Buffer[] {
  return [
    ...pemBodyLines(material.privateKeyPem).map((line) => Buffer.from(line)),
    Buffer.from(material.privateKeyDerBase64.slice(100, 180)),
    material.privateKeyDer.subarray(40, 120),
    Buffer.from('PRIVATE KEY'),
  ];
}

describe.each([
  { kind: 'pglite', open: openTestPglite },
  { kind: 'postgres', open: openTestPostgres },
])('EmbeddedSecretStore on $kind', ({ open }) => {
  let handle: TestDatabase;
  let db: Database;
  const material = createTestMaterial();
  const plain = {
    privateKeyPem: material.privateKeyPem,
    certificatePem: material.certificatePem,
    chainPem: material.chainPem,
  };

  beforeAll(async () => {
    handle = await migrated(open);
    db = handle.db;
  });
  afterAll(async () => handle?.cleanup());

  it('stores only ciphertext: no PEM line, base64 or DER of the key, a fresh IV per write', async () => {
    const key = MasterKey.generate();
    const store = new EmbeddedSecretStore({ db, masterKey: key });
    await store.put('leak/a', plain, context);
    await store.put('leak/b', plain, context);

    const { rows } = await db.query<{
      ref: string;
      key_id: string;
      iv: Buffer;
      ciphertext: Buffer;
      tag: Buffer;
    }>("SELECT ref, key_id, iv, ciphertext, tag FROM secret_blobs WHERE ref LIKE 'leak/%' ORDER BY ref");
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.key_id).toBe(key.id);
      expect(row.iv).toHaveLength(12);
      expect(row.tag).toHaveLength(16);
      const stored = Buffer.concat([row.iv, row.ciphertext, row.tag]);
      for (const needle of leakNeedles(material)) expect(stored.includes(needle)).toBe(false);
    }
    expect(rows[0]?.iv.equals(rows[1]?.iv ?? Buffer.alloc(0))).toBe(false);
    expect(rows[0]?.ciphertext.equals(rows[1]?.ciphertext ?? Buffer.alloc(0))).toBe(false);
  });

  it('fails with SecretDecryptionError on a wrong master key, without key or plaintext in the message', async () => {
    const right = MasterKey.generate();
    const wrong = MasterKey.generate();
    await new EmbeddedSecretStore({ db, masterKey: right }).put('wrong-key/a', plain, context);

    const error = await new EmbeddedSecretStore({ db, masterKey: wrong })
      .get('wrong-key/a', context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretDecryptionError);
    expect((error as SecretDecryptionError).code).toBe('secret_decryption_failed');
    const text = `${(error as Error).message} ${inspect(error)}`;
    expect(text).toContain(right.id);
    for (const secret of [
      right.exportBase64(),
      wrong.exportBase64(),
      ...pemBodyLines(material.privateKeyPem),
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it.each([
    ['ciphertext', 'ciphertext'],
    ['tag', 'tag'],
    ['iv', 'iv'],
  ])('detects a modified %s', async (_label, column) => {
    const key = MasterKey.generate();
    const store = new EmbeddedSecretStore({ db, masterKey: key });
    const ref = `tamper/${column}`;
    await store.put(ref, plain, context);
    // Flip the lowest bit of the first byte.
    await db.query(
      `UPDATE secret_blobs SET ${column} = set_byte(${column}, 0, get_byte(${column}, 0) # 1) WHERE ref = $1`,
      [ref],
    );
    await expect(store.get(ref, context)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('binds each blob to its ref: a blob copied to another ref does not decrypt', async () => {
    const store = new EmbeddedSecretStore({ db, masterKey: MasterKey.generate() });
    await store.put('swap/original', plain, context);
    await db.query(
      `INSERT INTO secret_blobs (ref, account_id, certificate_id, key_id, iv, ciphertext, tag)
       SELECT 'swap/copy', account_id, certificate_id, key_id, iv, ciphertext, tag FROM secret_blobs
       WHERE ref = 'swap/original'`,
    );
    await expect(store.get('swap/copy', context)).rejects.toBeInstanceOf(SecretDecryptionError);
  });

  it('rotates every blob and consumer secret to a new key in one transaction', async () => {
    // A schema of its own, so blobs written by other tests (under other keys) stay out of the way.
    const isolated = await migrated(open);
    try {
      const oldKey = MasterKey.generate();
      const newKey = MasterKey.generate();
      const store = new EmbeddedSecretStore({ db: isolated.db, masterKey: oldKey });
      await store.put('rotate/a', plain, context);
      await store.put('rotate/b', plain, { accountId: 'acc-2', certificateId: '7' });
      await isolated.db.query(
        `INSERT INTO oauth_credentials (consumer_key, consumer_secret_encrypted, accounts, permissions)
         VALUES ('ck-1', $1, '{*}', '{MTLS_READ_INTERNAL}')`,
        [sealConsumerSecret(oldKey, 'ck-1', 'consumer-secret-1')],
      );

      expect(await store.rotateMasterKey(newKey)).toEqual({ secretBlobs: 2, oauthCredentials: 1 });
      expect(store.keyring.current.id).toBe(newKey.id);
      const { rows } = await isolated.db.query<{ key_id: string }>(
        'SELECT DISTINCT key_id FROM secret_blobs',
      );
      expect(rows).toEqual([{ key_id: newKey.id }]);

      // A server restarted with only the new key reads everything; one with only the old key reads nothing.
      const restarted = new EmbeddedSecretStore({ db: isolated.db, masterKey: newKey });
      expect(await restarted.get('rotate/a', context)).toEqual(plain);
      await expect(restarted.health()).resolves.toBeUndefined();
      const stale = new EmbeddedSecretStore({ db: isolated.db, masterKey: oldKey });
      await expect(stale.get('rotate/a', context)).rejects.toBeInstanceOf(SecretDecryptionError);
      await expect(stale.health()).rejects.toBeInstanceOf(InvalidMasterKeyError);

      const sealed = await isolated.db.query<{ consumer_secret_encrypted: Buffer }>(
        "SELECT consumer_secret_encrypted FROM oauth_credentials WHERE consumer_key = 'ck-1'",
      );
      const sealedSecret = sealed.rows[0]?.consumer_secret_encrypted ?? Buffer.alloc(0);
      expect(openConsumerSecret(new Keyring(newKey), 'ck-1', sealedSecret)).toBe('consumer-secret-1');

      // Running it again finds nothing left to do.
      expect(await rotateMasterKey(isolated.db, new Keyring(newKey), newKey)).toEqual({
        secretBlobs: 0,
        oauthCredentials: 0,
      });
    } finally {
      await isolated.cleanup();
    }
  });

  it('changes nothing when one value cannot be decrypted during rotation', async () => {
    const isolated = await migrated(open);
    try {
      const known = MasterKey.generate();
      const unknown = MasterKey.generate();
      await new EmbeddedSecretStore({ db: isolated.db, masterKey: known }).put('mixed/known', plain, context);
      await new EmbeddedSecretStore({ db: isolated.db, masterKey: unknown }).put(
        'mixed/unknown',
        plain,
        context,
      );
      const before = await isolated.db.query('SELECT ref, key_id, ciphertext FROM secret_blobs ORDER BY ref');

      const store = new EmbeddedSecretStore({ db: isolated.db, masterKey: known });
      await expect(store.rotateMasterKey(MasterKey.generate())).rejects.toBeInstanceOf(SecretDecryptionError);
      const after = await isolated.db.query('SELECT ref, key_id, ciphertext FROM secret_blobs ORDER BY ref');
      expect(after.rows).toEqual(before.rows);
      expect(store.keyring.current.id).toBe(known.id);

      // With the missing key supplied as a previous key, the rotation goes through.
      const withPrevious = new EmbeddedSecretStore({
        db: isolated.db,
        masterKey: known,
        previousKeys: [unknown],
      });
      expect(await withPrevious.get('mixed/unknown', context)).toEqual(plain);
      expect((await withPrevious.rotateMasterKey(MasterKey.generate())).secretBlobs).toBe(2);
    } finally {
      await isolated.cleanup();
    }
  });
});

describe('EmbeddedSecretStore on PGlite: nothing readable on disk', () => {
  let handle: TestDatabase;
  afterAll(async () => handle?.cleanup());

  it('leaves no PEM line, base64 or DER of the private key in any file of the data directory', async () => {
    handle = await migrated(openTestPglite);
    const masterKey = await loadMasterKey({ dataDir: handle.dataDir });
    const material = createTestMaterial('disk.client.test');
    const store = new EmbeddedSecretStore({ db: handle.db, masterKey });
    await store.put('disk/a', material, context);
    await store.put('disk/a', material, context);
    expect((await store.get('disk/a', context))?.privateKeyPem).toBe(material.privateKeyPem);
    await handle.db.close();

    const files = (await readdir(handle.dataDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((file) => file.endsWith('master.key'))).toBe(true);
    const needles = leakNeedles(material);
    for (const file of files) {
      const bytes = await readFile(file);
      for (const needle of needles) {
        if (bytes.includes(needle)) throw new Error(`${file} contains private key material`);
      }
    }
  });
});

describe('EmbeddedSecretStore availability', () => {
  it('reports a closed database as SecretStoreUnavailableError', async () => {
    const handle = await migrated(openTestPglite);
    const store = new EmbeddedSecretStore({ db: handle.db, masterKey: MasterKey.generate() });
    await handle.cleanup();
    await expect(store.get('any/ref', context)).rejects.toBeInstanceOf(SecretStoreUnavailableError);
    await expect(store.health()).rejects.toBeInstanceOf(SecretStoreUnavailableError);
  });
});
