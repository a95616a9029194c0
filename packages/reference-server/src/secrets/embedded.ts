import path from 'node:path';
import type { Database, Transaction } from '../storage/database.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import { InvalidMasterKeyError, MasterKeyMismatchError, SecretStoreUnavailableError } from './errors.js';
import { Keyring, loadMasterKey, MASTER_KEY_FILE, type MasterKey } from './master-key.js';
import { decodeSealedBox, resealConsumerSecret, type SealedBox, seal, unseal } from './sealed-box.js';
import {
  assertValidSecretRef,
  decodeSecretMaterial,
  type ListCertificateSecretsOptions,
  pickSecretMaterial,
  type SecretContext,
  type SecretMaterial,
  type SecretStore,
  type StoredSecret,
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

  async listCertificateSecrets(options: ListCertificateSecretsOptions): Promise<StoredSecret[]> {
    const { rows } = await withAvailability(() =>
      this.#db.query<Pick<BlobRow, 'ref' | 'account_id' | 'certificate_id'>>(
        `SELECT ref, account_id, certificate_id FROM secret_blobs
         WHERE updated_at < $1 AND ref LIKE 'accounts/%/certificates/%' AND ref > $2
         ORDER BY ref LIMIT $3`,
        [options.writtenBefore, options.after ?? '', options.limit],
      ),
    );
    return rows.map((row) => ({
      ref: row.ref,
      context: { accountId: row.account_id, certificateId: row.certificate_id },
    }));
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

/** Which master keys sealed what the database holds: key id → number of values. */
export interface SealedKeyIds {
  /** `secret_blobs` rows (certificate key material of the embedded store). */
  certificateSecrets: ReadonlyMap<string, number>;
  /** Consumer secrets of OAuth credentials that are not revoked. */
  consumerSecrets: ReadonlyMap<string, number>;
}

/**
 * Reads the key id of every value sealed with a master key in the database, without decrypting anything.
 * `certificateSecrets: false` skips `secret_blobs` (Vault holds the certificate secrets then). A database
 * not migrated yet holds nothing: empty maps.
 */
export async function findSealedKeyIds(
  db: Database,
  options: { certificateSecrets: boolean },
): Promise<SealedKeyIds> {
  const { rows: schema } = await withAvailability(() =>
    db.query<{ present: boolean }>(
      `SELECT to_regclass('oauth_credentials') IS NOT NULL AND to_regclass('secret_blobs') IS NOT NULL AS present`,
    ),
  );
  if (!schema[0]?.present) return { certificateSecrets: new Map(), consumerSecrets: new Map() };
  const count = async (sql: string) => {
    const { rows } = await withAvailability(() => db.query<{ key_id: string; count: number }>(sql));
    return new Map(rows.map((row) => [row.key_id, Number(row.count)]));
  };
  return {
    certificateSecrets: options.certificateSecrets
      ? await count('SELECT key_id, count(*)::int AS count FROM secret_blobs GROUP BY key_id ORDER BY key_id')
      : new Map(),
    // The key id is bytes 2-9 of a sealed box (see encodeSealedBox); other values are not boxes of ours.
    consumerSecrets: await count(
      `SELECT encode(substring(consumer_secret_encrypted FROM 2 FOR 8), 'hex') AS key_id, count(*)::int AS count
       FROM oauth_credentials
       WHERE revoked_at IS NULL AND octet_length(consumer_secret_encrypted) >= 37
         AND get_byte(consumer_secret_encrypted, 0) = 1
       GROUP BY 1 ORDER BY 1`,
    ),
  };
}

/** Options of {@link assertMasterKeyOpensStoredSecrets}. */
export interface MasterKeyCheckOptions {
  /** Check `secret_blobs` too (embedded store); `false` with Vault. */
  certificateSecrets: boolean;
  /** Where the current key came from, for the message: `MTLS_MASTER_KEY` or the key file path. */
  keySource: string;
  /** What {@link findSealedKeyIds} answered, when the caller already asked; read again otherwise. */
  found?: SealedKeyIds | undefined;
}

/**
 * Refuses a keyring that cannot open what the database holds: every certificate secret (embedded store) and
 * every active OAuth consumer secret must be sealed with a configured key. Reads only; changes nothing.
 * The key id is the first 8 bytes of SHA-256 of the key, so a configured id means the very key that sealed
 * the value — no decryption is needed to tell (and one damaged row does not stop the server).
 *
 * @throws {MasterKeyMismatchError} naming the key ids found and the one configured.
 * @throws {SecretStoreUnavailableError} when the database cannot be read.
 * @example
 * ```ts
 * await assertMasterKeyOpensStoredSecrets(db, new Keyring(masterKey), {
 *   certificateSecrets: true,
 *   keySource: 'MTLS_MASTER_KEY',
 * });
 * ```
 */
export async function assertMasterKeyOpensStoredSecrets(
  db: Database,
  keyring: Keyring,
  options: MasterKeyCheckOptions,
): Promise<void> {
  const found = options.found ?? (await findSealedKeyIds(db, options));
  const unknown = new Set<string>();
  let certificates = 0;
  let consumers = 0;
  for (const [keyId, count] of found.certificateSecrets) {
    if (keyring.find(keyId)) continue;
    unknown.add(keyId);
    certificates += count;
  }
  for (const [keyId, count] of found.consumerSecrets) {
    if (keyring.find(keyId)) continue;
    unknown.add(keyId);
    consumers += count;
  }
  if (unknown.size === 0) return;
  const what = [
    certificates > 0 ? `${certificates} certificate secret${certificates === 1 ? '' : 's'}` : '',
    consumers > 0 ? `${consumers} OAuth consumer secret${consumers === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  throw new MasterKeyMismatchError(
    `${options.keySource} does not open the secrets stored in this database: ${what} ` +
      `${certificates + consumers === 1 ? 'is' : 'are'} sealed with master key ${[...unknown].join(', ')}, ` +
      `but the configured key is ${keyring.keyIds.join(', ')}. Start with the key that sealed them (the ` +
      'MTLS_MASTER_KEY value or master.key file backed up with this database). Nothing was changed.',
  );
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

/** Options of {@link loadCheckedMasterKey}. */
export interface LoadCheckedMasterKeyOptions {
  /** `MTLS_MASTER_KEY`, if set. */
  masterKey: string | undefined;
  /** `MTLS_DATA_DIR`, where the key file lives. */
  dataDir: string;
  /** Whether certificate secrets live in this database (embedded store), not in Vault. */
  certificateSecrets: boolean;
  warn?: ((message: string) => void) | undefined;
}

/**
 * Loads the master key (`MTLS_MASTER_KEY` or the key file) and refuses one that cannot open what the
 * database already holds — before anything is migrated, generated or written. Servers and admin commands
 * call it, so neither can seal new secrets with a wrong key.
 *
 * @throws {MasterKeyMismatchError} a wrong key, or no key at all for a database holding sealed secrets.
 * @example
 * ```ts
 * const masterKey = await loadCheckedMasterKey(db, { masterKey: config.masterKey, dataDir: config.dataDir, certificateSecrets: !config.vault });
 * ```
 */
export async function loadCheckedMasterKey(
  db: Database,
  options: LoadCheckedMasterKeyOptions,
): Promise<MasterKey> {
  const sealed = await findSealedKeyIds(db, { certificateSecrets: options.certificateSecrets });
  const masterKey = await loadMasterKey({
    masterKey: options.masterKey,
    dataDir: options.dataDir,
    warn: options.warn,
    requiredKeyIds: [...new Set([...sealed.certificateSecrets.keys(), ...sealed.consumerSecrets.keys()])],
  });
  await assertMasterKeyOpensStoredSecrets(db, new Keyring(masterKey), {
    certificateSecrets: options.certificateSecrets,
    keySource: options.masterKey?.trim()
      ? 'MTLS_MASTER_KEY'
      : `The master key file ${path.resolve(options.dataDir, MASTER_KEY_FILE)}`,
    found: sealed,
  });
  return masterKey;
}
