// Per-call options (timeoutMs, maxRetries, headers) and withResponse(), on every resource method, against a
// real local HTTP server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, NotFoundError, ServerError, TimeoutError } from '../errors.js';
import {
  createMtlsGatewayClient,
  type MtlsGatewayClient,
  type MtlsGatewayFixedOptions,
} from './gateway-client.js';
import {
  answerLate,
  type FakeGateway,
  type FakeHandler,
  sendJson,
  sendProblem,
  startFakeGateway,
} from './testing/fake-gateway.js';
import { RESOURCE_CALLS } from './testing/resource-calls.js';

const ACCOUNT = 'le1606809';
let gateway: FakeGateway;

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await gateway.close();
});

// Each answer carries its own request id, so a test can tell which answer a requestId came from.
let answered = 0;
const ok: FakeHandler = (_request, response) =>
  sendJson(response, 200, { answer: ++answered }, { 'X-Request-Id': `req-${answered}` });
const unavailable: FakeHandler = (_request, response) => sendProblem(response, 503, 'unavailable');

beforeEach(() => {
  gateway.received.length = 0;
  gateway.handle(ok);
});

function clientWith(options: Partial<MtlsGatewayFixedOptions> = {}): MtlsGatewayClient {
  return createMtlsGatewayClient({
    baseUrl: gateway.url,
    accountId: ACCOUNT,
    auth: { bearer: 'gateway-token' },
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
}

const idempotentCalls = RESOURCE_CALLS.filter((resource) => resource.idempotent);
const nonIdempotentCalls = RESOURCE_CALLS.filter((resource) => !resource.idempotent);

describe('per-call headers', () => {
  it.each(RESOURCE_CALLS)(
    '$name sends them to the gateway, with the client-wide ones and its auth',
    async ({ call }) => {
      const client = clientWith({ headers: { 'X-Team': 'payments' } });
      await call(client, { headers: { 'X-Trace-Id': 'trace-1' } });
      expect(gateway.received).toHaveLength(1);
      expect(gateway.received[0]?.headers).toMatchObject({
        'x-trace-id': 'trace-1',
        'x-team': 'payments',
        authorization: 'Bearer gateway-token',
      });
    },
  );

  it('apply to that call only', async () => {
    const client = clientWith();
    await client.mappings.list({ headers: { 'X-Trace-Id': 'trace-1' } });
    await client.mappings.list();
    expect(gateway.received.map((request) => request.headers['x-trace-id'])).toEqual(['trace-1', undefined]);
  });

  it.each(RESOURCE_CALLS)('$name refuses Authorization in any spelling, before sending', async ({ call }) => {
    // The type refuses `Authorization` and `authorization`; the run-time check catches every spelling.
    await expect(call(clientWith(), { headers: { AUTHORIZATION: 'Bearer stolen' } })).rejects.toThrow(
      /AUTHORIZATION.*gateway credential/,
    );
    expect(gateway.received).toHaveLength(0);
  });

  it('refuse the LP-* headers that options of forward and testP12 set, naming the option', async () => {
    const client = clientWith();
    await expect(
      client.testP12({
        file: new Uint8Array([1]),
        password: '',
        url: 'https://api.example.com/',
        headers: { 'LP-Method-Override': 'PUT' },
      }),
    ).rejects.toThrow(/use method/);
    await expect(
      client.mappings.list({ headers: { 'lp-forward-url': 'https://elsewhere.example/' } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(gateway.received).toHaveLength(0);
  });
});

describe('per-call timeoutMs', () => {
  it.each(RESOURCE_CALLS)("$name: a shorter one than the client's fires", async ({ call }) => {
    gateway.handle(answerLate(2_000, ok));
    const client = clientWith({ timeoutMs: 10_000, maxRetries: 0 });
    const started = Date.now();
    const error = await call(client, { timeoutMs: 80 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toContain('within 80 ms');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("a longer one than the client's lets a slow answer arrive, for that call only", async () => {
    gateway.handle(answerLate(300, ok));
    const client = clientWith({ timeoutMs: 100, maxRetries: 0 });
    await expect(client.certificates.list({ timeoutMs: 2_000 })).resolves.toMatchObject({
      answer: expect.any(Number),
    });
    await expect(client.certificates.list()).rejects.toBeInstanceOf(TimeoutError);
  });

  it('applies to each attempt of a retried call', async () => {
    gateway.queue(answerLate(1_000, ok));
    const client = clientWith({ timeoutMs: 10_000, maxRetries: 0 });
    await expect(client.mappings.list({ timeoutMs: 150, maxRetries: 1 })).resolves.toBeDefined();
    expect(gateway.received).toHaveLength(2);
  });
});

describe('per-call maxRetries', () => {
  it.each(idempotentCalls)('$name: more retries than the client allows', async ({ call }) => {
    gateway.handle(unavailable);
    await expect(call(clientWith({ maxRetries: 0 }), { maxRetries: 2 })).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(3);
  });

  it.each(idempotentCalls)('$name: fewer retries than the client allows', async ({ call }) => {
    gateway.handle(unavailable);
    await expect(call(clientWith({ maxRetries: 3 }), { maxRetries: 0 })).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(1);
  });

  it.each(nonIdempotentCalls)('$name is never retried, whatever maxRetries says', async ({ call }) => {
    gateway.handle(unavailable);
    await expect(call(clientWith({ maxRetries: 5 }), { maxRetries: 5 })).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(1);
  });

  it('applies to that call only', async () => {
    gateway.handle(unavailable);
    const client = clientWith({ maxRetries: 1 });
    await client.mappings.list({ maxRetries: 3 }).catch(() => {});
    expect(gateway.received).toHaveLength(4);
    gateway.received.length = 0;
    await client.mappings.list().catch(() => {});
    expect(gateway.received).toHaveLength(2);
  });
});

describe('per-call numbers', () => {
  it.each([
    { timeoutMs: 0 },
    { timeoutMs: -5 },
    { timeoutMs: Number.NaN },
    { maxRetries: 1.5 },
    { maxRetries: -1 },
  ])('refuses %o before sending', async (options) => {
    await expect(clientWith().certificates.list(options)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(gateway.received).toHaveLength(0);
  });
});

describe('withResponse()', () => {
  it.each(RESOURCE_CALLS)(
    '$name gives the data, the response and its X-Request-Id',
    async ({ call, passthrough }) => {
      const { data, response, requestId } = await call(clientWith(), {}).withResponse();
      expect(gateway.received).toHaveLength(1);
      expect(requestId).toBe(`req-${answered}`);
      expect(response.headers.get('X-Request-Id')).toBe(requestId);
      expect(response.status).toBe(200);
      if (passthrough) {
        // The remote's answer is the data itself, its body unread.
        expect(data).toBe(response);
        expect(await response.json()).toEqual({ answer: answered });
      } else {
        expect(data).toEqual({ answer: answered });
      }
    },
  );

  it('is the same call as awaiting it: one request, the same data', async () => {
    const pending = clientWith().certificates.list();
    const [data, full] = await Promise.all([pending, pending.withResponse()]);
    expect(full.data).toBe(data);
    expect(gateway.received).toHaveLength(1);
  });

  it('gives requestId undefined when the answer has none', async () => {
    gateway.handle((_request, response) => sendJson(response, 200, []));
    await expect(clientWith().mappings.list().withResponse()).resolves.toMatchObject({
      data: [],
      requestId: undefined,
    });
  });

  it('rejects with the typed error, and leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      gateway.handle((_request, response) => sendProblem(response, 404, 'not_found'));
      const error = await clientWith()
        .certificates.get(9)
        .withResponse()
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).requestId).toBe('req-not_found');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('awaiting without withResponse() still gives just the data', async () => {
    const data = await clientWith().certificates.get(1);
    expect(data).toEqual({ answer: answered });
  });
});
