/**
 * `@mtls-gateway/sdk`: the typed client of the mTLS Gateway API, its errors, and request authentication
 * (OAuth 1.0a, Bearer). Web APIs only: runs in browsers, edge runtimes and Node. Node-only parts (the direct
 * mTLS client, the gateway `IMTLSClient`, reading files) are in `@mtls-gateway/sdk/node`; PKCS#12 tools in
 * `@mtls-gateway/sdk/p12`.
 *
 * @example
 * ```ts
 * import { createMtlsGatewayClient, NotFoundError } from '@mtls-gateway/sdk';
 *
 * const client = createMtlsGatewayClient({
 *   baseUrl: 'https://mtls-gateway.example.com',
 *   accountId: 'le1606809',
 *   auth: { bearer: process.env.MTLS_TOKEN! },
 * });
 * const certificates = await client.certificates.list();
 * const { data, requestId } = await client.certificates.list({ timeoutMs: 5_000 }).withResponse();
 * const response = await client.forward({ method: 'GET', url: 'https://api.example.com/status' });
 * ```
 */

// The spec's operations, schemas and problem codes (from @mtls-gateway/contract)
export type { components, operations, ProblemCode, paths } from '@mtls-gateway/contract';
// Request authentication (OAuth 1.0a and Bearer), also usable with any fetch-based client. Verifying
// signatures (parsing an incoming header, the base string, HMAC) is `@mtls-gateway/contract/oauth1`.
export type {
  AuthErrorCode,
  BearerTokenSource,
  OAuth1Signer,
  OAuth1SignerOptions,
  OAuthParameters,
  OAuthSignatureMethod,
  RequestAuthenticator,
} from './auth/index.js';
export {
  AuthConfigurationError,
  AuthError,
  bearerMiddleware,
  buildAuthorizationHeader,
  createBearerAuth,
  createOAuth1Signer,
  oauth1Middleware,
  UnsignableRequestError,
} from './auth/index.js';
export type { APIPromise, WithResponse } from './client/api-promise.js';
export type { CertificatesResource, CertificateWriteOptions } from './client/certificates.js';
export { clearDiscoveryCache, DEFAULT_CSDS_BASE_URL } from './client/discovery.js';
export type { ForwardingResource } from './client/forwarding.js';
// The gateway client
export type {
  MtlsGatewayAuth,
  MtlsGatewayBaseClient,
  MtlsGatewayClient,
  MtlsGatewayClientOptions,
  MtlsGatewayCommonOptions,
  MtlsGatewayDiscoveryOptions,
  MtlsGatewayFixedOptions,
} from './client/gateway-client.js';
export { createMtlsGatewayClient } from './client/gateway-client.js';
export type {
  MtlsGatewayErrorInfo,
  MtlsGatewayHooks,
  MtlsGatewayResponseHead,
} from './client/hooks.js';
export type { MtlsGatewayLogEvent, MtlsGatewayLogger, MtlsGatewayRequestInfo } from './client/logger.js';
export type { MappingsResource } from './client/mappings.js';
export type { RetryOptions } from './client/transport.js';
// API types, derived from the spec
export type {
  CallHeaders,
  CallOptions,
  Certificate,
  CertificateFileReplacementInput,
  CertificateFileUploadInput,
  CertificateId,
  CertificateReplacementInput,
  CertificateSaveResult,
  CertificateStatus,
  CertificateUploadInput,
  FileInput,
  ForwardMethod,
  ForwardRequest,
  Mapping,
  MappingCheck,
  MappingId,
  MappingTarget,
  P12Input,
  P12TestMethod,
  P12TestRequest,
  PassthroughBody,
  ServiceName,
} from './client/types.js';
// Errors
export type { ClientErrorCode, MtlsGatewayErrorCode, MtlsGatewayErrorDetails, Problem } from './errors.js';
export {
  AbortError,
  AuthenticationError,
  ConflictError,
  ConnectionError,
  DestinationBlockedError,
  DiscoveryError,
  errorFromResponse,
  InvalidArgumentError,
  MtlsGatewayError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  parseRetryAfter,
  RateLimitError,
  ServerError,
  TimeoutError,
  TransportFailureError,
  ValidationError,
} from './errors.js';
export type { ErrorHandlers, ErrorOfCode, MatchableErrorCode } from './match-error.js';
export { matchError } from './match-error.js';

/**
 * Version of this SDK.
 *
 * @example
 * ```ts
 * console.log(`@mtls-gateway/sdk ${sdkVersion}`);
 * ```
 */
export const sdkVersion = '0.1.0';
