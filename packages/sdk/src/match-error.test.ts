import { describe, expect, it } from 'vitest';
import { AuthConfigurationError, UnsignableRequestError } from './auth/errors.js';
import { createMtlsGatewayClient } from './client/gateway-client.js';
import { sendProblem, startFakeGateway } from './client/testing/fake-gateway.js';
import {
  ConflictError,
  InvalidArgumentError,
  MtlsGatewayError,
  NotFoundError,
  RateLimitError,
  TimeoutError,
} from './errors.js';
import { matchError } from './match-error.js';

describe('matchError', () => {
  it('calls the handler of the code, with the error', () => {
    const error = new ConflictError('taken', { code: 'mapping_conflict' });
    const seen: unknown[] = [];
    const result = matchError(error, {
      name_conflict: () => 'name',
      mapping_conflict: (conflict) => {
        seen.push(conflict);
        return 'mapping';
      },
      _: () => 'other',
    });
    expect(result).toBe('mapping');
    expect(seen).toEqual([error]);
  });

  it('tells client-side and auth codes apart', () => {
    const handlers = {
      timeout: () => 'timeout',
      invalid_argument: () => 'argument',
      auth_misconfigured: () => 'auth',
      auth_request_unsignable: () => 'unsignable',
      _: () => 'other',
    };
    expect(matchError(new TimeoutError('slow'), handlers)).toBe('timeout');
    expect(matchError(new InvalidArgumentError('bad'), handlers)).toBe('argument');
    expect(matchError(new AuthConfigurationError('no key'), handlers)).toBe('auth');
    expect(matchError(new UnsignableRequestError('ftp'), handlers)).toBe('unsignable');
    expect(matchError(new NotFoundError('gone'), handlers)).toBe('other');
  });

  it('sends codes without a handler, codes of a newer gateway and foreign errors to _', () => {
    const other = (error: unknown) =>
      `other: ${error instanceof MtlsGatewayError ? error.code : String(error)}`;
    expect(matchError(new RateLimitError('slow down'), { not_found: () => 'nf', _: other })).toBe(
      'other: rate_limited',
    );
    expect(matchError(new MtlsGatewayError('new', { code: 'quota_exceeded' }), { _: other })).toBe(
      'other: quota_exceeded',
    );
    expect(matchError(new TypeError('boom'), { _: other })).toBe('other: TypeError: boom');
    expect(matchError('a string', { _: other })).toBe('other: a string');
  });

  it('without _, throws again what no handler takes', () => {
    const exhaustive = Object.fromEntries(
      ['not_found', 'rate_limited', 'timeout'].map((code) => [code, () => code]),
    ) as unknown as Parameters<typeof matchError<string>>[1];
    const foreign = new TypeError('boom');
    expect(() => matchError(foreign, exhaustive)).toThrow(foreign);
    const newer = new MtlsGatewayError('new', { code: 'quota_exceeded' });
    expect(() => matchError(newer, exhaustive)).toThrow(newer);
    expect(matchError(new NotFoundError('gone'), exhaustive)).toBe('not_found');
  });

  it('matches the typed errors of real calls', async () => {
    const gateway = await startFakeGateway((_request, response) =>
      sendProblem(response, 429, 'rate_limited', 'slow down', { 'Retry-After': '7' }),
    );
    try {
      const client = createMtlsGatewayClient({ baseUrl: gateway.url, accountId: 'le1', maxRetries: 0 });
      const outcome = await client.certificates.list().then(
        () => 'listed',
        (error: unknown) =>
          matchError(error, {
            rate_limited: (limited) => `wait ${limited.retryAfterSeconds} s`,
            _: () => 'failed',
          }),
      );
      expect(outcome).toBe('wait 7 s');
    } finally {
      await gateway.close();
    }
  });
});
