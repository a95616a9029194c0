/**
 * The mock's in-memory gateway: certificates and mappings per account, with the reference server's rules
 * (unique live names, soft delete, one certificate per account + service + URL, exact or `*` prefix match of
 * the same origin).
 */
import { selectMapping } from '@mtls-gateway/contract';
import type { Certificate, CertificateStatus, Mapping, ServiceName } from './api-types.js';
import type { IdGenerator } from './ids.js';
import type { CertificateDetails } from './p12-upload.js';
import { MockProblem } from './problems.js';

/**
 * A stored certificate. Only public parts of the file are kept (no key, no password).
 *
 * @example
 * ```ts
 * const record: StoredCertificate = store.certificate('le1', 3515906310)!;
 * record.version; // 1
 * ```
 */
export interface StoredCertificate {
  id: number;
  accountId: string;
  name: string;
  deleted: boolean;
  /** Goes up by one each time the file is replaced. */
  version: number;
  /** Whether the key material is "in the secret store": false once deleted, or when seeded so. */
  hasKeyMaterial: boolean;
  notBefore: Date | null;
  notAfter: Date | null;
  subject: string | undefined;
  issuer: string | undefined;
  serialNumber: string | undefined;
  fingerprintSha256: string | undefined;
  certificatePem: string | undefined;
}

/**
 * A stored mapping.
 *
 * @example
 * ```ts
 * const mapping: StoredMapping = store.resolveMapping('le1', 'IDP', 'https://idp.example.com/token')!.mapping;
 * ```
 */
export interface StoredMapping {
  id: number;
  accountId: string;
  certificateId: number;
  serviceName: ServiceName;
  url: string;
  deleted: boolean;
  /** False once the certificate is deleted. */
  enable: boolean;
}

/**
 * What is known of a certificate: everything when it comes from a file, maybe only its validity when seeded.
 *
 * @example
 * ```ts
 * const facts: CertificateFacts = { notBefore: null, notAfter: new Date('2030-01-01') };
 * ```
 */
export type CertificateFacts = Partial<Omit<CertificateDetails, 'notBefore' | 'notAfter'>> & {
  notBefore: Date | null;
  notAfter: Date | null;
};

/**
 * A file to store: its details (already checked) and the name to store it under.
 *
 * @example
 * ```ts
 * const file: CertificateFile = { name: 'Cert1', details: { notBefore: null, notAfter: null } };
 * ```
 */
export interface CertificateFile {
  name: string;
  details: CertificateFacts;
}

/**
 * The state of one mock gateway. Methods throw {@link MockProblem} for the answers the gateway refuses with.
 *
 * @example
 * ```ts
 * const store = new GatewayStore(new IdGenerator(1), () => new Date());
 * const [saved] = store.createCertificates('le1', [{ name: 'Cert1', details }]);
 * ```
 */
export class GatewayStore {
  readonly #certificates = new Map<number, StoredCertificate>();
  readonly #mappings = new Map<number, StoredMapping>();

  /**
   * @param ids Where new ids come from.
   * @param now The clock statuses are computed with.
   * @param onChange Called after every change (a persisted mock saves itself then).
   */
  constructor(
    private readonly ids: IdGenerator,
    private readonly now: () => Date,
    private readonly onChange: () => void = () => {},
  ) {}

  /** Forgets everything. */
  clear(): void {
    this.#certificates.clear();
    this.#mappings.clear();
    this.onChange();
  }

  /** Replaces everything with copies of `records` (a restored snapshot); ids are not reserved here. */
  load(records: { certificates: readonly StoredCertificate[]; mappings: readonly StoredMapping[] }): void {
    this.#certificates.clear();
    this.#mappings.clear();
    for (const record of records.certificates) this.#certificates.set(record.id, { ...record });
    for (const record of records.mappings) this.#mappings.set(record.id, { ...record });
    this.onChange();
  }

  /** The certificate's status, computed when read, as the gateway computes it. */
  statusOf(record: StoredCertificate): CertificateStatus {
    if (record.deleted || !record.hasKeyMaterial) return 'UnAvailable';
    const now = this.now().getTime();
    if (record.notAfter && now > record.notAfter.getTime()) return 'Expired';
    if (record.notBefore && now < record.notBefore.getTime()) return 'UnAvailable';
    return 'Available';
  }

  /** The API view of a stored certificate. */
  toCertificate(record: StoredCertificate): Certificate {
    const certificate: Certificate = {
      id: record.id,
      deleted: record.deleted,
      name: record.name,
      displayName: record.name,
      siteId: record.accountId,
      status: this.statusOf(record),
      expirationDate: record.notAfter?.toISOString() ?? null,
      version: record.version,
    };
    if (record.notBefore) certificate.notBefore = record.notBefore.toISOString();
    if (record.subject !== undefined) certificate.subject = record.subject;
    if (record.issuer !== undefined) certificate.issuer = record.issuer;
    // A negative serial (a malformed certificate) does not fit the spec's pattern: leave it out.
    if (record.serialNumber !== undefined && /^[0-9A-F]+$/.test(record.serialNumber)) {
      certificate.serialNumber = record.serialNumber;
    }
    if (record.fingerprintSha256 !== undefined) certificate.fingerprintSha256 = record.fingerprintSha256;
    return certificate;
  }

  /** The API view of a stored mapping (its `name` is the certificate's current name). */
  toMapping(record: StoredMapping): Mapping {
    return {
      id: record.id,
      deleted: record.deleted,
      url: record.url,
      enable: record.enable,
      serviceName: record.serviceName,
      siteId: record.accountId,
      name: this.#certificates.get(record.certificateId)?.name ?? '',
      certificationId: record.certificateId,
    };
  }

  /** One certificate of the account (soft-deleted ones included), or `undefined`. */
  certificate(accountId: string, id: number): StoredCertificate | undefined {
    const record = this.#certificates.get(id);
    return record?.accountId === accountId ? record : undefined;
  }

  /** The account's certificates, oldest first; soft-deleted ones only when asked. */
  certificates(accountId: string, options: { includeDeleted?: boolean } = {}): StoredCertificate[] {
    return [...this.#certificates.values()].filter(
      (record) => record.accountId === accountId && (options.includeDeleted === true || !record.deleted),
    );
  }

  /** The account's mappings that are not deleted, oldest first. */
  mappings(accountId: string): StoredMapping[] {
    return [...this.#mappings.values()].filter((record) => record.accountId === accountId && !record.deleted);
  }

  /** Every stored certificate and mapping, for metrics and debugging. */
  all(): { certificates: StoredCertificate[]; mappings: StoredMapping[] } {
    return { certificates: [...this.#certificates.values()], mappings: [...this.#mappings.values()] };
  }

  #liveCertificate(accountId: string, id: number): StoredCertificate {
    const record = this.certificate(accountId, id);
    if (!record || record.deleted) {
      throw new MockProblem(
        'not_found',
        `Certificate ${id} does not exist in account ${accountId}${record?.deleted ? ' (it was deleted)' : ''}.`,
      );
    }
    return record;
  }

  /** Throws 409 `name_conflict` when a live certificate other than `exceptId` has the name. */
  #assertNameFree(accountId: string, name: string, exceptId?: number): void {
    const taken = this.certificates(accountId).some(
      (record) => record.name === name && record.id !== exceptId,
    );
    if (taken) {
      throw new MockProblem(
        'name_conflict',
        `Account ${accountId} already has a certificate named "${name}". Choose another name or update it.`,
      );
    }
  }

  #assertDistinctNames(accountId: string, names: readonly string[]): void {
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) {
        throw new MockProblem(
          'name_conflict',
          `The request names two certificates "${name}"; names are unique in account ${accountId}.`,
        );
      }
      seen.add(name);
    }
  }

  /**
   * Stores new certificates, all or none: a name taken in the account (or twice in the batch) is 409.
   * `id` is for seeding only (the gateway draws ids itself).
   */
  createCertificates(
    accountId: string,
    files: ReadonlyArray<CertificateFile & { id?: number; hasKeyMaterial?: boolean; deleted?: boolean }>,
  ): StoredCertificate[] {
    this.#assertDistinctNames(
      accountId,
      files.filter((file) => file.deleted !== true).map((file) => file.name),
    );
    for (const file of files) {
      if (file.deleted !== true) this.#assertNameFree(accountId, file.name);
      if (file.id !== undefined && this.#certificates.has(file.id)) {
        throw new MockProblem('invalid_request', `A certificate with id ${file.id} already exists.`);
      }
    }
    const records = files.map((file) => {
      const id = file.id ?? this.ids.nextId();
      this.ids.reserve(id);
      const record: StoredCertificate = {
        id,
        accountId,
        name: file.name,
        deleted: file.deleted === true,
        version: 1,
        hasKeyMaterial: file.deleted !== true && file.hasKeyMaterial !== false,
        ...detailsFields(file.details),
      };
      this.#certificates.set(id, record);
      return record;
    });
    if (records.length > 0) this.onChange();
    return records;
  }

  /**
   * Replaces the files (and optionally the names) of existing live certificates, all or none: an unknown or
   * deleted id is 404, a name taken by another certificate is 409. Each `version` goes up by one.
   */
  updateCertificates(
    accountId: string,
    files: ReadonlyArray<{ id: number; name?: string | undefined; details: CertificateFacts }>,
  ): StoredCertificate[] {
    const records = files.map((file) => this.#liveCertificate(accountId, file.id));
    const finalNames = files.map((file, index) => file.name ?? records[index]?.name ?? '');
    this.#assertDistinctNames(accountId, finalNames);
    // Certificates of the same batch may swap names: only the certificates outside the batch count.
    const updatedIds = new Set(files.map((file) => file.id));
    const others = this.certificates(accountId).filter((record) => !updatedIds.has(record.id));
    for (const name of finalNames) {
      if (others.some((record) => record.name === name)) this.#assertNameFree(accountId, name);
    }
    const updated = files.map((file, index) => {
      const record = records[index] as StoredCertificate;
      Object.assign(record, detailsFields(file.details), {
        name: finalNames[index] ?? record.name,
        version: record.version + 1,
        hasKeyMaterial: true,
      });
      return record;
    });
    if (updated.length > 0) this.onChange();
    return updated;
  }

  /** Soft-deletes a live certificate: it stays readable, its key is gone and its mappings are disabled. */
  deleteCertificate(accountId: string, id: number): StoredCertificate {
    const record = this.#liveCertificate(accountId, id);
    record.deleted = true;
    record.hasKeyMaterial = false;
    for (const mapping of this.#mappings.values()) {
      if (mapping.certificateId === id) mapping.enable = false;
    }
    this.onChange();
    return record;
  }

  /**
   * Maps a live certificate to account + service + URL. 404 for an unknown or deleted certificate, 409
   * `mapping_conflict` when an enabled mapping already has that key. `id` is for seeding only.
   */
  activateMapping(
    accountId: string,
    certificateId: number,
    target: { serviceName: ServiceName; url: string },
    id?: number,
  ): StoredMapping {
    const certificate = this.#liveCertificate(accountId, certificateId);
    const sameKey = [...this.#mappings.values()].filter(
      (mapping) =>
        mapping.accountId === accountId &&
        !mapping.deleted &&
        mapping.serviceName === target.serviceName &&
        mapping.url === target.url,
    );
    if (sameKey.some((mapping) => mapping.enable)) {
      throw new MockProblem(
        'mapping_conflict',
        `${target.serviceName} ${target.url} already has a certificate in account ${accountId}. Delete that mapping first.`,
      );
    }
    // A mapping disabled by the deletion of its certificate no longer serves anything: it gives way.
    for (const mapping of sameKey) mapping.deleted = true;
    const mappingId = id ?? this.ids.nextId();
    this.ids.reserve(mappingId);
    const record: StoredMapping = {
      id: mappingId,
      accountId,
      certificateId: certificate.id,
      serviceName: target.serviceName,
      url: target.url,
      deleted: false,
      enable: true,
    };
    this.#mappings.set(mappingId, record);
    this.onChange();
    return record;
  }

  /** Deletes a mapping; 404 when it does not exist (or was deleted) in the account. */
  deleteMapping(accountId: string, id: number): StoredMapping {
    const record = this.#mappings.get(id);
    if (!record || record.accountId !== accountId || record.deleted) {
      throw new MockProblem('not_found', `Mapping ${id} does not exist in account ${accountId}.`);
    }
    record.deleted = true;
    record.enable = false;
    this.onChange();
    return record;
  }

  /**
   * The enabled mapping that applies to a request, as forwarding chooses it (the reference server's rule):
   * the mapping whose `url` equals the request URL, else the longest `*` prefix mapping that applies by
   * `mappingUrlMatches` of the contract (same origin, prefix ending at a boundary). URLs are compared as sent (query
   * included). Without a service name, mappings of every
   * service compete; a tie at the deciding level is ambiguous, so none applies. The certificate is returned
   * only when it can be presented (status `Available`).
   */
  resolveMapping(
    accountId: string,
    serviceName: ServiceName | undefined,
    url: string,
  ): { mapping: StoredMapping; certificate: StoredCertificate | undefined } | undefined {
    const mapping = selectMapping(
      this.mappings(accountId).filter(
        (candidate) =>
          candidate.enable && (serviceName === undefined || candidate.serviceName === serviceName),
      ),
      url,
    );
    if (!mapping) return undefined;
    const certificate = this.#certificates.get(mapping.certificateId);
    return {
      mapping,
      certificate: certificate && this.statusOf(certificate) === 'Available' ? certificate : undefined,
    };
  }
}

function detailsFields(
  details: CertificateFacts,
): Pick<
  StoredCertificate,
  'notBefore' | 'notAfter' | 'subject' | 'issuer' | 'serialNumber' | 'fingerprintSha256' | 'certificatePem'
> {
  return {
    notBefore: details.notBefore,
    notAfter: details.notAfter,
    subject: details.subject,
    issuer: details.issuer,
    serialNumber: details.serialNumber,
    fingerprintSha256: details.fingerprintSha256,
    certificatePem: details.certificatePem,
  };
}
