import type { Database } from './database.js';
import { SchemaTooNewError } from './errors.js';

/** One schema change. Versions are strictly increasing; a released migration is never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL script (several statements) that runs on PostgreSQL 15+ and PGlite alike. */
  readonly sql: string;
}

/** Largest certificate / mapping / token id: ids are random positive integers below 2^53 (safe in JSON). */
export const MAX_RANDOM_ID = 2 ** 53 - 1;

const initialSchema = /* sql */ `
-- Certificates uploaded by accounts. The key material is not here: it lives in the secret store under
-- secret_ref. A row is inserted with secret_state 'pending', then the secret is written, then the row is
-- flipped to 'stored' — so a crash in between leaves a row that is never reported Available and a ref that
-- a cleanup can find, never a certificate whose key is missing.
CREATE TABLE certificates (
  id                 bigint      PRIMARY KEY CHECK (id > 0 AND id <= ${MAX_RANDOM_ID}),
  account_id         text        NOT NULL,
  name               text        NOT NULL,
  display_name       text        NOT NULL,
  deleted            boolean     NOT NULL DEFAULT false,
  deleted_at         timestamptz,
  -- Bumped on every update: connection pools are keyed on (id, version), so a new version never reuses
  -- a TLS session of the old one.
  version            integer     NOT NULL DEFAULT 1 CHECK (version > 0),
  secret_ref         text        NOT NULL,
  secret_state       text        NOT NULL DEFAULT 'pending' CHECK (secret_state IN ('pending', 'stored')),
  not_before         timestamptz,
  expires_at         timestamptz,
  subject            text,
  issuer             text,
  serial_number      text,
  fingerprint_sha256 text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  -- Target of the mappings foreign key, which thereby cannot point to another account's certificate.
  CONSTRAINT certificates_account_id_id_key UNIQUE (account_id, id)
);
-- "name is unique per account" — among certificates that are not deleted, so a name can be reused.
CREATE UNIQUE INDEX certificates_account_name_key ON certificates (account_id, name) WHERE NOT deleted;

-- Which certificate serves which account + service + URL. A url ending in '*' matches by prefix.
CREATE TABLE mappings (
  id             bigint      PRIMARY KEY CHECK (id > 0 AND id <= ${MAX_RANDOM_ID}),
  account_id     text        NOT NULL,
  certificate_id bigint      NOT NULL,
  service_name   text        NOT NULL,
  url            text        NOT NULL,
  enabled        boolean     NOT NULL DEFAULT true,
  deleted        boolean     NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT mappings_certificate_fkey FOREIGN KEY (account_id, certificate_id)
    REFERENCES certificates (account_id, id)
);
CREATE UNIQUE INDEX mappings_account_service_url_key ON mappings (account_id, service_name, url) WHERE NOT deleted;
CREATE INDEX mappings_certificate_id_idx ON mappings (certificate_id);

-- OAuth 1.0a consumers. The server must recompute HMAC signatures, so the consumer secret is kept
-- encrypted with the master key (a sealed box: version, key id, IV, tag, ciphertext), not hashed.
-- accounts = '{*}' means every account.
CREATE TABLE oauth_credentials (
  consumer_key              text        PRIMARY KEY,
  consumer_secret_encrypted bytea       NOT NULL,
  accounts                  text[]      NOT NULL,
  permissions               text[]      NOT NULL,
  description               text,
  created_at                timestamptz NOT NULL DEFAULT now(),
  revoked_at                timestamptz
);

-- Static Bearer tokens, stored as SHA-256 of the token (high-entropy tokens need no slow hash).
CREATE TABLE api_tokens (
  id           bigint      PRIMARY KEY CHECK (id > 0 AND id <= ${MAX_RANDOM_ID}),
  token_sha256 bytea       NOT NULL CHECK (octet_length(token_sha256) = 32),
  accounts     text[]      NOT NULL,
  permissions  text[]      NOT NULL,
  description  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  CONSTRAINT api_tokens_token_sha256_key UNIQUE (token_sha256)
);

-- OAuth nonces seen within the timestamp window; the primary key makes a replay fail with a unique
-- violation on every replica. Rows past expires_at are purged.
CREATE TABLE oauth_nonces (
  consumer_key text        NOT NULL,
  nonce        text        NOT NULL,
  "timestamp"  bigint      NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (consumer_key, nonce, "timestamp")
);
CREATE INDEX oauth_nonces_expires_at_idx ON oauth_nonces (expires_at);

-- Key material of the embedded secret store: AES-256-GCM, AAD = account_id/certificate_id/ref. account_id
-- and certificate_id are kept in clear because re-encryption (key rotation) needs the AAD.
CREATE TABLE secret_blobs (
  ref            text        PRIMARY KEY,
  account_id     text        NOT NULL,
  certificate_id text        NOT NULL,
  key_id         text        NOT NULL,
  iv             bytea       NOT NULL CHECK (octet_length(iv) = 12),
  ciphertext     bytea       NOT NULL,
  tag            bytea       NOT NULL CHECK (octet_length(tag) = 16),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX secret_blobs_key_id_idx ON secret_blobs (key_id);

-- Append-only feed of changes that replicas poll (SELECT … WHERE id > $cursor ORDER BY id) to notice a
-- certificate or mapping change within a second. Sequence values are taken at INSERT but become visible at
-- COMMIT, so a poller must not skip past a gap too early: re-read the last few seconds (created_at) and
-- de-duplicate by id. kind is a ChangeKind (change-log.ts). Old rows are purged by created_at.
CREATE TABLE change_log (
  id             bigserial   PRIMARY KEY,
  account_id     text        NOT NULL,
  certificate_id bigint,
  mapping_id     bigint,
  kind           text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_created_at_idx ON change_log (created_at);
`;

/** Every migration of the server, oldest first. */
export const migrations: readonly Migration[] = [{ version: 1, name: 'initial_schema', sql: initialSchema }];

/**
 * Brings the schema up to date and returns the versions this call applied (empty when already current).
 *
 * Everything runs in one transaction under a transaction-scoped advisory lock (per schema), so replicas
 * starting together apply each migration exactly once: the others wait, then find nothing to do.
 *
 * @throws {SchemaTooNewError} when the database holds a version this release does not know.
 * @example
 * ```ts
 * const applied = await migrate(db); // [1] on a new database, [] afterwards
 * ```
 */
export async function migrate(db: Database, list: readonly Migration[] = migrations): Promise<number[]> {
  assertOrdered(list);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('mtls-gateway:migrations:' || current_schema()))`);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...done);
    const known = list.at(-1)?.version ?? 0;
    if (newest > known) throw new SchemaTooNewError(newest, known);

    const applied: number[] = [];
    for (const migration of list) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}

function assertOrdered(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    const previous = list[index - 1];
    if (!Number.isInteger(migration.version) || migration.version < 1) {
      throw new Error(`Migration "${migration.name}" needs a positive integer version.`);
    }
    if (previous && migration.version <= previous.version) {
      throw new Error(`Migrations must be listed in increasing version order ("${migration.name}").`);
    }
  });
}
