import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';

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
});

describe('clientResponseHeaders', () => {
  it('drops hop-by-hop headers, those named by Connection, Proxy-* and LP-gateway-error', () => {
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
        'lp-message-from-transport': 'kept: only the gateway’s own 424 is special',
        location: '/next',
        missing: undefined,
      }),
    ).toEqual({
      'content-type': 'text/plain',
      'set-cookie': ['a=1', 'b=2'],
      'lp-message-from-transport': 'kept: only the gateway’s own 424 is special',
      location: '/next',
    });
  });
});
