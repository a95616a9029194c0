/**
 * The upstream of the performance benchmark when nginx is not installed, in its own process: the same
 * routes as the nginx upstream (`/whoami` → the client certificate's subject, `/download/<bytes>.bin` → that
 * many bytes, `POST /upload` → the whole body read, then `ok`, anything else → `ok`), on two HTTPS
 * listeners: one that requires a client certificate, one that does not (the direct row: wrk cannot present
 * one).
 *
 * Environment: UPSTREAM_CERT, UPSTREAM_KEY, UPSTREAM_CA (PEM files). Prints
 * `listening mtls=<port> direct=<port>` once ready.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';

const cert = readFileSync(process.env.UPSTREAM_CERT as string);
const key = readFileSync(process.env.UPSTREAM_KEY as string);
const ca = readFileSync(process.env.UPSTREAM_CA as string);
const chunk = Buffer.alloc(64 * 1024, 0x61);

function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  if (url === '/whoami') {
    const peer = (request.socket as TLSSocket).getPeerCertificate?.();
    request.resume();
    response.end(peer?.subject ? `CN=${peer.subject.CN}` : '');
    return;
  }
  const download = /^\/download\/(\d+)\.bin$/.exec(url);
  if (download) {
    request.resume();
    let left = Number(download[1]);
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) });
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!response.write(piece)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
    return;
  }
  // Read the whole body before answering (as nginx's buffered /upload does), then `ok`.
  request.on('data', () => undefined);
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  });
}

async function listen(requestCert: boolean): Promise<number> {
  const server = createServer({ cert, key, ca, requestCert, rejectUnauthorized: requestCert }, handle);
  server.keepAliveTimeout = 75_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const mtls = await listen(true);
const direct = await listen(false);
process.stdout.write(`listening mtls=${mtls} direct=${direct}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
