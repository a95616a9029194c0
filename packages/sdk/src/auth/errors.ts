/**
 * Stable codes of the errors raised by the SDK's request authentication.
 *
 * @example
 * ```ts
 * import type { AuthErrorCode } from '@mtls-gateway/sdk';
 * const code: AuthErrorCode = 'auth_misconfigured';
 * ```
 */
export type AuthErrorCode = 'auth_misconfigured' | 'auth_request_unsignable';

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
  override readonly name: string = 'AuthError';
  /** Stable, machine-readable kind of the error. */
  abstract readonly code: AuthErrorCode;
  /** `undefined`: these errors are raised before anything is sent (kept so every SDK error has a `status`). */
  abstract readonly status: number | undefined;
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
  override readonly name = 'AuthConfigurationError';
  readonly code = 'auth_misconfigured' as const;
  readonly status = undefined;
}

/**
 * The request cannot be authenticated: its URL is not an absolute `http:`/`https:` URL (OAuth 1.0a signs
 * nothing else), or its body was already read, so a signed copy could not carry it. Authenticate a fresh
 * request before reading its body.
 *
 * @example
 * ```ts
 * signer.sign(new Request('ftp://example.com/file')).catch((error) => {
 *   if (error instanceof UnsignableRequestError) console.error(error.message);
 * });
 * ```
 */
export class UnsignableRequestError extends AuthError {
  override readonly name = 'UnsignableRequestError';
  readonly code = 'auth_request_unsignable' as const;
  readonly status = undefined;
}
