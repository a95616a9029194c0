/**
 * Request authentication for the mTLS Gateway: OAuth 1.0a (RFC 5849) and Bearer, as plain
 * `Request → Request` authenticators and as openapi-fetch middleware. Web APIs only. The RFC 5849 building
 * blocks a server needs to verify signatures (header parsing, base string, HMAC) are in
 * `@mtls-gateway/contract/oauth1`.
 */
export { buildAuthorizationHeader } from '@mtls-gateway/contract/oauth1';
export type { RequestAuthenticator } from './authenticator.js';
export type { BearerTokenSource } from './bearer.js';
export { createBearerAuth } from './bearer.js';
export type { AuthErrorCode } from './errors.js';
export { AuthConfigurationError, AuthError, UnsignableRequestError } from './errors.js';
export { bearerMiddleware, oauth1Middleware } from './middleware.js';
export type { OAuth1Signer, OAuth1SignerOptions, OAuthParameters, OAuthSignatureMethod } from './oauth1.js';
export { createOAuth1Signer } from './oauth1.js';
