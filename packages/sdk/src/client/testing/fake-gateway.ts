/**
 * A scriptable stand-in for the gateway in tests: a real `node:http` server on 127.0.0.1 (port 0) that records
 * every request it receives (method, path, query, headers, body bytes) and answers as the test says —
 * problem+json answers carry `LP-gateway-error` like the real gateway's. Node-only, test-only.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface ReceivedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Milliseconds since the server started, when the request's headers arrived. */
  at: number;
  /** The body parsed as JSON. */
  json(): unknown;
  /** The body parsed as multipart form data (with the runtime's own parser). */
  form(): Promise<FormData>;
}

/** Answers one request; may be async (e.g. to answer late). What it returns is ignored. */
export type FakeHandler = (request: ReceivedRequest, response: ServerResponse) => unknown;

/** A running fake gateway. */
export interface FakeGateway {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  received: ReceivedRequest[];
  /** Replace the handler (default: 200 `{}`). */
  handle(handler: FakeHandler): void;
  /** Answer the next requests with these handlers in turn; after them, the current handler answers. */
  queue(...handlers: FakeHandler[]): void;
  close(): Promise<void>;
}

/**
 * Starts a fake gateway.
 *
 * @example
 * ```ts
 * const gateway = await startFakeGateway((request, response) => sendJson(response, 200, []));
 * // … call gateway.url …
 * expect(gateway.received[0]?.path).toBe('/mtls/account/le1/certificates');
 * await gateway.close();
 * ```
 */
export async function startFakeGateway(
  handler: FakeHandler = (_request, response) => sendJson(response, 200, {}),
): Promise<FakeGateway> {
  let current = handler;
  const queued: FakeHandler[] = [];
  const received: ReceivedRequest[] = [];
  const started = Date.now();
  const server = createServer((request, response) => {
    const at = Date.now() - started;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const body = Buffer.concat(chunks);
      const contentType = String(request.headers['content-type'] ?? '');
      const recorded: ReceivedRequest = {
        method: request.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body,
        at,
        json: () => JSON.parse(body.toString('utf8')),
        form: () =>
          new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData(),
      };
      received.push(recorded);
      const answer = queued.shift() ?? current;
      Promise.resolve(answer(recorded, response)).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    handle(next) {
      current = next;
    },
    queue(...handlers) {
      queued.push(...handlers);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Writes a JSON answer.
 *
 * @example
 * ```ts
 * sendJson(response, 201, { id: 1 }, { 'X-Request-Id': 'req-1' });
 * ```
 */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/**
 * Writes an answer of the gateway itself: RFC 9457 problem+json with `LP-gateway-error` and `X-Request-Id`.
 *
 * @example
 * ```ts
 * sendProblem(response, 404, 'not_found', 'Certificate 42 does not exist in account le1.');
 * ```
 */
export function sendProblem(
  response: ServerResponse,
  status: number,
  code: string,
  detail = `Problem ${code}.`,
  headers: Record<string, string> = {},
): void {
  const requestId = `req-${code}`;
  response.writeHead(status, {
    'content-type': 'application/problem+json',
    'LP-gateway-error': code,
    'X-Request-Id': requestId,
    ...headers,
  });
  response.end(
    JSON.stringify({
      type: `https://mtls-gateway.dev/problems/${code}`,
      title: code,
      status,
      detail,
      code,
      requestId,
    }),
  );
}

/**
 * Answers after `ms` milliseconds (unless the client went away).
 *
 * @example
 * ```ts
 * gateway.queue(answerLate(500, (request, response) => sendJson(response, 200, [])));
 * ```
 */
export function answerLate(ms: number, handler: FakeHandler): FakeHandler {
  return (request, response) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        if (!response.destroyed) void handler(request, response);
        resolve();
      }, ms);
      response.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
}

/** A certificate as the gateway returns it, for answers. */
export function certificateFixture(id: number, name = `Cert${id}`): Record<string, unknown> {
  return {
    id,
    deleted: false,
    name,
    displayName: name,
    siteId: 'le1606809',
    status: 'Available',
    expirationDate: '2027-06-30T12:00:00.000Z',
  };
}

/** A mapping as the gateway returns it, for answers. */
export function mappingFixture(id: number, certificationId: number, url: string): Record<string, unknown> {
  return {
    id,
    deleted: false,
    url,
    enable: true,
    serviceName: 'WEBHOOKS',
    siteId: 'le1606809',
    name: 'Cert1',
    certificationId,
  };
}
