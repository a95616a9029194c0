/**
 * The errors the gateway answers with itself. Route modules throw a {@link GatewayError}; the app's error
 * handler turns it into an RFC 9457 `application/problem+json` answer with the `LP-gateway-error` header.
 *
 * One class per problem kind, each with a stable `code` (the spec's problem code table) and its HTTP status.
 * Messages (`detail`) tell the caller what to do and never contain secrets.
 */

/** Base URI of problem `type`s: `https://mtls-gateway.dev/problems/<code>`. */
export const PROBLEM_TYPE_BASE = 'https://mtls-gateway.dev/problems/';

/** Where an invalid input was found. */
export type InputLocation = 'path' | 'query' | 'header' | 'body';

/**
 * One invalid input of an `invalid_request` problem.
 *
 * @example
 * ```ts
 * const error: InputError = { location: 'header', name: 'LP-forward-url', message: 'is required' };
 * ```
 */
export interface InputError {
  location: InputLocation;
  /** The parameter or header name, or a JSON pointer into the body. */
  name?: string;
  message: string;
}

/** Options every {@link GatewayError} accepts. */
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
 * throw new NotFoundError(`Certificate ${id} does not exist in account ${accountId}.`);
 * ```
 */
export abstract class GatewayError extends Error {
  /** Stable problem code, e.g. `not_found`; also sent as `LP-gateway-error`. */
  abstract readonly code: string;
  /** HTTP status of the answer. */
  abstract readonly status: number;
  /** Short summary of the problem kind (the problem's `title`). */
  abstract readonly title: string;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  /** Each invalid input (the problem's `errors`); empty for most problems. */
  readonly errors: InputError[];

  constructor(detail: string, options: GatewayErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.headers = { ...options.headers };
    this.errors = options.errors ?? [];
  }

  /** The problem `detail`: what went wrong and what to do. */
  get detail(): string {
    return this.message;
  }
}

/**
 * A header, parameter or body is missing or malformed (400 `invalid_request`); `errors` lists each input.
 *
 * @example
 * ```ts
 * throw new InvalidRequestError('The request header LP-forward-url is required.', [
 *   { location: 'header', name: 'LP-forward-url', message: 'is required' },
 * ]);
 * ```
 */
export class InvalidRequestError extends GatewayError {
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly title = 'Invalid request';

  constructor(detail: string, errors: InputError[] = [], options?: GatewayErrorOptions) {
    super(detail, { ...options, errors });
  }
}

/**
 * `LP-stop-if-certificate-not-found: true` and no certificate applies (400 `certificate_not_found`).
 *
 * @example
 * ```ts
 * throw new CertificateNotFoundError('No certificate is mapped to account le1, service WEBHOOKS and this URL; nothing was sent.');
 * ```
 */
export class CertificateNotFoundError extends GatewayError {
  readonly code = 'certificate_not_found';
  readonly status = 400;
  readonly title = 'No certificate applies';
}

/**
 * Missing or invalid credentials (401 `unauthorized`). Carries the `WWW-Authenticate` challenge.
 *
 * @example
 * ```ts
 * throw new UnauthorizedError('Send an OAuth 1.0a signature or a Bearer token in the Authorization header.');
 * ```
 */
export class UnauthorizedError extends GatewayError {
  readonly code = 'unauthorized';
  readonly status = 401;
  readonly title = 'Authentication required';

  constructor(detail: string, options: GatewayErrorOptions = {}) {
    super(detail, {
      ...options,
      headers: { 'WWW-Authenticate': WWW_AUTHENTICATE_CHALLENGE, ...options.headers },
    });
  }
}

/** The `WWW-Authenticate` value of every 401: the two schemes the gateway accepts. */
export const WWW_AUTHENTICATE_CHALLENGE = 'OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"';

/**
 * The credential lacks the permission, or is not scoped to the account (403 `forbidden`).
 *
 * @example
 * ```ts
 * throw new ForbiddenError('This operation needs the permission MTLS_WRITE_INTERNAL on account le1606809.');
 * ```
 */
export class ForbiddenError extends GatewayError {
  readonly code = 'forbidden';
  readonly status = 403;
  readonly title = 'Forbidden';
}

/**
 * The forward URL resolves to an address the egress policy refuses (403 `destination_blocked`).
 *
 * @example
 * ```ts
 * throw new DestinationBlockedError('internal.example.com resolves to a private address, which the egress policy refuses.');
 * ```
 */
export class DestinationBlockedError extends GatewayError {
  readonly code = 'destination_blocked';
  readonly status = 403;
  readonly title = 'Destination blocked';
}

/**
 * No such certificate or mapping in this account (404 `not_found`).
 *
 * @example
 * ```ts
 * throw new NotFoundError(`Certificate ${certificateId} does not exist in account ${accountId}.`);
 * ```
 */
export class NotFoundError extends GatewayError {
  readonly code = 'not_found';
  readonly status = 404;
  readonly title = 'Not found';
}

/**
 * No route serves this path (404 `route_not_found`).
 *
 * @example
 * ```ts
 * throw new RouteNotFoundError('No operation serves GET /nope. See /docs for the API reference.');
 * ```
 */
export class RouteNotFoundError extends GatewayError {
  readonly code = 'route_not_found';
  readonly status = 404;
  readonly title = 'Route not found';
}

/**
 * The path exists but not with this method (405 `method_not_allowed`, with `Allow`).
 *
 * @example
 * ```ts
 * throw new MethodNotAllowedError('GET', '/healthz', ['GET']);
 * ```
 */
export class MethodNotAllowedError extends GatewayError {
  readonly code = 'method_not_allowed';
  readonly status = 405;
  readonly title = 'Method not allowed';

  constructor(method: string, path: string, allowed: readonly string[], options: GatewayErrorOptions = {}) {
    super(`${path} does not accept ${method}; use ${allowed.join(', ')}.`, {
      ...options,
      headers: { Allow: allowed.join(', '), ...options.headers },
    });
  }
}

/**
 * The certificate name is taken in this account (409 `name_conflict`).
 *
 * @example
 * ```ts
 * throw new NameConflictError('Account le1606809 already has a certificate named "Cert1". Choose another name or update it.');
 * ```
 */
export class NameConflictError extends GatewayError {
  readonly code = 'name_conflict';
  readonly status = 409;
  readonly title = 'Name already in use';
}

/**
 * The account + service + URL already has a certificate (409 `mapping_conflict`).
 *
 * @example
 * ```ts
 * throw new MappingConflictError('WEBHOOKS https://api.example.com/hooks already has a certificate. Delete that mapping first.');
 * ```
 */
export class MappingConflictError extends GatewayError {
  readonly code = 'mapping_conflict';
  readonly status = 409;
  readonly title = 'Mapping already exists';
}

/**
 * The request body or a multipart part is over the limit (413 `payload_too_large`).
 *
 * @example
 * ```ts
 * throw new PayloadTooLargeError('The request body is larger than the limit of 10485760 bytes.');
 * ```
 */
export class PayloadTooLargeError extends GatewayError {
  readonly code = 'payload_too_large';
  readonly status = 413;
  readonly title = 'Payload too large';
}

/**
 * The request headers or body did not arrive in time (408 `request_timeout`): headers after
 * `MTLS_HEADERS_TIMEOUT_MS`, a body that did not start within `MTLS_BODY_TIMEOUT_MS` or then arrived slower
 * than `MTLS_BODY_MIN_RATE` bytes per second. The connection is closed after the answer.
 *
 * @example
 * ```ts
 * throw new RequestTimeoutError('The request body arrived slower than 500 bytes per second.');
 * ```
 */
export class RequestTimeoutError extends GatewayError {
  readonly code = 'request_timeout';
  readonly status = 408;
  readonly title = 'Request timeout';
}

/**
 * The request line and headers are larger than the server accepts (431 `headers_too_large`).
 *
 * @example
 * ```ts
 * throw new HeadersTooLargeError('The request headers are larger than 16384 bytes.');
 * ```
 */
export class HeadersTooLargeError extends GatewayError {
  readonly code = 'headers_too_large';
  readonly status = 431;
  readonly title = 'Request headers too large';
}

/**
 * The body's content type is not one the operation accepts (415 `unsupported_media_type`).
 *
 * @example
 * ```ts
 * throw new UnsupportedMediaTypeError('Send the body as application/json.');
 * ```
 */
export class UnsupportedMediaTypeError extends GatewayError {
  readonly code = 'unsupported_media_type';
  readonly status = 415;
  readonly title = 'Unsupported media type';
}

/**
 * The remote could not be reached (424 `transport_failure`), with `LP-message-from-transport` and
 * `LP-error-from-transport`.
 *
 * @example
 * ```ts
 * throw new TransportFailureError('connect ECONNREFUSED 203.0.113.7:443', 'ECONNREFUSED');
 * ```
 */
export class TransportFailureError extends GatewayError {
  readonly code = 'transport_failure';
  readonly status = 424;
  readonly title = 'The remote endpoint could not be reached';

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
 * The remote answered with something the gateway cannot pass on as an HTTP answer (502 `bad_gateway`): a
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
  readonly status = 502;
  readonly title = 'Bad gateway';
}

/**
 * Over the per-IP rate limit (429 `rate_limited`, with `Retry-After`).
 *
 * @example
 * ```ts
 * throw new RateLimitedError(10, 1);
 * ```
 */
export class RateLimitedError extends GatewayError {
  readonly code = 'rate_limited';
  readonly status = 429;
  readonly title = 'Too many requests';

  constructor(requestsPerSecond: number, retryAfterSeconds: number, options: GatewayErrorOptions = {}) {
    super(
      `More than ${requestsPerSecond} requests per second from this address. Retry after ${retryAfterSeconds} ` +
        `second${retryAfterSeconds === 1 ? '' : 's'}.`,
      { ...options, headers: { 'Retry-After': String(retryAfterSeconds), ...options.headers } },
    );
  }
}

/**
 * An unexpected error (500 `internal_error`). The detail never names the cause; the request id finds it in
 * the logs.
 *
 * @example
 * ```ts
 * throw new InternalError();
 * ```
 */
export class InternalError extends GatewayError {
  readonly code = 'internal_error';
  readonly status = 500;
  readonly title = 'Internal server error';

  constructor(
    detail = 'An unexpected error occurred. Quote the request id when reporting it.',
    options?: GatewayErrorOptions,
  ) {
    super(detail, options);
  }
}

/** `Retry-After` (seconds) of a 503 `unavailable` that does not set its own: a dependency restart takes seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/**
 * The database or the secret store is not reachable (503 `unavailable`), always with `Retry-After`
 * ({@link UNAVAILABLE_RETRY_AFTER_SECONDS} unless the options set one).
 *
 * @example
 * ```ts
 * throw new UnavailableError('The database is not reachable. Retry in a moment.');
 * ```
 */
export class UnavailableError extends GatewayError {
  readonly code = 'unavailable';
  readonly status = 503;
  readonly title = 'Service unavailable';

  constructor(detail: string, options: GatewayErrorOptions = {}) {
    super(detail, {
      ...options,
      headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS), ...options.headers },
    });
  }
}

/** Printable ASCII only (header-safe), at most `max` characters. */
function toHeaderSafe(text: string, max: number): string {
  return text.replace(/[^\x20-\x7E]/g, ' ').slice(0, max);
}
