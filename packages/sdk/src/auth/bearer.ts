import { type RequestAuthenticator, withAuthorizationHeader } from './authenticator.js';
import { AuthConfigurationError } from './errors.js';

/**
 * A Bearer token, or a function that returns the current one. The function is called for every
 * request, so it can refresh an expiring token; caching is up to it.
 *
 * @example
 * ```ts
 * const fixed: BearerTokenSource = process.env.MTLS_TOKEN ?? '';
 * const refreshed: BearerTokenSource = async () => (await tokenCache.current()).accessToken;
 * ```
 */
export type BearerTokenSource = string | (() => string | Promise<string>);

// Visible ASCII without spaces: every b64token (RFC 6750 §2.1) and JWT fits, and nothing that
// could break or split the header does.
const SENDABLE_TOKEN = /^[\x21-\x7e]+$/;

function checkToken(token: unknown, origin: string): asserts token is string {
  if (typeof token !== 'string' || token === '') {
    throw new AuthConfigurationError(
      `The Bearer token ${origin} is empty; pass the token issued for your account.`,
    );
  }
  if (/^bearer\s/i.test(token)) {
    throw new AuthConfigurationError(
      `The Bearer token ${origin} starts with "Bearer "; pass the token alone, the prefix is added for you.`,
    );
  }
  if (!SENDABLE_TOKEN.test(token)) {
    // Never quote the token: it is a secret.
    throw new AuthConfigurationError(
      `The Bearer token ${origin} contains spaces, control or non-ASCII characters and cannot be sent in a header; check for stray whitespace.`,
    );
  }
}

/**
 * Creates an authenticator that sends `Authorization: Bearer <token>` (an administrator user's or an
 * LPA token, or one made with `mtls-gateway tokens create`). With a provider function, it is called per request.
 *
 * @throws {AuthConfigurationError} when the token (or a token the provider returns) is empty or not sendable.
 *
 * @example
 * ```ts
 * const auth = createBearerAuth(() => tokenStore.currentToken());
 * const response = await fetch(await auth.sign(new Request('https://gateway.example/mtls/account/123/certificates')));
 * ```
 */
export function createBearerAuth(tokenOrProvider: BearerTokenSource): RequestAuthenticator {
  if (typeof tokenOrProvider === 'string') {
    checkToken(tokenOrProvider, 'passed to createBearerAuth');
  } else if (typeof tokenOrProvider !== 'function') {
    throw new AuthConfigurationError('createBearerAuth needs a token string or a function that returns one.');
  }
  return {
    async sign(request: Request): Promise<Request> {
      const token = typeof tokenOrProvider === 'string' ? tokenOrProvider : await tokenOrProvider();
      if (typeof tokenOrProvider !== 'string') checkToken(token, 'returned by the token provider');
      return withAuthorizationHeader(request, `Bearer ${token}`);
    },
  };
}
