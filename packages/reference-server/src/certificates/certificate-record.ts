import type { components } from '@mtls-gateway/contract';

/** The spec's `Certificate` schema: what every certificate operation answers with. */
export type CertificateResource = components['schemas']['Certificate'];

/** The spec's `CertificateStatus`: `Available`, `UnAvailable` or `Expired`. */
export type CertificateStatus = components['schemas']['CertificateStatus'];

/** The spec's `CertificateSaveResult` (the misspelling `successfuly` is the real wire name). */
export type CertificateSaveResult = components['schemas']['CertificateSaveResult'];

/** One row of the `certificates` table, as the database returns it. */
export interface CertificateRow {
  id: number;
  account_id: string;
  name: string;
  display_name: string;
  deleted: boolean;
  deleted_at: Date | null;
  version: number;
  secret_ref: string;
  secret_state: 'pending' | 'stored';
  not_before: Date | null;
  expires_at: Date | null;
  subject: string | null;
  issuer: string | null;
  serial_number: string | null;
  fingerprint_sha256: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What rendering a certificate and computing its status read of a row. */
export type RenderableCertificateRow = Pick<
  CertificateRow,
  | 'id'
  | 'account_id'
  | 'name'
  | 'display_name'
  | 'deleted'
  | 'version'
  | 'secret_state'
  | 'not_before'
  | 'expires_at'
  | 'subject'
  | 'issuer'
  | 'serial_number'
  | 'fingerprint_sha256'
>;

/** The columns every certificate query selects (never `SELECT *`: new columns must be chosen on purpose). */
export const CERTIFICATE_COLUMNS =
  'id, account_id, name, display_name, deleted, deleted_at, version, secret_ref, secret_state, not_before, ' +
  'expires_at, subject, issuer, serial_number, fingerprint_sha256, created_at, updated_at';

/**
 * The status of a certificate at `now`, computed from the stored row alone (DESIGN §1) — reading a list never
 * touches the secret store, so its cost does not grow with key material and an outage of the store does not
 * change what a list says: deleted → `UnAvailable`; past `expires_at` → `Expired`; key material stored (its
 * write finished) and inside the validity period → `Available`; anything else (pending write, not yet valid)
 * → `UnAvailable`.
 *
 * @example
 * ```ts
 * computeCertificateStatus(row, new Date()); // 'Available'
 * ```
 */
export function computeCertificateStatus(
  row: Pick<CertificateRow, 'deleted' | 'secret_state' | 'not_before' | 'expires_at'>,
  at: Date,
): CertificateStatus {
  if (row.deleted) return 'UnAvailable';
  const now = at.getTime();
  if (row.expires_at && now > row.expires_at.getTime()) return 'Expired';
  if (row.not_before && now < row.not_before.getTime()) return 'UnAvailable';
  return row.secret_state === 'stored' ? 'Available' : 'UnAvailable';
}

/** Control characters are not allowed by the spec's text patterns: a certificate could still carry some. */
function printable(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced.
  return text.replace(/[\x00-\x1F\x7F]/g, '?').slice(0, max);
}

/**
 * Renders a row as the spec's `Certificate` (no other property: the schema has `additionalProperties:
 * false`). `siteId` is the account id; extension fields are left out when unknown.
 *
 * @example
 * ```ts
 * const resource = renderCertificate(row, 'Available');
 * resource.expirationDate; // '2027-06-30T12:00:00.000Z' or null
 * ```
 */
export function renderCertificate(
  row: RenderableCertificateRow,
  status: CertificateStatus,
): CertificateResource {
  const resource: CertificateResource = {
    id: row.id,
    deleted: row.deleted,
    name: row.name,
    displayName: row.display_name,
    siteId: row.account_id,
    status,
    expirationDate: row.expires_at ? row.expires_at.toISOString() : null,
    notBefore: row.not_before ? row.not_before.toISOString() : null,
  };
  if (row.subject !== null) resource.subject = printable(row.subject, 2048);
  if (row.issuer !== null) resource.issuer = printable(row.issuer, 2048);
  if (row.serial_number !== null && /^[0-9A-F]{1,128}$/.test(row.serial_number)) {
    resource.serialNumber = row.serial_number;
  }
  if (row.fingerprint_sha256 !== null) resource.fingerprintSha256 = row.fingerprint_sha256;
  resource.version = row.version;
  return resource;
}
