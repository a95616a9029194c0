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

  test('a file form is one of its two shapes: a JSON certificate part or plain fields, never both', () => {
    const upload = (form: Record<string, unknown>) =>
      validator.body('createCertificateFromFile', 'multipart/form-data', form);
    expect(upload({ file: '', certificate: { name: 'a', password: 'b' } })).toEqual([]);
    expect(upload({ file: '', certificate: { name: 'a', password: 'b' }, name: 'a' })).toEqual([
      { location: 'body', name: '/name', message: 'is not allowed' },
    ]);
    // The errors are those of the shape the form is closest to.
    expect(upload({ file: '', name: 'a' })).toEqual([
      { location: 'body', name: '/password', message: 'is required' },
    ]);
    expect(upload({ file: '', certificate: { name: 'a' } })).toEqual([
      { location: 'body', name: '/certificate/password', message: 'is required' },
    ]);
    const replace = (form: Record<string, unknown>) =>
      validator.body('updateCertificateFromFile', 'multipart/form-data', form);
    expect(replace({ file: '', id: '42', password: 'b' })).toEqual([]);
    expect(replace({ file: '', certificate: { id: 42, password: 'b' } })).toEqual([]);
    expect(replace({ file: '', certificate: { id: 42, password: 'b' }, id: '42' })).toEqual([
      { location: 'body', name: '/id', message: 'is not allowed' },
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

  test('forwarding and the p12 test: the remote answers as-is under any status, the gateway with its problem', async () => {
    const remote400 = new Response('<html>400 No required SSL certificate was sent</html>', {
      status: 400,
      headers: { 'Content-Type': 'text/html' },
    });
    expect(await validator.response('testP12', remote400)).toEqual([]);
    expect(await validator.response('forwardGet', new Response('slow down', { status: 429 }))).toEqual([]);
    const problem = {
      type: 'https://mtls-gateway.dev/problems/unauthorized',
      title: 'Authentication required',
      status: 401,
      detail: 'x',
      code: 'unauthorized',
      requestId: 'req-1',
    };
    // The gateway's own 401 still needs WWW-Authenticate, and its body is the problem.
    const gateway401 = new Response(JSON.stringify(problem), {
      status: 401,
      headers: { 'Content-Type': 'application/problem+json', 'LP-gateway-error': 'unauthorized' },
    });
    expect(await validator.response('forwardGet', gateway401)).toEqual([
      'required header WWW-Authenticate is missing',
    ]);
    const htmlProblem = new Response('<html>no</html>', {
      status: 400,
      headers: { 'Content-Type': 'text/html', 'LP-gateway-error': 'invalid_request' },
    });
    expect(await validator.response('forwardGet', htmlProblem)).toEqual([
      'content type "text/html" is not one of application/problem+json',
    ]);
  });
});
