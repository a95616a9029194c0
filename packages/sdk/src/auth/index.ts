/**
 * Request authentication for the mTLS Gateway: OAuth 1.0a (RFC 5849) and Bearer, as plain
 * `Request → Request` authenticators and as openapi-fetch middleware. Web APIs only.
 */
export type { RequestAuthenticator } from './authenticator.js';
export type { BearerTokenSource } from './bearer.js';
export { createBearerAuth } from './bearer.js';
export type { AuthErrorCode } from './errors.js';
export {
  AuthConfigurationError,
  AuthError,
  OAuthHeaderSyntaxError,
  UnsignableRequestError,
} from './errors.js';
export { bearerMiddleware, oauth1Middleware } from './middleware.js';
export type {
  OAuth1Signer,
  OAuth1SignerOptions,
  OAuthParameters,
  OAuthSignatureMethod,
  SignatureBaseStringInput,
} from './oauth1.js';
export {
  baseStringUri,
  buildAuthorizationHeader,
  createOAuth1Signer,
  normalizeParameters,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  signHmac,
} from './oauth1.js';
