import type { Middleware } from 'openapi-fetch';
import type { RequestAuthenticator } from './authenticator.js';
import { type BearerTokenSource, createBearerAuth } from './bearer.js';
import { createOAuth1Signer, type OAuth1SignerOptions } from './oauth1.js';

function authenticationMiddleware(authenticator: RequestAuthenticator): Middleware {
  return {
    onRequest: ({ request }) => authenticator.sign(request),
  };
}

/**
 * openapi-fetch middleware that signs every request with OAuth 1.0a (see {@link createOAuth1Signer}).
 * Options are checked once, when the middleware is created.
 *
 * @example
 * ```ts
 * import createClient from 'openapi-fetch';
 * const client = createClient<paths>({ baseUrl: 'https://gateway.example' });
 * client.use(oauth1Middleware({ consumerKey: 'key', consumerSecret: 'secret' }));
 * ```
 */
export function oauth1Middleware(options: OAuth1SignerOptions): Middleware {
  return authenticationMiddleware(createOAuth1Signer(options));
}

/**
 * openapi-fetch middleware that sends `Authorization: Bearer <token>` on every request; a provider
 * function is called for each request.
 *
 * @example
 * ```ts
 * import createClient from 'openapi-fetch';
 * const client = createClient<paths>({ baseUrl: 'https://gateway.example' });
 * client.use(bearerMiddleware(async () => tokenStore.currentToken()));
 * ```
 */
export function bearerMiddleware(tokenOrProvider: BearerTokenSource): Middleware {
  return authenticationMiddleware(createBearerAuth(tokenOrProvider));
}
