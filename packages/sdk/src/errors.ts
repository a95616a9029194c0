/**
 * Errors of the gateway client: one class per kind, each with a stable `code`, the HTTP `status` when the
 * gateway answered, the parsed RFC 9457 `problem`, the gateway's `requestId` and the answer's `headers`.
 * Web APIs only. Messages never contain credentials, passwords or key material.
 */
import type { Problem, ProblemCode } from '@mtls-gateway/contract';

// The problem body is the spec's (`@mtls-gateway/contract`): one definition for the SDK, the mock and the server.
export type { Problem };

/**
 * Codes of the errors the client raises itself, never sent by the gateway: no answer arrived
 * (`connection_failed`, `timeout`, `aborted`), the call could not be made (`invalid_argument`,
 * `discovery_failed`, `hook_failed`: the `onRequest` hook threw), the answer named no code
 * (`unexpected_status`), or it was not the gateway's JSON (`invalid_response`).
 *
 * @example
 * ```ts
 * const code: ClientErrorCode = 'timeout';
 * ```
 */
export type ClientErrorCode =
  | 'unexpected_status'
  | 'invalid_response'
  | 'connection_failed'
  | 'timeout'
  | 'aborted'
  | 'invalid_argument'
  | 'discovery_failed'
  | 'hook_failed';

/**
 * The `code` of an {@link MtlsGatewayError}: a problem code of the spec's catalogue (`ProblemCode`, generated
 * from `x-problem-codes`), a code of the client's own errors, or any other string a newer gateway may send.
 *
 * @example
 * ```ts
 * const code: MtlsGatewayErrorCode = 'certificate_not_found';
 * ```
 */
export type MtlsGatewayErrorCode =
  | ProblemCode
  | ClientErrorCode
  // Keeps autocompletion of the known codes while accepting codes of newer gateways.
  | (string & {});

/**
 * What an error built from an answer of the gateway carries.
 *
 * @example
 * ```ts
 * const details: MtlsGatewayErrorDetails = { status: 404, code: 'not_found', headers: new Headers() };
 * ```
 */
export interface MtlsGatewayErrorDetails {
  /** HTTP status of the answer; `undefined` when no answer arrived. */
  status?: number | undefined;
  /** Stable, machine-readable code; defaults to the class's own code. */
  code?: MtlsGatewayErrorCode | undefined;
  /** The parsed problem body, when the answer was `application/problem+json`. */
  problem?: Problem | undefined;
  /** The gateway's id of the request (problem `requestId` or `X-Request-Id`), to quote in a report. */
  requestId?: string | undefined;
  /** The answer's headers. */
  headers?: Headers | undefined;
  /** The underlying error (network error, abort reason…). */
  cause?: unknown;
}

/**
 * Base class of every error of the gateway client. Catch it to handle them all; use `instanceof` on a
 * subclass or switch on `code` to tell them apart. An answer whose code no subclass covers (e.g. 415
 * `unsupported_media_type`; for a code the spec does not list, whose status no subclass covers) is an instance
 * of this class itself.
 *
 * @example
 * ```ts
 * try {
 *   await client.certificates.get(42);
 * } catch (error) {
 *   if (error instanceof MtlsGatewayError) console.error(error.status, error.code, error.requestId);
 *   else throw error;
 * }
 * ```
 */
export class MtlsGatewayError extends Error {
  override readonly name: string = 'MtlsGatewayError';
  /** The code used when neither the problem body nor the `LP-gateway-error` header names one. */
  static readonly defaultCode: ProblemCode | ClientErrorCode = 'unexpected_status';
  /** Stable, machine-readable code: the problem `code`, the `LP-gateway-error` header, or the class default. */
  readonly code: MtlsGatewayErrorCode;
  /** HTTP status of the answer; `undefined` when no answer arrived (connection, timeout, abort, arguments). */
  readonly status: number | undefined;
  /** The parsed RFC 9457 problem, when the answer carried one. */
  readonly problem: Problem | undefined;
  /** The gateway's id of the request, to quote when reporting a problem. */
  readonly requestId: string | undefined;
  /** Headers of the answer, when there was one. */
  readonly headers: Headers | undefined;

  constructor(message: string, details: MtlsGatewayErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code ?? (new.target as typeof MtlsGatewayError).defaultCode;
    this.status = details.status;
    this.problem = details.problem;
    this.requestId = details.requestId;
    this.headers = details.headers;
  }

  /** Plain form for logs: `{ name, code, status, message, requestId }` (never headers or bodies). */
  toJSON(): { name: string; code: string; status: number | undefined; message: string; requestId?: string } {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
    };
  }
}

/**
 * 400 or 422: a header, parameter or body is missing or malformed (`problem.errors` lists each), the PKCS#12
 * file is unusable (`p12_*` codes), or `certificate_not_found` (nothing was forwarded). Fix the request;
 * retrying it unchanged will not help.
 *
 * @example
 * ```ts
 * try {
 *   await client.certificates.create({ name: 'Cert1', p12: bytes, password: 'wrong' });
 * } catch (error) {
 *   if (error instanceof ValidationError && error.code === 'p12_wrong_password') askForPasswordAgain();
 * }
 * ```
 */
export class ValidationError extends MtlsGatewayError {
  override readonly name = 'ValidationError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'invalid_request';
}

/**
 * 401: the gateway refused the credentials. Check the OAuth 1.0a consumer key and secret (and the clock: the
 * timestamp must be within 5 minutes) or the Bearer token given to `createMtlsGatewayClient`.
 *
 * @example
 * ```ts
 * client.certificates.list().catch((error) => {
 *   if (error instanceof AuthenticationError) refreshToken();
 * });
 * ```
 */
export class AuthenticationError extends MtlsGatewayError {
  override readonly name = 'AuthenticationError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'unauthorized';
}

/**
 * 403: the credential lacks the permission (`MTLS_READ_INTERNAL` for reads and the p12 test,
 * `MTLS_WRITE_INTERNAL` for writes and non-GET forwarding) or is not scoped to the account.
 *
 * @example
 * ```ts
 * client.certificates.delete(42).catch((error) => {
 *   if (error instanceof PermissionDeniedError) console.error('needs MTLS_WRITE_INTERNAL:', error.message);
 * });
 * ```
 */
export class PermissionDeniedError extends MtlsGatewayError {
  override readonly name: string = 'PermissionDeniedError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'forbidden';
}

/**
 * 403 `destination_blocked`: the forward URL resolves to an address the gateway's egress policy refuses (SSRF
 * guard); nothing was sent. Use a public address, or ask the operator to allow it (`MTLS_EGRESS_ALLOW`).
 *
 * @example
 * ```ts
 * client.forward({ method: 'GET', url: 'https://10.0.0.5/' }).catch((error) => {
 *   if (error instanceof DestinationBlockedError) console.error(error.message);
 * });
 * ```
 */
export class DestinationBlockedError extends PermissionDeniedError {
  override readonly name = 'DestinationBlockedError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'destination_blocked';
}

/**
 * 404: no such certificate, mapping or route in this account. Check the id and the account id.
 *
 * @example
 * ```ts
 * const certificate = await client.certificates.get(id).catch((error) => {
 *   if (error instanceof NotFoundError) return undefined;
 *   throw error;
 * });
 * ```
 */
export class NotFoundError extends MtlsGatewayError {
  override readonly name = 'NotFoundError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'not_found';
}

/**
 * 409: the certificate name (`name_conflict`) or the account + service + URL mapping (`mapping_conflict`) is
 * already taken. Choose another name, or update / delete the existing one.
 *
 * @example
 * ```ts
 * client.certificates.create(upload).catch((error) => {
 *   if (error instanceof ConflictError && error.code === 'name_conflict') renameAndRetry();
 * });
 * ```
 */
export class ConflictError extends MtlsGatewayError {
  override readonly name = 'ConflictError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'name_conflict';
}

/**
 * 413: the request body or a multipart part is over the gateway's limit. Send a smaller body or file.
 *
 * @example
 * ```ts
 * client.forward({ method: 'POST', url, body: hugeFile }).catch((error) => {
 *   if (error instanceof PayloadTooLargeError) console.error(error.message);
 * });
 * ```
 */
export class PayloadTooLargeError extends MtlsGatewayError {
  override readonly name = 'PayloadTooLargeError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'payload_too_large';
}

/**
 * 424: the gateway could not reach the remote endpoint (DNS, refused or reset connection, TLS handshake — the
 * remote rejecting the client certificate included —, or timeout). `errorFromTransport` names the kind
 * (e.g. `ECONNREFUSED`), `messageFromTransport` the message, from the `LP-*-from-transport` headers.
 *
 * @example
 * ```ts
 * client.forward({ method: 'GET', url }).catch((error) => {
 *   if (error instanceof TransportFailureError) console.error(error.errorFromTransport, error.messageFromTransport);
 * });
 * ```
 */
export class TransportFailureError extends MtlsGatewayError {
  override readonly name = 'TransportFailureError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'transport_failure';
  /** `LP-message-from-transport`: the transport error message of the failed call to the remote. */
  readonly messageFromTransport: string | undefined;
  /** `LP-error-from-transport`: the transport error kind of the failed call to the remote. */
  readonly errorFromTransport: string | undefined;

  constructor(message: string, details: MtlsGatewayErrorDetails = {}) {
    super(message, details);
    this.messageFromTransport = details.headers?.get('LP-message-from-transport') ?? undefined;
    this.errorFromTransport = details.headers?.get('LP-error-from-transport') ?? undefined;
  }
}

/**
 * 429: over the gateway's rate limit (10 requests per second per address by default). The client already
 * retried idempotent calls; wait `retryAfterSeconds` before sending more.
 *
 * @example
 * ```ts
 * client.certificates.list().catch(async (error) => {
 *   if (error instanceof RateLimitError) await sleep((error.retryAfterSeconds ?? 1) * 1000);
 * });
 * ```
 */
export class RateLimitError extends MtlsGatewayError {
  override readonly name = 'RateLimitError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'rate_limited';
  /** Seconds to wait, from the `Retry-After` header (seconds or HTTP date); `undefined` without one. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, details: MtlsGatewayErrorDetails = {}) {
    super(message, details);
    const delayMs = parseRetryAfter(details.headers?.get('Retry-After') ?? null);
    this.retryAfterSeconds = delayMs === undefined ? undefined : Math.ceil(delayMs / 1000);
  }
}

/**
 * 5xx: the gateway failed (`internal_error`: quote `requestId` when reporting it), a dependency is down
 * (`unavailable`), or the remote answered with a status the gateway cannot pass on (`bad_gateway`, 502:
 * outside 200–599, or `101 Switching Protocols`). Idempotent calls were already retried on 502, 503 and 504.
 *
 * @example
 * ```ts
 * client.mappings.list().catch((error) => {
 *   if (error instanceof ServerError) console.error(`gateway failure, request ${error.requestId}`);
 * });
 * ```
 */
export class ServerError extends MtlsGatewayError {
  override readonly name = 'ServerError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'internal_error';
}

/**
 * No answer arrived: the gateway could not be reached (DNS, refused, reset, TLS). Idempotent calls were
 * already retried; check the base URL and the network. `cause` holds the network error.
 *
 * @example
 * ```ts
 * client.certificates.list().catch((error) => {
 *   if (error instanceof ConnectionError) console.error('gateway unreachable:', error.message);
 * });
 * ```
 */
export class ConnectionError extends MtlsGatewayError {
  override readonly name = 'ConnectionError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'connection_failed';
}

/**
 * No answer within `timeoutMs` (each attempt has its own timeout; idempotent calls were retried). Raise
 * `timeoutMs` or check that the gateway and the remote respond.
 *
 * @example
 * ```ts
 * const client = createMtlsGatewayClient({ baseUrl, accountId, timeoutMs: 5_000 });
 * client.forward({ method: 'GET', url }).catch((error) => {
 *   if (error instanceof TimeoutError) console.error(error.message);
 * });
 * ```
 */
export class TimeoutError extends MtlsGatewayError {
  override readonly name = 'TimeoutError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'timeout';
}

/**
 * The caller's `signal` aborted the call. `cause` holds the signal's reason.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const pending = client.certificates.list({ signal: controller.signal });
 * controller.abort();
 * await pending.catch((error) => error instanceof AbortError); // true
 * ```
 */
export class AbortError extends MtlsGatewayError {
  override readonly name = 'AbortError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'aborted';
}

/**
 * An option or argument is unusable (no base URL, no account id, a certificate id that is not a positive
 * integer, a GET with a body…); nothing was sent. Fix the call.
 *
 * @example
 * ```ts
 * try {
 *   createMtlsGatewayClient({ baseUrl: 'not a url' });
 * } catch (error) {
 *   if (error instanceof InvalidArgumentError) console.error(error.message);
 * }
 * ```
 */
export class InvalidArgumentError extends MtlsGatewayError {
  override readonly name = 'InvalidArgumentError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'invalid_argument';
}

/**
 * The gateway domain could not be discovered from the account's CSDS entry `mtlsGateway` (CSDS unreachable,
 * unexpected answer, or no such entry). Check the account id, or pass `baseUrl` instead of `discover`.
 *
 * @example
 * ```ts
 * const client = createMtlsGatewayClient({ accountId: 'le1606809', discover: true });
 * client.certificates.list().catch((error) => {
 *   if (error instanceof DiscoveryError) console.error(error.message);
 * });
 * ```
 */
export class DiscoveryError extends MtlsGatewayError {
  override readonly name = 'DiscoveryError';
  static override readonly defaultCode: ProblemCode | ClientErrorCode = 'discovery_failed';
}

/**
 * Delay in milliseconds asked for by a `Retry-After` header value (delta-seconds or an HTTP date);
 * `undefined` when absent or unparsable. A date in the past gives 0.
 *
 * @example
 * ```ts
 * parseRetryAfter('2');                               // 2000
 * parseRetryAfter(new Date(Date.now() + 5000).toUTCString()); // about 5000
 * parseRetryAfter('soon');                            // undefined
 * ```
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates always name a weekday and a month; Date.parse accepts far more, so ask for a letter.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

type ErrorClass = new (message: string, details?: MtlsGatewayErrorDetails) => MtlsGatewayError;

/**
 * The class of each problem code of the spec. Exhaustive on purpose: a code added to `x-problem-codes` fails
 * the typecheck until it gets a class here. Codes whose status no subclass covers (405, 408, 415, 431) are
 * {@link MtlsGatewayError} itself. Exported for the SDK's tests and `matchError`'s types, not from the package.
 *
 * @example
 * ```ts
 * ERROR_CLASS_OF_PROBLEM_CODE.mapping_conflict; // ConflictError
 * ```
 */
export const ERROR_CLASS_OF_PROBLEM_CODE = {
  invalid_request: ValidationError,
  certificate_not_found: ValidationError,
  p12_wrong_password: ValidationError,
  p12_corrupt: ValidationError,
  p12_unsupported_format: ValidationError,
  p12_too_costly: ValidationError,
  p12_no_private_key: ValidationError,
  p12_multiple_keys: ValidationError,
  p12_no_certificate: ValidationError,
  p12_key_mismatch: ValidationError,
  p12_unsupported_key: ValidationError,
  p12_expired: ValidationError,
  p12_not_yet_valid: ValidationError,
  unauthorized: AuthenticationError,
  forbidden: PermissionDeniedError,
  destination_blocked: DestinationBlockedError,
  not_found: NotFoundError,
  route_not_found: NotFoundError,
  method_not_allowed: MtlsGatewayError,
  request_timeout: MtlsGatewayError,
  name_conflict: ConflictError,
  mapping_conflict: ConflictError,
  payload_too_large: PayloadTooLargeError,
  unsupported_media_type: MtlsGatewayError,
  transport_failure: TransportFailureError,
  rate_limited: RateLimitError,
  headers_too_large: MtlsGatewayError,
  internal_error: ServerError,
  bad_gateway: ServerError,
  unavailable: ServerError,
} as const satisfies { readonly [Code in ProblemCode]: ErrorClass };

/** The class of an answer whose code is not in the catalogue (a newer gateway's, or none): by status. */
function errorClassOfStatus(status: number): ErrorClass {
  if (status === 400 || status === 422) return ValidationError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status === 413) return PayloadTooLargeError;
  if (status === 424) return TransportFailureError;
  if (status === 429) return RateLimitError;
  if (status >= 500 && status <= 599) return ServerError;
  return MtlsGatewayError;
}

function errorClassFor(status: number, code: string | undefined): ErrorClass {
  if (code !== undefined && Object.hasOwn(ERROR_CLASS_OF_PROBLEM_CODE, code)) {
    return ERROR_CLASS_OF_PROBLEM_CODE[code as ProblemCode];
  }
  return errorClassOfStatus(status);
}

/** What to do, for answers whose problem has no `detail` of its own. */
const ADVICE_BY_CLASS = new Map<ErrorClass, string>([
  [ValidationError, 'The gateway refused the request as malformed; check the arguments.'],
  [
    AuthenticationError,
    'The gateway refused the credentials; check the OAuth 1.0a consumer key and secret or the Bearer token.',
  ],
  [
    PermissionDeniedError,
    'The credential lacks the permission (MTLS_READ_INTERNAL / MTLS_WRITE_INTERNAL) or is not scoped to this account.',
  ],
  [
    DestinationBlockedError,
    'The gateway refuses to call this destination (egress policy); nothing was sent.',
  ],
  [NotFoundError, 'No such certificate, mapping or route in this account; check the ids.'],
  [ConflictError, 'The name or mapping is already taken; choose another or update the existing one.'],
  [PayloadTooLargeError, 'The body is over the gateway limit; send a smaller body or file.'],
  [TransportFailureError, 'The gateway could not reach the remote endpoint.'],
  [RateLimitError, 'Too many requests; wait before sending more.'],
  [ServerError, 'The gateway failed; retry later and quote the request id when reporting it.'],
]);

/**
 * Whether `value` looks like a problem body of the gateway (an object with a string `code`).
 *
 * @example
 * ```ts
 * isProblem({ code: 'not_found', status: 404 }); // true
 * isProblem('Not Found');                         // false
 * ```
 */
export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * The typed error for an answer of the gateway. The code comes from the problem body, else the
 * `LP-gateway-error` header, else the class default; the class follows the code when the spec's catalogue
 * has it (so `destination_blocked` gets its own), else the status.
 * `body` is the parsed JSON body, or its text, or `undefined`.
 *
 * @example
 * ```ts
 * const response = await fetch(url);
 * if (!response.ok) throw errorFromResponse(response.status, response.headers, await response.json().catch(() => undefined));
 * ```
 */
export function errorFromResponse(status: number, headers: Headers, body: unknown): MtlsGatewayError {
  const problem = isProblem(body) ? body : undefined;
  const code = problem?.code ?? headers.get('LP-gateway-error') ?? undefined;
  const requestId =
    (typeof problem?.requestId === 'string' ? problem.requestId : undefined) ??
    headers.get('X-Request-Id') ??
    undefined;
  const ErrorKind = errorClassFor(status, code);
  const detail = typeof problem?.detail === 'string' && problem.detail !== '' ? problem.detail : undefined;
  const advice = detail ?? ADVICE_BY_CLASS.get(ErrorKind) ?? `The gateway answered with status ${status}.`;
  const label = [`${status}`, code].filter(Boolean).join(' ');
  const message = `${advice} (${label}${requestId === undefined ? '' : `, request ${requestId}`})`;
  return new ErrorKind(message, { status, code, problem, requestId, headers });
}
