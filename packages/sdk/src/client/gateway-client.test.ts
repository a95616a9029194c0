import { parseAuthorizationHeader, signatureBaseString, signHmac } from '@mtls-gateway/contract/oauth1';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  DestinationBlockedError,
  InvalidArgumentError,
  MtlsGatewayError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TransportFailureError,
  ValidationError,
} from '../errors.js';
import { createMtlsGatewayClient, type MtlsGatewayClient } from './gateway-client.js';
import {
  certificateFixture,
  type FakeGateway,
  mappingFixture,
  type ReceivedRequest,
  sendJson,
  sendProblem,
  startFakeGateway,
} from './testing/fake-gateway.js';

const ACCOUNT = 'le1606809';
const P12 = new Uint8Array([48, 130, 9, 169, 2, 1, 3, 0, 255]);
const P12_BASE64 = Buffer.from(P12).toString('base64');

let gateway: FakeGateway;
let client: MtlsGatewayClient;

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await gateway.close();
});

beforeEach(() => {
  gateway.received.length = 0;
  gateway.handle((_request, response) => sendJson(response, 200, {}));
  client = createMtlsGatewayClient({
    baseUrl: gateway.url,
    accountId: ACCOUNT,
    auth: { bearer: 'gateway-token' },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
});

function only(): ReceivedRequest {
  expect(gateway.received).toHaveLength(1);
  const [request] = gateway.received;
  if (!request) throw new Error('no request received');
  return request;
}

const saved = { successfulySavedCertificates: [certificateFixture(11)], failedSaveToVaultCertificates: [] };

describe('certificates', () => {
  it('list sends GET with includeDeleted and returns the array', async () => {
    gateway.handle((_request, response) =>
      sendJson(response, 200, [certificateFixture(1), certificateFixture(2)]),
    );
    const list = await client.certificates.list({ includeDeleted: true });
    expect(list.map((certificate) => certificate.id)).toEqual([1, 2]);
    const request = only();
    expect(request.method).toBe('GET');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/certificates`);
    expect(request.query.get('includeDeleted')).toBe('true');
    expect(request.headers.authorization).toBe('Bearer gateway-token');
  });

  it('list without options sends no query', async () => {
    gateway.handle((_request, response) => sendJson(response, 200, []));
    await client.certificates.list();
    expect([...only().query.keys()]).toEqual([]);
  });

  it('get accepts numeric and string ids', async () => {
    gateway.handle((request, response) =>
      sendJson(response, 200, certificateFixture(Number(request.path.split('/').pop()))),
    );
    expect((await client.certificates.get(3515906310)).id).toBe(3515906310);
    expect((await client.certificates.get('42')).id).toBe(42);
    expect(gateway.received.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /mtls/account/${ACCOUNT}/certificates/3515906310`,
      `GET /mtls/account/${ACCOUNT}/certificates/42`,
    ]);
  });

  it('refuses ids that are not positive integers before sending anything', async () => {
    await expect(client.certificates.get('../mappings')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.certificates.delete(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.certificates.get(1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(gateway.received).toHaveLength(0);
  });

  it('create sends a JSON array with every p12 form as base64, and allowExpired', async () => {
    gateway.handle((_request, response) => sendJson(response, 201, saved));
    const result = await client.certificates.create(
      [
        { name: 'bytes', p12: P12, password: 'p1' },
        { name: 'buffer', p12: P12.slice().buffer, password: 'p2' },
        { name: 'blob', p12: new Blob([P12]), password: 'p3' },
        { name: 'array', p12: [...P12], password: 'p4' },
        { name: 'base64', p12: P12_BASE64, password: 'p5' },
      ],
      { allowExpired: true },
    );
    expect(result).toEqual(saved);
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/certificates`);
    expect(request.query.get('allowExpired')).toBe('true');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json()).toEqual(
      ['bytes', 'buffer', 'blob', 'array', 'base64'].map((name, index) => ({
        name,
        p12: P12_BASE64,
        password: `p${index + 1}`,
      })),
    );
  });

  it('create wraps a single item in an array', async () => {
    gateway.handle((_request, response) => sendJson(response, 201, saved));
    await client.certificates.create({ name: 'one', p12: P12, password: 'pw' });
    expect(only().json()).toEqual([{ name: 'one', p12: P12_BASE64, password: 'pw' }]);
  });

  it('create refuses arrays holding non-byte values', async () => {
    await expect(client.certificates.create({ name: 'x', p12: [1, 256], password: '' })).rejects.toThrow(
      /p12\[1\] is not a byte value/,
    );
    expect(gateway.received).toHaveLength(0);
  });

  it('createFromFile sends multipart byFile with the file and a JSON certificate part', async () => {
    gateway.handle((_request, response) => sendJson(response, 201, saved));
    const file = new File([P12], 'client.p12', { type: 'application/x-pkcs12' });
    await client.certificates.createFromFile(
      { file, name: 'Cert1', password: 'changeit' },
      { allowExpired: false },
    );
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/certificates/byFile`);
    expect(request.query.get('allowExpired')).toBe('false');
    expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await request.form();
    const sentFile = form.get('file') as File;
    expect(sentFile.name).toBe('client.p12');
    expect(new Uint8Array(await sentFile.arrayBuffer())).toEqual(P12);
    const certificatePart = form.get('certificate') as File;
    expect(certificatePart.type).toBe('application/json');
    expect(JSON.parse(await certificatePart.text())).toEqual({ name: 'Cert1', password: 'changeit' });
    expect(request.body.toString('latin1')).toMatch(
      /name="certificate"[^\r]*\r\nContent-Type: application\/json/i,
    );
  });

  it('createFromFile accepts plain bytes and names the part certificate.p12', async () => {
    gateway.handle((_request, response) => sendJson(response, 201, saved));
    await client.certificates.createFromFile({ file: P12, name: 'Cert1', password: '' });
    const form = await only().form();
    const sentFile = form.get('file') as File;
    expect(sentFile.name).toBe('certificate.p12');
    expect(sentFile.type).toBe('application/x-pkcs12');
    expect(new Uint8Array(await sentFile.arrayBuffer())).toEqual(P12);
  });

  it('update sends PUT /certificates/{id} with base64 p12 and the optional name', async () => {
    gateway.handle((_request, response) => sendJson(response, 200, saved));
    await client.certificates.update(7, { p12: P12, password: 'pw', name: 'Renamed' });
    const request = only();
    expect(request.method).toBe('PUT');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/certificates/7`);
    expect(request.json()).toEqual({ p12: P12_BASE64, password: 'pw', name: 'Renamed' });
  });

  it('updateFromFile sends PUT byFile with the id in the JSON certificate part', async () => {
    gateway.handle((_request, response) => sendJson(response, 200, saved));
    await client.certificates.updateFromFile({ id: '7', file: new Blob([P12]), password: 'pw' });
    const request = only();
    expect(request.method).toBe('PUT');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/certificates/byFile`);
    const form = await request.form();
    expect(JSON.parse(await (form.get('certificate') as File).text())).toEqual({ id: 7, password: 'pw' });
    expect(new Uint8Array(await (form.get('file') as File).arrayBuffer())).toEqual(P12);
  });

  it('delete sends DELETE and returns the deleted certificate', async () => {
    gateway.handle((_request, response) =>
      sendJson(response, 200, { ...certificateFixture(9), deleted: true }),
    );
    const deleted = await client.certificates.delete(9);
    expect(deleted.deleted).toBe(true);
    expect(`${only().method} ${only().path}`).toBe(`DELETE /mtls/account/${ACCOUNT}/certificates/9`);
  });
});

describe('mappings', () => {
  const url = 'https://api.example.com/hooks?tenant=42';

  it('activate posts the target with isValidateUrlEnabled', async () => {
    gateway.handle((_request, response) => sendJson(response, 201, mappingFixture(5, 9, url)));
    const mapping = await client.mappings.activate(
      9,
      { serviceName: 'WEBHOOKS', url },
      { validateUrl: true },
    );
    expect(mapping.certificationId).toBe(9);
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/certificates/activate/9`);
    expect(request.query.get('isValidateUrlEnabled')).toBe('true');
    expect(request.json()).toEqual({ serviceName: 'WEBHOOKS', url });
  });

  it('list, delete and check reach their paths', async () => {
    gateway.queue(
      (_request, response) => sendJson(response, 200, [mappingFixture(5, 9, url)]),
      (_request, response) => sendJson(response, 200, { ...mappingFixture(5, 9, url), deleted: true }),
      (request, response) =>
        sendJson(
          response,
          200,
          (request.json() as Array<{ serviceName: string; url: string }>).map((pair) => ({
            ...pair,
            exist: true,
          })),
        ),
    );
    expect(await client.mappings.list()).toHaveLength(1);
    expect((await client.mappings.delete('5')).deleted).toBe(true);
    const checks = await client.mappings.check([{ serviceName: 'IDP', url }]);
    expect(checks).toEqual([{ serviceName: 'IDP', url, exist: true }]);
    expect(gateway.received.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /mtls/account/${ACCOUNT}/mappings`,
      `DELETE /mtls/account/${ACCOUNT}/mappings/5`,
      `POST /api/account/${ACCOUNT}/checks/serviceUrlMappings`,
    ]);
    expect(gateway.received[2]?.json()).toEqual([{ serviceName: 'IDP', url }]);
  });
});

describe('forward', () => {
  const target = 'https://api.example.com/hooks?tenant=42&x=a%20b';

  it('sends the LP-* control headers, the caller headers and the body as-is', async () => {
    gateway.handle((_request, response) => {
      response.writeHead(201, { 'content-type': 'text/plain', 'x-remote': 'yes' });
      response.end('created remotely');
    });
    const response = await client.forward({
      method: 'POST',
      url: target,
      serviceName: 'WEBHOOKS',
      authorizationOverride: 'Bearer remote-token',
      stopIfCertificateNotFound: true,
      headers: { 'X-Tenant': '42', 'Content-Type': 'application/json' },
      body: '{"ping":true}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-remote')).toBe('yes');
    expect(await response.text()).toBe('created remotely');
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}`);
    expect(request.headers['lp-forward-url']).toBe(target);
    expect(request.headers['lp-service-name']).toBe('WEBHOOKS');
    expect(request.headers['lp-authorization-override']).toBe('Bearer remote-token');
    expect(request.headers['lp-stop-if-certificate-not-found']).toBe('true');
    expect(request.headers['x-tenant']).toBe('42');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer gateway-token');
    expect(request.body.toString()).toBe('{"ping":true}');
  });

  it('sends every forwarding method, and leaves out unset control headers', async () => {
    gateway.handle((_request, response) => response.writeHead(204).end());
    for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH'] as const) {
      await client.forward({ method, url: target });
    }
    expect(gateway.received.map((request) => request.method)).toEqual([
      'GET',
      'HEAD',
      'PUT',
      'DELETE',
      'PATCH',
    ]);
    for (const request of gateway.received) {
      expect(request.headers['lp-service-name']).toBeUndefined();
      expect(request.headers['lp-authorization-override']).toBeUndefined();
      expect(request.headers['lp-stop-if-certificate-not-found']).toBeUndefined();
    }
  });

  it('lets the runtime type a body without Content-Type instead of claiming JSON', async () => {
    gateway.handle((_request, response) => response.writeHead(204).end());
    await client.forward({ method: 'PUT', url: target, body: 'plain words' });
    await client.forward({ method: 'PUT', url: target, body: new URLSearchParams({ a: '1' }) });
    expect(gateway.received[0]?.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(gateway.received[1]?.headers['content-type']).toBe(
      'application/x-www-form-urlencoded;charset=UTF-8',
    );
    expect(gateway.received[1]?.body.toString()).toBe('a=1');
  });

  it('sends binary bodies byte for byte', async () => {
    gateway.handle((_request, response) => response.writeHead(204).end());
    const bytes = new Uint8Array(256).map((_value, index) => index);
    await client.forward({ method: 'POST', url: target, body: bytes });
    expect(new Uint8Array(only().body)).toEqual(bytes);
  });

  it('returns passthrough 4xx and 5xx answers of the remote instead of throwing', async () => {
    for (const status of [401, 404, 500, 503]) {
      gateway.handle((_request, response) => {
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(`remote ${status}`);
      });
      const response = await client.forward({ method: 'GET', url: target });
      expect(response.status).toBe(status);
      expect(await response.text()).toBe(`remote ${status}`);
    }
  });

  it('returns a redirect of the remote as-is, without following it', async () => {
    gateway.handle((_request, response) => response.writeHead(302, { location: '/elsewhere' }).end());
    const response = await client.forward({ method: 'GET', url: target });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
    expect(gateway.received).toHaveLength(1);
  });

  it('throws the typed error of an answer of the gateway itself', async () => {
    gateway.handle((_request, response) =>
      sendProblem(response, 400, 'certificate_not_found', 'No certificate applies.'),
    );
    const error = await client.forward({ method: 'GET', url: target }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      status: 400,
      code: 'certificate_not_found',
      requestId: 'req-certificate_not_found',
    });
    expect((error as ValidationError).problem?.detail).toBe('No certificate applies.');
  });

  it('refuses bad calls before sending anything', async () => {
    await expect(client.forward({ method: 'GET', url: target, body: 'x' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(client.forward({ method: 'GET', url: 'ftp://files.example/' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(
      // @ts-expect-error the gateway credential is the client's; a remote's goes in authorizationOverride
      client.forward({ method: 'GET', url: target, headers: { Authorization: 'Bearer remote' } }),
    ).rejects.toThrow(/authorizationOverride/);
    await expect(client.forward({ method: 'TRACE' as 'GET', url: target })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(gateway.received).toHaveLength(0);
  });
});

describe('testP12', () => {
  it('sends file, password and body parts and the override headers, and returns the answer as-is', async () => {
    gateway.handle((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('remote says no');
    });
    const response = await client.testP12({
      file: P12,
      password: 'changeit',
      url: 'https://api.example.com/ping',
      method: 'PUT',
      contentType: 'application/json',
      authorizationOverride: 'Basic cmVtb3Rl',
      body: '{"ping":true}',
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('remote says no');
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}/p12-test/multipart`);
    expect(request.headers['lp-forward-url']).toBe('https://api.example.com/ping');
    expect(request.headers['lp-method-override']).toBe('PUT');
    expect(request.headers['lp-content-type-override']).toBe('application/json');
    expect(request.headers['lp-authorization-override']).toBe('Basic cmVtb3Rl');
    const form = await request.form();
    expect(new Uint8Array(await (form.get('file') as File).arrayBuffer())).toEqual(P12);
    expect(form.get('password')).toBe('changeit');
    expect(form.get('body')).toBe('{"ping":true}');
  });

  it('sends a binary body as an octet-stream part', async () => {
    gateway.handle((_request, response) => response.writeHead(200).end());
    await client.testP12({
      file: P12,
      password: '',
      url: 'https://api.example.com/ping',
      body: new Uint8Array([1, 2]),
    });
    const form = await only().form();
    const body = form.get('body') as File;
    expect(body.type).toBe('application/octet-stream');
    expect(new Uint8Array(await body.arrayBuffer())).toEqual(new Uint8Array([1, 2]));
    expect(form.get('password')).toBe('');
  });

  it('throws the typed error of a p12 problem', async () => {
    gateway.handle((_request, response) => sendProblem(response, 400, 'p12_wrong_password'));
    await expect(
      client.testP12({ file: P12, password: 'wrong', url: 'https://api.example.com/ping' }),
    ).rejects.toMatchObject({ name: 'ValidationError', code: 'p12_wrong_password' });
  });
});

describe('errors from real answers', () => {
  const cases = [
    { status: 400, code: 'invalid_request', kind: ValidationError },
    { status: 422, code: 'invalid_request', kind: ValidationError },
    { status: 401, code: 'unauthorized', kind: AuthenticationError },
    { status: 403, code: 'forbidden', kind: PermissionDeniedError },
    { status: 403, code: 'destination_blocked', kind: DestinationBlockedError },
    { status: 404, code: 'not_found', kind: NotFoundError },
    { status: 409, code: 'name_conflict', kind: ConflictError },
    { status: 413, code: 'payload_too_large', kind: PayloadTooLargeError },
    { status: 415, code: 'unsupported_media_type', kind: MtlsGatewayError },
    { status: 424, code: 'transport_failure', kind: TransportFailureError },
    { status: 429, code: 'rate_limited', kind: RateLimitError },
    { status: 500, code: 'internal_error', kind: ServerError },
    { status: 503, code: 'unavailable', kind: ServerError },
  ] as const;

  for (const { status, code, kind } of cases) {
    it(`${status} ${code} → ${kind.name}`, async () => {
      const noRetries = createMtlsGatewayClient({ baseUrl: gateway.url, accountId: ACCOUNT, maxRetries: 0 });
      gateway.handle((_request, response) =>
        sendProblem(response, status, code, `detail of ${code}`, {
          'Retry-After': '7',
          'LP-message-from-transport': 'connect ECONNREFUSED 203.0.113.7:443',
          'LP-error-from-transport': 'ECONNREFUSED',
        }),
      );
      const error = await noRetries.certificates.list().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(kind);
      expect(error).toBeInstanceOf(MtlsGatewayError);
      const typed = error as MtlsGatewayError;
      expect(typed.name).toBe(kind.name);
      expect(typed).toMatchObject({ status, code, requestId: `req-${code}` });
      expect(typed.problem).toMatchObject({ status, code, detail: `detail of ${code}` });
      expect(typed.headers?.get('LP-gateway-error')).toBe(code);
      expect(typed.message).toContain(`detail of ${code}`);
      if (typed instanceof RateLimitError) expect(typed.retryAfterSeconds).toBe(7);
      if (typed instanceof TransportFailureError) {
        expect(typed.errorFromTransport).toBe('ECONNREFUSED');
        expect(typed.messageFromTransport).toBe('connect ECONNREFUSED 203.0.113.7:443');
      }
    });
  }

  it('an answer of the gateway with a non-problem body still becomes a typed error, coded by the header', async () => {
    gateway.handle((_request, response) => {
      response.writeHead(403, {
        'content-type': 'text/html',
        'LP-gateway-error': 'forbidden',
        'X-Request-Id': 'r-9',
      });
      response.end('<h1>Forbidden</h1>');
    });
    const error = await client.certificates.delete(1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', requestId: 'r-9', problem: undefined });
    const forwarded = await client
      .forward({ method: 'GET', url: 'https://api.example.com/' })
      .catch((caught: unknown) => caught);
    expect(forwarded).toBeInstanceOf(PermissionDeniedError);
    expect(forwarded).toMatchObject({ code: 'forbidden' });
  });

  it('an error answer without header or problem (e.g. from a proxy) is typed by its status', async () => {
    gateway.handle((_request, response) =>
      response.writeHead(404, { 'content-type': 'text/plain' }).end('nope'),
    );
    await expect(client.certificates.get(1)).rejects.toMatchObject({
      name: 'NotFoundError',
      code: 'not_found',
    });
  });
});

describe('authentication', () => {
  it('signs each request with OAuth 1.0a that verifies against what arrived', async () => {
    const credentials = { consumerKey: 'app-key', consumerSecret: 'consumer s3cret&+' };
    const oauthClient = createMtlsGatewayClient({
      baseUrl: gateway.url,
      accountId: ACCOUNT,
      auth: { oauth1: credentials },
    });
    gateway.handle((_request, response) => sendJson(response, 200, []));
    await oauthClient.certificates.list({ includeDeleted: true });
    const request = only();
    const params = parseAuthorizationHeader(String(request.headers.authorization));
    expect(params.oauth_consumer_key).toBe('app-key');
    const { oauth_signature: signature, ...signed } = params;
    const baseString = signatureBaseString({
      method: request.method,
      url: `${gateway.url}${request.path}?${request.query.toString()}`,
      oauthParams: signed,
    });
    expect(await signHmac(baseString, credentials.consumerSecret, undefined, 'HMAC-SHA1')).toBe(signature);
  });

  it('signs every attempt anew, so a retried OAuth 1.0a request never reuses a nonce', async () => {
    const credentials = { consumerKey: 'app-key', consumerSecret: 'secret' };
    const oauthClient = createMtlsGatewayClient({
      baseUrl: gateway.url,
      accountId: ACCOUNT,
      auth: { oauth1: credentials },
      retry: { baseDelayMs: 1 },
    });
    gateway.queue((_request, response) => sendProblem(response, 503, 'unavailable'));
    gateway.handle((_request, response) => sendJson(response, 200, []));
    await oauthClient.mappings.list();
    expect(gateway.received).toHaveLength(2);
    const nonces = gateway.received.map(
      (request) => parseAuthorizationHeader(String(request.headers.authorization)).oauth_nonce,
    );
    expect(new Set(nonces).size).toBe(2);
  });

  it('calls a Bearer provider for each call', async () => {
    let issued = 0;
    const bearerClient = createMtlsGatewayClient({
      baseUrl: gateway.url,
      accountId: ACCOUNT,
      auth: { bearer: () => `token-${++issued}` },
    });
    gateway.handle((_request, response) => sendJson(response, 200, []));
    await bearerClient.mappings.list();
    await bearerClient.mappings.list();
    expect(gateway.received.map((request) => request.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('sends no Authorization without auth, and the client-wide headers', async () => {
    const anonymous = createMtlsGatewayClient({
      baseUrl: gateway.url,
      accountId: ACCOUNT,
      headers: { 'X-Team': 'a' },
    });
    gateway.handle((_request, response) => sendJson(response, 200, []));
    await anonymous.mappings.list();
    expect(only().headers.authorization).toBeUndefined();
    expect(only().headers['x-team']).toBe('a');
  });
});

describe('client shape', () => {
  it('raw is the typed openapi-fetch client through the same transport, answering { data, error }', async () => {
    gateway.handle((_request, response) => sendProblem(response, 404, 'not_found'));
    const { data, error, response } = await client.raw.GET(
      '/mtls/account/{accountId}/certificates/{certificateId}',
      {
        params: { path: { accountId: ACCOUNT, certificateId: '1' } },
      },
    );
    expect(data).toBeUndefined();
    expect(error).toMatchObject({ code: 'not_found' });
    expect(response.status).toBe(404);
    expect(only().headers.authorization).toBe('Bearer gateway-token');
  });

  it('forAccount targets another account with the same transport', async () => {
    gateway.handle((_request, response) => sendJson(response, 200, []));
    const base = createMtlsGatewayClient({ baseUrl: `${gateway.url}/`, auth: { bearer: 'gateway-token' } });
    expect('certificates' in base).toBe(false);
    const other = base.forAccount('other-account');
    expect(other.accountId).toBe('other-account');
    await other.certificates.list();
    expect(only().path).toBe('/mtls/account/other-account/certificates');
    expect(() => base.forAccount('')).toThrow(InvalidArgumentError);
  });

  it('refuses unusable options', () => {
    expect(() => createMtlsGatewayClient({ baseUrl: 'not a url' })).toThrow(InvalidArgumentError);
    expect(() => createMtlsGatewayClient({ baseUrl: 'ftp://gateway.example' })).toThrow(/baseUrl/);
    expect(() => createMtlsGatewayClient({ baseUrl: gateway.url, maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => createMtlsGatewayClient({ baseUrl: gateway.url, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() =>
      createMtlsGatewayClient({
        baseUrl: gateway.url,
        auth: { oauth1: { consumerKey: '', consumerSecret: 's' } },
      }),
    ).toThrow(/consumerKey/);
  });
});
