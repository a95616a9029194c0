import { randomBytes } from 'node:crypto';
import type { P12Input } from '@mtls-gateway/contract';
import { InvalidRequestError, NameConflictError, NotFoundError } from '../errors.js';
import { SecretDecryptionError } from '../secrets/errors.js';
import {
  assertValidSecretRef,
  certificateSecretRef,
  type SecretContext,
  type SecretMaterial,
  type SecretStore,
} from '../secrets/secret-store.js';
import { ChangeLog } from '../storage/change-log.js';
import type { Database } from '../storage/database.js';
import {
  type CertificateFileInput,
  type OpenCertificateFilesOptions,
  type OpenedCertificateFile,
  openCertificateFiles,
} from './certificate-file.js';
import {
  type CertificateResource,
  type CertificateRow,
  type CertificateSaveResult,
  computeCertificateStatus,
  type RenderableCertificateRow,
  renderCertificate,
} from './certificate-record.js';
import { CertificateRepository, isNameTaken } from './certificate-repository.js';
import type { P12Opener } from './p12-worker-pool.js';

/** The logger the services report background problems to (a pino / Fastify logger fits). */
export interface ServiceLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** One certificate to upload. */
export interface CertificateUploadInput {
  /** Unique per account among certificates that are not deleted. */
  name: string;
  /** The PKCS#12 file (bytes, byte values or base64). */
  p12: P12Input;
  /** Opens the file; never stored. */
  password: string;
}

/** A replacement file for an existing certificate. */
export interface CertificateReplacementInput {
  id: number;
  /** The new PKCS#12 file (bytes, byte values or base64). */
  p12: P12Input;
  password: string;
  /** A new name (optional); unique per account like on upload. */
  name?: string | undefined;
}

/** Options of a create or update. */
export interface CertificateWriteOptions {
  /** Accept certificates outside their validity period (`allowExpired=true`). */
  allowExpired?: boolean | undefined;
  /** Where item `index` sits in the request, for `errors[].name` of a refusal. Default `/<index>/p12`. */
  pointer?: OpenCertificateFilesOptions['pointer'];
  /** How item `index` is named in a refusal's detail. Default `Item <index> ("<name>")`. */
  describeItem?: OpenCertificateFilesOptions['describeItem'];
}

/** The key material of an Available certificate, for the forwarding module. */
export interface LoadedCertificate {
  id: number;
  /** Goes up with every replacement: connection pools are keyed on (id, version). */
  version: number;
  material: SecretMaterial;
  /** The certificate's notAfter: a cached copy must not be used past it. */
  notAfter: Date | null;
}

/** What {@link CertificateService.sweepPendingCertificates} removed. */
export interface CertificateSweepResult {
  /** Rows left `pending` by a create that never finished, and their secrets. */
  pendingCertificates: number;
  /** Embedded-store secrets no live certificate points to (an interrupted update or delete). */
  orphanedSecrets: number;
}

/** Options of {@link CertificateService}. */
export interface CertificateServiceOptions {
  db: Database;
  secrets: SecretStore;
  /**
   * The app's change log (the composition root's): its listeners hear of each change once committed.
   * Default: a change log of this service's own — changes still reach every replica through `change_log`.
   */
  changes?: ChangeLog | undefined;
  logger?: ServiceLogger | undefined;
  /** The clock (tests). Default `() => new Date()`. */
  now?: (() => Date) | undefined;
  /**
   * How long a create may stay `pending` before its row counts as abandoned (a crash between steps): a new
   * upload with the same name then removes it instead of refusing the name. Default 10 minutes.
   */
  pendingTimeoutMs?: number | undefined;
  /**
   * Where uploaded files are opened: the app's worker pool (`context.p12Workers`). Default: on the caller's
   * thread, which only tests and tools should do.
   */
  p12Opener?: P12Opener | undefined;
}

/** Default of {@link CertificateServiceOptions.pendingTimeoutMs}: 10 minutes. */
export const DEFAULT_PENDING_TIMEOUT_MS = 10 * 60_000;

/** Secrets the orphan sweep examines at a time. */
const SWEEP_PAGE_SIZE = 500;

const silentLogger: ServiceLogger = { warn() {} };

/** The class name of an error, for logs (messages could come from a remote secret store). */
function errorKind(error: unknown): string {
  return error instanceof Error
    ? `${error.name}${'code' in error ? ` (${String(error.code)})` : ''}`
    : typeof error;
}

/**
 * A fresh ref for one version of a certificate's material. The random suffix makes it unique even when two
 * updates of the same version race, so a secret is never overwritten while a row still points to it.
 */
function freshSecretRef(accountId: string, certificateId: number, version: number): string {
  const ref = `${certificateSecretRef({ accountId, certificateId, version })}-${randomBytes(6).toString('hex')}`;
  assertValidSecretRef(ref);
  return ref;
}

function contextOf(row: Pick<CertificateRow, 'account_id' | 'id'>): SecretContext {
  return { accountId: row.account_id, certificateId: String(row.id) };
}

/**
 * The account's client certificates: uploads, replacements, soft deletes, reads with a status computed when
 * read, and the key material the forwarding module presents.
 *
 * Key material lives in the {@link SecretStore} only; the database holds the certificate's public facts and
 * the secret's ref. Writes follow a protocol that survives a crash at any point:
 * - **create**: the row is inserted `pending` and committed, the secret is written, then the row is flipped
 *   to `stored` with its change-log row. A `pending` row is never Available, never presented and never
 *   listed; {@link sweepPendingCertificates} removes abandoned ones.
 * - **update**: the new secret is written under a new ref, then one transaction switches the row (ref,
 *   metadata, `version + 1`, change log), then the old secret is deleted. Until the switch the old key is
 *   still the one referenced.
 * - **delete**: one transaction marks the row deleted and disables its mappings, then the secret is deleted.
 *
 * @example
 * ```ts
 * const certificates = new CertificateService({ db, secrets });
 * const result = await certificates.create('le1606809', [{ name: 'Cert1', p12, password: 'changeit' }]);
 * const [saved] = result.successfulySavedCertificates; // saved.status === 'Available'
 * const loaded = await certificates.loadCertificateMaterial('le1606809', saved.id);
 * ```
 */
export class CertificateService {
  readonly #repository: CertificateRepository;
  readonly #secrets: SecretStore;
  readonly #logger: ServiceLogger;
  readonly #now: () => Date;
  readonly #pendingTimeoutMs: number;
  readonly #p12Opener: P12Opener | undefined;

  constructor(options: CertificateServiceOptions) {
    this.#repository = new CertificateRepository(options.db, options.changes ?? new ChangeLog());
    this.#secrets = options.secrets;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? (() => new Date());
    this.#pendingTimeoutMs = options.pendingTimeoutMs ?? DEFAULT_PENDING_TIMEOUT_MS;
    this.#p12Opener = options.p12Opener;
  }

  // ------------------------------------------------------------------------------------------------------
  // Reads

  /**
   * The account's certificates (soft-deleted ones only with `includeDeleted`), oldest first.
   *
   * @example
   * ```ts
   * const all = await certificates.list('le1606809', { includeDeleted: true });
   * ```
   */
  async list(
    accountId: string,
    options: { includeDeleted?: boolean | undefined } = {},
  ): Promise<CertificateResource[]> {
    const rows = await this.#repository.listStored(accountId, {
      includeDeleted: options.includeDeleted === true,
    });
    return this.#renderAll(rows);
  }

  /**
   * One certificate of the account, soft-deleted ones included.
   *
   * @throws {NotFoundError} when the account has no such certificate.
   * @example
   * ```ts
   * const certificate = await certificates.get('le1606809', 3515906310);
   * ```
   */
  async get(accountId: string, certificateId: number): Promise<CertificateResource> {
    const row = await this.#repository.findStored(accountId, certificateId, { includeDeleted: true });
    if (!row) throw this.#notFound(accountId, certificateId);
    const [rendered] = this.#renderAll([row]);
    return rendered as CertificateResource;
  }

  /**
   * The key material of a certificate, only when it is Available (stored, not deleted, inside its validity
   * period and present in the secret store); `undefined` otherwise.
   *
   * @throws {SecretStoreUnavailableError} when the secret store cannot be reached (a transient failure the
   *   caller should report, not a missing certificate).
   * @example
   * ```ts
   * const loaded = await certificates.loadCertificateMaterial('le1606809', mapping.certificateId);
   * if (loaded) tls.connect({ key: loaded.material.privateKeyPem, cert: loaded.material.certificatePem, … });
   * ```
   */
  async loadCertificateMaterial(
    accountId: string,
    certificateId: number,
  ): Promise<LoadedCertificate | undefined> {
    const row = await this.#repository.findStored(accountId, certificateId, { includeDeleted: false });
    if (!row || computeCertificateStatus(row, this.#now()) !== 'Available') {
      return undefined;
    }
    let material: SecretMaterial | undefined;
    try {
      material = await this.#secrets.get(row.secret_ref, contextOf(row));
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      this.#logger.warn(
        { accountId, certificateId, error: errorKind(error) },
        'The key material of a certificate cannot be decrypted; it is treated as missing.',
      );
      return undefined;
    }
    if (!material) return undefined;
    return { id: row.id, version: row.version, material, notAfter: row.expires_at };
  }

  // ------------------------------------------------------------------------------------------------------
  // Create

  /** Refuses an empty batch, then opens the files one by one (refusing the request at the first unusable one). */
  async #openFiles(
    items: readonly CertificateFileInput[],
    options: CertificateWriteOptions,
    describeItem: (index: number) => string,
  ): Promise<OpenedCertificateFile[]> {
    if (items.length === 0) {
      throw new InvalidRequestError('Send at least one certificate.', [
        { location: 'body', name: '', message: 'must not be empty' },
      ]);
    }
    return openCertificateFiles(items, {
      allowExpired: options.allowExpired,
      now: this.#now(),
      pointer: options.pointer,
      describeItem: options.describeItem ?? describeItem,
      opener: this.#p12Opener,
    });
  }

  /**
   * Uploads certificates. Every file is opened and checked first, one after another (the first unusable
   * file refuses the whole request, nothing stored, the files after it not opened), names are checked, then
   * each certificate is saved. A certificate whose
   * secret cannot be written is reported in `failedSaveToVaultCertificates` (status `UnAvailable`) and leaves
   * nothing behind.
   *
   * @throws {CertificateFileRejectedError} `p12_*` naming the refused item.
   * @throws {NameConflictError} `name_conflict` when a name is taken in the account or used twice.
   * @example
   * ```ts
   * const { successfulySavedCertificates, failedSaveToVaultCertificates } = await certificates.create(
   *   'le1606809', [{ name: 'Cert1', p12, password }], { allowExpired: false });
   * ```
   */
  async create(
    accountId: string,
    uploads: readonly CertificateUploadInput[],
    options: CertificateWriteOptions = {},
  ): Promise<CertificateSaveResult> {
    const opened = await this.#openFiles(
      uploads,
      options,
      (index) => `Item ${index} ("${uploads[index]?.name}")`,
    );
    this.#assertNamesDistinct(
      accountId,
      uploads.map((upload) => upload.name),
    );
    await this.#assertNamesFree(
      accountId,
      uploads.map((upload) => upload.name),
    );

    const pending = await this.#insertPendingRows(accountId, uploads, opened);

    const result: CertificateSaveResult = {
      successfulySavedCertificates: [],
      failedSaveToVaultCertificates: [],
    };
    for (const [index, row] of pending.entries()) {
      const material = (opened[index] as OpenedCertificateFile).material;
      const saved = await this.#storeCreatedSecret(row, material);
      if (saved) result.successfulySavedCertificates.push(saved);
      else result.failedSaveToVaultCertificates.push(renderCertificate(row, 'UnAvailable'));
    }
    return result;
  }

  /** Inserts one `pending` row per upload in a single transaction: all names are reserved, or none. */
  async #insertPendingRows(
    accountId: string,
    uploads: readonly CertificateUploadInput[],
    opened: readonly OpenedCertificateFile[],
  ): Promise<CertificateRow[]> {
    try {
      return await this.#repository.insertPending(
        accountId,
        uploads.map((upload, index) => ({
          name: upload.name,
          facts: opened[index] as OpenedCertificateFile,
        })),
        (certificateId) => freshSecretRef(accountId, certificateId, 1),
      );
    } catch (error) {
      // Another request took the name between the check and the insert.
      if (isNameTaken(error))
        throw this.#nameConflict(
          accountId,
          uploads.map((upload) => upload.name),
        );
      throw error;
    }
  }

  /**
   * Writes the secret of a `pending` row and flips it to `stored`. On a failed write the row and anything
   * written are removed and `undefined` is returned. A crash in between leaves a `pending` row for the sweep.
   */
  async #storeCreatedSecret(
    row: CertificateRow,
    material: SecretMaterial,
  ): Promise<CertificateResource | undefined> {
    const context = contextOf(row);
    try {
      await this.#secrets.put(row.secret_ref, material, context);
    } catch (error) {
      this.#logger.warn(
        { accountId: row.account_id, certificateId: row.id, error: errorKind(error) },
        'The key material of a new certificate could not be stored; the upload is reported as failed.',
      );
      await this.#discardPendingCreate(row);
      return undefined;
    }

    let stored: CertificateRow | undefined;
    try {
      stored = await this.#repository.markStored(row);
    } catch (error) {
      // The flip may have committed before the failure surfaced: remove the secret only once the row is
      // known to be gone. If the database is down, the sweep finds the pending row later.
      await this.#discardUnflippedCreate(row);
      throw error;
    }
    if (!stored) {
      // The sweep removed the row meanwhile (it took longer than the pending timeout).
      await this.#deleteSecretQuietly(row.secret_ref, context, row);
      return undefined;
    }
    return renderCertificate(stored, computeCertificateStatus(stored, this.#now()));
  }

  /**
   * After a failed secret write (the row is certainly still `pending`): the secret first (a write that timed
   * out may have landed), then the row, so an interruption leaves the row naming the secret for the sweep.
   * The row goes even when the secret store refuses the delete — typically it is down, and then nothing was
   * written — so the failed upload leaves nothing visible behind (its name is free at once).
   */
  async #discardPendingCreate(row: CertificateRow): Promise<void> {
    try {
      await this.#secrets.delete(row.secret_ref, contextOf(row));
    } catch (error) {
      this.#logger.warn(
        {
          accountId: row.account_id,
          certificateId: row.id,
          secretRef: row.secret_ref,
          error: errorKind(error),
        },
        'The secret of a failed upload could not be deleted; if the write had landed, delete this ref by hand.',
      );
    }
    try {
      await this.#repository.deletePending(row);
    } catch (error) {
      this.#logger.warn(
        { accountId: row.account_id, certificateId: row.id, error: errorKind(error) },
        'A failed upload could not be cleaned up; the pending-certificate sweep will remove it.',
      );
    }
  }

  /** After a failed flip: the row first (only if still `pending`), then its secret if the row went. */
  async #discardUnflippedCreate(row: CertificateRow): Promise<void> {
    try {
      const deleted = await this.#repository.deletePending(row);
      if (deleted === 1) await this.#secrets.delete(row.secret_ref, contextOf(row));
    } catch (error) {
      this.#logger.warn(
        { accountId: row.account_id, certificateId: row.id, error: errorKind(error) },
        'A failed upload could not be cleaned up; the pending-certificate sweep will remove it.',
      );
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Update

  /**
   * Replaces the file (and optionally the name) of existing certificates. Every file is checked first
   * (`p12_*`), every id must be a certificate of the account that is not deleted (`not_found`), names must
   * be free (`name_conflict`).
   * Each certificate's `version` goes up by one and its id stays. A certificate whose new secret cannot be
   * written is left exactly as it was and reported in `failedSaveToVaultCertificates`.
   *
   * @throws {CertificateFileRejectedError} | {InvalidRequestError} | {NotFoundError} | {NameConflictError}
   * @example
   * ```ts
   * await certificates.update('le1606809', [{ id: 3515906310, p12, password: 'changeit' }]);
   * ```
   */
  async update(
    accountId: string,
    replacements: readonly CertificateReplacementInput[],
    options: CertificateWriteOptions = {},
  ): Promise<CertificateSaveResult> {
    const opened = await this.#openFiles(
      replacements,
      options,
      (index) => `Certificate ${replacements[index]?.id}`,
    );
    this.#assertIdsDistinct(replacements);

    const ids = replacements.map((replacement) => replacement.id);
    const current = await this.#repository.findLive(accountId, ids);
    const byId = new Map(current.map((row) => [row.id, row]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new NotFoundError(
        `Certificate${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not ` +
          `exist in account ${accountId} (or ${missing.length > 1 ? 'are' : 'is'} deleted). Nothing was changed.`,
      );
    }
    const renames = replacements.filter(
      (replacement) => replacement.name !== undefined && replacement.name !== byId.get(replacement.id)?.name,
    );
    this.#assertNamesDistinct(
      accountId,
      renames.map((replacement) => replacement.name as string),
    );
    await this.#assertNamesFree(
      accountId,
      renames.map((replacement) => replacement.name as string),
    );

    const result: CertificateSaveResult = {
      successfulySavedCertificates: [],
      failedSaveToVaultCertificates: [],
    };
    for (const [index, replacement] of replacements.entries()) {
      const row = byId.get(replacement.id) as CertificateRow;
      const outcome = await this.#replaceSecret(
        row,
        opened[index] as OpenedCertificateFile,
        replacement.name,
      );
      if (outcome.saved) result.successfulySavedCertificates.push(outcome.certificate);
      else result.failedSaveToVaultCertificates.push(outcome.certificate);
    }
    return result;
  }

  /** New secret under a new ref → switch the row in one transaction → delete the old secret. */
  async #replaceSecret(
    row: CertificateRow,
    file: OpenedCertificateFile,
    newName: string | undefined,
  ): Promise<{ saved: boolean; certificate: CertificateResource }> {
    const context = contextOf(row);
    const newRef = freshSecretRef(row.account_id, row.id, row.version + 1);
    const unchanged = async () => ({ saved: false, certificate: await this.#renderCurrent(row) });
    try {
      await this.#secrets.put(newRef, file.material, context);
    } catch (error) {
      this.#logger.warn(
        { accountId: row.account_id, certificateId: row.id, error: errorKind(error) },
        'The key material of a certificate replacement could not be stored; the certificate is unchanged.',
      );
      await this.#deleteSecretQuietly(newRef, context, row);
      return unchanged();
    }

    let switched: CertificateRow | undefined;
    try {
      switched = await this.#repository.switchSecret(row, newRef, file, newName);
    } catch (error) {
      if (isNameTaken(error)) {
        await this.#deleteSecretQuietly(newRef, context, row);
        throw this.#nameConflict(row.account_id, [newName ?? row.name]);
      }
      await this.#settleFailedSwitch(row, newRef);
      throw error;
    }
    if (!switched) {
      await this.#deleteSecretQuietly(newRef, context, row);
      return unchanged();
    }
    await this.#deleteSecretQuietly(row.secret_ref, context, row);
    return {
      saved: true,
      certificate: renderCertificate(switched, computeCertificateStatus(switched, this.#now())),
    };
  }

  /**
   * The switch failed, but it may have committed before the failure surfaced: delete whichever secret the
   * row no longer points to. When the row cannot be read, both stay (the sweep removes the orphan where the store can list secrets).
   */
  async #settleFailedSwitch(row: CertificateRow, newRef: string): Promise<void> {
    try {
      const current = await this.#repository.currentSecretRef(row);
      if (current === newRef) await this.#secrets.delete(row.secret_ref, contextOf(row));
      else await this.#secrets.delete(newRef, contextOf(row));
    } catch (error) {
      this.#logger.warn(
        { accountId: row.account_id, certificateId: row.id, error: errorKind(error) },
        'A failed certificate replacement could not be cleaned up; the sweep will remove the unused secret.',
      );
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Delete

  /**
   * Soft-deletes a certificate: `deleted: true`, its mappings disabled, its key material removed. The name
   * becomes free.
   *
   * @throws {NotFoundError} when the account has no such certificate or it is already deleted.
   * @example
   * ```ts
   * const deleted = await certificates.delete('le1606809', 3515906310); // deleted.deleted === true
   * ```
   */
  async delete(accountId: string, certificateId: number): Promise<CertificateResource> {
    const row = await this.#repository.softDelete(accountId, certificateId);
    if (!row) throw this.#notFound(accountId, certificateId);
    await this.#deleteSecretQuietly(row.secret_ref, contextOf(row), row);
    return renderCertificate(row, 'UnAvailable');
  }

  // ------------------------------------------------------------------------------------------------------
  // Sweep

  /**
   * Cleans up after interrupted writes: removes certificates left `pending` (a create that crashed between
   * its steps) created before `olderThan`, with their secrets; and, when the secret store can list its
   * secrets (`listCertificateSecrets`: the embedded store), secrets older than `olderThan` that no live
   * certificate points to (an update interrupted before its switch, or a delete interrupted before removing
   * the secret). Safe to run on several replicas at once.
   *
   * With Vault, secrets orphaned by an interrupted update or delete are not found (the secret store offers no
   * listing); they are never referenced, so never presented.
   *
   * @example
   * ```ts
   * await certificates.sweepPendingCertificates(new Date(Date.now() - 10 * 60_000));
   * ```
   */
  async sweepPendingCertificates(
    olderThan: Date,
    scope: { accountId?: string | undefined } = {},
  ): Promise<CertificateSweepResult> {
    const pending = await this.#repository.listPendingBefore(olderThan, scope.accountId);
    let pendingCertificates = 0;
    for (const row of pending) {
      // Secret first: if this is interrupted, the row still names the secret for the next sweep.
      await this.#secrets.delete(row.secret_ref, contextOf(row));
      pendingCertificates += await this.#repository.deleteAbandonedPending(row.id);
    }
    const orphanedSecrets = scope.accountId === undefined ? await this.#sweepOrphanedSecrets(olderThan) : 0;
    if (pendingCertificates > 0 || orphanedSecrets > 0) {
      this.#logger.warn(
        { pendingCertificates, orphanedSecrets },
        'Removed what interrupted certificate writes left behind.',
      );
    }
    return { pendingCertificates, orphanedSecrets };
  }

  /**
   * Deletes the certificate secrets written before `olderThan` that no certificate points to, a page at a
   * time (listed first, then checked: a ref that becomes referenced meanwhile is seen as referenced). Only
   * stores that can list their secrets find them.
   */
  async #sweepOrphanedSecrets(olderThan: Date): Promise<number> {
    if (!this.#secrets.listCertificateSecrets) return 0;
    let orphanedSecrets = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.#secrets.listCertificateSecrets({
        writtenBefore: olderThan,
        after,
        limit: SWEEP_PAGE_SIZE,
      });
      const referenced = await this.#repository.referencedSecretRefs(page.map((secret) => secret.ref));
      for (const secret of page) {
        if (referenced.has(secret.ref)) continue;
        await this.#secrets.delete(secret.ref, secret.context);
        orphanedSecrets++;
      }
      if (page.length < SWEEP_PAGE_SIZE) return orphanedSecrets;
      after = page.at(-1)?.ref;
    }
  }

  /**
   * One sweep of what interrupted writes left behind longer ago than the pending timeout — the app runs it
   * on an interval (`BuildAppOptions.sweepIntervalMs`).
   *
   * @example
   * ```ts
   * const { pendingCertificates, orphanedSecrets } = await certificates.sweepAbandonedWrites();
   * ```
   */
  sweepAbandonedWrites(): Promise<CertificateSweepResult> {
    return this.sweepPendingCertificates(new Date(this.#now().getTime() - this.#pendingTimeoutMs));
  }

  // ------------------------------------------------------------------------------------------------------
  // Helpers

  /** Renders rows with their status from the stored metadata (no secret-store read). */
  #renderAll(rows: readonly RenderableCertificateRow[]): CertificateResource[] {
    const now = this.#now();
    return rows.map((row) => renderCertificate(row, computeCertificateStatus(row, now)));
  }

  async #renderCurrent(row: CertificateRow): Promise<CertificateResource> {
    const fresh = await this.#repository.findStored(row.account_id, row.id, { includeDeleted: true });
    const [rendered] = this.#renderAll([fresh ?? row]);
    return rendered as CertificateResource;
  }

  async #deleteSecretQuietly(
    ref: string,
    context: SecretContext,
    row: Pick<CertificateRow, 'account_id' | 'id'>,
  ) {
    try {
      await this.#secrets.delete(ref, context);
    } catch (error) {
      this.#logger.warn(
        { accountId: row.account_id, certificateId: row.id, error: errorKind(error) },
        'A secret that is no longer used could not be deleted; the sweep will retry (embedded store).',
      );
    }
  }

  #assertNamesDistinct(accountId: string, names: readonly string[]): void {
    const seen = new Set<string>();
    const twice: string[] = [];
    for (const name of names) {
      if (seen.has(name)) twice.push(name);
      seen.add(name);
    }
    if (twice.length > 0) {
      throw new NameConflictError(
        `The request uses the certificate name "${twice[0]}" more than once in account ${accountId}. ` +
          'Give each certificate its own name.',
      );
    }
  }

  /** `name_conflict` when a name is held by a live certificate; an abandoned `pending` create is swept instead. */
  async #assertNamesFree(accountId: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    let rows = await this.#repository.findNameHolders(accountId, names);
    const abandonedBefore = new Date(this.#now().getTime() - this.#pendingTimeoutMs);
    if (rows.some((row) => row.secret_state === 'pending' && row.created_at < abandonedBefore)) {
      await this.sweepPendingCertificates(abandonedBefore, { accountId });
      rows = await this.#repository.findNameHolders(accountId, names);
    }
    if (rows.length > 0)
      throw this.#nameConflict(
        accountId,
        rows.map((row) => row.name),
      );
  }

  #nameConflict(accountId: string, names: readonly string[]): NameConflictError {
    return new NameConflictError(
      `Account ${accountId} already has a certificate named "${names[0]}". Choose another name or update it.`,
    );
  }

  #assertIdsDistinct(replacements: readonly CertificateReplacementInput[]): void {
    const seen = new Set<number>();
    const errors = replacements.flatMap((replacement, index) => {
      if (!seen.has(replacement.id)) {
        seen.add(replacement.id);
        return [];
      }
      return [
        {
          location: 'body' as const,
          name: `/${index}/id`,
          message: 'names a certificate already in the request',
        },
      ];
    });
    if (errors.length > 0) {
      throw new InvalidRequestError(
        `The request replaces certificate ${replacements[Number(errors[0]?.name?.split('/')[1])]?.id} more than once. ` +
          'Send one replacement per certificate.',
        errors,
      );
    }
  }

  #notFound(accountId: string, certificateId: number): NotFoundError {
    return new NotFoundError(`Certificate ${certificateId} does not exist in account ${accountId}.`);
  }
}
