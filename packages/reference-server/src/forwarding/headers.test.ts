import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, forwardedHeaderValue, upstreamRequestHeaders } from './headers.js';

describe('upstreamRequestHeaders', () => {
  it('drops hop-by-hop, Connection-listed, Proxy-*, Host, Expect, LP-* and the caller’s Authorization', () => {
    const raw = [
      'Host',
      'gateway.example',
      'Authorization',
      'Bearer gateway-token',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      'no',
      'Keep-Alive',
      'timeout=5',
      'TE',
      'trailers',
      'Trailer',
      'X-Checksum',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'websocket',
      'Proxy-Authorization',
      'Basic x',
      'Proxy-Connection',
      'keep-alive',
      'Expect',
      '100-continue',
      'LP-forward-url',
      'https://api.example.com/',
      'lp-service-name',
      'WEBHOOKS',
      'LP-Authorization-Override',
      'Bearer remote',
      'Content-Type',
      'application/json',
      'X-Dup',
      'a',
      'X-Dup',
      'b',
      'Content-Length',
      '2',
    ];
    expect(upstreamRequestHeaders(raw, { authorizationOverride: 'Bearer remote' })).toEqual([
      'Content-Type',
      'application/json',
      'X-Dup',
      'a',
      'X-Dup',
      'b',
      'Content-Length',
      '2',
      'authorization',
      'Bearer remote',
    ]);
  });

  it('sends no Authorization without an override and can replace the Content-Type', () => {
    expect(
      upstreamRequestHeaders(['authorization', 'x', 'content-type', 'text/plain'], {
        contentTypeOverride: 'application/json',
      }),
    ).toEqual(['content-type', 'application/json']);
  });

  it('replaces the caller’s X-Forwarded-*, X-Real-IP and Forwarded with the gateway’s own', () => {
    const raw = [
      'X-Forwarded-For',
      '10.0.0.1',
      'x-forwarded-host',
      'admin.internal',
      'X-Forwarded-Proto',
      'https',
      'X-Real-IP',
      '10.0.0.2',
      'Forwarded',
      'for=10.0.0.3',
      'X-Trace',
      '1',
    ];
    expect(upstreamRequestHeaders(raw, { clientAddress: '203.0.113.7', clientProtocol: 'http' })).toEqual([
      'X-Trace',
      '1',
      'x-forwarded-for',
      '203.0.113.7',
      'forwarded',
      'for=203.0.113.7;proto=http',
    ]);
    // Without a client address nothing is claimed, and the caller's claims are still dropped.
    expect(upstreamRequestHeaders(raw)).toEqual(['X-Trace', '1']);
  });
});

describe('forwardedHeaderValue', () => {
  it.each([
    ['203.0.113.7', 'https', 'for=203.0.113.7;proto=https'],
    ['::ffff:127.0.0.1', 'http', 'for=127.0.0.1;proto=http'],
    ['2001:db8::1', 'https', 'for="[2001:db8::1]";proto=https'],
    ['::1', undefined, 'for="[::1]"'],
    ['fe80::1%eth0', 'http', 'for="[fe80::1]";proto=http'],
    ['not an address', 'gopher', 'for=unknown'],
  ])('%s (%s) → %s', (address, protocol, expected) => {
    expect(forwardedHeaderValue(address, protocol)).toBe(expected);
  });
});

describe('clientResponseHeaders', () => {
  it('drops hop-by-hop headers, those named by Connection, Proxy-*, LP-gateway-error, LP-*-from-transport and X-Request-Id', () => {
    expect(
      clientResponseHeaders({
        'content-type': 'text/plain',
        'set-cookie': ['a=1', 'b=2'],
        connection: 'close, X-Secret-Hop',
        'x-secret-hop': 'no',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'proxy-authenticate': 'Basic',
        'LP-Gateway-Error': 'forged',
        'lp-message-from-transport': 'forged transport failure',
        'LP-Error-From-Transport': 'ECONNREFUSED',
        'lp-other-from-transport': 'x',
        'X-Request-Id': 'remote-request-id',
        'lp-kept': 'other LP-* answer headers pass',
        location: '/next',
        missing: undefined,
      }),
    ).toEqual({
      'content-type': 'text/plain',
      'set-cookie': ['a=1', 'b=2'],
      'lp-kept': 'other LP-* answer headers pass',
      location: '/next',
    });
  });
});
