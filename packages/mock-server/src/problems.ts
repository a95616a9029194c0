/**
 * The answers the mock makes itself, shaped exactly as the reference server's: RFC 9457
 * `application/problem+json` with `type`, `title`, `status`, `detail`, `code`, `requestId` (and `errors`),
 * plus the `LP-gateway-error: <code>` and `X-Request-Id` headers.
 */

/**
 * Base URI of problem `type`s: `https://mtls-gateway.dev/problems/<code>`.
 *
 * @example
 * ```ts
 * expect(problem.type).toBe(`${PROBLEM_TYPE_BASE}not_found`);
 * ```
 */
export const PROBLEM_TYPE_BASE = 'https://mtls-gateway.dev/problems/';

/**
 * Header naming the problem code on every answer of the gateway itself (never on a passthrough).
 *
 * @example
 * ```ts
 * const fromGateway = response.headers.has(GATEWAY_ERROR_HEADER);
 * ```
 */
export const GATEWAY_ERROR_HEADER = 'LP-gateway-error';

/**
 * The `WWW-Authenticate` value of every 401: the two schemes the gateway accepts.
 *
 * @example
 * ```ts
 * expect(response.headers.get('WWW-Authenticate')).toBe(WWW_AUTHENTICATE_CHALLENGE);
 * ```
 */
export const WWW_AUTHENTICATE_CHALLENGE = 'OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"';

/**
 * One invalid input of an `invalid_request` problem.
 *
 * @example
 * ```ts
 * const error: InputError = { location: 'header', name: 'LP-forward-url', message: 'is required' };
 * ```
 */
export interface InputError {
  location: 'path' | 'query' | 'header' | 'body';
  /** The parameter or header name, or a JSON pointer into the body. */
  name?: string;
  message: string;
}

/**
 * The RFC 9457 document of a problem answer.
 *
 * @example
 * ```ts
 * const problem: ProblemDocument = await response.json();
 * if (problem.code === 'name_conflict') pickAnotherName();
 * ```
 */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  instance?: string;
  errors?: InputError[];
}

// Titles and statuses as the reference server sends them (its http/errors.ts and certificates/errors.ts).
const PROBLEM_KINDS: Record<string, { status: number; title: string }> = {
  invalid_request: { status: 400, title: 'Invalid request' },
  certificate_not_found: { status: 400, title: 'No certificate applies' },
  p12_wrong_password: { status: 400, title: 'Wrong PKCS#12 password' },
  p12_corrupt: { status: 400, title: 'Corrupt PKCS#12 file' },
  p12_unsupported_format: { status: 400, title: 'Unsupported PKCS#12 format' },
  p12_too_costly: { status: 400, title: 'PKCS#12 file too costly to open' },
  p12_invalid_input: { status: 400, title: 'Unusable PKCS#12 input' },
  p12_no_private_key: { status: 400, title: 'No private key in the PKCS#12 file' },
  p12_multiple_keys: { status: 400, title: 'Several private keys in the PKCS#12 file' },
  p12_no_certificate: { status: 400, title: 'No certificate for the key in the PKCS#12 file' },
  p12_key_mismatch: { status: 400, title: 'Certificate and key do not match' },
  p12_unsupported_key: { status: 400, title: 'Unsupported key type' },
  p12_expired: { status: 400, title: 'Certificate expired' },
  p12_not_yet_valid: { status: 400, title: 'Certificate not yet valid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  destination_blocked: { status: 403, title: 'Destination blocked' },
  not_found: { status: 404, title: 'Not found' },
  route_not_found: { status: 404, title: 'Route not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  request_timeout: { status: 408, title: 'Request timeout' },
  name_conflict: { status: 409, title: 'Name already in use' },
  mapping_conflict: { status: 409, title: 'Mapping already exists' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  transport_failure: { status: 424, title: 'The remote endpoint could not be reached' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal server error' },
  bad_gateway: { status: 502, title: 'Bad gateway' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

/** The code the gateway uses for a status, for scenarios that force only a status. */
const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'name_conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
  424: 'transport_failure',
  429: 'rate_limited',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'unavailable',
};

/**
 * The problem code the gateway answers with for `status` (`mock_scenario` when the gateway has none).
 *
 * @example
 * ```ts
 * problemCodeForStatus(503); // 'unavailable'
 * ```
 */
export function problemCodeForStatus(status: number): string {
  return CODE_OF_STATUS[status] ?? 'mock_scenario';
}

/**
 * The status the gateway answers a problem code with (`undefined` for an unknown code).
 *
 * @example
 * ```ts
 * statusForProblemCode('mapping_conflict'); // 409
 * ```
 */
export function statusForProblemCode(code: string): number | undefined {
  return PROBLEM_KINDS[code]?.status;
}

/**
 * A problem the mock answers with. Operation logic throws it; the handler turns it into the answer.
 *
 * @example
 * ```ts
 * throw new MockProblem('not_found', `Certificate ${id} does not exist in account ${accountId}.`);
 * ```
 */
export class MockProblem extends Error {
  override readonly name = 'MockProblem';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly errors: InputError[] | undefined;

  constructor(
    readonly code: string,
    detail: string,
    options: { status?: number; headers?: Record<string, string>; errors?: InputError[] } = {},
  ) {
    super(detail);
    this.status = options.status ?? statusForProblemCode(code) ?? 500;
    this.headers = { ...options.headers };
    if (code === 'unauthorized') this.headers['WWW-Authenticate'] ??= WWW_AUTHENTICATE_CHALLENGE;
    if (code === 'rate_limited') this.headers['Retry-After'] ??= '1';
    this.errors = options.errors;
  }

  /** The problem `detail`. */
  get detail(): string {
    return this.message;
  }
}

/**
 * A 424 `transport_failure` with the `LP-message-from-transport` and `LP-error-from-transport` headers.
 *
 * @example
 * ```ts
 * throw transportFailure('connect ECONNREFUSED 203.0.113.7:443', 'ECONNREFUSED');
 * ```
 */
export function transportFailure(message: string, errorKind: string): MockProblem {
  const headerSafeMessage = message.replace(/[^\x20-\x7E]/g, ' ').slice(0, 1024);
  return new MockProblem(
    'transport_failure',
    headerSafeMessage || 'The remote endpoint could not be reached.',
    {
      headers: {
        'LP-message-from-transport': headerSafeMessage,
        'LP-error-from-transport': errorKind.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 128) || 'UNKNOWN',
      },
    },
  );
}

/**
 * An `invalid_request` problem whose detail describes the first error, as the reference server words it.
 *
 * @example
 * ```ts
 * throw invalidRequest([{ location: 'header', name: 'LP-forward-url', message: 'is required' }]);
 * ```
 */
export function invalidRequest(errors: InputError[]): MockProblem {
  const [first] = errors;
  const places = {
    path: 'path parameter',
    query: 'query parameter',
    header: 'request header',
    body: 'request body',
  };
  const where = first
    ? first.location === 'body'
      ? `${places.body}${first.name ? ` at ${first.name}` : ''}`
      : `${places[first.location]} ${first.name ?? ''}`
    : '';
  const more =
    errors.length > 1 ? ` (${errors.length - 1} more problem${errors.length > 2 ? 's' : ''} in errors)` : '';
  const detail = first ? `The ${where} ${first.message}.${more}` : 'The request is invalid.';
  return new MockProblem('invalid_request', detail, { errors });
}

/** Removes control characters (the spec forbids them) and truncates. */
function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const flat = text.replace(/[\x00-\x1F\x7F]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Renders `problem` as the gateway's answer: `application/problem+json`, `LP-gateway-error`, `X-Request-Id`
 * and the problem's own headers.
 *
 * @example
 * ```ts
 * return problemResponse(new MockProblem('not_found', 'No such certificate.'), { requestId: 'req-1', path: '/x' });
 * ```
 */
export function problemResponse(
  problem: MockProblem,
  context: { requestId: string; path?: string },
): Response {
  const document: ProblemDocument = {
    type: `${PROBLEM_TYPE_BASE}${problem.code}`,
    title: clean(PROBLEM_KINDS[problem.code]?.title ?? 'Mock scenario', 256),
    status: problem.status,
    detail: clean(problem.detail, 4096),
    code: problem.code,
    requestId: context.requestId,
  };
  if (context.path !== undefined && context.path.length <= 2048) document.instance = context.path;
  if (problem.errors && problem.errors.length > 0) {
    document.errors = problem.errors.slice(0, 100).map((error) => ({
      location: error.location,
      ...(error.name === undefined ? {} : { name: clean(error.name, 256) }),
      message: clean(error.message, 1024),
    }));
  }
  const headers = new Headers(problem.headers);
  headers.set('Content-Type', 'application/problem+json');
  headers.set(GATEWAY_ERROR_HEADER, problem.code);
  headers.set('X-Request-Id', context.requestId);
  return new Response(JSON.stringify(document), { status: problem.status, headers });
}
