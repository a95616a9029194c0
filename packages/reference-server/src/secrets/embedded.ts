import type { Database, Transaction } from '../storage/database.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import { InvalidMasterKeyError, SecretStoreUnavailableError } from './errors.js';
import { Keyring, type MasterKey } from './master-key.js';
import { decodeSealedBox, resealConsumerSecret, type SealedBox, seal, unseal } from './sealed-box.js';
import {
  assertValidSecretRef,
  decodeSecretMaterial,
  pickSecretMaterial,
  type SecretContext,
  type SecretMaterial,
  type SecretStore,
} from './secret-store.js';

/** Options of {@link EmbeddedSecretStore}. */
export interface EmbeddedSecretStoreOptions {
  /** The server database; blobs go to its `secret_blobs` table (run `migrate` first). */
  db: Database;
  /** Key that encrypts new secrets (see `loadMasterKey`). */
  masterKey: MasterKey;
  /** Older keys, accepted for reading while a rotation is under way. */
  previousKeys?: readonly MasterKey[] | undefined;
}

/** Counts of values re-encrypted by {@link rotateMasterKey}. */
export interface MasterKeyRotationResult {
  secretBlobs: number;
  oauthCredentials: number;
}

interface BlobRow {
  ref: string;
  account_id: string;
  certificate_id: string;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * AAD of a blob: account, certificate and ref, each URI-encoded so no two different triples give the same
 * string. A blob copied to another row, account or certificate no longer decrypts.
 */
function blobAad(ref: string, context: SecretContext): string {
  return [context.accountId, context.certificateId, ref].map(encodeURIComponent).join('/');
}

function describeBlob(ref: string): string {
  return `The secret "${ref}"`;
}

async function withAvailability<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      throw new SecretStoreUnavailableError(
        `The embedded secret store cannot reach its database: ${error.message}`,
      );
    }
    throw error;
  }
}

/**
 * The default secret store: certificate key material encrypted with AES-256-GCM under the master key, one
 * random 96-bit IV per secret, AAD = account/certificate/ref, stored in `secret_blobs` with the id of the key
 * that encrypted it (so keys can rotate).
 *
 * @example
 * ```ts
 * const masterKey = await loadMasterKey({ masterKey: process.env.MTLS_MASTER_KEY, dataDir, warn });
 * const store = new EmbeddedSecretStore({ db, masterKey });
 * await store.put(ref, { privateKeyPem, certificatePem, chainPem: [] }, { accountId, certificateId });
 * ```
 */
export class EmbeddedSecretStore implements SecretStore {
  readonly kind = 'embedded' as const;
  readonly #db: Database;
  #keyring: Keyring;

  constructor(options: EmbeddedSecretStoreOptions) {
    this.#db = options.db;
    this.#keyring = new Keyring(options.masterKey, options.previousKeys ?? []);
  }

  /** The keys in use: current (encrypts) and previous (decrypt only). */
  get keyring(): Keyring {
    return this.#keyring;
  }

  async put(ref: string, material: SecretMaterial, context: SecretContext): Promise<void> {
    assertValidSecretRef(ref);
    const plaintext = Buffer.from(JSON.stringify(pickSecretMaterial(material)), 'utf8');
    const box = seal(this.#keyring.current, plaintext, blobAad(ref, context));
    plaintext.fill(0);
    await withAvailability(() =>
      this.#db.query(
        `INSERT INTO secret_blobs (ref, account_id, certificate_id, key_id, iv, ciphertext, tag)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (ref) DO UPDATE SET
           account_id = EXCLUDED.account_id, certificate_id = EXCLUDED.certificate_id,
           key_id = EXCLUDED.key_id, iv = EXCLUDED.iv, ciphertext = EXCLUDED.ciphertext, tag = EXCLUDED.tag,
           updated_at = now()`,
        [ref, context.accountId, context.certificateId, box.keyId, box.iv, box.ciphertext, box.tag],
      ),
    );
  }

  async get(ref: string, context: SecretContext): Promise<SecretMaterial | undefined> {
    assertValidSecretRef(ref);
    const { rows } = await withAvailability(() =>
      this.#db.query<BlobRow>('SELECT key_id, iv, ciphertext, tag FROM secret_blobs WHERE ref = $1', [ref]),
    );
    const row = rows[0];
    if (!row) return undefined;
    const box: SealedBox = { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag };
    // The caller's context, not the stored columns, goes into the AAD: a mismatch fails authentication.
    const plaintext = unseal(this.#keyring, box, blobAad(ref, context), describeBlob(ref));
    let parsed: unknown;
    try {
      parsed = JSON.parse(plaintext.toString('utf8'));
    } catch {
      parsed = undefined;
    } finally {
      plaintext.fill(0);
    }
    return decodeSecretMaterial(parsed, ref);
  }

  async delete(ref: string, _context: SecretContext): Promise<void> {
    assertValidSecretRef(ref);
    await withAvailability(() => this.#db.query('DELETE FROM secret_blobs WHERE ref = $1', [ref]));
  }

  /**
   * Checks that the database answers and that no stored secret needs a key that is not configured — the
   * symptom of a server started with the wrong `MTLS_MASTER_KEY` or key file.
   * @throws {SecretStoreUnavailableError} | {InvalidMasterKeyError}
   */
  async health(): Promise<void> {
    const { rows } = await withAvailability(() =>
      this.#db.query<{ key_id: string }>(
        'SELECT DISTINCT key_id FROM secret_blobs WHERE NOT (key_id = ANY ($1::text[])) LIMIT 5',
        [this.#keyring.keyIds],
      ),
    );
    if (rows.length > 0) {
      throw new InvalidMasterKeyError(
        `Stored secrets were encrypted with master key ${rows.map((row) => row.key_id).join(', ')}, which is ` +
          `not configured (configured: ${this.#keyring.keyIds.join(', ')}). Start with the master key that ` +
          'wrote them (MTLS_MASTER_KEY or the data directory’s master.key).',
      );
    }
  }

  /**
   * Re-encrypts every secret (and every OAuth consumer secret) with `newKey` in one transaction, then uses
   * `newKey` for new secrets and keeps the old ones for reading. Other replicas keep encrypting with the old
   * key until restarted with the new one: restart them with the new key, keeping the old one as a previous
   * key, then run the rotation once more to catch what they wrote meanwhile.
   *
   * @throws {SecretDecryptionError} if any value cannot be decrypted; nothing is changed then.
   */
  async rotateMasterKey(newKey: MasterKey): Promise<MasterKeyRotationResult> {
    const result = await rotateMasterKey(this.#db, this.#keyring, newKey);
    this.#keyring = new Keyring(newKey, [this.#keyring.current, ...this.#keyring.previous]);
    return result;
  }
}

/**
 * Re-encrypts, in one transaction, every `secret_blobs` row and every `oauth_credentials` consumer secret
 * not yet under `newKey`. `keyring` must hold the keys they are encrypted with. Usable without an
 * {@link EmbeddedSecretStore} (e.g. with Vault, the master key still protects consumer secrets).
 *
 * @throws {SecretDecryptionError} if any value cannot be decrypted; the transaction is rolled back.
 */
export async function rotateMasterKey(
  db: Database,
  keyring: Keyring,
  newKey: MasterKey,
): Promise<MasterKeyRotationResult> {
  const readKeys = new Keyring(newKey, [keyring.current, ...keyring.previous]);
  return db.transaction(async (tx) => ({
    secretBlobs: await reencryptBlobs(tx, readKeys, newKey),
    oauthCredentials: await reencryptConsumerSecrets(tx, readKeys, newKey),
  }));
}

async function reencryptBlobs(tx: Transaction, keyring: Keyring, newKey: MasterKey): Promise<number> {
  const { rows } = await tx.query<BlobRow>(
    `SELECT ref, account_id, certificate_id, key_id, iv, ciphertext, tag FROM secret_blobs
     WHERE key_id <> $1 ORDER BY ref FOR UPDATE`,
    [newKey.id],
  );
  for (const row of rows) {
    const aad = blobAad(row.ref, { accountId: row.account_id, certificateId: row.certificate_id });
    const box: SealedBox = { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag };
    const plaintext = unseal(keyring, box, aad, describeBlob(row.ref));
    const resealed = seal(newKey, plaintext, aad);
    plaintext.fill(0);
    await tx.query(
      `UPDATE secret_blobs SET key_id = $2, iv = $3, ciphertext = $4, tag = $5, updated_at = now()
       WHERE ref = $1`,
      [row.ref, resealed.keyId, resealed.iv, resealed.ciphertext, resealed.tag],
    );
  }
  return rows.length;
}

async function reencryptConsumerSecrets(
  tx: Transaction,
  keyring: Keyring,
  newKey: MasterKey,
): Promise<number> {
  const { rows } = await tx.query<{ consumer_key: string; consumer_secret_encrypted: Buffer }>(
    'SELECT consumer_key, consumer_secret_encrypted FROM oauth_credentials ORDER BY consumer_key FOR UPDATE',
  );
  let count = 0;
  for (const row of rows) {
    const what = `The consumer secret of "${row.consumer_key}"`;
    if (decodeSealedBox(row.consumer_secret_encrypted, what).keyId === newKey.id) continue;
    const resealed = resealConsumerSecret(keyring, newKey, row.consumer_key, row.consumer_secret_encrypted);
    await tx.query('UPDATE oauth_credentials SET consumer_secret_encrypted = $2 WHERE consumer_key = $1', [
      row.consumer_key,
      resealed,
    ]);
    count++;
  }
  return count;
}
