// The hooks option: onRequest / onResponse around every attempt of every call, onError once per failed call.
import { parseAuthorizationHeader, signatureBaseString, signHmac } from '@mtls-gateway/contract/oauth1';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  InvalidArgumentError,
  MtlsGatewayError,
  NotFoundError,
  TimeoutError,
} from '../errors.js';
import {
  createMtlsGatewayClient,
  type MtlsGatewayClient,
  type MtlsGatewayFixedOptions,
} from './gateway-client.js';
import type { MtlsGatewayErrorInfo, MtlsGatewayHooks } from './hooks.js';
import type { MtlsGatewayRequestInfo } from './logger.js';
import {
  answerLate,
  type FakeGateway,
  type FakeHandler,
  sendJson,
  sendProblem,
  startFakeGateway,
} from './testing/fake-gateway.js';
import { RESOURCE_CALLS, resourceMethodNames } from './testing/resource-calls.js';

const ACCOUNT = 'le1606809';
const TOKEN = 'gateway-secret-token';
let gateway: FakeGateway;

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await gateway.close();
});

const ok: FakeHandler = (_request, response) => sendJson(response, 200, {}, { 'X-Request-Id': 'req-ok' });
const unavailable: FakeHandler = (_request, response) => sendProblem(response, 503, 'unavailable');

beforeEach(() => {
  gateway.received.length = 0;
  gateway.handle(ok);
});

function clientWith(
  hooks: MtlsGatewayHooks,
  options: Partial<MtlsGatewayFixedOptions> = {},
): MtlsGatewayClient {
  return createMtlsGatewayClient({
    baseUrl: gateway.url,
    accountId: ACCOUNT,
    auth: { bearer: TOKEN },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    hooks,
    ...options,
  });
}

/** Hooks that record what they are called with, and add a tracing header naming the attempt. */
function recordingHooks() {
  const seen = {
    requests: [] as Array<{ info: MtlsGatewayRequestInfo; authorization: string | null }>,
    responses: [] as Array<{ status: number; info: MtlsGatewayRequestInfo }>,
    errors: [] as Array<{ error: unknown; info: MtlsGatewayErrorInfo }>,
  };
  const hooks: MtlsGatewayHooks = {
    onRequest(request, info) {
      seen.requests.push({ info, authorization: request.headers.get('Authorization') });
      request.headers.set('traceparent', `trace-${info.operation}-${info.attempt}`);
    },
    onResponse: (response, info) => seen.responses.push({ status: response.status, info }),
    onError: (error, info) => seen.errors.push({ error, info }),
  };
  return { seen, hooks };
}

describe('hooks on every resource method', () => {
  it('the table of resource methods misses none of the client', () => {
    const names = resourceMethodNames(clientWith({}));
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(RESOURCE_CALLS.map((resource) => resource.operation))).toEqual(new Set(names));
  });

  it.each(RESOURCE_CALLS)(
    '$name: onRequest (unsigned) and onResponse run, the header it adds is sent',
    async ({ call, operation }) => {
      const { seen, hooks } = recordingHooks();
      await call(clientWith(hooks), {});
      expect(seen.requests).toEqual([
        { info: expect.objectContaining({ operation, attempt: 1 }), authorization: null },
      ]);
      expect(seen.responses).toEqual([
        { status: 200, info: expect.objectContaining({ operation, attempt: 1 }) },
      ]);
      expect(seen.errors).toEqual([]);
      expect(gateway.received[0]?.headers.traceparent).toBe(`trace-${operation}-1`);
      expect(gateway.received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    },
  );

  it.each(RESOURCE_CALLS)(
    '$name: onError gets the typed error of a gateway answer',
    async ({ call, operation }) => {
      gateway.handle((_request, response) => sendProblem(response, 404, 'not_found'));
      const { seen, hooks } = recordingHooks();
      const thrown = await call(clientWith(hooks), {}).catch((caught: unknown) => caught);
      expect(thrown).toBeInstanceOf(NotFoundError);
      expect(seen.errors).toEqual([
        { error: thrown, info: expect.objectContaining({ operation, attempt: 1 }) },
      ]);
    },
  );
});

describe('onRequest and onResponse', () => {
  it('run for each attempt of a retried call', async () => {
    gateway.queue(unavailable, unavailable);
    const { seen, hooks } = recordingHooks();
    await clientWith(hooks).certificates.list();
    expect(seen.requests.map((request) => request.info.attempt)).toEqual([1, 2, 3]);
    expect(seen.responses.map((response) => [response.info.attempt, response.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 200],
    ]);
    expect(gateway.received.map((request) => request.headers.traceparent)).toEqual([
      'trace-certificates.list-1',
      'trace-certificates.list-2',
      'trace-certificates.list-3',
    ]);
    expect(seen.errors).toEqual([]);
  });

  it('get the same info object for one attempt, a new one for the next', async () => {
    gateway.queue(unavailable);
    const requestInfos: MtlsGatewayRequestInfo[] = [];
    const responseInfos: MtlsGatewayRequestInfo[] = [];
    const client = clientWith({
      onRequest: (request, info) => {
        requestInfos.push(info);
        return new Request(`${request.url}?attempt=${info.attempt}`, request);
      },
      onResponse: (_response, info) => responseInfos.push(info),
    });
    await client.mappings.list();
    expect(responseInfos).toHaveLength(2);
    expect(responseInfos[0]).toBe(requestInfos[0]);
    expect(responseInfos[1]).toBe(requestInfos[1]);
    expect(requestInfos[0]).not.toBe(requestInfos[1]);
    expect(responseInfos[1]?.url).toBe(`${gateway.url}/mtls/account/${ACCOUNT}/mappings?attempt=2`);
  });

  it('reach raw calls too', async () => {
    const { seen, hooks } = recordingHooks();
    const client = clientWith(hooks);
    await client.raw.GET('/mtls/account/{accountId}/mappings', { params: { path: { accountId: ACCOUNT } } });
    expect(seen.requests.map((request) => request.info.operation)).toEqual(['raw']);
    expect(seen.responses.map((response) => response.status)).toEqual([200]);
    expect(gateway.received[0]?.headers.traceparent).toBe('trace-raw-1');
  });

  it('onRequest runs before signing: a URL it changes is signed, an Authorization it sets is replaced', async () => {
    const credentials = { consumerKey: 'app-key', consumerSecret: 'consumer secret' };
    const client = clientWith(
      {
        onRequest: async (request) =>
          new Request(`${request.url}?tag=traced`, {
            method: request.method,
            headers: { 'X-Span': 'span-1', Authorization: 'Bearer not-the-client-auth' },
          }),
      },
      { auth: { oauth1: credentials } },
    );
    await client.mappings.list();
    const [received] = gateway.received;
    expect(received?.query.get('tag')).toBe('traced');
    expect(received?.headers['x-span']).toBe('span-1');
    const { oauth_signature: signature, ...signed } = parseAuthorizationHeader(
      String(received?.headers.authorization),
    );
    const baseString = signatureBaseString({
      method: 'GET',
      url: `${gateway.url}${received?.path}?${received?.query.toString()}`,
      oauthParams: signed,
    });
    expect(await signHmac(baseString, credentials.consumerSecret, undefined, 'HMAC-SHA1')).toBe(signature);
  });

  it('onRequest sees no body, and the body is sent intact', async () => {
    const bodies: Array<ReadableStream | null> = [];
    const client = clientWith({ onRequest: (request) => void bodies.push(request.body) });
    await client.forward({ method: 'PUT', url: 'https://api.example.com/', body: 'payload' });
    expect(bodies).toEqual([null]);
    expect(gateway.received[0]?.body.toString()).toBe('payload');
  });

  it('an onRequest that throws fails the call with hook_failed, and nothing is sent', async () => {
    const cause = new Error('tracer down');
    const errors: unknown[] = [];
    const client = clientWith({
      onRequest: () => {
        throw cause;
      },
      onError: (error) => errors.push(error),
    });
    const error = await client.certificates.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MtlsGatewayError);
    expect(error).toMatchObject({ code: 'hook_failed', cause });
    expect((error as Error).message).toMatch(/onRequest hook threw.*nothing was sent/);
    expect(errors).toEqual([error]);
    expect(gateway.received).toHaveLength(0);
  });

  it('what onResponse and onError throw or reject is ignored', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const throwing = clientWith({
        onResponse: () => {
          throw new Error('onResponse broke');
        },
        onError: () => {
          throw new Error('onError broke');
        },
      });
      const rejecting = clientWith({
        onResponse: async () => Promise.reject(new Error('onResponse rejected')),
        onError: async () => Promise.reject(new Error('onError rejected')),
      });
      for (const client of [throwing, rejecting]) {
        await expect(client.certificates.list()).resolves.toEqual({});
        await expect(client.certificates.get('x')).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('onError', () => {
  it('runs once per failed call, with its last attempt', async () => {
    gateway.handle(answerLate(1_000, ok));
    const { seen, hooks } = recordingHooks();
    const error = await clientWith(hooks, { timeoutMs: 60, maxRetries: 1 })
      .mappings.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(seen.requests).toHaveLength(2);
    expect(seen.errors).toEqual([
      {
        error,
        info: {
          operation: 'mappings.list',
          method: 'GET',
          url: `${gateway.url}/mtls/account/${ACCOUNT}/mappings`,
          attempt: 2,
        },
      },
    ]);
  });

  it('names the URL that onRequest chose', async () => {
    gateway.handle((_request, response) => sendProblem(response, 404, 'not_found'));
    const infos: MtlsGatewayErrorInfo[] = [];
    const client = clientWith({
      onRequest: (request) => new Request(`${request.url}?tag=1`, request),
      onError: (_error, info) => infos.push(info),
    });
    await client.mappings.list().catch(() => {});
    expect(infos.map((info) => info.url)).toEqual([`${gateway.url}/mtls/account/${ACCOUNT}/mappings?tag=1`]);
  });

  it('names only the operation when nothing was sent', async () => {
    const { seen, hooks } = recordingHooks();
    const error = await clientWith(hooks)
      .certificates.delete(-1)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(seen.errors).toEqual([{ error, info: { operation: 'certificates.delete' } }]);
    expect(seen.requests).toEqual([]);
  });

  it('is not called for calls that succeed, nor for error answers raw returns', async () => {
    gateway.handle((_request, response) => sendProblem(response, 404, 'not_found'));
    const { seen, hooks } = recordingHooks();
    const { error } = await clientWith(hooks).raw.GET('/mtls/account/{accountId}/mappings', {
      params: { path: { accountId: ACCOUNT } },
    });
    expect(error).toMatchObject({ code: 'not_found' });
    expect(seen.errors).toEqual([]);
  });

  it('gets a raw call that got no answer', async () => {
    const { seen, hooks } = recordingHooks();
    const client = createMtlsGatewayClient({
      baseUrl: 'http://127.0.0.1:9',
      accountId: ACCOUNT,
      maxRetries: 0,
      hooks,
    });
    await expect(client.raw.GET('/healthz')).rejects.toBeInstanceOf(ConnectionError);
    expect(seen.errors).toEqual([
      { error: expect.any(ConnectionError), info: expect.objectContaining({ operation: 'raw', attempt: 1 }) },
    ]);
  });
});
