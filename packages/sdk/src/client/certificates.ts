/**
 * `client.certificates`: list, read, upload (JSON or file), replace and delete the account's certificates.
 */

import type { components } from '@mtls-gateway/contract';
import { InvalidArgumentError } from '../errors.js';
import { fileNameOf, p12ToBase64, toBlob } from './binary.js';
import { asMultipartBody, type GatewayScope, idForPath, jsonCall, multipartForm } from './call.js';
import type {
  CallOptions,
  Certificate,
  CertificateFileReplacementInput,
  CertificateFileUploadInput,
  CertificateId,
  CertificateReplacementInput,
  CertificateSaveResult,
  CertificateUploadInput,
} from './types.js';

type Schemas = components['schemas'];

const P12_TYPE = 'application/x-pkcs12';
const DEFAULT_FILE_NAME = 'certificate.p12';

/**
 * Options of the uploads and replacements.
 *
 * @example
 * ```ts
 * const options: CertificateWriteOptions = { allowExpired: true };
 * ```
 */
export interface CertificateWriteOptions extends CallOptions {
  /** Accept a certificate that is expired or not yet valid (stored, but never presented outside its validity). */
  allowExpired?: boolean | undefined;
}

/**
 * The account's client certificates.
 *
 * @example
 * ```ts
 * const { successfulySavedCertificates: [saved] } = await client.certificates.create({ name: 'Cert1', p12, password });
 * const certificate = await client.certificates.get(saved!.id);
 * ```
 */
export interface CertificatesResource {
  /** The account's certificates; soft-deleted ones only with `includeDeleted`. Retried on transient failures. */
  list(options?: CallOptions & { includeDeleted?: boolean | undefined }): Promise<Certificate[]>;
  /** One certificate (soft-deleted ones included). */
  get(id: CertificateId, options?: CallOptions): Promise<Certificate>;
  /**
   * Uploads one or more PKCS#12 files (sent as base64). Never retried: a repeated upload could save twice.
   * The passwords and files never appear in logs or errors.
   */
  create(
    certificates: CertificateUploadInput | readonly CertificateUploadInput[],
    options?: CertificateWriteOptions,
  ): Promise<CertificateSaveResult>;
  /** Uploads one file as multipart form data (`file` part + JSON `certificate` part). Never retried. */
  createFromFile(
    input: CertificateFileUploadInput,
    options?: CertificateWriteOptions,
  ): Promise<CertificateSaveResult>;
  /** Replaces the file (and optionally the name) of a certificate. */
  update(
    id: CertificateId,
    replacement: CertificateReplacementInput,
    options?: CertificateWriteOptions,
  ): Promise<CertificateSaveResult>;
  /** Replaces the file of a certificate with multipart form data. */
  updateFromFile(
    input: CertificateFileReplacementInput,
    options?: CertificateWriteOptions,
  ): Promise<CertificateSaveResult>;
  /** Soft-deletes a certificate: it stays readable, its key material is removed and its mappings disabled. */
  delete(id: CertificateId, options?: CallOptions): Promise<Certificate>;
}

/**
 * The `certificates` resource of a client scoped to `scope.accountId`.
 *
 * @example
 * ```ts
 * const certificates = createCertificatesResource(scope);
 * ```
 */
export function createCertificatesResource(scope: GatewayScope): CertificatesResource {
  const { api, accountId } = scope;

  async function uploadItem(
    item: CertificateUploadInput,
    index: number,
  ): Promise<Schemas['CertificateUpload']> {
    if (item === null || typeof item !== 'object') {
      throw new InvalidArgumentError(`certificates[${index}] must be an object { name, p12, password }.`);
    }
    return {
      name: item.name,
      p12: await p12ToBase64(item.p12, `certificates[${index}].p12`),
      password: item.password,
    };
  }

  return {
    async list(options = {}) {
      const { signal, includeDeleted } = options;
      return jsonCall(scope, { operation: 'certificates.list', idempotent: true }, signal, (fetch) =>
        api.GET('/mtls/account/{accountId}/certificates', {
          params: {
            path: { accountId },
            query: includeDeleted === undefined ? {} : { includeDeleted },
          },
          fetch,
          signal,
        }),
      );
    },

    async get(id, options = {}) {
      const certificateId = idForPath(id, 'certificate id');
      return jsonCall(scope, { operation: 'certificates.get', idempotent: true }, options.signal, (fetch) =>
        api.GET('/mtls/account/{accountId}/certificates/{certificateId}', {
          params: { path: { accountId, certificateId } },
          fetch,
          signal: options.signal,
        }),
      );
    },

    async create(certificates, options = {}) {
      const items = Array.isArray(certificates)
        ? (certificates as readonly CertificateUploadInput[])
        : [certificates as CertificateUploadInput];
      if (items.length === 0)
        throw new InvalidArgumentError('certificates.create needs at least one certificate.');
      const body = await Promise.all(items.map(uploadItem));
      const { signal, allowExpired } = options;
      return jsonCall(scope, { operation: 'certificates.create', idempotent: false }, signal, (fetch) =>
        api.POST('/mtls/account/{accountId}/certificates', {
          params: { path: { accountId }, query: allowExpired === undefined ? {} : { allowExpired } },
          body,
          fetch,
          signal,
        }),
      );
    },

    async createFromFile(input, options = {}) {
      const { signal, allowExpired } = options;
      const metadata: Schemas['CertificateFileMetadata'] = { name: input.name, password: input.password };
      const form = multipartForm<Schemas['CertificateFileJsonForm']>({
        file: [toBlob(input.file, 'file', P12_TYPE), fileNameOf(input.file, DEFAULT_FILE_NAME)],
        certificate: jsonPart(metadata),
      });
      return jsonCall(
        scope,
        { operation: 'certificates.createFromFile', idempotent: false },
        signal,
        (fetch) =>
          api.POST('/mtls/account/{accountId}/certificates/byFile', {
            params: { path: { accountId }, query: allowExpired === undefined ? {} : { allowExpired } },
            body: asMultipartBody<Schemas['CertificateFileForm']>(form),
            fetch,
            signal,
          }),
      );
    },

    async update(id, replacement, options = {}) {
      const certificateId = idForPath(id, 'certificate id');
      const body: Schemas['CertificateReplacement'] = {
        p12: await p12ToBase64(replacement.p12),
        password: replacement.password,
        ...(replacement.name === undefined ? {} : { name: replacement.name }),
      };
      const { signal, allowExpired } = options;
      return jsonCall(scope, { operation: 'certificates.update', idempotent: true }, signal, (fetch) =>
        api.PUT('/mtls/account/{accountId}/certificates/{certificateId}', {
          params: {
            path: { accountId, certificateId },
            query: allowExpired === undefined ? {} : { allowExpired },
          },
          body,
          fetch,
          signal,
        }),
      );
    },

    async updateFromFile(input, options = {}) {
      const { signal, allowExpired } = options;
      const metadata: Schemas['CertificateFileReplacementMetadata'] = {
        id: Number(idForPath(input.id, 'id')),
        password: input.password,
        ...(input.name === undefined ? {} : { name: input.name }),
      };
      const form = multipartForm<Schemas['CertificateFileReplacementJsonForm']>({
        file: [toBlob(input.file, 'file', P12_TYPE), fileNameOf(input.file, DEFAULT_FILE_NAME)],
        certificate: jsonPart(metadata),
      });
      return jsonCall(
        scope,
        { operation: 'certificates.updateFromFile', idempotent: true },
        signal,
        (fetch) =>
          api.PUT('/mtls/account/{accountId}/certificates/byFile', {
            params: { path: { accountId }, query: allowExpired === undefined ? {} : { allowExpired } },
            body: asMultipartBody<Schemas['CertificateFileReplacementForm']>(form),
            fetch,
            signal,
          }),
      );
    },

    async delete(id, options = {}) {
      const certificateId = idForPath(id, 'certificate id');
      return jsonCall(
        scope,
        { operation: 'certificates.delete', idempotent: true },
        options.signal,
        (fetch) =>
          api.DELETE('/mtls/account/{accountId}/certificates/{certificateId}', {
            params: { path: { accountId, certificateId } },
            fetch,
            signal: options.signal,
          }),
      );
    },
  };
}

/**
 * The JSON `certificate` part: a Blob, because only a Blob part carries its own `Content-Type`
 * (`application/json`, as the spec's encoding says); a plain field would go out as text.
 */
function jsonPart(value: unknown): [Blob, string] {
  return [new Blob([JSON.stringify(value)], { type: 'application/json' }), 'certificate.json'];
}
