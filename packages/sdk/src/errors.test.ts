import { PROBLEM_CATALOGUE, type ProblemCode } from '@mtls-gateway/contract';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  ConflictError,
  ConnectionError,
  DestinationBlockedError,
  DiscoveryError,
  ERROR_CLASS_OF_PROBLEM_CODE,
  errorFromResponse,
  InvalidArgumentError,
  isProblem,
  MtlsGatewayError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  parseRetryAfter,
  RateLimitError,
  ServerError,
  TimeoutError,
  TransportFailureError,
  ValidationError,
} from './errors.js';

const problem = (code: string, status: number) => ({
  type: `https://mtls-gateway.dev/problems/${code}`,
  title: code,
  status,
  detail: `Detail of ${code}.`,
  code,
  requestId: 'req-1',
});

describe('errorFromResponse', () => {
  it('takes code, requestId and detail from the problem body', () => {
    const error = errorFromResponse(
      404,
      new Headers({ 'X-Request-Id': 'header-id' }),
      problem('not_found', 404),
    );
    expect(error.name).toBe('NotFoundError');
    expect(error).toMatchObject({ status: 404, code: 'not_found', requestId: 'req-1' });
    expect(error.message).toBe('Detail of not_found. (404 not_found, request req-1)');
  });

  it('falls back to the LP-gateway-error and X-Request-Id headers for a non-problem body', () => {
    const error = errorFromResponse(
      409,
      new Headers({ 'LP-gateway-error': 'mapping_conflict', 'X-Request-Id': 'r-2' }),
      '<html>conflict</html>',
    );
    expect(error.name).toBe('ConflictError');
    expect(error).toMatchObject({ code: 'mapping_conflict', requestId: 'r-2', problem: undefined });
    // The body is not echoed into the message; the advice is.
    expect(error.message).not.toContain('<html>');
    expect(error.message).toMatch(/already taken/);
  });

  it('uses the class default code when nothing names one', () => {
    expect(errorFromResponse(401, new Headers(), undefined).code).toBe('unauthorized');
    expect(errorFromResponse(502, new Headers(), undefined).code).toBe('internal_error');
    expect(errorFromResponse(418, new Headers(), undefined)).toMatchObject({
      name: 'MtlsGatewayError',
      code: 'unexpected_status',
    });
  });

  it('tells destination_blocked from forbidden', () => {
    const blocked = errorFromResponse(403, new Headers(), problem('destination_blocked', 403));
    expect(blocked).toBeInstanceOf(DestinationBlockedError);
    expect(blocked).toBeInstanceOf(PermissionDeniedError);
    const forbidden = errorFromResponse(403, new Headers(), problem('forbidden', 403));
    expect(forbidden).not.toBeInstanceOf(DestinationBlockedError);
  });

  it('reads the transport headers of a 424 and Retry-After of a 429', () => {
    const transport = errorFromResponse(
      424,
      new Headers({
        'LP-message-from-transport': 'getaddrinfo ENOTFOUND x.example',
        'LP-error-from-transport': 'ENOTFOUND',
      }),
      problem('transport_failure', 424),
    ) as TransportFailureError;
    expect(transport).toBeInstanceOf(TransportFailureError);
    expect(transport.errorFromTransport).toBe('ENOTFOUND');
    expect(transport.messageFromTransport).toBe('getaddrinfo ENOTFOUND x.example');

    const limited = errorFromResponse(429, new Headers({ 'Retry-After': '3' }), undefined) as RateLimitError;
    expect(limited.retryAfterSeconds).toBe(3);
    expect(
      (errorFromResponse(429, new Headers(), undefined) as RateLimitError).retryAfterSeconds,
    ).toBeUndefined();
  });

  it('maps 400 and 422 to ValidationError and every 5xx to ServerError', () => {
    expect(errorFromResponse(400, new Headers(), undefined)).toBeInstanceOf(ValidationError);
    expect(errorFromResponse(422, new Headers(), undefined)).toBeInstanceOf(ValidationError);
    for (const status of [500, 501, 503, 599])
      expect(errorFromResponse(status, new Headers(), undefined)).toBeInstanceOf(ServerError);
  });
});

/**
 * The status family of each error class, written out here independently of the SDK's own status rule: the
 * class of a status no subclass covers is MtlsGatewayError itself.
 */
function classOfStatusFamily(status: number): typeof MtlsGatewayError {
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

const CATALOGUE = Object.entries(PROBLEM_CATALOGUE) as Array<
  [ProblemCode, { status: number; title: string }]
>;

describe('the problem catalogue of the spec', () => {
  it.each(CATALOGUE)('maps %s to a class of its status family', (code, { status }) => {
    const ErrorClass = ERROR_CLASS_OF_PROBLEM_CODE[code];
    const family = classOfStatusFamily(status);
    // The class itself, or a refinement of it (destination_blocked is a PermissionDeniedError).
    expect(ErrorClass === family || ErrorClass.prototype instanceof family, `${code} (${status})`).toBe(true);

    const error = errorFromResponse(status, new Headers(), { code, status, title: 'x', type: 'about:blank' });
    expect(error.constructor).toBe(ErrorClass);
    expect(error).toMatchObject({ code, status, name: ErrorClass.name });
    // The header alone names the code just as well.
    expect(errorFromResponse(status, new Headers({ 'LP-gateway-error': code }), undefined).constructor).toBe(
      ErrorClass,
    );
  });

  it('has a class for every code and nothing else', () => {
    expect(Object.keys(ERROR_CLASS_OF_PROBLEM_CODE).sort()).toEqual(Object.keys(PROBLEM_CATALOGUE).sort());
  });

  it('takes the class from a known code, whatever the status', () => {
    expect(errorFromResponse(400, new Headers(), problem('not_found', 400))).toBeInstanceOf(NotFoundError);
    expect(errorFromResponse(500, new Headers(), problem('rate_limited', 500))).toBeInstanceOf(
      RateLimitError,
    );
  });

  it('falls back to the status for a code the spec does not list, or none', () => {
    expect(errorFromResponse(404, new Headers(), problem('shiny_new_code', 404))).toMatchObject({
      name: 'NotFoundError',
      code: 'shiny_new_code',
    });
    expect(errorFromResponse(403, new Headers(), problem('__proto__', 403)).constructor).toBe(
      PermissionDeniedError,
    );
    expect(errorFromResponse(415, new Headers(), problem('toString', 415)).constructor).toBe(
      MtlsGatewayError,
    );
    expect(errorFromResponse(409, new Headers(), undefined)).toMatchObject({
      name: 'ConflictError',
      code: 'name_conflict',
    });
  });

  it("gives each class a default code that is the spec's code of that class, or a client-side code", () => {
    const clientSide = [ConnectionError, TimeoutError, AbortError, InvalidArgumentError, DiscoveryError];
    const answered = [
      ValidationError,
      AuthenticationError,
      PermissionDeniedError,
      DestinationBlockedError,
      NotFoundError,
      ConflictError,
      PayloadTooLargeError,
      TransportFailureError,
      RateLimitError,
      ServerError,
    ];
    for (const ErrorClass of answered) {
      const code = ErrorClass.defaultCode as ProblemCode;
      expect(ERROR_CLASS_OF_PROBLEM_CODE[code], `${ErrorClass.name}.defaultCode ${code}`).toBe(ErrorClass);
    }
    for (const ErrorClass of [MtlsGatewayError, ...clientSide]) {
      expect(Object.hasOwn(PROBLEM_CATALOGUE, ErrorClass.defaultCode), ErrorClass.name).toBe(false);
    }
  });
});

describe('client-side errors', () => {
  it('carry their own codes and no status', () => {
    expect(new ConnectionError('x')).toMatchObject({ code: 'connection_failed', status: undefined });
    expect(new TimeoutError('x').code).toBe('timeout');
    expect(new AbortError('x').code).toBe('aborted');
    expect(new InvalidArgumentError('x').code).toBe('invalid_argument');
    expect(new TimeoutError('x')).toBeInstanceOf(MtlsGatewayError);
  });

  it('serialize to JSON without headers or problem', () => {
    const error = errorFromResponse(
      404,
      new Headers({ 'Set-Cookie': 'secret=1' }),
      problem('not_found', 404),
    );
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'NotFoundError',
      code: 'not_found',
      status: 404,
      message: error.message,
      requestId: 'req-1',
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Mon, 31 Dec 2029 23:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent and unparsable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});

describe('isProblem', () => {
  it('wants an object with a string code', () => {
    expect(isProblem(problem('not_found', 404))).toBe(true);
    expect(isProblem({ status: 404 })).toBe(false);
    expect(isProblem(['code'])).toBe(false);
    expect(isProblem('not_found')).toBe(false);
  });
});
