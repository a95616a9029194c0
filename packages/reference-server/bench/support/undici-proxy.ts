/**
 * The ceiling of the performance benchmark, run as its own process: the least a Node forwarder can do — a
 * `node:http` server handing each request to an undici `Pool` per origin (target from `LP-forward-url`)
 * that presents one fixed client certificate. No authentication, no mapping or certificate lookup, no
 * validation, no metrics, no logs; hop-by-hop, `Host`, `Authorization` and `LP-*` headers dropped, bodies
 * streamed both ways. Same undici and the same pool shape as the gateway (keep-alive, 64 connections).
 *
 * Environment: CEILING_CERT, CEILING_KEY, CEILING_CA (PEM files), CEILING_PORT (default 0). Prints
 * `listening on http://127.0.0.1:<port>` once ready.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import tls from 'node:tls';
import { Pool } from 'undici';

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

async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const target = new URL(String(request.headers['lp-forward-url']));
  const headers: string[] = [];
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase();
    if (DROPPED.has(name) || name.startsWith('lp-')) continue;
    headers.push(raw[index] as string, raw[index + 1] as string);
  }
  const hasBody = request.headers['content-length'] !== undefined || request.headers['transfer-encoding'];
  const answer = await poolFor(target.origin).request({
    path: `${target.pathname}${target.search}`,
    method: request.method as 'GET',
    headers,
    body: hasBody && request.method !== 'GET' && request.method !== 'HEAD' ? request : null,
  });
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && !DROPPED.has(name) && name !== 'content-length') out[name] = value;
  }
  const length = answer.headers['content-length'];
  if (typeof length === 'string') out['content-length'] = length;
  response.writeHead(answer.statusCode, out);
  // `.pipe`, not `stream.pipeline`: on Node 20 each pipeline builds an AbortController and, once done, an
  // AbortError (a DOMException with its stack trace): ~10 % of this proxy's CPU time per request.
  answer.body.once('error', () => response.destroy());
  answer.body.pipe(response);
}

const server = createServer((request, response) => {
  forward(request, response).catch((error: unknown) => fail(response, error));
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.CEILING_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    for (const pool of pools.values()) pool.destroy().catch(() => undefined);
    setTimeout(() => process.exit(0), 200).unref();
  });
}
