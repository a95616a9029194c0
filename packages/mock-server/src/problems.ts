/**
 * The answers the mock makes itself: RFC 9457 `application/problem+json` with `type`, `title`, `status`,
 * `detail`, `code`, `requestId` (and `errors`), plus the `LP-gateway-error: <code>` and `X-Request-Id`
 * headers. Codes, statuses and titles come from the spec's problem catalogue (`@mtls-gateway/contract`).
 */
import {
  GATEWAY_ERROR_HEADER,
  type InputError,
  type ProblemCode,
  problemDocument,
  problemKind,
  WWW_AUTHENTICATE_CHALLENGE,
} from '@mtls-gateway/contract';
import { invalidRequestDetail } from '@mtls-gateway/contract/validation';

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
    readonly code: ProblemCode,
    detail: string,
    options: { status?: number; headers?: Record<string, string>; errors?: InputError[] } = {},
  ) {
    super(detail);
    this.status = options.status ?? problemKind(code).status;
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
  return new MockProblem('invalid_request', invalidRequestDetail(errors), { errors });
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
  const document = problemDocument(problem.code, problem.detail, {
    requestId: context.requestId,
    instance: context.path,
    errors: problem.errors,
    status: problem.status,
  });
  const headers = new Headers(problem.headers);
  headers.set('Content-Type', 'application/problem+json');
  headers.set(GATEWAY_ERROR_HEADER, problem.code);
  headers.set('X-Request-Id', context.requestId);
  return new Response(JSON.stringify(document), { status: problem.status, headers });
}
