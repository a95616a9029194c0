import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { EgressRefusedError } from '../egress/egress-policy.js';
import {
  BadGatewayError,
  InvalidRequestError,
  PayloadTooLargeError,
  TransportFailureError,
} from '../errors.js';
import {
  sanitizeTransportText,
  toForwardingError,
  UpstreamTimeoutError,
  unusableAnswerError,
  unusableStatusError,
} from './transport-errors.js';

function coded(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe('toForwardingError', () => {
  it.each([
    ['ECONNREFUSED', 'Connecting to api.example.com:443 failed: the connection was refused.'],
    ['ENOTFOUND', 'The host of api.example.com:443 could not be resolved (no such name).'],
    ['ECONNRESET', 'The connection to api.example.com:443 was reset by the remote.'],
  ])('maps %s to a 424 naming only host:port', (code, message) => {
    const error = toForwardingError(coded(code), 'api.example.com:443');
    expect(error).toBeInstanceOf(TransportFailureError);
    expect(error.code).toBe('transport_failure');
    expect(error.headers).toMatchObject({
      'LP-error-from-transport': code,
      'LP-message-from-transport': message,
    });
  });

  it('names undici and TLS codes', () => {
    const timeout = toForwardingError(new errors.ConnectTimeoutError(), 'h:1');
    expect(timeout.headers['LP-error-from-transport']).toBe('UND_ERR_CONNECT_TIMEOUT');
    const expired = toForwardingError(coded('CERT_HAS_EXPIRED', 'certificate has expired'), 'h:1');
    expect(expired.detail).toContain('server certificate could not be verified (certificate has expired)');
    const total = toForwardingError(new UpstreamTimeoutError(60_000), 'h:1');
    expect(total.headers['LP-error-from-transport']).toBe('ETIMEDOUT');
    const unknownTls = toForwardingError(coded('ERR_SSL_SOMETHING_NEW', 'odd alert'), 'h:1');
    expect(unknownTls.detail).toBe('The TLS handshake with h:1 failed (odd alert).');
  });

  it('finds the telling code in a cause chain or an AggregateError', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: coded('ECONNREFUSED') });
    expect(toForwardingError(wrapped, 'h:1').headers['LP-error-from-transport']).toBe('ECONNREFUSED');
    const aggregate = Object.assign(new AggregateError([coded('ENETUNREACH'), coded('ECONNREFUSED')]), {
      code: undefined,
    });
    expect(toForwardingError(aggregate, 'h:1').headers['LP-error-from-transport']).toBe('ENETUNREACH');
  });

  it('passes gateway errors through and maps a Content-Length mismatch to 400', () => {
    const tooLarge = new PayloadTooLargeError('too large');
    expect(toForwardingError(tooLarge, 'h:1')).toBe(tooLarge);
    const refused = new EgressRefusedError('private', 'x', 'refused');
    expect(toForwardingError(Object.assign(new Error('wrap'), { cause: refused }), 'h:1')).toBe(refused);
    expect(toForwardingError(new errors.RequestContentLengthMismatchError(), 'h:1')).toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('keeps URLs, credentials and control characters out of the transport message', () => {
    const error = toForwardingError(
      coded('EWEIRD', 'failed https://user:pw@host/path?token=abc\r\nInjected: yes'),
      'h:1',
    );
    const message = error.headers['LP-message-from-transport'] ?? '';
    expect(message).not.toMatch(/token=abc|user:pw|\r|\n/);
    expect(message).toBe('The call to h:1 failed (failed <url> Injected: yes).');
  });
});

describe('unusable answers (502 bad_gateway)', () => {
  it('names the status and host:port only', () => {
    const error = unusableStatusError(600, 'h:1');
    expect(error).toBeInstanceOf(BadGatewayError);
    expect(error).toMatchObject({ code: 'bad_gateway', name: 'BadGatewayError' });
    expect(error.detail).toBe(
      'The remote h:1 answered with status 600, which is not a valid HTTP status (200–599); its answer was discarded.',
    );
  });

  it('recognizes undici’s failures on 101, on an unreadable status line and its assertions', () => {
    const assertion = Object.assign(new Error('The expression evaluated to a falsy value: assert(upgrade)'), {
      code: 'ERR_ASSERTION',
    });
    expect(unusableAnswerError(assertion, 'h:1', true)?.detail).toMatch(/101 Switching Protocols/);
    expect(unusableAnswerError(new errors.SocketError('bad upgrade'), 'h:1')?.detail).toMatch(/101/);
    const parser = new errors.HTTPParserError(
      'Response does not match the HTTP/1.1 protocol (Invalid status code)',
    );
    expect(unusableAnswerError(parser, 'h:1')).toBeInstanceOf(BadGatewayError);
    const generic = unusableAnswerError(assertion, 'h:1');
    expect(generic?.code).toBe('bad_gateway');
    expect(generic?.detail).not.toMatch(/assert|falsy/);
    // Ordinary transport failures stay 424.
    expect(unusableAnswerError(new errors.SocketError('other side closed'), 'h:1')).toBeUndefined();
    expect(unusableAnswerError(coded('ECONNRESET'), 'h:1')).toBeUndefined();
    expect(toForwardingError(unusableStatusError(700, 'h:1'), 'h:1')).toBeInstanceOf(BadGatewayError);
  });
});

describe('sanitizeTransportText', () => {
  it('bounds the length', () => {
    expect(sanitizeTransportText('x'.repeat(600), 100)).toHaveLength(100);
  });
});
