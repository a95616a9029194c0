// The MSW mock driven through the SDK in Node: every operation of the spec, each answer validated against
// the spec; the stateful behaviour the reference server has; p12 checks; validation; scenarios.
import {
  ConflictError,
  createMtlsGatewayClient,
  NotFoundError,
  ServerError,
  TransportFailureError,
  ValidationError,
} from '@mtls-gateway/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { setupMockServer } from './node.js';
import { OPERATION_IDS, type OperationId, openApiDocument } from './spec.js';
import { createTestP12 } from './test-p12.js';
import { type UpstreamEcho, UpstreamTransportError } from './upstream.js';
import { SpecValidator } from './validation.js';

const ACCOUNT = 'le1606809';
const GATEWAY = 'https://mtls-gateway.example.com';
const ACCOUNT_URL = `${GATEWAY}/mtls/account/${ACCOUNT}`;
const AUTH = { Authorization: 'Bearer test-token' };
const PASSWORD = 'changeit';
const TEXT = { 'Content-Type': 'text/plain' };

const mock = setupMockServer();
beforeAll(() => mock.listen());
afterEach(() => mock.reset());
afterAll(() => mock.close());

// Every answer the SDK receives, so that each one can be checked against the spec.
const exchanges: Response[] = [];
const client = createMtlsGatewayClient({
  baseUrl: GATEWAY,
  accountId: ACCOUNT,
  auth: { bearer: 'test-token' },
  maxRetries: 0,
  fetch: async (request) => {
    const response = await fetch(request);
    exchanges.push(response.clone());
    return response;
  },
});

const validator = new SpecValidator();
const p12 = createTestP12({ commonName: 'tenant-42', password: PASSWORD });
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** Runs `action` (errors of the SDK are expected for error answers) and returns the answer it received. */
async function answerOf(action: () => Promise<unknown>): Promise<Response> {
  const before = exchanges.length;
  await action().catch(() => undefined);
  const response = exchanges[exchanges.length - 1];
  if (exchanges.length === before || !response) throw new Error('The action sent no request.');
  return response;
}

async function problemOf(
  response: Response,
): Promise<{ code: string; errors?: unknown[]; requestId: string }> {
  return (await response.clone().json()) as { code: string; errors?: unknown[]; requestId: string };
}

/** The p12 test sent with fetch, so that error answers come back as responses to validate. */
function p12TestForm(fields: { password: string; body?: string }): FormData {
  const form = new FormData();
  form.set('file', new Blob([p12], { type: 'application/x-pkcs12' }), 'client.p12');
  form.set('password', fields.password);
  if (fields.body !== undefined) form.set('body', fields.body);
  return form;
}

async function testP12(
  fields: { password: string; body?: string },
  headers: Record<string, string> = {},
): Promise<Response> {
  const response = await fetch(`${ACCOUNT_URL}/p12-test/multipart`, {
    method: 'POST',
    headers: { ...AUTH, 'LP-forward-url': 'https://api.example.com/ping', ...headers },
    body: p12TestForm(fields),
  });
  exchanges.push(response.clone());
  return response;
}

async function upload(name: string, bytes: Uint8Array = p12) {
  const result = await client.certificates.create({ name, p12: bytes, password: PASSWORD });
  const saved = result.successfulySavedCertificates[0];
  if (!saved) throw new Error('nothing saved');
  return saved;
}

describe('the SDK under msw/node', () => {
  // Under msw/node, `new Headers(request.headers)` of a request with a body keeps only Content-Type; the SDK
  // copies headers entry by entry so that its LP-* headers survive. These calls failed with 400 before.
  test('forward with a body and no Content-Type keeps its LP-* headers', async () => {
    const response = await client.forward({
      method: 'POST',
      url: 'https://api.example.com/x',
      body: 'hello',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as UpstreamEcho).body).toBe('hello');
  });

  test('testP12 keeps its LP-* headers', async () => {
    const response = await client.testP12({
      file: p12,
      password: PASSWORD,
      url: 'https://api.example.com/ping',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as UpstreamEcho).url).toBe('https://api.example.com/ping');
  });
});

describe('every operation of the spec', () => {
  test('the mock serves each operationId, and each answer conforms to the spec', async () => {
    const covered = new Set<OperationId>();
    const problems: string[] = [];
    /** Checks one answer: the expected status (and problem code), then the spec. */
    async function check(
      operationId: OperationId,
      action: () => Promise<unknown>,
      expected: { status: number; code?: string },
    ): Promise<Response> {
      const response = await answerOf(action);
      covered.add(operationId);
      const label = `${operationId} → ${response.status}`;
      if (response.status !== expected.status) problems.push(`${label}: expected ${expected.status}`);
      if (expected.code !== undefined) {
        expect(response.headers.get('LP-gateway-error'), label).toBe(expected.code);
        expect((await problemOf(response)).code, label).toBe(expected.code);
      }
      for (const problem of await validator.response(operationId, response))
        problems.push(`${label}: ${problem}`);
      return response;
    }
    const raw = client.raw;
    const path = { accountId: ACCOUNT };

    // Operations endpoints.
    await check('getHealth', () => raw.GET('/healthz'), { status: 200 });
    await check('getReadiness', () => raw.GET('/readyz'), { status: 200 });
    mock.state.scenarios.once('getReadiness', { status: 503 });
    await check('getReadiness', () => raw.GET('/readyz'), { status: 503 });
    const metrics = await check('getMetrics', () => raw.GET('/metrics', { parseAs: 'text' }), {
      status: 200,
    });
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toBe(
      [
        '# HELP mtls_certificates Certificates by status.',
        '# TYPE mtls_certificates gauge',
        'mtls_certificates{status="Available"} 0',
        'mtls_certificates{status="Expired"} 0',
        'mtls_certificates{status="UnAvailable"} 0',
        '',
      ].join('\n'),
    );
    const docs = await check('getApiReference', () => raw.GET('/docs', { parseAs: 'text' }), { status: 200 });
    // A pointer to the document, no renderer: nothing to load, nothing to run.
    expect(docs.headers.get('content-security-policy')).toBe("default-src 'none'");
    const page = await docs.text();
    expect(page).toContain('<a href="openapi.yaml">');
    expect(page).not.toMatch(/<script|<link|<img|https?:/i);
    const yaml = await check('getOpenApiDocument', () => raw.GET('/openapi.yaml', { parseAs: 'text' }), {
      status: 200,
    });
    expect(JSON.parse(await yaml.text()).info.title).toBe(openApiDocument.info.title);

    // Certificates.
    await check('createCertificates', () => upload('Cert1'), { status: 201 });
    await check('createCertificates', () => upload('Cert1'), { status: 409, code: 'name_conflict' });
    await check(
      'createCertificates',
      () => client.certificates.create({ name: 'Cert2', p12, password: 'wrong' }),
      { status: 400, code: 'p12_wrong_password' },
    );
    await check(
      'createCertificates',
      () =>
        raw.POST('/mtls/account/{accountId}/certificates', {
          params: { path },
          body: [{ name: 'x' }] as never,
        }),
      { status: 400, code: 'invalid_request' },
    );
    const fromFile = await check(
      'createCertificateFromFile',
      () => client.certificates.createFromFile({ file: p12, name: 'Cert2', password: PASSWORD }),
      { status: 201 },
    );
    const cert2 = (await fromFile.json()).successfulySavedCertificates[0];
    const aliasForm = new FormData();
    aliasForm.set('file', new Blob([p12], { type: 'application/x-pkcs12' }), 'client.p12');
    aliasForm.set('name', 'Cert3');
    aliasForm.set('password', PASSWORD);
    const alias = await check(
      'createCertificateFromFileAlias',
      () =>
        fetch(`${ACCOUNT_URL}/certificates/by-file`, { method: 'POST', headers: AUTH, body: aliasForm }).then(
          (response) => exchanges.push(response.clone()),
        ),
      { status: 201 },
    );
    const cert3 = (await alias.json()).successfulySavedCertificates[0];
    const list = await check('listCertificates', () => client.certificates.list(), { status: 200 });
    const listed = (await list.json()) as Array<{ id: number; name: string }>;
    expect(listed.map((certificate) => certificate.name)).toEqual(['Cert1', 'Cert2', 'Cert3']);
    const cert1 = listed[0] as { id: number };
    await check('getCertificate', () => client.certificates.get(cert1.id), { status: 200 });
    await check('getCertificate', () => client.certificates.get(123456789012), {
      status: 404,
      code: 'not_found',
    });
    await check(
      'updateCertificate',
      () => client.certificates.update(cert1.id, { p12, password: PASSWORD }),
      {
        status: 200,
      },
    );
    await check(
      'updateCertificate',
      () => client.certificates.update(123456789012, { p12, password: PASSWORD }),
      { status: 404, code: 'not_found' },
    );
    await check(
      'updateCertificates',
      () =>
        raw.PUT('/mtls/account/{accountId}/certificates', {
          params: { path },
          body: [{ id: cert2.id, name: 'Cert2b', p12: base64(p12), password: PASSWORD }],
        }),
      { status: 200 },
    );
    await check(
      'updateCertificateFromFile',
      () => client.certificates.updateFromFile({ id: cert2.id, file: p12, password: PASSWORD }),
      { status: 200 },
    );
    const replaceForm = new FormData();
    replaceForm.set('file', new Blob([p12]), 'client.p12');
    replaceForm.set('id', String(cert3.id));
    replaceForm.set('password', PASSWORD);
    await check(
      'updateCertificateFromFileAlias',
      () =>
        fetch(`${ACCOUNT_URL}/certificates/by-file`, {
          method: 'PUT',
          headers: AUTH,
          body: replaceForm,
        }).then((response) => exchanges.push(response.clone())),
      { status: 200 },
    );

    // Mappings.
    const target = { serviceName: 'WEBHOOKS' as const, url: 'https://api.example.com/hooks?tenant=42' };
    const activated = await check('activateMapping', () => client.mappings.activate(cert1.id, target), {
      status: 201,
    });
    const mapping = (await activated.json()) as { id: number };
    await check('activateMapping', () => client.mappings.activate(cert2.id, target), {
      status: 409,
      code: 'mapping_conflict',
    });
    await check('activateMapping', () => client.mappings.activate(123456789012, target), {
      status: 404,
      code: 'not_found',
    });
    await check('listMappings', () => client.mappings.list(), { status: 200 });
    await check('checkMappings', () => client.mappings.check([target]), { status: 200 });

    // Forwarding and the p12 test.
    const forwardUrl = target.url;
    for (const [operationId, method] of [
      ['forwardGet', 'GET'],
      ['forwardPost', 'POST'],
      ['forwardPut', 'PUT'],
      ['forwardDelete', 'DELETE'],
      ['forwardPatch', 'PATCH'],
      ['forwardHead', 'HEAD'],
    ] as const) {
      const withBody = method !== 'GET' && method !== 'HEAD';
      await check(
        operationId,
        () =>
          client.forward({
            method,
            url: forwardUrl,
            serviceName: 'WEBHOOKS',
            ...(withBody ? { body: '{"event":"x"}', headers: { 'Content-Type': 'application/json' } } : {}),
          }),
        { status: 200 },
      );
    }
    await check(
      'forwardGet',
      () =>
        client.forward({ method: 'GET', url: 'https://other.example.com/', stopIfCertificateNotFound: true }),
      { status: 400, code: 'certificate_not_found' },
    );
    mock.state.upstream = () => {
      throw new UpstreamTransportError('connect ECONNREFUSED 203.0.113.7:443', 'ECONNREFUSED');
    };
    await check(
      'forwardPost',
      () => client.forward({ method: 'POST', url: forwardUrl, body: 'x', headers: TEXT }),
      {
        status: 424,
        code: 'transport_failure',
      },
    );
    mock.state.upstream = () => new Response('teapot', { status: 418 });
    await check('forwardGet', () => client.forward({ method: 'GET', url: forwardUrl }), { status: 418 });
    mock.state.reset();
    await check('testP12', () => testP12({ password: PASSWORD, body: 'hi' }), { status: 200 });
    await check('testP12', () => testP12({ password: 'wrong' }), { status: 400, code: 'p12_wrong_password' });

    // Deletions, on a fresh state.
    const fresh = await upload('Cert1');
    const freshMapping = await client.mappings.activate(fresh.id, target);
    await check('deleteMapping', () => client.mappings.delete(freshMapping.id), { status: 200 });
    await check('deleteMapping', () => client.mappings.delete(freshMapping.id), {
      status: 404,
      code: 'not_found',
    });
    await check('deleteMapping', () => client.mappings.delete(mapping.id), {
      status: 404,
      code: 'not_found',
    });
    await check('deleteCertificate', () => client.certificates.delete(fresh.id), { status: 200 });
    await check('deleteCertificate', () => client.certificates.delete(fresh.id), {
      status: 404,
      code: 'not_found',
    });

    // Without credentials: the gateway's 401 (checked as an answer of listCertificates).
    const unauthorized = await answerOf(() =>
      fetch(`${ACCOUNT_URL}/certificates`).then((response) => exchanges.push(response.clone())),
    );
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('WWW-Authenticate')).toBe(
      'OAuth realm="mtls-gateway", Bearer realm="mtls-gateway"',
    );
    for (const problem of await validator.response('listCertificates', unauthorized))
      problems.push(`401: ${problem}`);

    expect(problems).toEqual([]);
    const specOperationIds = Object.values(openApiDocument.paths).flatMap((item) =>
      Object.values(item)
        .filter(
          (operation): operation is { operationId: string } =>
            typeof operation === 'object' && operation !== null && 'operationId' in operation,
        )
        .map((operation) => operation.operationId),
    );
    expect([...specOperationIds].sort()).toEqual([...OPERATION_IDS].sort());
    expect([...covered].sort()).toEqual([...OPERATION_IDS].sort());
  });
});

describe('a stateful gateway', () => {
  test('create → list → update → forward with its mapping → delete', async () => {
    const created = await upload('Cert1');
    expect(created).toMatchObject({
      name: 'Cert1',
      displayName: 'Cert1',
      siteId: ACCOUNT,
      status: 'Available',
      deleted: false,
      version: 1,
      subject: 'CN=tenant-42',
    });
    expect(created.expirationDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(created.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(await client.certificates.list()).toEqual([created]);

    const renewed = createTestP12({ commonName: 'tenant-42-renewed', password: 'new-password' });
    const { successfulySavedCertificates: updated } = await client.certificates.update(created.id, {
      p12: renewed,
      password: 'new-password',
      name: 'Cert1-renewed',
    });
    expect(updated[0]).toMatchObject({
      id: created.id,
      name: 'Cert1-renewed',
      version: 2,
      subject: 'CN=tenant-42-renewed',
    });

    const url = 'https://api.example.com/hooks?tenant=42';
    await client.mappings.activate(created.id, { serviceName: 'WEBHOOKS', url });
    const response = await client.forward({
      method: 'POST',
      url,
      serviceName: 'WEBHOOKS',
      authorizationOverride: 'Basic dXNlcjpwYXNz',
      headers: { 'X-Custom': 'kept', 'Content-Type': 'application/json' },
      body: '{"ping":true}',
    });
    expect(response.headers.has('LP-gateway-error')).toBe(false);
    const echo = (await response.json()) as UpstreamEcho;
    expect(echo).toMatchObject({
      method: 'POST',
      url,
      body: '{"ping":true}',
      certificate: { id: created.id, name: 'Cert1-renewed', subject: 'CN=tenant-42-renewed' },
    });
    // The override became the remote's Authorization (masked in the echo); the gateway credential did not
    // travel, nor did the LP-* control headers.
    expect(echo.headers.authorization).toBe('Basic <redacted>');
    expect(echo.headers['x-custom']).toBe('kept');
    expect(Object.keys(echo.headers).filter((name) => name.startsWith('lp-'))).toEqual([]);

    const deleted = await client.certificates.delete(created.id);
    expect(deleted).toMatchObject({ deleted: true, status: 'UnAvailable' });
    expect(await client.certificates.list()).toEqual([]);
    expect(await client.certificates.list({ includeDeleted: true })).toMatchObject([
      { id: created.id, deleted: true },
    ]);
    expect(await client.certificates.get(created.id)).toMatchObject({ deleted: true });
    expect(await client.mappings.list()).toMatchObject([{ certificationId: created.id, enable: false }]);
    expect(await client.mappings.check([{ serviceName: 'WEBHOOKS', url }])).toEqual([
      { serviceName: 'WEBHOOKS', url, exist: false },
    ]);
    // The certificate is never presented again: plain TLS, or 400 when the caller asked to stop.
    const plain = (await (
      await client.forward({ method: 'GET', url, serviceName: 'WEBHOOKS' })
    ).json()) as UpstreamEcho;
    expect(plain.certificate).toBeNull();
    await expect(
      client.forward({ method: 'GET', url, serviceName: 'WEBHOOKS', stopIfCertificateNotFound: true }),
    ).rejects.toMatchObject({ code: 'certificate_not_found', status: 400 });
    // The name is free again.
    expect((await upload('Cert1-renewed')).name).toBe('Cert1-renewed');
  });

  test('state from the previous test is gone and ids start over (reset between tests)', async () => {
    expect(await client.certificates.list({ includeDeleted: true })).toEqual([]);
    expect(mock.state.calls).toHaveLength(1);
    const first = await upload('Cert1');
    const fresh = setupMockServer().state;
    expect(fresh.addCertificate({ accountId: ACCOUNT, name: 'Other' }).id).toBe(first.id);
  });

  test('accounts are separate', async () => {
    await upload('Cert1');
    const other = client.forAccount('le0000001');
    expect(await other.certificates.list()).toEqual([]);
    expect(
      (await other.certificates.create({ name: 'Cert1', p12, password: PASSWORD }))
        .successfulySavedCertificates,
    ).toHaveLength(1);
  });

  test('seeded certificates and mappings are served, with statuses computed from their validity', async () => {
    mock.state.seed({
      certificates: [
        { accountId: ACCOUNT, name: 'Valid' },
        {
          accountId: ACCOUNT,
          name: 'Old',
          notBefore: '2020-01-01T00:00:00Z',
          notAfter: '2021-01-01T00:00:00Z',
        },
        { accountId: ACCOUNT, name: 'NoKey', keyMaterial: false },
        { accountId: ACCOUNT, name: 'FromFile', p12, password: PASSWORD },
      ],
      mappings: [
        { accountId: ACCOUNT, certificate: 'Valid', serviceName: 'IDP', url: 'https://idp.example.com/*' },
      ],
    });
    const statuses = Object.fromEntries((await client.certificates.list()).map((c) => [c.name, c.status]));
    expect(statuses).toEqual({
      Valid: 'Available',
      Old: 'Expired',
      NoKey: 'UnAvailable',
      FromFile: 'Available',
    });
    const echo = (await (
      await client.forward({ method: 'GET', url: 'https://idp.example.com/token?x=1', serviceName: 'IDP' })
    ).json()) as UpstreamEcho;
    expect(echo.certificate?.name).toBe('Valid');
  });

  test('the mapping is chosen as forwarding documents it', async () => {
    mock.state.seed({
      certificates: [
        { accountId: ACCOUNT, name: 'Exact' },
        { accountId: ACCOUNT, name: 'Prefix' },
        { accountId: ACCOUNT, name: 'Idp' },
        { accountId: ACCOUNT, name: 'Expired', notAfter: '2021-01-01T00:00:00Z' },
      ],
      mappings: [
        {
          accountId: ACCOUNT,
          certificate: 'Exact',
          serviceName: 'WEBHOOKS',
          url: 'https://api.example.com/v2/hooks',
        },
        {
          accountId: ACCOUNT,
          certificate: 'Prefix',
          serviceName: 'WEBHOOKS',
          url: 'https://api.example.com/v2/*',
        },
        {
          accountId: ACCOUNT,
          certificate: 'Idp',
          serviceName: 'IDP',
          url: 'https://api.example.com/v2/hooks',
        },
        {
          accountId: ACCOUNT,
          certificate: 'Expired',
          serviceName: 'FAAS',
          url: 'https://faas.example.com/x',
        },
        {
          accountId: ACCOUNT,
          certificate: 'Idp',
          serviceName: 'IDP',
          url: 'https://only-idp.example.com/token',
        },
      ],
    });
    const presented = async (url: string, serviceName?: 'WEBHOOKS' | 'IDP' | 'FAAS') => {
      const echo = (await (await client.forward({ method: 'GET', url, serviceName })).json()) as UpstreamEcho;
      return echo.certificate?.name ?? null;
    };
    expect(await presented('https://api.example.com/v2/hooks', 'WEBHOOKS')).toBe('Exact');
    expect(await presented('https://api.example.com/v2/other', 'WEBHOOKS')).toBe('Prefix');
    // The entire URL is checked: a query string makes it another URL.
    expect(await presented('https://api.example.com/v2/hooks?x=1', 'IDP')).toBeNull();
    expect(await presented('https://api.example.com/v2/hooks', 'IDP')).toBe('Idp');
    // Without a service name: used when exactly one service maps the URL.
    expect(await presented('https://only-idp.example.com/token')).toBe('Idp');
    expect(await presented('https://api.example.com/v2/hooks')).toBeNull();
    // An expired certificate is never presented.
    expect(await presented('https://faas.example.com/x', 'FAAS')).toBeNull();
  });

  test('the remote answer is returned as-is, without a gateway error header', async () => {
    mock.state.upstream = (request) =>
      new Response(`remote saw ${request.method}`, {
        status: 401,
        headers: { 'LP-gateway-error': 'spoofed', 'X-Remote': 'yes', 'Content-Type': 'text/plain' },
      });
    const response = await client.forward({
      method: 'PUT',
      url: 'https://api.example.com/x',
      body: 'b',
      headers: TEXT,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('X-Remote')).toBe('yes');
    expect(response.headers.has('LP-gateway-error')).toBe(false);
    expect(await response.text()).toBe('remote saw PUT');
  });

  test('a remote that cannot be reached is a 424 with the transport headers', async () => {
    mock.state.upstream = () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
    };
    const response = await answerOf(() => client.forward({ method: 'GET', url: 'https://nowhere.example/' }));
    expect(response.status).toBe(424);
    expect(response.headers.get('LP-error-from-transport')).toBe('ENOTFOUND');
    expect(response.headers.get('LP-message-from-transport')).toBe('getaddrinfo ENOTFOUND nowhere.example');
    await expect(client.forward({ method: 'GET', url: 'https://nowhere.example/' })).rejects.toBeInstanceOf(
      TransportFailureError,
    );
  });

  test('the p12 test calls the URL with the file’s certificate, stores nothing', async () => {
    const response = await testP12(
      { password: PASSWORD, body: '{"ping":true}' },
      {
        'LP-method-override': 'PUT',
        'LP-content-type-override': 'application/json',
        'LP-authorization-override': 'Bearer remote-token',
      },
    );
    const echo = (await response.json()) as UpstreamEcho;
    expect(echo).toMatchObject({
      method: 'PUT',
      url: 'https://api.example.com/ping',
      body: '{"ping":true}',
      certificate: { id: null, name: null, subject: 'CN=tenant-42' },
    });
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers.authorization).toBe('Bearer <redacted>');
    expect(await client.certificates.list({ includeDeleted: true })).toEqual([]);
  });

  test('activation with URL validation calls the URL first; an unreachable one is 424 and stores nothing', async () => {
    const { id } = await upload('Cert1');
    const seen: string[] = [];
    mock.state.upstream = (request, context) => {
      seen.push(`${request.method} ${request.url} ${context.certificate?.name}`);
      throw new UpstreamTransportError('TLS handshake failed', 'EPROTO');
    };
    const target = { serviceName: 'IDP' as const, url: 'https://idp.example.com/*' };
    await expect(client.mappings.activate(id, target, { validateUrl: true })).rejects.toBeInstanceOf(
      TransportFailureError,
    );
    expect(seen).toEqual(['GET https://idp.example.com/ Cert1']);
    expect(await client.mappings.list()).toEqual([]);
    mock.state.upstream = () => new Response('ok');
    expect(await client.mappings.activate(id, target, { validateUrl: true })).toMatchObject({ enable: true });
  });

  test('renaming to a taken name is 409, and names may be swapped in one update', async () => {
    const a = await upload('A');
    const b = await upload('B');
    await expect(
      client.certificates.update(a.id, { p12, password: PASSWORD, name: 'B' }),
    ).rejects.toBeInstanceOf(ConflictError);
    const response = await fetch(`${ACCOUNT_URL}/certificates`, {
      method: 'PUT',
      headers: { ...AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify([
        { id: a.id, name: 'B', p12: base64(p12), password: PASSWORD },
        { id: b.id, name: 'A', p12: Array.from(p12), password: PASSWORD },
      ]),
    });
    expect(response.status).toBe(200);
    const names = Object.fromEntries((await client.certificates.list()).map((c) => [c.id, c.name]));
    expect(names).toEqual({ [a.id]: 'B', [b.id]: 'A' });
  });
});

describe('PKCS#12 uploads are really checked', () => {
  test.each([
    ['a wrong password', { p12, password: 'nope' }, 'p12_wrong_password'],
    [
      'a file without its key',
      { p12: createTestP12({ withoutPrivateKey: true }), password: PASSWORD },
      'p12_no_private_key',
    ],
    [
      'an expired certificate',
      { p12: createTestP12({ validity: 'expired' }), password: PASSWORD },
      'p12_expired',
    ],
    [
      'a not-yet-valid certificate',
      { p12: createTestP12({ validity: 'not-yet-valid' }), password: PASSWORD },
      'p12_not_yet_valid',
    ],
    ['bytes that are not PKCS#12', { p12: new Uint8Array([1, 2, 3, 4]), password: PASSWORD }, 'p12_corrupt'],
  ])('%s → 400 %s', async (_label, file, code) => {
    const response = await answerOf(() => client.certificates.create({ name: 'Cert1', ...file }));
    expect(response.status).toBe(400);
    expect(response.headers.get('LP-gateway-error')).toBe(code);
    expect(await validator.response('createCertificates', response)).toEqual([]);
    // As the reference server: the refused item is named by its JSON pointer, with its code.
    const problem = await problemOf(response);
    expect(problem.errors).toEqual([
      { location: 'body', name: '/0/p12', message: expect.stringMatching(new RegExp(`^${code}: `)) },
    ]);
    // Nothing was stored, and the password never appears in the answer.
    expect(await response.text()).not.toContain(file.password);
    expect(await client.certificates.list()).toEqual([]);
  });

  test('allowExpired=true stores an expired certificate with status Expired', async () => {
    const expired = createTestP12({ validity: 'expired' });
    const { successfulySavedCertificates } = await client.certificates.create(
      { name: 'Old', p12: expired, password: PASSWORD },
      { allowExpired: true },
    );
    expect(successfulySavedCertificates[0]?.status).toBe('Expired');
  });

  test('the documented byte-array form, and the by-file JSON certificate part, are accepted', async () => {
    const bytes = await fetch(`${ACCOUNT_URL}/certificates`, {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ name: 'Bytes', p12: Array.from(p12), password: PASSWORD }]),
    });
    expect(bytes.status).toBe(201);
    const form = new FormData();
    form.set('file', new Blob([p12]), 'client.p12');
    form.set(
      'certificate',
      new Blob([JSON.stringify({ name: 'Json', password: PASSWORD })], { type: 'application/json' }),
    );
    const byFile = await fetch(`${ACCOUNT_URL}/certificates/by-file`, {
      method: 'POST',
      headers: AUTH,
      body: form,
    });
    expect(byFile.status).toBe(201);
    expect((await client.certificates.list()).map((c) => c.name)).toEqual(['Bytes', 'Json']);
  });

  test('a by-file upload without a name is refused with the missing field', async () => {
    const form = new FormData();
    form.set('file', new Blob([p12]), 'client.p12');
    form.set('password', PASSWORD);
    const response = await fetch(`${ACCOUNT_URL}/certificates/byFile`, {
      method: 'POST',
      headers: AUTH,
      body: form,
    });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([
      { location: 'body', name: '/name', message: 'is required' },
    ]);
  });

  test('an id in the body of PUT /certificates/{id} must match the path', async () => {
    const { id } = await upload('Cert1');
    const response = await fetch(`${ACCOUNT_URL}/certificates/${id}`, {
      method: 'PUT',
      headers: { ...AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: id + 1, p12: base64(p12), password: PASSWORD }),
    });
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toMatchObject([{ location: 'body', name: '/id' }]);
  });
});

describe('requests are validated against the spec', () => {
  test('headers, path and query parameters: 400 invalid_request listing each input', async () => {
    const response = await fetch(`${GATEWAY}/mtls/account/bad!account?includeDeleted=perhaps`, {
      headers: { ...AUTH, 'LP-forward-url': 'not a url', 'LP-service-name': 'NOPE' },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('LP-gateway-error')).toBe('invalid_request');
    const problem = await problemOf(response);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ location: 'path', name: 'accountId' }),
        expect.objectContaining({ location: 'header', name: 'LP-forward-url' }),
        expect.objectContaining({ location: 'header', name: 'LP-service-name' }),
      ]),
    );
    const query = await fetch(`${ACCOUNT_URL}/certificates?includeDeleted=perhaps`, { headers: AUTH });
    expect((await problemOf(query)).errors).toEqual([
      expect.objectContaining({ location: 'query', name: 'includeDeleted' }),
    ]);
  });

  test('bodies: schema errors as JSON pointers, invalid JSON, missing body, wrong media type', async () => {
    const post = (body: string | undefined, contentType = 'application/json') =>
      fetch(`${GATEWAY}/api/account/${ACCOUNT}/checks/serviceUrlMappings`, {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': contentType },
        body,
      });
    const schema = await post(JSON.stringify([{ serviceName: 'NOPE', url: 'https://a.example.com/' }]));
    expect((await problemOf(schema)).errors).toEqual([
      {
        location: 'body',
        name: '/0/serviceName',
        message: 'must be one of "TEST_SERVICE", "IDP", "WEBHOOKS", "FAAS"',
      },
    ]);
    const json = await post('[{');
    expect((await problemOf(json)).errors).toEqual([
      { location: 'body', name: '', message: 'is not valid JSON' },
    ]);
    const missing = await post(undefined);
    expect((await problemOf(missing)).errors).toEqual([
      { location: 'body', name: '', message: 'is required' },
    ]);
    const mediaType = await post('x', 'text/plain');
    expect(mediaType.status).toBe(415);
    expect(mediaType.headers.get('LP-gateway-error')).toBe('unsupported_media_type');
    expect(await validator.response('checkMappings', mediaType)).toEqual([]);
  });

  test('a file part over the spec’s limit is 413', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(1_048_577)]), 'big.p12');
    form.set('certificate', JSON.stringify({ name: 'Big', password: PASSWORD }));
    const response = await fetch(`${ACCOUNT_URL}/certificates/byFile`, {
      method: 'POST',
      headers: AUTH,
      body: form,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('LP-gateway-error')).toBe('payload_too_large');
  });

  test('unknown routes and methods get the gateway’s own 404 / 405', async () => {
    const unknown = await fetch(`${ACCOUNT_URL}/nothing-here`, { headers: AUTH });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('LP-gateway-error')).toBe('route_not_found');
    const method = await fetch(`${GATEWAY}/api/account/${ACCOUNT}/checks/serviceUrlMappings`, {
      headers: AUTH,
    });
    expect(method.status).toBe(405);
    expect(method.headers.get('Allow')).toBe('POST');
  });

  test('X-Request-Id: a well-formed one is kept, else one is made; passthrough answers get none', async () => {
    const kept = await fetch(`${ACCOUNT_URL}/mappings`, { headers: { ...AUTH, 'X-Request-Id': 'trace-1' } });
    expect(kept.headers.get('X-Request-Id')).toBe('trace-1');
    const made = await fetch(`${ACCOUNT_URL}/mappings`, { headers: { ...AUTH, 'X-Request-Id': 'bad id!' } });
    expect(made.headers.get('X-Request-Id')).toMatch(/^req-mock-\d{6}$/);
    const passthrough = await client.forward({ method: 'GET', url: 'https://api.example.com/' });
    expect(passthrough.headers.has('X-Request-Id')).toBe(false);
  });
});

describe('scenarios', () => {
  test('a forced status answers the gateway’s problem for it, until cleared', async () => {
    mock.state.scenarios.set('listCertificates', { status: 503 });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await answerOf(() => client.certificates.list());
      expect(response.status).toBe(503);
      expect(response.headers.get('LP-gateway-error')).toBe('unavailable');
    }
    await expect(client.certificates.list()).rejects.toBeInstanceOf(ServerError);
    // Other operations are untouched.
    expect(await client.mappings.list()).toEqual([]);
    mock.state.scenarios.clear('listCertificates');
    expect(await client.certificates.list()).toEqual([]);
  });

  test('once, a chosen problem code, and `*` for every operation', async () => {
    mock.state.scenarios.once('createCertificates', {
      status: 409,
      code: 'name_conflict',
      detail: 'Taken (scenario).',
    });
    await expect(upload('Cert1')).rejects.toBeInstanceOf(ConflictError);
    expect((await upload('Cert1')).name).toBe('Cert1');
    mock.state.scenarios.set('*', { status: 500 });
    await expect(client.mappings.list()).rejects.toMatchObject({ status: 500, code: 'internal_error' });
    expect(mock.state.calls.at(-1)).toMatchObject({
      operationId: 'listMappings',
      status: 500,
      scenario: true,
    });
  });

  test('latency delays the answer', async () => {
    mock.state.scenarios.set('listMappings', { delayMs: 150 });
    const started = performance.now();
    expect(await client.mappings.list()).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('a network error makes fetch reject', async () => {
    mock.state.scenarios.once('getHealth', { networkError: true });
    await expect(fetch(`${GATEWAY}/healthz`)).rejects.toThrow(TypeError);
    expect((await fetch(`${GATEWAY}/healthz`)).status).toBe(200);
  });

  test('a transport failure is the documented 424', async () => {
    mock.state.scenarios.once('forwardGet', {
      transportFailure: { message: 'read ECONNRESET', error: 'ECONNRESET' },
    });
    const response = await answerOf(() => client.forward({ method: 'GET', url: 'https://api.example.com/' }));
    expect(response.status).toBe(424);
    expect(response.headers.get('LP-error-from-transport')).toBe('ECONNRESET');
    expect(await validator.response('forwardGet', response)).toEqual([]);
  });

  test('per request: the ?__mock_scenario= flag and the X-Mock-Scenario header', async () => {
    const flagged = await fetch(`${ACCOUNT_URL}/mappings?__mock_scenario=problem:mapping_conflict`, {
      headers: AUTH,
    });
    expect(flagged.status).toBe(409);
    expect(flagged.headers.get('LP-gateway-error')).toBe('mapping_conflict');
    const header = await fetch(`${ACCOUNT_URL}/mappings`, { headers: { ...AUTH, 'X-Mock-Scenario': '429' } });
    expect(header.status).toBe(429);
    expect(header.headers.get('Retry-After')).toBe('1');
    const invalid = await fetch(`${ACCOUNT_URL}/mappings?__mock_scenario=explode`, { headers: AUTH });
    expect(invalid.status).toBe(400);
    expect((await problemOf(invalid)).errors).toMatchObject([{ location: 'query', name: '__mock_scenario' }]);
  });

  test('a custom response', async () => {
    mock.state.scenarios.once('getCertificate', {
      response: () => Response.json({ custom: true }, { status: 202 }),
    });
    const response = await fetch(`${ACCOUNT_URL}/certificates/1000000001`, { headers: AUTH });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ custom: true });
  });

  test('a scenario survives nothing: reset clears it', async () => {
    mock.state.scenarios.set('getHealth', { status: 500 });
    mock.reset();
    expect((await fetch(`${GATEWAY}/healthz`)).status).toBe(200);
  });
});

test('SDK errors line up with the mock’s problems', async () => {
  await expect(client.certificates.get(1_000_000_001)).rejects.toBeInstanceOf(NotFoundError);
  await expect(
    client.mappings.check([{ serviceName: 'IDP', url: 'not-a-url' as `https://${string}` }]),
  ).rejects.toBeInstanceOf(ValidationError);
});
