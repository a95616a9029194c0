import type { ChangeLog } from '../storage/change-log.js';
import type { Database } from '../storage/database.js';
import { UniqueViolationError } from '../storage/errors.js';
import { generateRandomId } from '../storage/ids.js';
import type { OpenedCertificateFile } from './certificate-file.js';
import {
  CERTIFICATE_COLUMNS,
  type CertificateRow,
  type RenderableCertificateRow,
} from './certificate-record.js';

/** The public facts of an opened file that a certificate row keeps. */
export type CertificateFacts = Pick<
  OpenedCertificateFile,
  'notBefore' | 'notAfter' | 'subject' | 'issuer' | 'serialNumber' | 'fingerprintSha256'
>;

/** One certificate to insert `pending`. */
export interface PendingCertificate {
  name: string;
  facts: CertificateFacts;
}

/** A live certificate holding a name (`secret_state` tells a finished create from one in progress). */
export interface NameHolder {
  name: string;
  secret_state: CertificateRow['secret_state'];
  created_at: Date;
}

/** The values of `not_before, expires_at, subject, issuer, serial_number, fingerprint_sha256`, in that order. */
function factColumns(facts: CertificateFacts): unknown[] {
  return [
    facts.notBefore,
    facts.notAfter,
    facts.subject,
    facts.issuer,
    facts.serialNumber,
    facts.fingerprintSha256,
  ];
}

/**
 * Whether `error` is the unique violation of the per-account certificate name index.
 *
 * @example
 * ```ts
 * try { await repository.insertPending(accountId, items, refFor); } catch (error) { if (isNameTaken(error)) … }
 * ```
 */
export function isNameTaken(error: unknown): boolean {
  return error instanceof UniqueViolationError && error.constraint === 'certificates_account_name_key';
}

/**
 * The SQL of certificates: the `certificates` rows (and, on delete, the mappings they disable), each write
 * with its change-log row in the same transaction. Knows nothing of secrets beyond the ref a row holds; the
 * write protocol that keeps rows and secrets consistent is `CertificateService`'s.
 *
 * @example
 * ```ts
 * const repository = new CertificateRepository(db, changes);
 * const rows = await repository.listStored('le1606809', { includeDeleted: false });
 * ```
 */
/** One certificate of {@link CertificateRepository.listStored}'s JSON, timestamps in epoch milliseconds. */
type ListedCertificate = [
  id: number,
  accountId: string,
  name: string,
  displayName: string,
  deleted: boolean,
  version: number,
  secretState: CertificateRow['secret_state'],
  notBefore: number | null,
  expiresAt: number | null,
  subject: string | null,
  issuer: string | null,
  serialNumber: string | null,
  fingerprintSha256: string | null,
];

export class CertificateRepository {
  readonly #db: Database;
  readonly #changes: ChangeLog;

  constructor(db: Database, changes: ChangeLog) {
    this.#db = db;
    this.#changes = changes;
  }

  /**
   * The account's stored certificates (soft-deleted ones only with `includeDeleted`), oldest first, with
   * what rendering needs. The database sends the list as one JSON text: decoding 10,000 rows column by column
   * (three timestamps each) in the driver cost more than all the rest of a list request.
   */
  async listStored(
    accountId: string,
    options: { includeDeleted: boolean },
  ): Promise<RenderableCertificateRow[]> {
    const { rows } = await this.#db.query<{ list: string }>(
      `SELECT coalesce(json_agg(json_build_array(id, account_id, name, display_name, deleted, version,
         secret_state, floor(extract(epoch FROM not_before) * 1000)::int8,
         floor(extract(epoch FROM expires_at) * 1000)::int8, subject, issuer, serial_number, fingerprint_sha256)
         ORDER BY created_at, id), '[]')::text AS list
       FROM certificates
       WHERE account_id = $1 AND secret_state = 'stored' ${options.includeDeleted ? '' : 'AND NOT deleted'}`,
      [accountId],
    );
    const tuples = JSON.parse(rows[0]?.list ?? '[]') as ListedCertificate[];
    return tuples.map(
      ([
        id,
        account_id,
        name,
        display_name,
        deleted,
        version,
        secret_state,
        notBefore,
        expiresAt,
        ...rest
      ]) => ({
        id,
        account_id,
        name,
        display_name,
        deleted,
        version,
        secret_state,
        not_before: notBefore === null ? null : new Date(notBefore),
        expires_at: expiresAt === null ? null : new Date(expiresAt),
        subject: rest[0],
        issuer: rest[1],
        serial_number: rest[2],
        fingerprint_sha256: rest[3],
      }),
    );
  }

  /** One stored certificate of the account (a soft-deleted one only with `includeDeleted`). */
  async findStored(
    accountId: string,
    certificateId: number,
    options: { includeDeleted: boolean },
  ): Promise<CertificateRow | undefined> {
    const { rows } = await this.#db.query<CertificateRow>(
      `SELECT ${CERTIFICATE_COLUMNS} FROM certificates
       WHERE id = $1 AND account_id = $2 AND secret_state = 'stored' ${options.includeDeleted ? '' : 'AND NOT deleted'}`,
      [certificateId, accountId],
    );
    return rows[0];
  }

  /** The stored, live certificates of the account among `ids`. */
  async findLive(accountId: string, ids: readonly number[]): Promise<CertificateRow[]> {
    const { rows } = await this.#db.query<CertificateRow>(
      `SELECT ${CERTIFICATE_COLUMNS} FROM certificates
       WHERE account_id = $1 AND id = ANY($2::bigint[]) AND NOT deleted AND secret_state = 'stored'`,
      [accountId, ids],
    );
    return rows;
  }

  /** The live certificates (stored or pending) of the account holding one of `names`. */
  async findNameHolders(accountId: string, names: readonly string[]): Promise<NameHolder[]> {
    const { rows } = await this.#db.query<NameHolder>(
      `SELECT name, secret_state, created_at FROM certificates
       WHERE account_id = $1 AND NOT deleted AND name = ANY($2::text[])`,
      [accountId, names],
    );
    return rows;
  }

  /**
   * Inserts one `pending` row per item in a single transaction: all names are reserved, or none. Each row
   * gets a random id and the secret ref `secretRefFor(id)`.
   *
   * @throws {UniqueViolationError} when a name is taken ({@link isNameTaken}).
   */
  async insertPending(
    accountId: string,
    items: readonly PendingCertificate[],
    secretRefFor: (certificateId: number) => string,
  ): Promise<CertificateRow[]> {
    return this.#db.transaction(async (tx) => {
      const rows: CertificateRow[] = [];
      for (const { name, facts } of items) {
        for (;;) {
          const id = generateRandomId();
          // ON CONFLICT (id): a (theoretical) id collision retries with a new id without aborting the
          // transaction; the name index still raises.
          const { rows: inserted } = await tx.query<CertificateRow>(
            `INSERT INTO certificates (id, account_id, name, display_name, version, secret_ref, secret_state,
               not_before, expires_at, subject, issuer, serial_number, fingerprint_sha256)
             VALUES ($1, $2, $3, $3, 1, $4, 'pending', $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO NOTHING
             RETURNING ${CERTIFICATE_COLUMNS}`,
            [id, accountId, name, secretRefFor(id), ...factColumns(facts)],
          );
          const row = inserted[0];
          if (row) {
            rows.push(row);
            break;
          }
        }
      }
      return rows;
    });
  }

  /**
   * Flips a `pending` row to `stored`, with its `certificate.created` change, in one transaction.
   * `undefined` when the row is no longer pending (the sweep removed it).
   */
  async markStored(row: CertificateRow): Promise<CertificateRow | undefined> {
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<CertificateRow>(
        `UPDATE certificates SET secret_state = 'stored', updated_at = now()
         WHERE id = $1 AND account_id = $2 AND secret_state = 'pending' AND NOT deleted
         RETURNING ${CERTIFICATE_COLUMNS}`,
        [row.id, row.account_id],
      );
      const flipped = rows[0];
      if (flipped)
        await this.#changes.record(tx, {
          accountId: row.account_id,
          certificateId: row.id,
          kind: 'certificate.created',
        });
      return flipped;
    });
  }

  /** Deletes the row if it is still `pending`; the number of rows deleted (0 or 1). */
  async deletePending(row: Pick<CertificateRow, 'id' | 'account_id'>): Promise<number> {
    const { rowCount } = await this.#db.query(
      "DELETE FROM certificates WHERE id = $1 AND account_id = $2 AND secret_state = 'pending'",
      [row.id, row.account_id],
    );
    return rowCount;
  }

  /** The secret ref the row holds now (`undefined` when the row is gone). */
  async currentSecretRef(row: Pick<CertificateRow, 'id' | 'account_id'>): Promise<string | undefined> {
    const { rows } = await this.#db.query<{ secret_ref: string }>(
      'SELECT secret_ref FROM certificates WHERE id = $1 AND account_id = $2',
      [row.id, row.account_id],
    );
    return rows[0]?.secret_ref;
  }

  /**
   * Points a live row to `newRef` with the new file's facts (and optionally a new name), `version + 1`, with
   * its `certificate.updated` change, in one transaction — a compare-and-swap on the old ref: `undefined`
   * when a concurrent replacement or delete won.
   *
   * @throws {UniqueViolationError} when the new name is taken ({@link isNameTaken}).
   */
  async switchSecret(
    row: CertificateRow,
    newRef: string,
    facts: CertificateFacts,
    newName: string | undefined,
  ): Promise<CertificateRow | undefined> {
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<CertificateRow>(
        `UPDATE certificates SET secret_ref = $3, name = COALESCE($4, name), display_name = COALESCE($4, display_name),
           not_before = $5, expires_at = $6, subject = $7, issuer = $8, serial_number = $9,
           fingerprint_sha256 = $10, version = version + 1, updated_at = now()
         WHERE id = $1 AND account_id = $2 AND secret_ref = $11 AND NOT deleted AND secret_state = 'stored'
         RETURNING ${CERTIFICATE_COLUMNS}`,
        [row.id, row.account_id, newRef, newName ?? null, ...factColumns(facts), row.secret_ref],
      );
      const updated = rows[0];
      if (updated) {
        await this.#changes.record(tx, {
          accountId: row.account_id,
          certificateId: row.id,
          kind: 'certificate.updated',
        });
      }
      return updated;
    });
  }

  /**
   * Marks a stored, live certificate deleted and disables its mappings, with their changes, in one
   * transaction. `undefined` when the account has no such certificate (or it is deleted already).
   */
  async softDelete(accountId: string, certificateId: number): Promise<CertificateRow | undefined> {
    return this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<CertificateRow>(
        `UPDATE certificates SET deleted = true, deleted_at = now(), updated_at = now()
         WHERE id = $1 AND account_id = $2 AND NOT deleted AND secret_state = 'stored'
         RETURNING ${CERTIFICATE_COLUMNS}`,
        [certificateId, accountId],
      );
      const deleted = rows[0];
      if (!deleted) return undefined;
      const { rows: disabled } = await tx.query<{ id: number }>(
        `UPDATE mappings SET enabled = false, updated_at = now()
         WHERE account_id = $1 AND certificate_id = $2 AND NOT deleted AND enabled
         RETURNING id`,
        [accountId, certificateId],
      );
      for (const mapping of disabled) {
        await this.#changes.record(tx, {
          accountId,
          certificateId,
          mappingId: mapping.id,
          kind: 'mapping.updated',
        });
      }
      await this.#changes.record(tx, { accountId, certificateId, kind: 'certificate.deleted' });
      return deleted;
    });
  }

  /** Rows left `pending` that were created before `olderThan` (of one account, when given). */
  async listPendingBefore(olderThan: Date, accountId: string | undefined): Promise<CertificateRow[]> {
    const { rows } = await this.#db.query<CertificateRow>(
      `SELECT ${CERTIFICATE_COLUMNS} FROM certificates
       WHERE secret_state = 'pending' AND created_at < $1 AND ($2::text IS NULL OR account_id = $2)`,
      [olderThan, accountId ?? null],
    );
    return rows;
  }

  /** Deletes an abandoned `pending` row that no mapping points to; the number of rows deleted (0 or 1). */
  async deleteAbandonedPending(certificateId: number): Promise<number> {
    const { rowCount } = await this.#db.query(
      `DELETE FROM certificates WHERE id = $1 AND secret_state = 'pending'
       AND NOT EXISTS (SELECT 1 FROM mappings WHERE mappings.certificate_id = certificates.id)`,
      [certificateId],
    );
    return rowCount;
  }

  /** Which of `refs` a certificate that is not deleted (stored or pending) still points to. */
  async referencedSecretRefs(refs: readonly string[]): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const { rows } = await this.#db.query<{ secret_ref: string }>(
      'SELECT secret_ref FROM certificates WHERE secret_ref = ANY($1::text[]) AND NOT deleted',
      [refs],
    );
    return new Set(rows.map((row) => row.secret_ref));
  }
}
