/**
 * OAuth 1.0a request signing (RFC 5849). The RFC's pieces — base string, percent-encoding, HMAC signing, the
 * `Authorization` header — come from `@mtls-gateway/contract/oauth1`, which the gateway's server verifies
 * with, so signer and verifier cannot drift apart. Web APIs only (Web Crypto, URL, TextEncoder), so it runs in
 * browsers, edge runtimes and Node.
 */
import {
  buildAuthorizationHeader,
  isOAuthSignatureMethod,
  OAuth1Error,
  type OAuthSignatureMethod,
  OAuthUnsignableUrlError,
  signatureBaseString,
  signHmac,
} from '@mtls-gateway/contract/oauth1';
import { assertBodyUnread, type RequestAuthenticator, withAuthorizationHeader } from './authenticator.js';
import { AuthConfigurationError, type AuthError, UnsignableRequestError } from './errors.js';

export type { OAuthParameters, OAuthSignatureMethod } from '@mtls-gateway/contract/oauth1';

/**
 * Options of {@link createOAuth1Signer}.
 *
 * @example
 * ```ts
 * const options: OAuth1SignerOptions = { consumerKey: 'key', consumerSecret: 'secret' };
 * ```
 */
export interface OAuth1SignerOptions {
  /** The client identifier (`oauth_consumer_key`). */
  consumerKey: string;
  /** The client shared secret. Never sent; only used as part of the HMAC key. */
  consumerSecret: string;
  /** The token identifier (`oauth_token`), when the credentials include one. */
  token?: string;
  /** The token shared secret; requires `token`. */
  tokenSecret?: string;
  /** Defaults to `HMAC-SHA1`, which every OAuth 1.0a server accepts. */
  signatureMethod?: OAuthSignatureMethod;
  /** Sent as the `realm` parameter of the header; not part of the signature. */
  realm?: string;
  /** Current time in **milliseconds** (like `Date.now`, the default); the timestamp is sent in seconds. */
  now?: () => number;
  /** Produces `oauth_nonce`; defaults to 16 random bytes from `crypto.getRandomValues`, hex encoded. */
  nonce?: () => string;
}

/**
 * Signs requests with OAuth 1.0a; see {@link createOAuth1Signer}.
 *
 * @example
 * ```ts
 * const signer: OAuth1Signer = createOAuth1Signer({ consumerKey: 'key', consumerSecret: 'secret' });
 * const signed = await signer.sign(new Request('https://gateway.example/mtls/account/123/certificates'));
 * ```
 */
export interface OAuth1Signer extends RequestAuthenticator {
  /** Returns a copy of `request` with `Authorization: OAuth …`; the original and its body stay usable. */
  sign(request: Request): Promise<Request>;
}

/**
 * The SDK's error for a failure of the contract's signing functions: a URL OAuth 1.0a cannot sign is
 * {@link UnsignableRequestError}, anything else (no Web Crypto, an unknown method) {@link AuthConfigurationError}.
 */
function asAuthError(error: OAuth1Error): AuthError {
  return error instanceof OAuthUnsignableUrlError
    ? new UnsignableRequestError(error.message, { cause: error })
    : new AuthConfigurationError(error.message, { cause: error });
}

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function isFormRequest(request: Request): boolean {
  const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

function requireText(value: unknown, option: string, hint: string): asserts value is string {
  if (typeof value !== 'string' || value === '') {
    throw new AuthConfigurationError(`OAuth 1.0a option "${option}" must be a non-empty string; ${hint}.`);
  }
}

/**
 * Creates an OAuth 1.0a signer (RFC 5849 §3.1). Each `sign` call adds a fresh nonce and timestamp and an
 * `Authorization: OAuth …` header covering the method, URL, query and — for
 * `application/x-www-form-urlencoded` requests — the form parameters. Other bodies are not signed
 * (OAuth 1.0a does not cover them) and are passed on untouched.
 *
 * @throws {AuthConfigurationError} when a credential is missing or the signature method is unknown.
 *
 * @example
 * ```ts
 * const signer = createOAuth1Signer({
 *   consumerKey: process.env.MTLS_CONSUMER_KEY!,
 *   consumerSecret: process.env.MTLS_CONSUMER_SECRET!,
 *   signatureMethod: 'HMAC-SHA256',
 * });
 * const response = await fetch(await signer.sign(new Request('https://gateway.example/mtls/account/123/certificates')));
 * ```
 */
export function createOAuth1Signer(options: OAuth1SignerOptions): OAuth1Signer {
  const { consumerKey, consumerSecret, token, tokenSecret, realm } = options;
  const signatureMethod = options.signatureMethod ?? 'HMAC-SHA1';
  const now = options.now ?? Date.now;
  const nonce = options.nonce ?? randomNonce;

  requireText(consumerKey, 'consumerKey', 'pass the consumer key of your API credentials');
  requireText(consumerSecret, 'consumerSecret', 'pass the consumer secret of your API credentials');
  if (token !== undefined) requireText(token, 'token', 'omit it when your credentials have no token');
  if (tokenSecret !== undefined && token === undefined) {
    throw new AuthConfigurationError(
      'OAuth 1.0a option "tokenSecret" was given without "token"; pass both or neither.',
    );
  }
  if (!isOAuthSignatureMethod(signatureMethod)) {
    throw new AuthConfigurationError(
      'OAuth 1.0a option "signatureMethod" must be "HMAC-SHA1" or "HMAC-SHA256".',
    );
  }

  return {
    async sign(request: Request): Promise<Request> {
      const timestamp = Math.floor(now() / 1000);
      if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
        throw new AuthConfigurationError(
          'OAuth 1.0a option "now" must return the current time in milliseconds, like Date.now().',
        );
      }
      const oauthNonce = nonce();
      requireText(oauthNonce, 'nonce', 'the nonce function must return a fresh non-empty string');

      const oauthParams: Record<string, string> = {
        oauth_consumer_key: consumerKey,
        oauth_nonce: oauthNonce,
        oauth_signature_method: signatureMethod,
        oauth_timestamp: String(timestamp),
        ...(token === undefined ? {} : { oauth_token: token }),
        oauth_version: '1.0',
      };

      let formBody: string | undefined;
      if (request.body !== null && isFormRequest(request)) {
        assertBodyUnread(request);
        // Read from a clone so the body still goes out with the signed request.
        formBody = await request.clone().text();
      }

      let signature: string;
      try {
        const baseString = signatureBaseString({
          method: request.method,
          url: request.url,
          oauthParams,
          ...(formBody === undefined ? {} : { formBody }),
        });
        signature = await signHmac(baseString, consumerSecret, tokenSecret, signatureMethod);
      } catch (error) {
        throw error instanceof OAuth1Error ? asAuthError(error) : error;
      }
      const header = buildAuthorizationHeader({
        ...(realm === undefined ? {} : { realm }),
        ...oauthParams,
        oauth_signature: signature,
      });
      return withAuthorizationHeader(request, header);
    },
  };
}
