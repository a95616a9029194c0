/**
 * Stable codes of the errors raised by the SDK's request authentication.
 *
 * @example
 * ```ts
 * import type { AuthErrorCode } from '@mtls-gateway/sdk';
 * const code: AuthErrorCode = 'oauth_header_invalid';
 * ```
 */
export type AuthErrorCode = 'auth_misconfigured' | 'oauth_header_invalid' | 'auth_request_unsignable';

/**
 * Base class of every authentication error: catch it to handle them all, switch on `code` to tell
 * them apart. Messages never contain secrets, tokens or signatures.
 *
 * @example
 * ```ts
 * try {
 *   await signer.sign(request);
 * } catch (error) {
 *   if (error instanceof AuthError) console.error(error.code, error.message);
 * }
 * ```
 */
export abstract class AuthError extends Error {
  /** Stable, machine-readable kind of the error. */
  abstract readonly code: AuthErrorCode;
  /** The HTTP status a server answers with when it meets this error, if any. */
  abstract readonly status: number | undefined;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The authentication options are unusable (for example an empty consumer key, an unknown signature
 * method, or a Bearer token that cannot be sent in a header). Fix the configuration; retrying will not help.
 *
 * @example
 * ```ts
 * try {
 *   createOAuth1Signer({ consumerKey: '', consumerSecret: 's' });
 * } catch (error) {
 *   if (error instanceof AuthConfigurationError) console.error(error.message);
 * }
 * ```
 */
export class AuthConfigurationError extends AuthError {
  readonly code = 'auth_misconfigured' as const;
  readonly status = undefined;
}

/**
 * An `Authorization: OAuth …` header does not follow RFC 5849 §3.5.1. Servers answer 400.
 * The message names the position of the problem, never the header's content.
 *
 * @example
 * ```ts
 * try {
 *   parseAuthorizationHeader('OAuth oauth_nonce=abc');
 * } catch (error) {
 *   if (error instanceof OAuthHeaderSyntaxError) reply.code(error.status).send(error.message);
 * }
 * ```
 */
export class OAuthHeaderSyntaxError extends AuthError {
  readonly code = 'oauth_header_invalid' as const;
  readonly status = 400;
}

/**
 * The request cannot be authenticated: its URL is not an absolute `http:`/`https:` URL (OAuth 1.0a signs
 * nothing else), or its body was already read, so a signed copy could not carry it. Authenticate a fresh
 * request before reading its body.
 *
 * @example
 * ```ts
 * try {
 *   baseStringUri('ftp://example.com/file');
 * } catch (error) {
 *   if (error instanceof UnsignableRequestError) console.error(error.message);
 * }
 * ```
 */
export class UnsignableRequestError extends AuthError {
  readonly code = 'auth_request_unsignable' as const;
  readonly status = undefined;
}
