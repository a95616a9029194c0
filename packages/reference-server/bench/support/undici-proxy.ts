/**
 * The ceiling of the performance benchmark, run as its own process: the least a Node forwarder can do — a
 * `node:http` server handing each request to an undici `Pool` per origin (target from `LP-forward-url`)
 * that presents one fixed client certificate. No authentication, no mapping or certificate lookup, no
 * validation, no metrics, no logs; hop-by-hop, `Host`, `Authorization` and `LP-*` headers dropped, bodies
 * streamed both ways. Same undici and the same pool shape as the gateway (keep-alive, 64 connections).
 *
 * With CEILING_FRAMEWORK=fastify the same forwarding runs as the handler of one Fastify route (no logger, no
 * hooks, the body passed through as a stream, the answer sent with `reply.send(stream)`): the difference to the
 * bare ceiling is what Fastify's request lifecycle alone costs per request.
 *
 * Environment: CEILING_CERT, CEILING_KEY, CEILING_CA (PEM files), CEILING_PORT (default 0),
 * CEILING_FRAMEWORK (`http` default, or `fastify`). Prints `listening on http://127.0.0.1:<port>` once ready.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import tls from 'node:tls';
import Fastify from 'fastify';
import { type Dispatcher, Pool } from 'undici';

const secureContext = tls.createSecureContext({
  cert: readFileSync(process.env.CEILING_CERT as string),
  key: readFileSync(process.env.CEILING_KEY as string),
  ca: readFileSync(process.env.CEILING_CA as string),
});
const pools = new Map<string, Pool>();
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'authorization',
  'expect',
]);

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, {
      connections: 64,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      connect: { secureContext, rejectUnauthorized: true },
    });
    pools.set(origin, pool);
  }
  return pool;
}

function fail(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(502, { 'content-type': 'text/plain' });
  response.end(String((error as Error)?.message ?? error));
}

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Readable;
}

/** Sends the request to the `LP-forward-url` target through its origin's pool. */
async function exchange(
  method: string,
  requestHeaders: IncomingHttpHeaders,
  rawHeaders: string[],
  body: Readable,
): Promise<Answer> {
  const target = new URL(String(requestHeaders['lp-forward-url']));
  const headers: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    if (DROPPED.has(name) || name.startsWith('lp-')) continue;
    headers.push(rawHeaders[index] as string, rawHeaders[index + 1] as string);
  }
  const hasBody = requestHeaders['content-length'] !== undefined || requestHeaders['transfer-encoding'];
  const answer: Dispatcher.ResponseData = await poolFor(target.origin).request({
    path: `${target.pathname}${target.search}`,
    method: method as Dispatcher.HttpMethod,
    headers,
    body: hasBody && method !== 'GET' && method !== 'HEAD' ? body : null,
  });
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !DROPPED.has(name) && name !== 'content-length') out[name] = value;
  }
  const length = answer.headers['content-length'];
  if (typeof length === 'string') out['content-length'] = length;
  return { statusCode: answer.statusCode, headers: out, body: answer.body as unknown as Readable };
}

async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const answer = await exchange(request.method as string, request.headers, request.rawHeaders, request);
  response.writeHead(answer.statusCode, answer.headers);
  // `.pipe`, not `stream.pipeline`: on Node 20 each pipeline builds an AbortController and, once done, an
  // AbortError (a DOMException with its stack trace): ~10 % of this proxy's CPU time per request.
  answer.body.once('error', () => response.destroy());
  answer.body.pipe(response);
}

/** The same forwarding as one Fastify route. */
function fastifyServer() {
  const app = Fastify({ logger: false, keepAliveTimeout: 72_000 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.all('/mtls/account/:accountId', async (request, reply) => {
    const answer = await exchange(request.method, request.headers, request.raw.rawHeaders, request.raw);
    return reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
  });
  return app;
}

const port = Number(process.env.CEILING_PORT ?? 0);
const printAddress = (address: ReturnType<ReturnType<typeof createServer>['address']>) => {
  const bound = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${bound}\n`);
};
let close: () => void;
if (process.env.CEILING_FRAMEWORK === 'fastify') {
  const app = fastifyServer();
  await app.listen({ port, host: '127.0.0.1' });
  printAddress(app.server.address());
  close = () => {
    app.server.closeAllConnections();
    app.close().catch(() => undefined);
  };
} else {
  const server = createServer((request, response) => {
    forward(request, response).catch((error: unknown) => fail(response, error));
  });
  server.keepAliveTimeout = 72_000;
  server.listen(port, '127.0.0.1', () => printAddress(server.address()));
  close = () => {
    server.close();
    server.closeAllConnections();
  };
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    close();
    for (const pool of pools.values()) pool.destroy().catch(() => undefined);
    setTimeout(() => process.exit(0), 200).unref();
  });
}
