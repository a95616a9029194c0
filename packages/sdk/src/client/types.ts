/**
 * Types of the gateway client, derived from the generated OpenAPI types (`paths`, `components`,
 * `operations`) so that they follow the spec instead of copying it.
 */
import type { components, operations, paths } from '@mtls-gateway/contract';

type Schemas = components['schemas'];

/** The JSON body of the first 2xx answer of an operation. */
type JsonAnswer<
  Operation extends keyof operations,
  Status extends keyof operations[Operation]['responses'],
> = operations[Operation]['responses'][Status] extends { content: { 'application/json': infer Body } }
  ? Body
  : never;

/**
 * A client certificate of the account, as the gateway returns it.
 *
 * @example
 * ```ts
 * const [first]: Certificate[] = await client.certificates.list();
 * console.log(first?.name, first?.status, first?.expirationDate);
 * ```
 */
export type Certificate = Schemas['Certificate'];

/**
 * `Available`, `UnAvailable` or `Expired`.
 *
 * @example
 * ```ts
 * const usable = (status: CertificateStatus) => status === 'Available';
 * ```
 */
export type CertificateStatus = Schemas['CertificateStatus'];

/**
 * The outcome of a create or update. The misspelling `successfulySavedCertificates` is the real wire name.
 *
 * @example
 * ```ts
 * const result: CertificateSaveResult = await client.certificates.create(upload);
 * console.log(result.successfulySavedCertificates.map((certificate) => certificate.id));
 * ```
 */
export type CertificateSaveResult = JsonAnswer<'createCertificates', 201>;

/**
 * A certificate id: the number the gateway returns, or its decimal string (as it appears in a path).
 *
 * @example
 * ```ts
 * const id: CertificateId = 3515906310;
 * const same: CertificateId = '3515906310';
 * ```
 */
export type CertificateId = Schemas['Id'] | Schemas['IdString'];

/**
 * A mapping id (number or decimal string).
 *
 * @example
 * ```ts
 * const id: MappingId = 7340032010;
 * ```
 */
export type MappingId = Schemas['Id'] | Schemas['IdString'];

/**
 * The service a certificate serves: `TEST_SERVICE`, `IDP`, `WEBHOOKS` or `FAAS`.
 *
 * @example
 * ```ts
 * const service: ServiceName = 'WEBHOOKS';
 * ```
 */
export type ServiceName = Schemas['ServiceName'];

/**
 * A certificate serving a service and URL of the account.
 *
 * @example
 * ```ts
 * const mapping: Mapping = await client.mappings.activate(certificateId, { serviceName: 'IDP', url });
 * ```
 */
export type Mapping = Schemas['Mapping'];

/**
 * The service and URL a certificate serves (a trailing `*` in `url` makes it a prefix).
 *
 * @example
 * ```ts
 * const target: MappingTarget = { serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks?tenant=42' };
 * ```
 */
export type MappingTarget = Schemas['MappingTarget'];

/**
 * Whether a mapping exists for a service and URL.
 *
 * @example
 * ```ts
 * const [check]: MappingCheck[] = await client.mappings.check([target]);
 * if (!check?.exist) console.warn('no certificate for', check?.url);
 * ```
 */
export type MappingCheck = Schemas['MappingCheck'];

/**
 * A PKCS#12 file: bytes (`Uint8Array`, `ArrayBuffer`, `Blob`), the documented array of byte values, or a
 * base64 string. The client always sends it as base64.
 *
 * @example
 * ```ts
 * const fromBytes: P12Input = new Uint8Array([48, 130, 9, 169]);
 * const fromBase64: P12Input = 'MIIJqQIBAzCCCW8GCSqGSIb3DQEHAaCCCWAEgglc';
 * ```
 */
export type P12Input = Schemas['P12Bytes'] | Uint8Array | ArrayBuffer | Blob;

/**
 * A certificate to upload with `certificates.create`.
 *
 * @example
 * ```ts
 * const upload: CertificateUploadInput = { name: 'Cert1', p12: bytes, password: 'changeit' };
 * ```
 */
export type CertificateUploadInput = Omit<Schemas['CertificateUpload'], 'p12'> & { p12: P12Input };

/**
 * A replacement file (and optionally a new name) for `certificates.update`.
 *
 * @example
 * ```ts
 * const replacement: CertificateReplacementInput = { p12: renewedBytes, password: 'changeit' };
 * ```
 */
export type CertificateReplacementInput = Omit<Schemas['CertificateReplacement'], 'p12' | 'id'> & {
  p12: P12Input;
};

/**
 * A file for a multipart upload: a `Blob`/`File` or bytes. (A path string is accepted only through
 * `readFileInput` of `@mtls-gateway/sdk/node`.)
 *
 * @example
 * ```ts
 * const file: FileInput = fileInputElement.files![0]!;
 * ```
 */
export type FileInput = Blob | Uint8Array | ArrayBuffer;

/**
 * The `file` upload of `certificates.createFromFile`.
 *
 * @example
 * ```ts
 * const input: CertificateFileUploadInput = { file, name: 'Cert1', password: 'changeit' };
 * ```
 */
export type CertificateFileUploadInput = Schemas['CertificateFileMetadata'] & { file: FileInput };

/**
 * The `file` replacement of `certificates.updateFromFile`.
 *
 * @example
 * ```ts
 * const input: CertificateFileReplacementInput = { id: 3515906310, file, password: 'changeit' };
 * ```
 */
export type CertificateFileReplacementInput = Omit<Schemas['CertificateFileReplacementMetadata'], 'id'> & {
  id: CertificateId;
  file: FileInput;
};

type ForwardingPath = paths['/mtls/account/{accountId}'];

/**
 * The methods the gateway forwards (`GET`, `POST`, `PUT`, `DELETE`, `PATCH`, `HEAD`), read from the spec.
 *
 * @example
 * ```ts
 * const method: ForwardMethod = 'PATCH';
 * ```
 */
export type ForwardMethod = Uppercase<
  {
    [Method in Exclude<keyof ForwardingPath, 'parameters'>]-?: ForwardingPath[Method] extends
      | undefined
      | never
      ? never
      : Method;
  }[Exclude<keyof ForwardingPath, 'parameters'>]
>;

/**
 * The method of the p12-test call to the target (`LP-method-override`).
 *
 * @example
 * ```ts
 * const method: P12TestMethod = 'PUT';
 * ```
 */
export type P12TestMethod = components['parameters']['LpMethodOverride'];

/**
 * A request body passed through as-is: text, bytes, a `Blob`, form data or a stream. A `ReadableStream` is
 * sent once (never retried, never buffered).
 *
 * @example
 * ```ts
 * const body: PassthroughBody = JSON.stringify({ event: 'conversation.closed' });
 * ```
 */
export type PassthroughBody =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | FormData
  | URLSearchParams
  | ReadableStream<Uint8Array>;

/**
 * Extra headers for the gateway call. `Authorization` is refused (at compile time in either spelling, at run
 * time in any case): the client's `auth` sets it for every attempt.
 *
 * @example
 * ```ts
 * const headers: CallHeaders = { 'X-Correlation-Id': 'checkout-7f3a', traceparent };
 * ```
 */
export type CallHeaders = Record<string, string> & { Authorization?: never; authorization?: never };

/**
 * Options every call accepts; each overrides the client's for this call only.
 *
 * @example
 * ```ts
 * const options: CallOptions = { timeoutMs: 5_000, maxRetries: 0, headers: { 'X-Correlation-Id': 'job-42' } };
 * await client.certificates.list(options);
 * ```
 */
export interface CallOptions {
  /** Aborts the call (retries and waits included) with an `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds each attempt of this call may take, instead of the client's `timeoutMs` (`Infinity`: none). */
  timeoutMs?: number | undefined;
  /**
   * Retries of this call instead of the client's `maxRetries`. Calls that are not idempotent (uploads,
   * `mappings.activate`/`check`, forwarded POST/PATCH, stream bodies, `testP12`) are never retried, whatever it says.
   */
  maxRetries?: number | undefined;
  /** Extra headers sent to the gateway with this call; `Authorization` is refused (the client's `auth` sets it). */
  headers?: CallHeaders | undefined;
}

/**
 * Arguments of `client.forward`.
 *
 * @example
 * ```ts
 * const request: ForwardRequest = {
 *   method: 'POST',
 *   url: 'https://api.example.com/hooks?tenant=42',
 *   serviceName: 'WEBHOOKS',
 *   headers: { 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ ping: true }),
 * };
 * ```
 */
export interface ForwardRequest extends CallOptions {
  method: ForwardMethod;
  /** The complete target URL, query included (`LP-forward-url`). */
  url: components['parameters']['LpForwardUrl'];
  /** The service whose certificate applies (`LP-service-name`). */
  serviceName?: components['parameters']['LpServiceName'] | undefined;
  /** Sent to the target as its `Authorization` header (`LP-authorization-override`). */
  authorizationOverride?: components['parameters']['LpAuthorizationOverride'] | undefined;
  /** When no certificate applies, send nothing and fail with 400 `certificate_not_found`. */
  stopIfCertificateNotFound?: components['parameters']['LpStopIfCertificateNotFound'] | undefined;
  /**
   * Headers for the target (the gateway passes them on). Put the target's credential in
   * `authorizationOverride`: `Authorization` here is refused, it would carry the gateway credential.
   */
  headers?: CallHeaders | undefined;
  /** Not allowed with `GET` and `HEAD`. */
  body?: PassthroughBody | undefined;
}

/**
 * Arguments of `client.testP12`.
 *
 * @example
 * ```ts
 * const test: P12TestRequest = { file: p12Bytes, password: 'changeit', url: 'https://api.example.com/ping' };
 * ```
 */
export interface P12TestRequest extends CallOptions {
  /** The PKCS#12 file to test. */
  file: FileInput;
  /** Its password (sent in the multipart body, never logged). */
  password: Schemas['P12TestForm']['password'];
  /** The URL to call with the certificate (`LP-forward-url`). */
  url: components['parameters']['LpForwardUrl'];
  /** Method of the call to the target; the gateway uses `POST` when absent (`LP-method-override`). */
  method?: P12TestMethod | undefined;
  /** `Content-Type` of the body sent to the target (`LP-content-type-override`). */
  contentType?: components['parameters']['LpContentTypeOverride'] | undefined;
  /** Sent to the target as its `Authorization` header (`LP-authorization-override`). */
  authorizationOverride?: components['parameters']['LpAuthorizationOverride'] | undefined;
  /** The body sent to the target. */
  body?: string | Uint8Array | ArrayBuffer | Blob | undefined;
}
