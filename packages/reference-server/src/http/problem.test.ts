import {
  GATEWAY_ERROR_HEADER,
  isProblemCode,
  PROBLEM_CATALOGUE,
  PROBLEM_TYPE_BASE,
  WWW_AUTHENTICATE_CHALLENGE,
} from '@mtls-gateway/contract';
import { P12InvalidInputError, P12WrongPasswordError } from '@mtls-gateway/sdk/p12';
import { describe, expect, it } from 'vitest';
import { P12WorkersUnavailableError } from '../certificates/p12-worker-pool.js';
import * as errors from '../errors.js';
import {
  CertificateFileRejectedError,
  GatewayError,
  InvalidRequestError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
} from '../errors.js';
import { SecretDecryptionError, SecretStoreUnavailableError } from '../secrets/errors.js';
import { DatabaseInUseError, DatabaseUnavailableError, UniqueViolationError } from '../storage/errors.js';
import { buildProblem, problemResponse, problemStatus, toGatewayError } from './problem.js';

type ErrorClass = new (...args: never[]) => GatewayError;

const gatewayErrorClasses = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === 'function' && entry[1].prototype instanceof GatewayError,
);

/** Constructor arguments of the classes that take more than a detail. */
const ARGUMENTS: Readonly<Record<string, unknown[]>> = {
  CertificateFileRejectedError: ['p12_corrupt', 'detail'],
  MethodNotAllowedError: ['PUT', '/x', ['GET']],
  RateLimitedError: [10, 1],
  TransportFailureError: ['message', 'ECONNREFUSED'],
};

function instanceOf(className: string, ErrorClass: ErrorClass): GatewayError {
  const make = ErrorClass as unknown as new (...args: unknown[]) => GatewayError;
  return new make(...(ARGUMENTS[className] ?? ['detail']));
}

describe('domain errors', () => {
  it.each(gatewayErrorClasses)(
    '%s has a catalogue code, a literal name and no status or title',
    (className, ErrorClass) => {
      const error = instanceOf(className, ErrorClass);
      expect(isProblemCode(error.code)).toBe(true);
      expect(error.name).toBe(className);
      expect(Object.hasOwn(error, 'name')).toBe(true);
      expect(error).not.toHaveProperty('status');
      expect(error).not.toHaveProperty('title');
    },
  );
});

describe('the HTTP mapping', () => {
  it('takes type, title and status from the catalogue, detail and errors from the error', () => {
    const error = new InvalidRequestError('The request header LP-forward-url is required.', [
      { location: 'header', name: 'LP-forward-url', message: 'is required' },
    ]);
    expect(buildProblem(error, { requestId: 'req-1', path: '/mtls/x' })).toEqual({
      type: `${PROBLEM_TYPE_BASE}invalid_request`,
      title: PROBLEM_CATALOGUE.invalid_request.title,
      status: 400,
      detail: 'The request header LP-forward-url is required.',
      code: 'invalid_request',
      requestId: 'req-1',
      instance: '/mtls/x',
      errors: [{ location: 'header', name: 'LP-forward-url', message: 'is required' }],
    });
    const rejected = new CertificateFileRejectedError('p12_wrong_password', 'Item 0: wrong password.');
    expect(buildProblem(rejected, { requestId: 'r' })).toMatchObject({
      status: 400,
      title: PROBLEM_CATALOGUE.p12_wrong_password.title,
    });
    expect(problemStatus(new NotFoundError('gone'))).toBe(404);
  });

  it('sends the code header, the request id, the 401 challenge and a default Retry-After on 503', () => {
    const unauthorized = problemResponse(new UnauthorizedError('Sign the request.'), { requestId: 'r1' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers).toMatchObject({
      'WWW-Authenticate': WWW_AUTHENTICATE_CHALLENGE,
      [GATEWAY_ERROR_HEADER]: 'unauthorized',
      'X-Request-Id': 'r1',
      'Content-Type': 'application/problem+json',
    });
    expect(JSON.parse(unauthorized.body.toString('utf8'))).toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
    expect(problemResponse(new UnavailableError('Down.'), { requestId: 'r' }).headers['Retry-After']).toBe(
      '2',
    );
    const own = new UnavailableError('Shutting down.', { headers: { 'Retry-After': '1' } });
    expect(problemResponse(own, { requestId: 'r' }).headers['Retry-After']).toBe('1');
    expect(problemResponse(new RateLimitedError(10, 3), { requestId: 'r' }).headers['Retry-After']).toBe('3');
    expect(problemResponse(new NotFoundError('x'), { requestId: 'r' }).headers).not.toHaveProperty(
      'Retry-After',
    );
  });

  it('maps storage and secret-store outages and a full worker queue to unavailable', () => {
    for (const outage of [
      new DatabaseUnavailableError('down'),
      new DatabaseInUseError('locked'),
      new SecretStoreUnavailableError('sealed'),
    ]) {
      const mapped = toGatewayError(outage);
      expect(mapped).toBeInstanceOf(UnavailableError);
      expect(mapped.detail).not.toContain(outage.message);
      expect(mapped.cause).toBe(outage);
    }
    const full = toGatewayError(new P12WorkersUnavailableError('All PKCS#12 workers are busy.', 5));
    expect(full.code).toBe('unavailable');
    expect(problemResponse(full, { requestId: 'r' }).headers['Retry-After']).toBe('5');
  });

  it("maps the SDK's PKCS#12 errors to their code; its client-side p12_invalid_input is never sent", () => {
    expect(toGatewayError(new P12WrongPasswordError())).toMatchObject({ code: 'p12_wrong_password' });
    expect(toGatewayError(new P12InvalidInputError('no PEM')).code).toBe('internal_error');
  });

  it("maps Fastify's body errors and hides everything else behind internal_error", () => {
    expect(toGatewayError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' }, 1024).detail).toContain('1024 bytes');
    expect(toGatewayError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }).code).toBe('unsupported_media_type');
    expect(toGatewayError({ code: 'FST_ERR_CTP_INVALID_JSON_BODY' }).code).toBe('invalid_request');
    for (const unexpected of [
      new Error('secret detail'),
      new UniqueViolationError('x', 'y'),
      new SecretDecryptionError('z'),
    ]) {
      const mapped = toGatewayError(unexpected);
      expect(mapped.code).toBe('internal_error');
      expect(mapped.detail).not.toContain('secret detail');
    }
  });
});
