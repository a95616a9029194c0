/**
 * A request over `node:http` with a keep-alive agent, for what `fetch` cannot send (a GET with a body) and
 * to watch the connection itself: whether the request body was fully sent and whether the socket closed.
 */
import { Agent, request } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawExchange {
  /** The answer, as a Fetch `Response` (for the recorder). */
  response: Response;
  /** Whether the whole request body went out. */
  uploadCompleted: boolean;
  /** Whether the connection was closed. */
  socketClosed: boolean;
}

/**
 * Sends the request and waits for the answer, then up to `settleMs` for the upload to complete or the
 * connection to close (a server that answers early must read the rest of the body or close).
 */
export function rawExchange(
  url: string,
  init: { method: string; headers: Record<string, string>; body: Uint8Array; settleMs?: number },
): Promise<RawExchange> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true });
  const send = target.protocol === 'https:' ? httpsRequest : request;
  return new Promise((resolve, reject) => {
    let uploadCompleted = false;
    let socketClosed = false;
    let answered = false;
    const deadline = setTimeout(() => {
      outgoing.destroy();
      agent.destroy();
      reject(new Error(`${init.method} ${url}: no complete answer within 20 s`));
    }, 20_000);
    const outgoing = send(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method,
        headers: { ...init.headers, 'content-length': String(init.body.byteLength) },
        agent,
      },
      (incoming) => {
        answered = true;
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          const status = incoming.statusCode ?? 0;
          const body = init.method === 'HEAD' || status === 204 ? null : Buffer.concat(chunks);
          const settle = Date.now() + (init.settleMs ?? 3_000);
          const poll = () => {
            if (uploadCompleted || socketClosed || Date.now() > settle) {
              clearTimeout(deadline);
              agent.destroy();
              resolve({ response: new Response(body, { status, headers }), uploadCompleted, socketClosed });
            } else {
              setTimeout(poll, 50);
            }
          };
          poll();
        });
      },
    );
    outgoing.on('finish', () => {
      uploadCompleted = true;
    });
    outgoing.on('close', () => {
      socketClosed = true;
      if (!answered) {
        clearTimeout(deadline);
        agent.destroy();
        reject(new Error(`${init.method} ${url}: the connection closed without an answer`));
      }
    });
    // A server that answers early and closes makes the rest of the upload fail: that is fine.
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    outgoing.end(init.body);
  });
}
