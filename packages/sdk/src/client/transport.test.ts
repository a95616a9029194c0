import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, RateLimitError, ServerError, TimeoutError } from '../errors.js';
import { createMtlsGatewayClient, type MtlsGatewayClientOptions } from './gateway-client.js';
import type { MtlsGatewayLogEvent } from './logger.js';
import {
  answerLate,
  type FakeGateway,
  type FakeHandler,
  sendJson,
  sendProblem,
  startFakeGateway,
} from './testing/fake-gateway.js';

const ACCOUNT = 'le1606809';
const TARGET = 'https://api.example.com/orders';

let gateway: FakeGateway;

beforeAll(async () => {
  gateway = await startFakeGateway();
});

afterAll(async () => {
  await gateway.close();
});

beforeEach(() => {
  gateway.received.length = 0;
  gateway.handle((_request, response) => sendJson(response, 200, []));
});

function clientWith(options: Partial<MtlsGatewayClientOptions> = {}) {
  return createMtlsGatewayClient({
    baseUrl: gateway.url,
    accountId: ACCOUNT,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  } as MtlsGatewayClientOptions & { accountId: string });
}

const unavailable: FakeHandler = (_request, response) => sendProblem(response, 503, 'unavailable');
const ok: FakeHandler = (_request, response) => sendJson(response, 200, []);

describe('retries', () => {
  it('retries an idempotent call on 503 of the gateway until it succeeds', async () => {
    gateway.queue(unavailable, unavailable);
    await expect(clientWith().certificates.list()).resolves.toEqual([]);
    expect(gateway.received).toHaveLength(3);
  });

  it('gives up after maxRetries and throws the last error', async () => {
    gateway.handle(unavailable);
    await expect(clientWith({ maxRetries: 3 }).mappings.list()).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(4);
  });

  it('retries 429, 502 and 504 but not 500', async () => {
    gateway.queue(
      (_request, response) => sendProblem(response, 429, 'rate_limited', 'slow down', { 'Retry-After': '0' }),
      (_request, response) => sendProblem(response, 502, 'internal_error'),
      (_request, response) => sendProblem(response, 504, 'internal_error'),
    );
    await clientWith({ maxRetries: 3 })
      .certificates.get(1)
      .catch(() => {});
    expect(gateway.received).toHaveLength(4);

    gateway.received.length = 0;
    gateway.handle((_request, response) => sendProblem(response, 500, 'internal_error'));
    await expect(clientWith().certificates.get(1)).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(1);
  });

  it('retries a management answer without LP-gateway-error (a load balancer in front)', async () => {
    gateway.queue((_request, response) => response.writeHead(502).end('bad gateway'));
    await expect(clientWith().certificates.list()).resolves.toEqual([]);
    expect(gateway.received).toHaveLength(2);
  });

  it('honours Retry-After in seconds', async () => {
    gateway.queue((_request, response) =>
      sendProblem(response, 429, 'rate_limited', 'wait', { 'Retry-After': '1' }),
    );
    const started = Date.now();
    await clientWith().certificates.list();
    expect(gateway.received).toHaveLength(2);
    const waited = (gateway.received[1]?.at ?? 0) - (gateway.received[0]?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('honours Retry-After as an HTTP date', async () => {
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    gateway.queue((_request, response) =>
      sendProblem(response, 503, 'unavailable', 'down', { 'Retry-After': inTwoSeconds }),
    );
    await clientWith().certificates.list();
    const waited = (gateway.received[1]?.at ?? 0) - (gateway.received[0]?.at ?? 0);
    // The date has a one-second resolution: the wait is between 1 and 2 seconds.
    expect(waited).toBeGreaterThanOrEqual(900);
  });

  it('caps a long Retry-After at maxRetryAfterMs', async () => {
    gateway.queue((_request, response) =>
      sendProblem(response, 429, 'rate_limited', 'wait', { 'Retry-After': '3600' }),
    );
    const started = Date.now();
    await clientWith({ retry: { maxRetryAfterMs: 50 } }).certificates.list();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(gateway.received).toHaveLength(2);
  });

  it('throws RateLimitError with retryAfterSeconds once retries are spent', async () => {
    gateway.handle((_request, response) =>
      sendProblem(response, 429, 'rate_limited', 'wait', { 'Retry-After': '0' }),
    );
    const error = await clientWith({ maxRetries: 1 })
      .certificates.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterSeconds).toBe(0);
    expect(gateway.received).toHaveLength(2);
  });

  it('never retries a forward POST or PATCH, certificate create, or the p12 test', async () => {
    gateway.handle(unavailable);
    const client = clientWith({ maxRetries: 3 });
    await expect(client.forward({ method: 'POST', url: TARGET, body: 'x' })).rejects.toBeInstanceOf(
      ServerError,
    );
    await expect(client.forward({ method: 'PATCH', url: TARGET, body: 'x' })).rejects.toBeInstanceOf(
      ServerError,
    );
    await expect(client.certificates.create({ name: 'c', p12: [1], password: '' })).rejects.toBeInstanceOf(
      ServerError,
    );
    await expect(
      client.testP12({ file: new Uint8Array([1]), password: '', url: TARGET }),
    ).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(4);
  });

  it('retries a forward GET on a gateway 503, but returns a passthrough 503 of the remote', async () => {
    const client = clientWith({ maxRetries: 3 });
    gateway.queue(unavailable);
    gateway.handle((_request, response) =>
      response.writeHead(200, { 'content-type': 'text/plain' }).end('fine'),
    );
    const retried = await client.forward({ method: 'GET', url: TARGET });
    expect(await retried.text()).toBe('fine');
    expect(gateway.received).toHaveLength(2);

    gateway.received.length = 0;
    gateway.handle((_request, response) =>
      response.writeHead(503, { 'content-type': 'text/plain' }).end('remote down'),
    );
    const passthrough = await client.forward({ method: 'GET', url: TARGET });
    expect(passthrough.status).toBe(503);
    expect(await passthrough.text()).toBe('remote down');
    expect(gateway.received).toHaveLength(1);
  });

  it('re-sends the same body on each attempt of a forward PUT', async () => {
    gateway.queue(unavailable);
    gateway.handle((_request, response) => response.writeHead(204).end());
    await clientWith().forward({ method: 'PUT', url: TARGET, body: 'same body' });
    expect(gateway.received.map((request) => request.body.toString())).toEqual(['same body', 'same body']);
  });

  it('never retries a stream body, which arrives intact', async () => {
    const chunks = ['first chunk|', 'second chunk|', 'x'.repeat(100_000)];
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      });
    gateway.handle((_request, response) => response.writeHead(200).end('ok'));
    const response = await clientWith().forward({ method: 'PUT', url: TARGET, body: stream() });
    expect(response.status).toBe(200);
    expect(gateway.received[0]?.body.toString()).toBe(chunks.join(''));
    // Streamed, not buffered first: no length was known up front.
    expect(gateway.received[0]?.headers['transfer-encoding']).toBe('chunked');

    gateway.received.length = 0;
    gateway.handle(unavailable);
    await expect(
      clientWith({ maxRetries: 3 }).forward({ method: 'PUT', url: TARGET, body: stream() }),
    ).rejects.toBeInstanceOf(ServerError);
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]?.body.toString()).toBe(chunks.join(''));
  });

  it('streams the remote answer body back', async () => {
    gateway.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.write('part one, ');
      setTimeout(() => response.end('part two'), 50);
    });
    const response = await clientWith().forward({ method: 'GET', url: TARGET });
    expect(response.body).toBeInstanceOf(ReadableStream);
    expect(await response.text()).toBe('part one, part two');
  });

  it('retries connection errors of idempotent calls, then throws ConnectionError', async () => {
    const closedPort = await unusedPort();
    const events: MtlsGatewayLogEvent[] = [];
    const client = createMtlsGatewayClient({
      baseUrl: `http://127.0.0.1:${closedPort}`,
      accountId: ACCOUNT,
      maxRetries: 2,
      retry: { baseDelayMs: 1 },
      logger: (event) => events.push(event),
    });
    const error = await client.certificates.list().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toMatch(/ECONNREFUSED/);
    expect(events.filter((event) => event.type === 'request')).toHaveLength(3);

    events.length = 0;
    await expect(client.forward({ method: 'POST', url: TARGET, body: 'x' })).rejects.toBeInstanceOf(
      ConnectionError,
    );
    expect(events.filter((event) => event.type === 'request')).toHaveLength(1);
  });
});

describe('timeouts and aborts', () => {
  it('gives each attempt a fresh timeout', async () => {
    // Attempt 1 is too slow; attempt 2 answers within its own timeout although the total exceeds it.
    gateway.queue(answerLate(400, ok), answerLate(150, ok));
    const result = await clientWith({ timeoutMs: 250, maxRetries: 1 }).certificates.list();
    expect(result).toEqual([]);
    expect(gateway.received).toHaveLength(2);
  });

  it('throws TimeoutError once every attempt timed out', async () => {
    gateway.handle(answerLate(1_000, ok));
    const started = Date.now();
    const error = await clientWith({ timeoutMs: 100, maxRetries: 2 })
      .certificates.list()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('timeout');
    expect(gateway.received).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('bounds a forward until its headers only, so a slow remote body can stream', async () => {
    gateway.handle((_request, response) => {
      response.writeHead(200);
      response.write('a');
      setTimeout(() => response.end('b'), 300);
    });
    const response = await clientWith({ timeoutMs: 100 }).forward({ method: 'GET', url: TARGET });
    expect(await response.text()).toBe('ab');
  });

  it('turns an abort of the caller into AbortError, without retrying', async () => {
    gateway.handle(answerLate(1_000, ok));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await clientWith({ maxRetries: 3 })
      .certificates.list({ signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortError);
    expect(gateway.received).toHaveLength(1);
  });

  it('an abort during the wait between retries ends the call', async () => {
    gateway.handle((_request, response) =>
      sendProblem(response, 503, 'unavailable', 'down', { 'Retry-After': '5' }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(clientWith().certificates.list({ signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(gateway.received).toHaveLength(1);
  });

  it('an already aborted signal sends nothing', async () => {
    await expect(
      clientWith().forward({ method: 'GET', url: TARGET, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortError);
    expect(gateway.received).toHaveLength(0);
  });
});

describe('logger', () => {
  it('reports request, response, retry and error events', async () => {
    const events: MtlsGatewayLogEvent[] = [];
    gateway.queue(unavailable);
    await clientWith({ logger: (event) => events.push(event) }).certificates.list();
    expect(events.map((event) => event.type)).toEqual([
      'request',
      'response',
      'retry',
      'request',
      'response',
    ]);
    expect(events[0]).toMatchObject({
      operation: 'certificates.list',
      method: 'GET',
      url: `${gateway.url}/mtls/account/${ACCOUNT}/certificates`,
      attempt: 1,
    });
    expect(events[1]).toMatchObject({
      status: 503,
      gatewayError: 'unavailable',
      requestId: 'req-unavailable',
    });
    expect(events[2]).toMatchObject({ reason: 'status 503', attempt: 1 });
    expect(events[4]).toMatchObject({ status: 200, attempt: 2 });
  });

  it('never reports credentials, overrides, passwords or p12 bytes', async () => {
    const events: MtlsGatewayLogEvent[] = [];
    const secrets = {
      token: 'gateway-secret-token-1234',
      override: 'Bearer remote-secret-5678',
      password: 'p12-password-9012',
      p12: new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x42, 0x13, 0x37, 0x99, 0x01]),
    };
    const p12Base64 = Buffer.from(secrets.p12).toString('base64');
    const client = clientWith({ auth: { bearer: secrets.token }, logger: (event) => events.push(event) });
    gateway.handle((_request, response) =>
      sendProblem(response, 400, 'p12_wrong_password', 'wrong password'),
    );
    await client
      .forward({ method: 'POST', url: TARGET, authorizationOverride: secrets.override, body: 'x' })
      .catch(() => {});
    await client
      .testP12({
        file: secrets.p12,
        password: secrets.password,
        url: TARGET,
        authorizationOverride: secrets.override,
      })
      .catch(() => {});
    await client.certificates
      .create({ name: 'c', p12: secrets.p12, password: secrets.password })
      .catch(() => {});
    await client.certificates
      .createFromFile({ file: secrets.p12, name: 'c', password: secrets.password })
      .catch(() => {});
    await client.certificates.update(1, { p12: secrets.p12, password: secrets.password }).catch(() => {});

    // The secrets did reach the gateway…
    expect(
      gateway.received.some((request) => request.headers.authorization === `Bearer ${secrets.token}`),
    ).toBe(true);
    expect(gateway.received.some((request) => request.body.toString().includes(secrets.password))).toBe(true);
    expect(gateway.received.some((request) => request.body.toString().includes(p12Base64))).toBe(true);
    // …and none of them reached the log.
    expect(events.length).toBeGreaterThanOrEqual(10);
    const logged = JSON.stringify(events);
    for (const secret of [secrets.token, secrets.override, 'remote-secret', secrets.password, p12Base64]) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).not.toMatch(/authorization/i);
  });

  it('a throwing logger does not break calls', async () => {
    const client = clientWith({
      logger: () => {
        throw new Error('logger down');
      },
    });
    await expect(client.certificates.list()).resolves.toEqual([]);
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
