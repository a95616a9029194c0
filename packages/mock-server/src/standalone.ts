/**
 * The mock as a real HTTP server (`node:http`): Node requests become Fetch `Request`s and run through the
 * same MSW handlers with `getResponse`, so `curl`, a browser app on another port or any language's client can
 * use it. Node-only.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { createMockHandlers } from './handlers.js';
import { MockProblem, problemResponse } from './problems.js';
import { BODY_LIMIT_BYTES, routeNotFound, SCENARIO_HEADER } from './request-pipeline.js';
import { createMockState, type MockState } from './state.js';

/**
 * Options of {@link startMockServer}.
 *
 * @example
 * ```ts
 * const options: StandaloneMockOptions = { port: 0, host: '127.0.0.1', state: createMockState() };
 * ```
 */
export interface StandaloneMockOptions {
  /** Port to listen on (default 4010; `0` picks a free one). */
  port?: number;
  /** Address to listen on (default `127.0.0.1`: loopback only). */
  host?: string;
  /** The state to serve (default: a new one). */
  state?: MockState;
  /** Answer CORS preflights and add CORS headers, for browser apps on another origin (default true). */
  cors?: boolean;
}

/**
 * A running standalone mock.
 *
 * @example
 * ```ts
 * const mock: RunningMockServer = await startMockServer({ port: 0 });
 * await fetch(`${mock.url}/healthz`);
 * await mock.close();
 * ```
 */
export interface RunningMockServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  host: string;
  state: MockState;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

// Headers a browser app must be able to read from the mock's answers.
const EXPOSED_HEADERS = [
  'LP-gateway-error',
  'X-Request-Id',
  'WWW-Authenticate',
  'LP-message-from-transport',
  'LP-error-from-transport',
  'Retry-After',
  'Allow',
].join(', ');

function corsHeaders(request: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': request.headers.origin ?? '*',
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
}

class BodyTooLargeError extends Error {}

/** Reads the whole body (the mock never needs to stream), refusing more than the gateway would accept. */
async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > BODY_LIMIT_BYTES) throw new BodyTooLargeError();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function toFetchRequest(request: IncomingMessage, fallbackHost: string): Promise<Request> {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? fallbackHost}`);
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index] as string;
    // HTTP/2 pseudo-headers and `host` are not valid Fetch request headers.
    if (!name.startsWith(':')) headers.append(name, raw[index + 1] as string);
  }
  const method = request.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(request);
  return new Request(url, {
    method,
    headers,
    body: body && body.byteLength > 0 ? new Uint8Array(body) : null,
  });
}

async function writeResponse(
  response: Response,
  reply: ServerResponse,
  options: { head: boolean; extraHeaders: Record<string, string> },
): Promise<void> {
  const body = options.head ? Buffer.alloc(0) : Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = { ...options.extraHeaders };
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'content-length' && name !== 'transfer-encoding')
      headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (!options.head) headers['content-length'] = String(body.byteLength);
  reply.writeHead(response.status, response.statusText || undefined, headers);
  reply.end(body);
}

/**
 * Starts the mock as an HTTP server with every operation of the spec (the same handlers as MSW uses, so the
 * same state, validation, p12 checks and scenarios). Unknown paths get the gateway's 404 `route_not_found`;
 * a `networkError` scenario closes the connection without an answer.
 *
 * @example
 * ```ts
 * import { startMockServer } from '@mtls-gateway/mock-server/node';
 *
 * const mock = await startMockServer({ port: 0 });
 * const response = await fetch(`${mock.url}/mtls/account/le1606809/certificates`, {
 *   headers: { Authorization: 'Bearer anything' },
 * });
 * await mock.close();
 * ```
 */
export async function startMockServer(options: StandaloneMockOptions = {}): Promise<RunningMockServer> {
  const state = options.state ?? createMockState();
  const host = options.host ?? '127.0.0.1';
  const cors = options.cors ?? true;
  const handlers = createMockHandlers(state);

  const server = createServer((incoming, reply) => {
    void (async () => {
      const extraHeaders = cors ? corsHeaders(incoming) : {};
      if (cors && incoming.method === 'OPTIONS' && incoming.headers['access-control-request-method']) {
        reply.writeHead(204, {
          ...extraHeaders,
          'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
          'Access-Control-Allow-Headers':
            incoming.headers['access-control-request-headers'] ??
            `Authorization, Content-Type, ${SCENARIO_HEADER}`,
          'Access-Control-Max-Age': '600',
        });
        reply.end();
        return;
      }
      let response: Response;
      try {
        const request = await toFetchRequest(incoming, `${host}:${port}`);
        response = (await getResponse(handlers, request)) ?? routeNotFound(state, request, []);
      } catch (error) {
        const problem =
          error instanceof BodyTooLargeError
            ? new MockProblem(
                'payload_too_large',
                `The request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes.`,
              )
            : new MockProblem('internal_error', 'The mock failed to read the request.');
        response = problemResponse(problem, { requestId: state.ids.nextRequestId() });
        // The rest of an oversized body is not read: close the connection once answered.
        reply.setHeader('Connection', 'close');
      }
      if (response.type === 'error') {
        // A `networkError` scenario: no answer at all, as a dropped connection.
        incoming.socket.destroy();
        return;
      }
      await writeResponse(response, reply, { head: incoming.method === 'HEAD', extraHeaders });
    })().catch(() => {
      if (!reply.headersSent) reply.writeHead(500);
      reply.end();
    });
  });

  server.listen(options.port ?? 4010, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    state,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
