/**
 * Errors of the OAuth 1.0a building blocks (`@mtls-gateway/contract/oauth1`). They say what is wrong with the
 * input, never carry an HTTP status (the layer that answers maps them: a server to its 400/401 problems, the SDK
 * to its own authentication errors), and their messages never quote secrets, signatures or header contents.
 */

/**
 * Stable codes of the errors of the OAuth 1.0a building blocks.
 *
 * @example
 * ```ts
 * const code: OAuth1ErrorCode = 'oauth_header_invalid';
 * ```
 */
export type OAuth1ErrorCode =
  | 'oauth_header_invalid'
  | 'oauth_url_unsignable'
  | 'oauth_signature_method_unsupported'
  | 'web_crypto_unavailable';

/**
 * Base class of every error of the OAuth 1.0a building blocks: catch it to handle them all, switch on `code`
 * to tell them apart.
 *
 * @example
 * ```ts
 * try {
 *   parseAuthorizationHeader(header);
 * } catch (error) {
 *   if (error instanceof OAuth1Error) console.error(error.code, error.message);
 * }
 * ```
 */
export abstract class OAuth1Error extends Error {
  override readonly name: string = 'OAuth1Error';
  /** Stable, machine-readable kind of the error. */
  abstract readonly code: OAuth1ErrorCode;
}

/**
 * An incoming `Authorization: OAuth …` header does not follow RFC 5849 §3.5.1 (not `name="value"` pairs, a
 * repeated parameter, a broken percent-escape…). The message names the position of the problem, never the
 * header's content. A server answers it as a malformed request.
 *
 * @example
 * ```ts
 * try {
 *   parseAuthorizationHeader('OAuth oauth_nonce=abc');
 * } catch (error) {
 *   if (error instanceof OAuthHeaderSyntaxError) throw new InvalidRequestError(error.message);
 * }
 * ```
 */
export class OAuthHeaderSyntaxError extends OAuth1Error {
  override readonly name = 'OAuthHeaderSyntaxError';
  readonly code = 'oauth_header_invalid';
}

/**
 * The URL is not an absolute `http:` or `https:` URL; OAuth 1.0a signs nothing else. The message never quotes
 * the URL (it may hold credentials).
 *
 * @example
 * ```ts
 * try {
 *   baseStringUri('ftp://example.com/file');
 * } catch (error) {
 *   if (error instanceof OAuthUnsignableUrlError) console.error(error.message);
 * }
 * ```
 */
export class OAuthUnsignableUrlError extends OAuth1Error {
  override readonly name = 'OAuthUnsignableUrlError';
  readonly code = 'oauth_url_unsignable';
}

/**
 * The signature method is not one of `HMAC-SHA1` and `HMAC-SHA256`.
 *
 * @example
 * ```ts
 * await signHmac(baseString, secret, undefined, 'PLAINTEXT' as OAuthSignatureMethod); // rejects with it
 * ```
 */
export class OAuthSignatureMethodError extends OAuth1Error {
  override readonly name = 'OAuthSignatureMethodError';
  readonly code = 'oauth_signature_method_unsupported';
}

/**
 * Web Crypto (`crypto.subtle`) is not available, so nothing can be signed: an old runtime, or a browser page
 * not served over HTTPS.
 *
 * @example
 * ```ts
 * signHmac(baseString, secret, undefined).catch((error) => {
 *   if (error instanceof WebCryptoUnavailableError) console.error(error.message);
 * });
 * ```
 */
export class WebCryptoUnavailableError extends OAuth1Error {
  override readonly name = 'WebCryptoUnavailableError';
  readonly code = 'web_crypto_unavailable';
}
