import type { components } from '@mtls-gateway/sdk';
import type { CertificateService, LoadedCertificate } from '../certificates/certificate-service.js';
import { recordChange } from '../certificates/certificate-service.js';
import {
  InvalidRequestError,
  MappingConflictError,
  NotFoundError,
  TransportFailureError,
} from '../http/errors.js';
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

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether a mapping `url` applies to a request URL. Without a trailing `*` the two must be equal (as sent,
 * query included). A prefix mapping (`…*`) applies when the request URL starts with the part before the `*`,
 * has the same origin (scheme, host and port, compared parsed) and the prefix ends at a boundary: the prefix
 * ends with `/` or holds a `?` (a query prefix), or the rest of the request URL is empty or starts with `/`,
 * `?` or `#`. So `https://api.example.com*` serves `https://api.example.com/x` but never
 * `https://api.example.com.attacker.tld/`, `https://api.example.com:8443/` or `https://api.example.com@evil/`:
 * the certificate is only ever presented to the host the mapping names.
 *
 * @example
 * ```ts
 * mappingUrlMatches('https://api.example.com/v2*', 'https://api.example.com/v2/users'); // true
 * mappingUrlMatches('https://api.example.com/v2*', 'https://api.example.com/v20'); // false
 * mappingUrlMatches('https://api.example.com*', 'https://api.example.com.attacker.tld/'); // false
 * ```
 */
export function mappingUrlMatches(mappingUrl: string, requestUrl: string): boolean {
  if (!mappingUrl.endsWith('*')) return mappingUrl === requestUrl;
  const prefix = mappingUrl.slice(0, -1);
  if (!requestUrl.startsWith(prefix)) return false;
  const origin = originOf(prefix);
  if (origin === undefined || origin === 'null' || origin !== originOf(requestUrl)) return false;
  if (prefix.endsWith('/') || prefix.includes('?')) return true;
  const rest = requestUrl.slice(prefix.length);
  return rest === '' || rest.startsWith('/') || rest.startsWith('?') || rest.startsWith('#');
}

/**
 * Checks that a mapping URL is an absolute `http`/`https` URL with a host (a trailing `*` allowed).
 *
 * @throws {InvalidRequestError} 400 naming `/url`.
 * @example
 * ```ts
 * assertMappingUrl('https://api.example.com/v2/*'); // fine
 * assertMappingUrl('ftp://example.com/'); // throws
 * ```
 */
export function assertMappingUrl(url: string): void {
  const base = withoutWildcard(url);
  let parsed: URL | undefined;
  try {
    parsed = new URL(base);
  } catch {
    parsed = undefined;
  }
  const valid =
    parsed !== undefined &&
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.hostname !== '' &&
    // The authority must be spelled out: WHATWG parsing would turn `https:///x` into `https://x/`.
    /^https?:\/\/[^\s/?#][^\s]*$/i.test(base);
  if (!valid) {
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
 * Which certificate serves which account + service + URL, and the lookup forwarding uses.
 *
 * Matching (DESIGN §2): a mapping's `url` equal to the request URL wins; else the longest mapping `url`
 * ending in `*` that applies by {@link mappingUrlMatches} (same origin, prefix ending at a path boundary).
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
  readonly #validateUrl: ValidateMappingUrl | undefined;

  constructor(options: MappingServiceOptions) {
    this.#db = options.db;
    this.#certificates = options.certificates;
    this.#validateUrl = options.validateUrl;
  }

  /**
   * Maps a certificate to a service and URL. A mapping left disabled by the deletion of its certificate is
   * replaced; an enabled one is a conflict.
   *
   * @param options.validateUrl `isValidateUrlEnabled`: make a test call with the certificate first (when the
   *   service was given a {@link ValidateMappingUrl}); for a prefix mapping the URL before the `*` is called.
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
    options: { validateUrl?: boolean | undefined } = {},
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
    if (options.validateUrl && this.#validateUrl) {
      const loaded = await this.#certificates.loadCertificateMaterial(accountId, certificateId);
      if (!loaded) {
        throw new TransportFailureError(
          `Certificate ${certificateId} is not Available (expired, not yet valid or its key is missing), so no ` +
            'test call was made. Upload a valid file first.',
          'CERTIFICATE_UNAVAILABLE',
        );
      }
      await this.#validateUrl(loaded, withoutWildcard(target.url));
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
          await recordChange(tx, { accountId, mappingId: old.id, kind: 'mapping.deleted' });
        }
        for (;;) {
          const { rows } = await tx.query<{ id: number }>(
            `INSERT INTO mappings (id, account_id, certificate_id, service_name, url)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
            [generateRandomId(), accountId, certificateId, target.serviceName, target.url],
          );
          const inserted = rows[0];
          if (!inserted) continue;
          await recordChange(tx, {
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
        await recordChange(tx, {
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
   * The mapping forwarding uses for a request: the exact URL first, then the longest `*` prefix that applies
   * ({@link mappingUrlMatches}: same origin, ending at a path boundary). Without a
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
      `SELECT m.id, m.certificate_id, m.service_name, m.url FROM mappings m
       JOIN certificates c ON c.id = m.certificate_id AND c.account_id = m.account_id
       WHERE m.account_id = $1 AND m.enabled AND NOT m.deleted AND NOT c.deleted
         AND ($2::text IS NULL OR m.service_name = $2)
         AND (m.url = $3 OR (right(m.url, 1) = '*' AND starts_with($3, left(m.url, -1))))`,
      [request.accountId, request.serviceName ?? null, request.url],
    );
    // The SQL only pre-selects by string prefix; the boundary and origin rule is applied here.
    const applicable = rows.filter((row) => mappingUrlMatches(row.url, request.url));
    const pick = (candidates: typeof rows) => {
      if (candidates.length === 0) return undefined;
      const longest = Math.max(...candidates.map((row) => row.url.length));
      const best = candidates.filter((row) => row.url.length === longest);
      return best.length === 1 ? best[0] : null;
    };
    const exact = pick(applicable.filter((row) => row.url === request.url));
    // An exact match under two services (no service name given) is ambiguous: nothing applies.
    const chosen = exact === undefined ? pick(applicable.filter((row) => row.url !== request.url)) : exact;
    if (!chosen) return undefined;
    return {
      mappingId: chosen.id,
      certificateId: chosen.certificate_id,
      serviceName: chosen.service_name,
      url: chosen.url,
    };
  }
}
