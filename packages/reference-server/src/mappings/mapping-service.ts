import { type components, isValidMappingUrl, selectMapping } from '@mtls-gateway/contract';
import type { CertificateService, LoadedCertificate } from '../certificates/certificate-service.js';
import {
  InvalidRequestError,
  MappingConflictError,
  NotFoundError,
  TransportFailureError,
} from '../errors.js';
import { ChangeLog } from '../storage/change-log.js';
import type { Database } from '../storage/database.js';
import { UniqueViolationError } from '../storage/errors.js';
import { generateRandomId } from '../storage/ids.js';

/** The spec's `Mapping` schema. */
export type MappingResource = components['schemas']['Mapping'];

/** The spec's `ServiceName`: `TEST_SERVICE`, `IDP`, `WEBHOOKS` or `FAAS`. */
export type ServiceName = components['schemas']['ServiceName'];

/** The spec's `MappingTarget`: a service and a URL. */
export type MappingTarget = components['schemas']['MappingTarget'];

/** The spec's `MappingCheck`: a target and whether a mapping applies to it. */
export type MappingCheck = components['schemas']['MappingCheck'];

/**
 * Makes a real test call to `url` with the certificate (`isValidateUrlEnabled=true`). Provided by the
 * forwarding module; it throws a `TransportFailureError` (424) when the call fails.
 */
export type ValidateMappingUrl = (certificate: LoadedCertificate, url: string) => Promise<void>;

/** The mapping the forwarding module should use for a request. */
export interface ResolvedMapping {
  mappingId: number;
  certificateId: number;
  serviceName: ServiceName;
  /** The mapping's url as stored (ending in `*` for a prefix mapping). */
  url: string;
}

/** Options of {@link MappingService}. */
export interface MappingServiceOptions {
  db: Database;
  certificates: CertificateService;
  /**
   * The app's change log (the composition root's): its listeners hear of each change once committed.
   * Default: a change log of this service's own — changes still reach every replica through `change_log`.
   */
  changes?: ChangeLog | undefined;
  /**
   * The test call of `isValidateUrlEnabled=true`. Without it, only the URL's syntax is checked (an absolute
   * `http`/`https` URL), which every activation does anyway.
   */
  validateUrl?: ValidateMappingUrl | undefined;
}

interface MappingRow {
  id: number;
  account_id: string;
  certificate_id: number;
  service_name: ServiceName;
  url: string;
  enabled: boolean;
  deleted: boolean;
  certificate_name: string;
}

const MAPPING_COLUMNS =
  'm.id, m.account_id, m.certificate_id, m.service_name, m.url, m.enabled, m.deleted, c.name AS certificate_name';

/** The URL a prefix mapping (`…*`) stands for: everything before the `*`. */
function withoutWildcard(url: string): string {
  return url.endsWith('*') ? url.slice(0, -1) : url;
}

/**
 * Checks that a mapping URL may be stored, by the contract's rule (`isValidMappingUrl`: an absolute
 * `http`/`https` URL with its authority spelled out, a trailing `*` allowed).
 *
 * @throws {InvalidRequestError} 400 naming `/url`.
 * @example
 * ```ts
 * assertMappingUrl('https://api.example.com/v2/*'); // fine
 * assertMappingUrl('ftp://example.com/'); // throws
 * ```
 */
export function assertMappingUrl(url: string): void {
  if (!isValidMappingUrl(url)) {
    throw new InvalidRequestError(
      'The mapping url must be a complete http or https URL (query included); only a trailing * is allowed, ' +
        'to match every URL that starts with the part before it.',
      [{ location: 'body', name: '/url', message: 'must be an absolute http or https URL' }],
    );
  }
}

function render(row: MappingRow): MappingResource {
  return {
    id: row.id,
    deleted: row.deleted,
    url: row.url,
    enable: row.enabled,
    serviceName: row.service_name,
    siteId: row.account_id,
    name: row.certificate_name,
    certificationId: row.certificate_id,
  };
}

/**
 * The mappings forwarding may use, of account `$1`: enabled, not deleted, of a live certificate.
 * `listActiveMappings` loads them all; `resolveMapping` adds the request's service and URL.
 */
const ACTIVE_MAPPINGS_OF_ACCOUNT = `FROM mappings m
  JOIN certificates c ON c.id = m.certificate_id AND c.account_id = m.account_id
  WHERE m.account_id = $1 AND m.enabled AND NOT m.deleted AND NOT c.deleted`;

/**
 * Which certificate serves which account + service + URL, and the lookup forwarding uses.
 *
 * Matching (DESIGN §2): a mapping's `url` equal to the request URL wins; else the longest mapping `url`
 * ending in `*` that applies by `mappingUrlMatches` of the contract (same origin, prefix ending at a path boundary).
 * URLs are compared as strings, exactly as sent (query included, no normalisation). Only enabled mappings
 * that are not deleted count.
 *
 * @example
 * ```ts
 * const mappings = new MappingService({ db, certificates });
 * await mappings.activate('le1606809', certificateId, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks' });
 * await mappings.resolveMapping({ accountId: 'le1606809', serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks' });
 * ```
 */
export class MappingService {
  readonly #db: Database;
  readonly #certificates: CertificateService;
  readonly #changes: ChangeLog;
  readonly #validateUrl: ValidateMappingUrl | undefined;

  constructor(options: MappingServiceOptions) {
    this.#db = options.db;
    this.#certificates = options.certificates;
    this.#changes = options.changes ?? new ChangeLog();
    this.#validateUrl = options.validateUrl;
  }

  /**
   * Maps a certificate to a service and URL. A mapping left disabled by the deletion of its certificate is
   * replaced; an enabled one is a conflict.
   *
   * @param options.validateUrl `isValidateUrlEnabled`: make a test call with the certificate first (when the
   *   service was given a {@link ValidateMappingUrl}); for a prefix mapping the URL before the `*` is called.
   * @param options.testCall The test call to make instead of the service's own `validateUrl` (the mapping
   *   routes pass the forwarding module's).
   * @throws {NotFoundError} 404 when the certificate is not a live certificate of the account.
   * @throws {MappingConflictError} 409 `mapping_conflict` when the account + service + URL is taken.
   * @throws {InvalidRequestError} 400 when the URL is not an absolute http(s) URL.
   * @throws {TransportFailureError} 424 when the test call fails or the certificate has no usable key.
   * @example
   * ```ts
   * const mapping = await mappings.activate('le1606809', 3515906310, { serviceName: 'IDP', url: 'https://idp.example.com/token' });
   * ```
   */
  async activate(
    accountId: string,
    certificateId: number,
    target: MappingTarget,
    options: { validateUrl?: boolean | undefined; testCall?: ValidateMappingUrl | undefined } = {},
  ): Promise<MappingResource> {
    assertMappingUrl(target.url);
    const { rows: certificates } = await this.#db.query<{ name: string }>(
      `SELECT name FROM certificates
       WHERE id = $1 AND account_id = $2 AND NOT deleted AND secret_state = 'stored'`,
      [certificateId, accountId],
    );
    if (!certificates[0]) {
      throw new NotFoundError(`Certificate ${certificateId} does not exist in account ${accountId}.`);
    }
    const testCall = options.testCall ?? this.#validateUrl;
    if (options.validateUrl && testCall) {
      const loaded = await this.#certificates.loadCertificateMaterial(accountId, certificateId);
      if (!loaded) {
        throw new TransportFailureError(
          `Certificate ${certificateId} is not Available (expired, not yet valid or its key is missing), so no ` +
            'test call was made. Upload a valid file first.',
          'CERTIFICATE_UNAVAILABLE',
        );
      }
      await testCall(loaded, withoutWildcard(target.url));
    }

    try {
      return await this.#db.transaction(async (tx) => {
        // A mapping disabled because its certificate was deleted no longer serves anything: it gives way.
        const { rows: superseded } = await tx.query<{ id: number }>(
          `UPDATE mappings SET deleted = true, updated_at = now()
           WHERE account_id = $1 AND service_name = $2 AND url = $3 AND NOT deleted AND NOT enabled
           RETURNING id`,
          [accountId, target.serviceName, target.url],
        );
        for (const old of superseded) {
          await this.#changes.record(tx, { accountId, mappingId: old.id, kind: 'mapping.deleted' });
        }
        for (;;) {
          const { rows } = await tx.query<{ id: number }>(
            `INSERT INTO mappings (id, account_id, certificate_id, service_name, url)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
            [generateRandomId(), accountId, certificateId, target.serviceName, target.url],
          );
          const inserted = rows[0];
          if (!inserted) continue;
          await this.#changes.record(tx, {
            accountId,
            certificateId,
            mappingId: inserted.id,
            kind: 'mapping.created',
          });
          return render({
            id: inserted.id,
            account_id: accountId,
            certificate_id: certificateId,
            service_name: target.serviceName,
            url: target.url,
            enabled: true,
            deleted: false,
            certificate_name: certificates[0]?.name ?? '',
          });
        }
      });
    } catch (error) {
      if (error instanceof UniqueViolationError && error.constraint === 'mappings_account_service_url_key') {
        throw new MappingConflictError(
          `${target.serviceName} ${target.url} already has a certificate in account ${accountId}. ` +
            'Delete that mapping first.',
        );
      }
      throw error;
    }
  }

  /**
   * The account's mappings that are not deleted (disabled ones included, `enable: false`), oldest first.
   *
   * @example
   * ```ts
   * const list = await mappings.list('le1606809');
   * ```
   */
  async list(accountId: string): Promise<MappingResource[]> {
    const { rows } = await this.#db.query<MappingRow>(
      `SELECT ${MAPPING_COLUMNS} FROM mappings m JOIN certificates c ON c.id = m.certificate_id
       WHERE m.account_id = $1 AND NOT m.deleted ORDER BY m.created_at, m.id`,
      [accountId],
    );
    return rows.map(render);
  }

  /**
   * Deletes a mapping: requests to its URL go out without its certificate from then on.
   *
   * @throws {NotFoundError} 404 when the account has no such mapping (or it is already deleted).
   * @example
   * ```ts
   * const deleted = await mappings.delete('le1606809', 7340032010); // deleted.deleted === true
   * ```
   */
  async delete(accountId: string, mappingId: number): Promise<MappingResource> {
    const row = await this.#db.transaction(async (tx) => {
      const { rows } = await tx.query<MappingRow>(
        `UPDATE mappings m SET deleted = true, enabled = false, updated_at = now()
         FROM certificates c
         WHERE m.id = $1 AND m.account_id = $2 AND NOT m.deleted AND c.id = m.certificate_id
         RETURNING ${MAPPING_COLUMNS}`,
        [mappingId, accountId],
      );
      const deleted = rows[0];
      if (deleted) {
        await this.#changes.record(tx, {
          accountId,
          certificateId: deleted.certificate_id,
          mappingId,
          kind: 'mapping.deleted',
        });
      }
      return deleted;
    });
    if (!row) throw new NotFoundError(`Mapping ${mappingId} does not exist in account ${accountId}.`);
    return render(row);
  }

  /**
   * For each target, whether a mapping applies to it — the same match as forwarding.
   *
   * @example
   * ```ts
   * await mappings.check('le1606809', [{ serviceName: 'IDP', url: 'https://idp.example.com/token' }]);
   * // [{ serviceName: 'IDP', url: 'https://idp.example.com/token', exist: false }]
   * ```
   */
  async check(accountId: string, targets: readonly MappingTarget[]): Promise<MappingCheck[]> {
    return Promise.all(
      targets.map(async (target) => ({
        serviceName: target.serviceName,
        url: target.url,
        exist:
          (await this.resolveMapping({ accountId, serviceName: target.serviceName, url: target.url })) !==
          undefined,
      })),
    );
  }

  /**
   * Every enabled mapping of the account's live certificates: what {@link resolveMapping} chooses among, for
   * forwarding's in-memory index of the account.
   *
   * @example
   * ```ts
   * const index = new AccountMappingIndex(await mappings.listActiveMappings('le1606809'));
   * ```
   */
  async listActiveMappings(
    accountId: string,
  ): Promise<Array<{ certificateId: number; serviceName: ServiceName; url: string }>> {
    const { rows } = await this.#db.query<{ certificate_id: number; service_name: ServiceName; url: string }>(
      `SELECT m.certificate_id, m.service_name, m.url ${ACTIVE_MAPPINGS_OF_ACCOUNT}`,
      [accountId],
    );
    return rows.map((row) => ({
      certificateId: row.certificate_id,
      serviceName: row.service_name,
      url: row.url,
    }));
  }

  /**
   * The mapping forwarding uses for a request: the exact URL first, then the longest `*` prefix that applies
   * (`mappingUrlMatches` of the contract: same origin, ending at a path boundary). Without a
   * service name, a mapping under any service is used when exactly one applies at that level (an exact
   * match under two services is ambiguous, so none is used). Only enabled, non-deleted mappings count.
   *
   * @example
   * ```ts
   * const mapping = await mappings.resolveMapping({ accountId, serviceName: 'WEBHOOKS', url: forwardUrl });
   * const loaded = mapping && (await certificates.loadCertificateMaterial(accountId, mapping.certificateId));
   * ```
   */
  async resolveMapping(request: {
    accountId: string;
    serviceName?: string | undefined;
    url: string;
  }): Promise<ResolvedMapping | undefined> {
    const { rows } = await this.#db.query<{
      id: number;
      certificate_id: number;
      service_name: ServiceName;
      url: string;
    }>(
      `SELECT m.id, m.certificate_id, m.service_name, m.url ${ACTIVE_MAPPINGS_OF_ACCOUNT}
         AND ($2::text IS NULL OR m.service_name = $2)
         AND (m.url = $3 OR (right(m.url, 1) = '*' AND starts_with($3, left(m.url, -1))))`,
      [request.accountId, request.serviceName ?? null, request.url],
    );
    // The SQL only pre-selects by string prefix; the contract's rule (origin, boundary, longest) decides.
    const chosen = selectMapping(rows, request.url);
    if (!chosen) return undefined;
    return {
      mappingId: chosen.id,
      certificateId: chosen.certificate_id,
      serviceName: chosen.service_name,
      url: chosen.url,
    };
  }
}
