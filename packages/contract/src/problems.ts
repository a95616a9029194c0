/**
 * The problem catalogue of the spec (`x-problem-codes`), as every implementation uses it: SDK, mock and
 * server know a code only through this module, so adding one to the spec and running `pnpm generate` is the
 * only step.
 */
import type { components } from './generated/openapi.js';
import { PROBLEM_CATALOGUE } from './generated/problem-catalogue.js';

export { PROBLEM_CATALOGUE };

/**
 * A problem code the spec documents.
 *
 * @example
 * ```ts
 * const code: ProblemCode = 'certificate_not_found';
 * ```
 */
export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

/**
 * An RFC 9457 problem as the gateway sends it (`application/problem+json`), as the spec's `Problem` schema.
 *
 * @example
 * ```ts
 * const problem: Problem = {
 *   type: 'https://mtls-gateway.dev/problems/not_found', title: 'Not found', status: 404,
 *   detail: 'Certificate 42 does not exist in account le1606809.', code: 'not_found', requestId: 'req-1',
 * };
 * ```
 */
export type Problem = components['schemas']['Problem'];

/**
 * One invalid input of an `invalid_request` problem (the spec's `InputError` schema).
 *
 * @example
 * ```ts
 * const error: InputError = { location: 'header', name: 'LP-forward-url', message: 'is required' };
 * ```
 */
export type InputError = components['schemas']['InputError'];

/**
 * Where an invalid input was found.
 *
 * @example
 * ```ts
 * const location: InputLocation = 'body';
 * ```
 */
export type InputLocation = InputError['location'];

/**
 * Base URI of problem `type`s: `https://mtls-gateway.dev/problems/<code>`.
 *
 * @example
 * ```ts
 * `${PROBLEM_TYPE_BASE}not_found`; // the type of a not_found problem
 * ```
 */
export const PROBLEM_TYPE_BASE = 'https://mtls-gateway.dev/problems/';

/**
 * Header naming the problem code on every answer of the gateway itself (never on a passthrough answer).
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
 * reply.header('WWW-Authenticate', WWW_AUTHENTICATE_CHALLENGE);
 * ```
 */
export const WWW_AUTHENTICATE_CHALLENGE = 'OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"';

/**
 * Whether `code` is a problem code the spec documents.
 *
 * @example
 * ```ts
 * isProblemCode('not_found'); // true
 * isProblemCode('nope');      // false
 * ```
 */
export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_CATALOGUE, code);
}

/**
 * The fixed part of a problem: its `type`, `title` and `status`, from the catalogue.
 *
 * @example
 * ```ts
 * problemKind('name_conflict'); // { type: 'https://mtls-gateway.dev/problems/name_conflict', title: 'Name already in use', status: 409 }
 * ```
 */
export function problemKind(code: ProblemCode): { type: string; title: string; status: number } {
  const { status, title } = PROBLEM_CATALOGUE[code];
  return { type: `${PROBLEM_TYPE_BASE}${code}`, title, status };
}

/** The code used when only a status is known (a scenario that forces a status, a framework's own error). */
const CODE_OF_STATUS: Readonly<Record<number, ProblemCode>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'name_conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  424: 'transport_failure',
  429: 'rate_limited',
  431: 'headers_too_large',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'unavailable',
};

/**
 * The problem code the gateway uses for a bare status: its general code for that status, else
 * `invalid_request` for a 4xx and `internal_error` for a 5xx.
 *
 * @example
 * ```ts
 * problemCodeForStatus(404); // 'not_found'
 * problemCodeForStatus(418); // 'invalid_request'
 * ```
 */
export function problemCodeForStatus(status: number): ProblemCode {
  return CODE_OF_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

/** Removes control characters (the spec forbids them in problem text) and truncates to the spec's bound. */
function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const flat = text.replace(/[\x00-\x1F\x7F]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The problem document of `code`, within the bounds of the spec's `Problem` schema: `type` and `title` from
 * the catalogue, control characters removed from the text, `detail` ≤ 4096, `instance` only up to 2048
 * characters, at most 100 `errors`. `status` defaults to the catalogue's.
 *
 * @example
 * ```ts
 * problemDocument('not_found', 'Certificate 1 does not exist in account le1.', { requestId: 'req-1', instance: '/x' });
 * ```
 */
export function problemDocument(
  code: ProblemCode,
  detail: string,
  context: {
    requestId: string;
    instance?: string | undefined;
    errors?: readonly InputError[];
    status?: number;
  },
): Problem {
  const kind = problemKind(code);
  const problem: Problem = {
    type: kind.type,
    title: clean(kind.title, 256),
    status: context.status ?? kind.status,
    detail: clean(detail, 4096),
    code,
    requestId: context.requestId,
  };
  if (context.instance !== undefined && context.instance.length <= 2048) problem.instance = context.instance;
  if (context.errors && context.errors.length > 0) {
    problem.errors = context.errors.slice(0, 100).map((error) => ({
      location: error.location,
      ...(error.name === undefined ? {} : { name: clean(error.name, 256) }),
      message: clean(error.message, 1024),
    }));
  }
  return problem;
}
