import { copyHeaders } from '../headers.js';
import { UnsignableRequestError } from './errors.js';

/**
 * Something that adds credentials to an outgoing request. Both the OAuth 1.0a signer and the Bearer
 * authenticator implement it, so any fetch-based client can use either.
 *
 * @example
 * ```ts
 * const auth: RequestAuthenticator = createBearerAuth(process.env.MTLS_TOKEN ?? '');
 * const response = await fetch(await auth.sign(new Request('https://gateway.example/healthz')));
 * ```
 */
export interface RequestAuthenticator {
  /** Returns a copy of `request` that carries an `Authorization` header; `request` itself is left untouched. */
  sign(request: Request): Promise<Request>;
}

/**
 * A copy of `request` with `Authorization` set.
 *
 * The body moves to the copy (`request` is marked used) instead of being cloned: a clone tees the stream and
 * the unread branch would buffer a whole streamed upload in memory. Sign before reading or retrying; a retry
 * builds and signs a new request (with a new nonce) anyway.
 *
 * @example
 * ```ts
 * const signed = withAuthorizationHeader(request, 'Bearer abc');
 * ```
 */
export function withAuthorizationHeader(request: Request, authorization: string): Request {
  assertBodyUnread(request);
  const headers = copyHeaders(request.headers);
  headers.set('Authorization', authorization);
  return new Request(request, { headers });
}

/**
 * A request whose body was already read cannot be copied with that body; say so instead of a TypeError.
 *
 * @example
 * ```ts
 * assertBodyUnread(request); // throws UnsignableRequestError when request.bodyUsed
 * ```
 */
export function assertBodyUnread(request: Request): void {
  if (request.bodyUsed) {
    throw new UnsignableRequestError(
      'The body of the request was already read, so a signed copy cannot carry it; sign the request before reading its body.',
    );
  }
}
