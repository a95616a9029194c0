import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMtlsGatewayClient } from '../client/gateway-client.js';
import {
  answerLate,
  type FakeGateway,
  type ReceivedRequest,
  sendJson,
  sendProblem,
  startFakeGateway,
} from '../client/testing/fake-gateway.js';
import { PermissionDeniedError } from '../errors.js';
import { createGatewayMTLSClient } from './gateway-mtls-client.js';
import { type IMTLSClient, MTLSError } from './mtls.js';

const ACCOUNT = 'le1606809';
const TARGET = 'https://partner.example/api/orders?tenant=42';

let gateway: FakeGateway;
let mtls: IMTLSClient;

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await gateway.close();
});

beforeEach(() => {
  gateway.received.length = 0;
  gateway.handle((_request, response) => sendJson(response, 200, { ok: true }));
  const client = createMtlsGatewayClient({
    baseUrl: gateway.url,
    accountId: ACCOUNT,
    auth: { bearer: 'gateway-token' },
    retry: { baseDelayMs: 1 },
  });
  mtls = createGatewayMTLSClient({ client, serviceName: 'FAAS' });
});

function only(): ReceivedRequest {
  expect(gateway.received).toHaveLength(1);
  const [request] = gateway.received;
  if (!request) throw new Error('no request');
  return request;
}

async function mtlsError(promise: Promise<unknown>): Promise<MTLSError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MTLSError);
  return error as MTLSError;
}

describe('createGatewayMTLSClient', () => {
  it('forwards through the gateway with the LP-* headers and moves Authorization to the override', async () => {
    const answer = await mtls.post(
      TARGET,
      { Authorization: 'Bearer partner-token', 'X-Tenant': '42' },
      { id: 1 },
      { json: true },
    );
    expect(answer).toEqual({
      statusCode: 200,
      headers: expect.objectContaining({ 'content-type': 'application/json' }),
      body: { ok: true },
    });
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/mtls/account/${ACCOUNT}`);
    expect(request.headers['lp-service-name']).toBe('FAAS');
    expect(request.headers['lp-forward-url']).toBe(TARGET);
    expect(request.headers['lp-stop-if-certificate-not-found']).toBe('true');
    expect(request.headers['lp-authorization-override']).toBe('Bearer partner-token');
    expect(request.headers.authorization).toBe('Bearer gateway-token');
    expect(request.headers['x-tenant']).toBe('42');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.json()).toEqual({ id: 1 });
  });

  it('answers text without json, and falls back to text when json is not JSON', async () => {
    gateway.handle((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end('plain'),
    );
    expect((await mtls.get(TARGET)).body).toBe('plain');
    expect((await mtls.get(TARGET, {}, undefined, { json: true })).body).toBe('plain');
    gateway.handle((_request, response) => sendJson(response, 200, [1, 2]));
    expect((await mtls.get(TARGET)).body).toBe('[1,2]');
    expect(
      gateway.received.every((request) => request.headers['lp-authorization-override'] === undefined),
    ).toBe(true);
  });

  it('sends strings as-is and objects as JSON, with every body method', async () => {
    gateway.handle((_request, response) => response.writeHead(204).end());
    await mtls.put(TARGET, { 'Content-Type': 'text/csv' }, 'a,b');
    await mtls.patch(TARGET, {}, { patched: true });
    await mtls.delete(TARGET, {}, new Uint8Array([1, 2]));
    expect(
      gateway.received.map((request) => [
        request.method,
        request.headers['content-type'],
        request.body.toString('hex'),
      ]),
    ).toEqual([
      ['PUT', 'text/csv', Buffer.from('a,b').toString('hex')],
      ['PATCH', 'application/json', Buffer.from('{"patched":true}').toString('hex')],
      ['DELETE', undefined, '0102'],
    ]);
  });

  it('returns every status of the remote as an answer, and head without a body', async () => {
    gateway.handle((_request, response) => {
      response.writeHead(500, [
        ['content-type', 'text/plain'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      response.end('remote failure');
    });
    const failed = await mtls.get(TARGET);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).toBe('remote failure');
    expect(failed.headers['set-cookie']).toBe('a=1, b=2');

    gateway.handle((_request, response) => response.writeHead(200, { 'x-size': '10' }).end());
    const head = await mtls.head(TARGET);
    expect(head).toMatchObject({ statusCode: 200, body: undefined });
    expect(head.headers['x-size']).toBe('10');
    expect(gateway.received.at(-1)?.method).toBe('HEAD');
  });

  it('rejects OPTIONS with mtls.invalid-request without sending anything', async () => {
    const error = await mtlsError(mtls.options(TARGET));
    expect(error.code).toBe('mtls.invalid-request');
    expect(error.message).toMatch(/^MTLS: OPTIONS/);
    expect(gateway.received).toHaveLength(0);
  });

  it('maps certificate_not_found to mtls.missing-conf', async () => {
    gateway.handle((_request, response) => sendProblem(response, 400, 'certificate_not_found'));
    const error = await mtlsError(mtls.get(TARGET));
    expect(error.code).toBe('mtls.missing-conf');
    expect(error.message).toContain('FAAS');
  });

  it('maps a 424 of the gateway to mtls.remote-threw with the transport error', async () => {
    gateway.handle((_request, response) =>
      sendProblem(response, 424, 'transport_failure', 'unreachable', {
        'LP-message-from-transport': 'connect ECONNREFUSED 203.0.113.7:443',
        'LP-error-from-transport': 'ECONNREFUSED',
      }),
    );
    const error = await mtlsError(mtls.post(TARGET, {}, 'x'));
    expect(error.code).toBe('mtls.remote-threw');
    expect(error.message).toContain('ECONNREFUSED 203.0.113.7:443');
  });

  it('maps its own timeout and the gateway client timeout to mtls.request-timeout', async () => {
    gateway.handle(answerLate(1_000, (_request, response) => sendJson(response, 200, {})));
    expect((await mtlsError(mtls.get(TARGET, {}, undefined, { timeout: 50 }))).code).toBe(
      'mtls.request-timeout',
    );

    const impatient = createGatewayMTLSClient({
      client: createMtlsGatewayClient({ baseUrl: gateway.url, timeoutMs: 50, maxRetries: 0 }),
      serviceName: 'IDP',
      accountId: ACCOUNT,
    });
    expect((await mtlsError(impatient.get(TARGET))).code).toBe('mtls.request-timeout');
  });

  it('maps other gateway errors to mtls.general-issue, keeping the typed error as cause', async () => {
    gateway.handle((_request, response) =>
      sendProblem(response, 403, 'forbidden', 'needs MTLS_WRITE_INTERNAL'),
    );
    const error = await mtlsError(mtls.post(TARGET, {}, 'x'));
    expect(error.code).toBe('mtls.general-issue');
    expect(error.cause).toBeInstanceOf(PermissionDeniedError);
  });

  it('refuses bad URLs, GET bodies and bad timeouts with mtls.invalid-request', async () => {
    expect((await mtlsError(mtls.get('not a url'))).code).toBe('mtls.invalid-request');
    expect((await mtlsError(mtls.get('ftp://files.example/'))).code).toBe('mtls.invalid-request');
    expect((await mtlsError(mtls.get(TARGET, {}, 'body'))).code).toBe('mtls.invalid-request');
    expect((await mtlsError(mtls.get(TARGET, {}, undefined, { timeout: -1 }))).code).toBe(
      'mtls.invalid-request',
    );
    expect(gateway.received).toHaveLength(0);
  });

  it('needs an account id', () => {
    const base = createMtlsGatewayClient({ baseUrl: gateway.url });
    expect(() =>
      createGatewayMTLSClient({ client: base, serviceName: 'FAAS' } as unknown as Parameters<
        typeof createGatewayMTLSClient
      >[0]),
    ).toThrow(/account id/);
  });
});
