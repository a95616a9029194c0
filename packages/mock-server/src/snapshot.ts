/**
 * The saved form of a mock state (`state.snapshot()` / `state.restore()`), as persistence writes it to
 * `localStorage`: plain JSON, versioned, and checked field by field when read back, because what is found
 * under a storage key may be corrupt, from another version of the mock or from another app.
 *
 * It holds what the store holds: public certificate facts (subject, validity, fingerprint, the certificate's
 * PEM), whether the key material is "present", mappings, the id generator's position and the clock offset.
 * No password, no PKCS#12 file, no private key: the mock never keeps them.
 */
import type { ServiceName } from './api-types.js';
import type { IdPosition } from './ids.js';
import type { StoredCertificate, StoredMapping } from './store.js';

/**
 * The `format` marker of a snapshot: how a saved mock state is told apart from other data.
 *
 * @example
 * ```ts
 * JSON.parse(localStorage.getItem('mtls-mock') ?? '{}').format === MOCK_SNAPSHOT_FORMAT;
 * ```
 */
export const MOCK_SNAPSHOT_FORMAT = '@mtls-gateway/mock-server/state';

/**
 * The snapshot version this mock writes and reads. Older or newer versions are not read (a warning says so).
 *
 * @example
 * ```ts
 * expect(state.snapshot().version).toBe(MOCK_SNAPSHOT_VERSION);
 * ```
 */
export const MOCK_SNAPSHOT_VERSION = 1;

/**
 * A certificate in a snapshot: a {@link StoredCertificate} with dates as ISO 8601 strings.
 *
 * @example
 * ```ts
 * const saved: SnapshotCertificate = state.snapshot().certificates[0]!;
 * saved.notAfter; // '2027-01-01T00:00:00.000Z'
 * ```
 */
export type SnapshotCertificate = Omit<StoredCertificate, 'notBefore' | 'notAfter'> & {
  notBefore: string | null;
  notAfter: string | null;
};

/**
 * A saved mock state (JSON-safe).
 *
 * @example
 * ```ts
 * const saved: MockSnapshot = state.snapshot();
 * other.restore(JSON.parse(JSON.stringify(saved)));
 * ```
 */
export interface MockSnapshot {
  format: typeof MOCK_SNAPSHOT_FORMAT;
  version: typeof MOCK_SNAPSHOT_VERSION;
  /** When it was taken (ISO 8601, the real time): informative only. */
  savedAt: string;
  /** `state.clock.offsetMs`. */
  clockOffsetMs: number;
  ids: IdPosition;
  certificates: SnapshotCertificate[];
  mappings: StoredMapping[];
}

/**
 * Thrown by {@link readMockSnapshot} (and `state.restore()`) for data that is not a snapshot this mock can
 * read; the message says what is wrong.
 *
 * @example
 * ```ts
 * expect(() => state.restore({ hello: 'world' })).toThrow(InvalidSnapshotError);
 * ```
 */
export class InvalidSnapshotError extends Error {
  override readonly name = 'InvalidSnapshotError';
  readonly code = 'mock_invalid_snapshot';
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new InvalidSnapshotError(message);
}

function idAt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${where} must be a non-negative integer.`);
  }
  return value;
}

function stringAt(value: unknown, where: string): string {
  if (typeof value !== 'string') fail(`${where} must be a string.`);
  return value;
}

function booleanAt(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') fail(`${where} must be true or false.`);
  return value;
}

function optionalStringAt(value: unknown, where: string): string | undefined {
  return value === undefined ? undefined : stringAt(value, where);
}

function dateAt(value: unknown, where: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || Number.isNaN(new Date(value).getTime())) {
    fail(`${where} must be an ISO 8601 date or null.`);
  }
  return value;
}

function readCertificate(value: unknown, where: string): SnapshotCertificate {
  if (!isObject(value)) fail(`${where} must be an object.`);
  const certificate: SnapshotCertificate = {
    id: idAt(value.id, `${where}.id`),
    accountId: stringAt(value.accountId, `${where}.accountId`),
    name: stringAt(value.name, `${where}.name`),
    deleted: booleanAt(value.deleted, `${where}.deleted`),
    version: idAt(value.version, `${where}.version`),
    hasKeyMaterial: booleanAt(value.hasKeyMaterial, `${where}.hasKeyMaterial`),
    notBefore: dateAt(value.notBefore, `${where}.notBefore`),
    notAfter: dateAt(value.notAfter, `${where}.notAfter`),
    subject: optionalStringAt(value.subject, `${where}.subject`),
    issuer: optionalStringAt(value.issuer, `${where}.issuer`),
    serialNumber: optionalStringAt(value.serialNumber, `${where}.serialNumber`),
    fingerprintSha256: optionalStringAt(value.fingerprintSha256, `${where}.fingerprintSha256`),
    certificatePem: optionalStringAt(value.certificatePem, `${where}.certificatePem`),
  };
  return certificate;
}

function readMapping(value: unknown, where: string, certificateIds: ReadonlySet<number>): StoredMapping {
  if (!isObject(value)) fail(`${where} must be an object.`);
  const certificateId = idAt(value.certificateId, `${where}.certificateId`);
  if (!certificateIds.has(certificateId))
    fail(`${where} names certificate ${certificateId}, which is not saved.`);
  return {
    id: idAt(value.id, `${where}.id`),
    accountId: stringAt(value.accountId, `${where}.accountId`),
    certificateId,
    serviceName: stringAt(value.serviceName, `${where}.serviceName`) as ServiceName,
    url: stringAt(value.url, `${where}.url`),
    deleted: booleanAt(value.deleted, `${where}.deleted`),
    enable: booleanAt(value.enable, `${where}.enable`),
  };
}

function readIds(value: unknown): IdPosition {
  if (!isObject(value)) fail('ids must be an object.');
  if (!Array.isArray(value.issued)) fail('ids.issued must be an array.');
  return {
    state: idAt(value.state, 'ids.state'),
    requestCounter: idAt(value.requestCounter, 'ids.requestCounter'),
    issued: value.issued.map((id, index) => idAt(id, `ids.issued[${index}]`)),
  };
}

/**
 * Checks that `value` (e.g. `JSON.parse` of a saved string) is a snapshot this mock can restore, and returns
 * it typed: the format marker and version, every field's type, unique ids, mappings of saved certificates.
 *
 * @throws {InvalidSnapshotError} naming the first problem.
 * @example
 * ```ts
 * const snapshot = readMockSnapshot(JSON.parse(saved));
 * ```
 */
export function readMockSnapshot(value: unknown): MockSnapshot {
  if (!isObject(value) || value.format !== MOCK_SNAPSHOT_FORMAT) {
    fail(`It is not a saved mock state (no "format": "${MOCK_SNAPSHOT_FORMAT}").`);
  }
  if (value.version !== MOCK_SNAPSHOT_VERSION) {
    fail(
      `It was saved in version ${JSON.stringify(value.version)} of the format; this mock reads version ${MOCK_SNAPSHOT_VERSION}.`,
    );
  }
  if (typeof value.clockOffsetMs !== 'number' || !Number.isFinite(value.clockOffsetMs)) {
    fail('clockOffsetMs must be a finite number.');
  }
  if (!Array.isArray(value.certificates)) fail('certificates must be an array.');
  if (!Array.isArray(value.mappings)) fail('mappings must be an array.');
  const certificates = value.certificates.map((item, index) =>
    readCertificate(item, `certificates[${index}]`),
  );
  const certificateIds = new Set(certificates.map((certificate) => certificate.id));
  const mappings = value.mappings.map((item, index) =>
    readMapping(item, `mappings[${index}]`, certificateIds),
  );
  if (certificateIds.size !== certificates.length) fail('Two saved certificates have the same id.');
  if (new Set(mappings.map((mapping) => mapping.id)).size !== mappings.length) {
    fail('Two saved mappings have the same id.');
  }
  return {
    format: MOCK_SNAPSHOT_FORMAT,
    version: MOCK_SNAPSHOT_VERSION,
    savedAt: typeof value.savedAt === 'string' ? value.savedAt : '',
    clockOffsetMs: value.clockOffsetMs,
    ids: readIds(value.ids),
    certificates,
    mappings,
  };
}
