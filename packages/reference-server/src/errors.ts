/**
 * The errors the gateway answers with itself, as the services raise them. One class per problem kind, each
 * with a stable `code` from the spec's problem catalogue (`@mtls-gateway/contract`) and a message (`detail`)
 * that tells the caller what to do and never contains a secret.
 *
 * These classes know no HTTP status and no title: the HTTP layer (`http/problem.ts`) looks both up in the
 * catalogue by `code` (`problemKind`) and turns every error into an RFC 9457 problem in one place. See
 * `docs/decisions/001-errors-and-layers.md`.
 */
import type { InputError, ProblemCode } from '@mtls-gateway/contract';

export type { InputError, InputLocation } from '@mtls-gateway/contract';

/**
 * The `p12_*` problem codes: why an uploaded PKCS#12 file was refused.
 *
 * @example
 * ```ts
 * const code: P12ProblemCode = 'p12_wrong_password';
 * ```
 */
export type P12ProblemCode = Extract<ProblemCode, `p12_${string}`>;

/**
 * Options every {@link GatewayError} accepts.
 *
 * @example
 * ```ts
 * const options: GatewayErrorOptions = { cause: error, headers: { 'Retry-After': '1' } };
 * ```
 */
export interface GatewayErrorOptions {
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  /** The underlying error, for logs only (never sent to the client). */
  cause?: unknown;
  /** Each invalid input, sent as the problem's `errors`. */
  errors?: InputError[];
}

/**
 * Base class of every answer the gateway makes itself. Catch it to handle them all; switch on `code`.
 *
 * @example
 * ```ts
 * try { await certificates.get(accountId, id); } catch (error) {
 *   if (error instanceof GatewayError && error.code === 'not_found') …
 * }
 * ```
 */
export abstract class GatewayError extends Error {
  override readonly name: string = 'GatewayError';
  /** Stable problem code of the catalogue, e.g. `not_found`; also sent as `LP-gateway-error`. */
  abstract readonly code: ProblemCode;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  /** Each invalid input (the problem's `errors`); empty for most problems. */
  readonly errors: InputError[];

  constructor(detail: string, options: GatewayErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.headers = { ...options.headers };
    this.errors = options.errors ?? [];
  }

  /** The problem `detail`: what went wrong and what to do. */
  get detail(): string {
    return this.message;
  }
}

/**
 * A header, parameter or body is missing or malformed (`invalid_request`); `errors` lists each input.
 *
 * @example
 * ```ts
 * throw new InvalidRequestError('The request header LP-forward-url is required.', [
 *   { location: 'header', name: 'LP-forward-url', message: 'is required' },
 * ]);
 * ```
 */
export class InvalidRequestError extends GatewayError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'invalid_request';

  constructor(detail: string, errors: InputError[] = [], options?: GatewayErrorOptions) {
    super(detail, { ...options, errors });
  }
}

/**
 * An uploaded PKCS#12 file is unusable (its `p12_*` code; the files after it are not opened). `errors` names
 * the refused item: `/<index>/p12` for JSON arrays, `/p12` for a single JSON body, `file` for a multipart
 * upload. Nothing was stored.
 *
 * @example
 * ```ts
 * throw new CertificateFileRejectedError('p12_wrong_password', 'Item 0 ("Cert1"): the password does not open the file.', [
 *   { location: 'body', name: '/0/p12', message: 'p12_wrong_password: the password does not open the file' },
 * ]);
 * ```
 */
export class CertificateFileRejectedError extends GatewayError {
  override readonly name = 'CertificateFileRejectedError';

  constructor(
    readonly code: P12ProblemCode,
    detail: string,
    /** Each refused item. */
    errors: InputError[] = [],
    options?: GatewayErrorOptions,
  ) {
    super(detail, { ...options, errors });
  }
}

/**
 * `LP-stop-if-certificate-not-found: true` and no certificate applies (`certificate_not_found`).
 *
 * @example
 * ```ts
 * throw new CertificateNotFoundError('No certificate is mapped to account le1, service WEBHOOKS and this URL; nothing was sent.');
 * ```
 */
export class CertificateNotFoundError extends GatewayError {
  override readonly name = 'CertificateNotFoundError';
  readonly code = 'certificate_not_found';
}

/**
 * Missing or invalid credentials (`unauthorized`). The HTTP layer adds the `WWW-Authenticate` challenge.
 *
 * @example
 * ```ts
 * throw new UnauthorizedError('Send an OAuth 1.0a signature or a Bearer token in the Authorization header.');
 * ```
 */
export class UnauthorizedError extends GatewayError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'unauthorized';
}

/**
 * The credential lacks the permission, or is not scoped to the account (`forbidden`).
 *
 * @example
 * ```ts
 * throw new ForbiddenError('This operation needs the permission MTLS_WRITE_INTERNAL on account le1606809.');
 * ```
 */
export class ForbiddenError extends GatewayError {
  override readonly name = 'ForbiddenError';
  readonly code = 'forbidden';
}

/**
 * The forward URL resolves to an address the egress policy refuses (`destination_blocked`).
 *
 * @example
 * ```ts
 * throw new DestinationBlockedError('internal.example.com resolves to a private address, which the egress policy refuses.');
 * ```
 */
export class DestinationBlockedError extends GatewayError {
  override readonly name: string = 'DestinationBlockedError';
  readonly code = 'destination_blocked';
}

/**
 * No such certificate or mapping in this account (`not_found`).
 *
 * @example
 * ```ts
 * throw new NotFoundError(`Certificate ${certificateId} does not exist in account ${accountId}.`);
 * ```
 */
export class NotFoundError extends GatewayError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
}

/**
 * No route serves this path (`route_not_found`).
 *
 * @example
 * ```ts
 * throw new RouteNotFoundError('No operation serves GET /nope. See /docs for the API reference.');
 * ```
 */
export class RouteNotFoundError extends GatewayError {
  override readonly name = 'RouteNotFoundError';
  readonly code = 'route_not_found';
}

/**
 * The path exists but not with this method (`method_not_allowed`, with `Allow`).
 *
 * @example
 * ```ts
 * throw new MethodNotAllowedError('GET', '/healthz', ['GET']);
 * ```
 */
export class MethodNotAllowedError extends GatewayError {
  override readonly name = 'MethodNotAllowedError';
  readonly code = 'method_not_allowed';

  constructor(method: string, path: string, allowed: readonly string[], options: GatewayErrorOptions = {}) {
    super(`${path} does not accept ${method}; use ${allowed.join(', ')}.`, {
      ...options,
      headers: { Allow: allowed.join(', '), ...options.headers },
    });
  }
}

/**
 * The certificate name is taken in this account (`name_conflict`).
 *
 * @example
 * ```ts
 * throw new NameConflictError('Account le1606809 already has a certificate named "Cert1". Choose another name or update it.');
 * ```
 */
export class NameConflictError extends GatewayError {
  override readonly name = 'NameConflictError';
  readonly code = 'name_conflict';
}

/**
 * The account + service + URL already has a certificate (`mapping_conflict`).
 *
 * @example
 * ```ts
 * throw new MappingConflictError('WEBHOOKS https://api.example.com/hooks already has a certificate. Delete that mapping first.');
 * ```
 */
export class MappingConflictError extends GatewayError {
  override readonly name = 'MappingConflictError';
  readonly code = 'mapping_conflict';
}

/**
 * The request body or a multipart part is over the limit (`payload_too_large`).
 *
 * @example
 * ```ts
 * throw new PayloadTooLargeError('The request body is larger than the limit of 10485760 bytes.');
 * ```
 */
export class PayloadTooLargeError extends GatewayError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
}

/**
 * The request headers or body did not arrive in time (`request_timeout`): headers after
 * `MTLS_HEADERS_TIMEOUT_MS`, a body that did not start within `MTLS_BODY_TIMEOUT_MS` or then arrived slower
 * than `MTLS_BODY_MIN_RATE` bytes per second. The connection is closed after the answer.
 *
 * @example
 * ```ts
 * throw new RequestTimeoutError('The request body arrived slower than 500 bytes per second.');
 * ```
 */
export class RequestTimeoutError extends GatewayError {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'request_timeout';
}

/**
 * The request line and headers are larger than the server accepts (`headers_too_large`).
 *
 * @example
 * ```ts
 * throw new HeadersTooLargeError('The request headers are larger than 16384 bytes.');
 * ```
 */
export class HeadersTooLargeError extends GatewayError {
  override readonly name = 'HeadersTooLargeError';
  readonly code = 'headers_too_large';
}

/**
 * The body's content type is not one the operation accepts (`unsupported_media_type`).
 *
 * @example
 * ```ts
 * throw new UnsupportedMediaTypeError('Send the body as application/json.');
 * ```
 */
export class UnsupportedMediaTypeError extends GatewayError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'unsupported_media_type';
}

/**
 * The remote could not be reached (`transport_failure`), with `LP-message-from-transport` and
 * `LP-error-from-transport`.
 *
 * @example
 * ```ts
 * throw new TransportFailureError('connect ECONNREFUSED 203.0.113.7:443', 'ECONNREFUSED');
 * ```
 */
export class TransportFailureError extends GatewayError {
  override readonly name = 'TransportFailureError';
  readonly code = 'transport_failure';

  constructor(
    transportMessage: string,
    readonly transportErrorKind: string,
    options: GatewayErrorOptions = {},
  ) {
    const message = toHeaderSafe(transportMessage, 1024);
    super(message, {
      ...options,
      headers: {
        'LP-message-from-transport': message,
        'LP-error-from-transport':
          transportErrorKind.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 128) || 'UNKNOWN',
        ...options.headers,
      },
    });
  }
}

/**
 * The remote answered with something the gateway cannot pass on as an HTTP answer (`bad_gateway`): a
 * status outside 200–599 once informational answers are handled, or `101 Switching Protocols` (the gateway
 * does not tunnel upgraded connections). The remote's answer is discarded; the detail names only
 * `host:port` and the status.
 *
 * @example
 * ```ts
 * throw new BadGatewayError('The remote api.example.com:443 answered with status 600, which is not a valid HTTP status.');
 * ```
 */
export class BadGatewayError extends GatewayError {
  override readonly name = 'BadGatewayError';
  readonly code = 'bad_gateway';
}

/**
 * Over the per-IP rate limit (`rate_limited`, with `Retry-After`).
 *
 * @example
 * ```ts
 * throw new RateLimitedError(10, 1);
 * ```
 */
export class RateLimitedError extends GatewayError {
  override readonly name = 'RateLimitedError';
  readonly code = 'rate_limited';

  constructor(requestsPerSecond: number, retryAfterSeconds: number, options: GatewayErrorOptions = {}) {
    super(
      `More than ${requestsPerSecond} requests per second from this address. Retry after ${retryAfterSeconds} ` +
        `second${retryAfterSeconds === 1 ? '' : 's'}.`,
      { ...options, headers: { 'Retry-After': String(retryAfterSeconds), ...options.headers } },
    );
  }
}

/**
 * An unexpected error (`internal_error`). The detail never names the cause; the request id finds it in the
 * logs.
 *
 * @example
 * ```ts
 * throw new InternalError();
 * ```
 */
export class InternalError extends GatewayError {
  override readonly name = 'InternalError';
  readonly code = 'internal_error';

  constructor(
    detail = 'An unexpected error occurred. Quote the request id when reporting it.',
    options?: GatewayErrorOptions,
  ) {
    super(detail, options);
  }
}

/**
 * The database or the secret store is not reachable, or the gateway is shutting down (`unavailable`). The
 * HTTP layer adds a `Retry-After` unless the options set one.
 *
 * @example
 * ```ts
 * throw new UnavailableError('The database is not reachable. Retry in a moment.');
 * ```
 */
export class UnavailableError extends GatewayError {
  override readonly name = 'UnavailableError';
  readonly code = 'unavailable';
}

/** Printable ASCII only (header-safe), at most `max` characters. */
function toHeaderSafe(text: string, max: number): string {
  return text.replace(/[^\x20-\x7E]/g, ' ').slice(0, max);
}
