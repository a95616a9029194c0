import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { createOAuth1Signer, type OAuthSignatureMethod } from '@mtls-gateway/sdk';

/** An answer read whole. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /** The body as sent, byte for byte. */
  bytes: Buffer;
}

/**
 * Sends a request with `node:http` to `target` (a loopback URL) with exactly the given headers — including
 * `Host`, which `fetch` does not let a caller choose.
 */
export function rawRequest(
  target: string,
  options: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: string | Buffer | Readable;
  } = {},
): Promise<RawResponse> {
  const url = new URL(target);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: bytes.toString('utf8'),
            bytes,
          });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (options.body instanceof Readable) options.body.pipe(outgoing);
    else outgoing.end(options.body);
  });
}

/** OAuth credentials for {@link oauthHeader}. */
export interface TestOAuthCredentials {
  consumerKey: string;
  consumerSecret: string;
}

/**
 * The `Authorization` header the SDK's signer produces for a request — signed for `url` as the client sees it
 * (which may name another host than the one the request is sent to).
 */
export async function oauthHeader(
  credentials: TestOAuthCredentials,
  url: string,
  init: RequestInit = {},
  options: { signatureMethod?: OAuthSignatureMethod; now?: () => number; nonce?: () => string } = {},
): Promise<string> {
  const signer = createOAuth1Signer({ ...credentials, ...options });
  const signed = await signer.sign(new Request(url, init));
  return signed.headers.get('authorization') ?? '';
}
