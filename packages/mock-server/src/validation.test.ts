import { describe, expect, test } from 'vitest';
import { SpecValidator } from './validation.js';

const validator = new SpecValidator();
const request = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe('parameters', () => {
  test('are coerced to their schema types', () => {
    const { values, errors } = validator.parameters(
      'forwardGet',
      request('https://gw.example.com/mtls/account/le1', {
        'lp-forward-url': 'https://api.example.com/x',
        'LP-stop-if-certificate-not-found': 'true',
      }),
      { accountId: 'le1' },
    );
    expect(errors).toEqual([]);
    expect(values.header).toEqual({
      'LP-forward-url': 'https://api.example.com/x',
      'LP-stop-if-certificate-not-found': true,
    });
    const listed = validator.parameters('listCertificates', request('https://gw/x?includeDeleted=true'), {
      accountId: 'le1',
    });
    expect(listed.values.query).toEqual({ includeDeleted: true });
  });

  test('every invalid input is listed by location and spec name', () => {
    const { errors } = validator.parameters(
      'forwardGet',
      request('https://gw/x', { 'LP-stop-if-certificate-not-found': 'maybe' }),
      { accountId: 'not valid!' },
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        { location: 'path', name: 'accountId', message: expect.stringMatching(/pattern/) },
        { location: 'header', name: 'LP-forward-url', message: 'is required' },
        { location: 'header', name: 'LP-stop-if-certificate-not-found', message: 'must be boolean' },
      ]),
    );
  });
});

describe('bodies', () => {
  test('schema errors are JSON pointers; unknown properties are named', () => {
    expect(validator.body('createCertificates', 'application/json', [{ name: 'a', password: 'b' }])).toEqual([
      { location: 'body', name: '/0/p12', message: 'is required' },
    ]);
    expect(
      validator.body('activateMapping', 'application/json', {
        serviceName: 'IDP',
        url: 'https://a.example.com/',
        x: 1,
      }),
    ).toEqual([{ location: 'body', name: '/x', message: 'is not allowed' }]);
    expect(
      validator.body('createCertificates', 'application/json', [{ name: 'a', p12: [1, 2], password: '' }]),
    ).toEqual([]);
  });

  test('multipart forms are checked as objects (files as placeholders)', () => {
    expect(
      validator.body('createCertificateFromFile', 'multipart/form-data', {
        file: '',
        name: 'a',
        password: 'b',
      }),
    ).toEqual([]);
    expect(validator.body('createCertificateFromFile', 'multipart/form-data', { name: 'a' })).toEqual([
      { location: 'body', name: '/file', message: 'is required' },
    ]);
  });
});

describe('responses', () => {
  test('a conforming answer has no problems', async () => {
    const answer = Response.json([], { headers: { 'X-Request-Id': 'req-1' } });
    expect(await validator.response('listMappings', answer)).toEqual([]);
    // The response stays readable.
    expect(await answer.json()).toEqual([]);
  });

  test('undocumented statuses, wrong bodies, missing headers and problems without LP-gateway-error are reported', async () => {
    expect(await validator.response('getHealth', new Response('', { status: 404 }))).toEqual([
      'status 404 is not documented for getHealth',
    ]);
    expect(await validator.response('getHealth', Response.json({ status: 'fine' }))).toEqual([
      'body/status must be equal to one of the allowed values',
    ]);
    const problem = {
      type: 'https://mtls-gateway.dev/problems/unauthorized',
      title: 'Authentication required',
      status: 401,
      detail: 'x',
      code: 'unauthorized',
      requestId: 'req-1',
    };
    const bare = new Response(JSON.stringify(problem), {
      status: 401,
      headers: { 'Content-Type': 'application/problem+json' },
    });
    expect(await validator.response('listCertificates', bare)).toEqual([
      'required header LP-gateway-error is missing',
      'required header WWW-Authenticate is missing',
      'a problem answer lacks the LP-gateway-error header',
    ]);
    expect(
      await validator.response(
        'getHealth',
        new Response('ok', { headers: { 'Content-Type': 'text/plain' } }),
      ),
    ).toEqual(['content type "text/plain" is not one of application/json']);
  });
});
