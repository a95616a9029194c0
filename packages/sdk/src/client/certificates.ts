/**
 * `client.certificates`: list, read, upload (JSON or file), replace and delete the account's certificates.
 */

import type { components } from '@mtls-gateway/contract';
import { InvalidArgumentError } from '../errors.js';
import type { APIPromise } from './api-promise.js';
import { fileNameOf, p12ToBase64, toBlob } from './binary.js';
import { asMultipartBody, type GatewayScope, gatewayRequest, idForPath, multipartForm } from './call.js';
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
  list(options?: CallOptions & { includeDeleted?: boolean | undefined }): APIPromise<Certificate[]>;
  /** One certificate (soft-deleted ones included). */
  get(id: CertificateId, options?: CallOptions): APIPromise<Certificate>;
  /**
   * Uploads one or more PKCS#12 files (sent as base64). Never retried: a repeated upload could save twice.
   * The passwords and files never appear in logs or errors.
   */
  create(
    certificates: CertificateUploadInput | readonly CertificateUploadInput[],
    options?: CertificateWriteOptions,
  ): APIPromise<CertificateSaveResult>;
  /** Uploads one file as multipart form data (`file` part + JSON `certificate` part). Never retried. */
  createFromFile(
    input: CertificateFileUploadInput,
    options?: CertificateWriteOptions,
  ): APIPromise<CertificateSaveResult>;
  /** Replaces the file (and optionally the name) of a certificate. */
  update(
    id: CertificateId,
    replacement: CertificateReplacementInput,
    options?: CertificateWriteOptions,
  ): APIPromise<CertificateSaveResult>;
  /** Replaces the file of a certificate with multipart form data. */
  updateFromFile(
    input: CertificateFileReplacementInput,
    options?: CertificateWriteOptions,
  ): APIPromise<CertificateSaveResult>;
  /** Soft-deletes a certificate: it stays readable, its key material is removed and its mappings disabled. */
  delete(id: CertificateId, options?: CallOptions): APIPromise<Certificate>;
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
    list(options = {}) {
      const { includeDeleted } = options;
      return gatewayRequest(scope, { operation: 'certificates.list', idempotent: true }, options, (init) =>
        api.GET('/mtls/account/{accountId}/certificates', {
          params: { path: { accountId }, query: includeDeleted === undefined ? {} : { includeDeleted } },
          ...init,
        }),
      );
    },

    get(id, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'certificates.get', idempotent: true },
        options,
        async (init) =>
          api.GET('/mtls/account/{accountId}/certificates/{certificateId}', {
            params: { path: { accountId, certificateId: idForPath(id, 'certificate id') } },
            ...init,
          }),
      );
    },

    create(certificates, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'certificates.create', idempotent: false },
        options,
        async (init) => {
          const items = Array.isArray(certificates)
            ? (certificates as readonly CertificateUploadInput[])
            : [certificates as CertificateUploadInput];
          if (items.length === 0)
            throw new InvalidArgumentError('certificates.create needs at least one certificate.');
          return api.POST('/mtls/account/{accountId}/certificates', {
            params: { path: { accountId }, query: allowExpiredQuery(options) },
            body: await Promise.all(items.map(uploadItem)),
            ...init,
          });
        },
      );
    },

    createFromFile(input, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'certificates.createFromFile', idempotent: false },
        options,
        async (init) => {
          const metadata: Schemas['CertificateFileMetadata'] = { name: input.name, password: input.password };
          const form = multipartForm<Schemas['CertificateFileJsonForm']>({
            file: [toBlob(input.file, 'file', P12_TYPE), fileNameOf(input.file, DEFAULT_FILE_NAME)],
            certificate: jsonPart(metadata),
          });
          return api.POST('/mtls/account/{accountId}/certificates/byFile', {
            params: { path: { accountId }, query: allowExpiredQuery(options) },
            body: asMultipartBody<Schemas['CertificateFileForm']>(form),
            ...init,
          });
        },
      );
    },

    update(id, replacement, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'certificates.update', idempotent: true },
        options,
        async (init) => {
          const certificateId = idForPath(id, 'certificate id');
          const body: Schemas['CertificateReplacement'] = {
            p12: await p12ToBase64(replacement.p12),
            password: replacement.password,
            ...(replacement.name === undefined ? {} : { name: replacement.name }),
          };
          return api.PUT('/mtls/account/{accountId}/certificates/{certificateId}', {
            params: { path: { accountId, certificateId }, query: allowExpiredQuery(options) },
            body,
            ...init,
          });
        },
      );
    },

    updateFromFile(input, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'certificates.updateFromFile', idempotent: true },
        options,
        async (init) => {
          const metadata: Schemas['CertificateFileReplacementMetadata'] = {
            id: Number(idForPath(input.id, 'id')),
            password: input.password,
            ...(input.name === undefined ? {} : { name: input.name }),
          };
          const form = multipartForm<Schemas['CertificateFileReplacementJsonForm']>({
            file: [toBlob(input.file, 'file', P12_TYPE), fileNameOf(input.file, DEFAULT_FILE_NAME)],
            certificate: jsonPart(metadata),
          });
          return api.PUT('/mtls/account/{accountId}/certificates/byFile', {
            params: { path: { accountId }, query: allowExpiredQuery(options) },
            body: asMultipartBody<Schemas['CertificateFileReplacementForm']>(form),
            ...init,
          });
        },
      );
    },

    delete(id, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'certificates.delete', idempotent: true },
        options,
        async (init) =>
          api.DELETE('/mtls/account/{accountId}/certificates/{certificateId}', {
            params: { path: { accountId, certificateId: idForPath(id, 'certificate id') } },
            ...init,
          }),
      );
    },
  };
}

function allowExpiredQuery({ allowExpired }: CertificateWriteOptions): { allowExpired?: boolean } {
  return allowExpired === undefined ? {} : { allowExpired };
}

/**
 * The JSON `certificate` part: a Blob, because only a Blob part carries its own `Content-Type`
 * (`application/json`, as the spec's encoding says); a plain field would go out as text.
 */
function jsonPart(value: unknown): [Blob, string] {
  return [new Blob([JSON.stringify(value)], { type: 'application/json' }), 'certificate.json'];
}
