/**
 * The mTLS Gateway reference server: build the Fastify app from a config (or a context you assemble),
 * declare spec-driven routes, and run the `mtls-gateway` command line.
 *
 * @example
 * ```ts
 * import { buildApp, loadConfig } from '@mtls-gateway/reference-server';
 * const app = await buildApp(loadConfig());
 * await app.listen({ port: 8080, host: '127.0.0.1' });
 * ```
 */

// Constants of the problem catalogue, from their home (@mtls-gateway/contract)
export { GATEWAY_ERROR_HEADER, PROBLEM_TYPE_BASE, WWW_AUTHENTICATE_CHALLENGE } from '@mtls-gateway/contract';
// App and context
export type { BuildAppOptions, CreateGatewayContextOptions, OwnedGatewayContext } from './app.js';
export {
  buildApp,
  createGatewayContext,
  DEFAULT_SWEEP_INTERVAL_MS,
  RATE_LIMIT_EXEMPT_PATHS,
} from './app.js';
export type { ActiveApiToken, ApiTokenInfo } from './auth/api-tokens.js';
export { API_TOKEN_PREFIX, ApiTokenStore } from './auth/api-tokens.js';
// Authentication
export type { AuthenticatorOptions, RequestToAuthenticate } from './auth/authenticator.js';
export { Authenticator } from './auth/authenticator.js';
export type { ActiveOAuthCredential, NewOAuthCredential, OAuthCredentialInfo } from './auth/credentials.js';
export { InvalidScopeError, OAuthCredentialStore, validateScope } from './auth/credentials.js';
export type { JwtVerifierOptions } from './auth/jwt.js';
export { JwtVerifier } from './auth/jwt.js';
export { NonceStore } from './auth/nonce-store.js';
export type { OAuth1RequestToVerify, OAuth1VerifierOptions } from './auth/oauth1-verifier.js';
export { OAuth1Verifier } from './auth/oauth1-verifier.js';
export type {
  AuthSchemeKind,
  SecuredOperation,
  SecurityRequirement,
  SecuritySchemes,
} from './auth/operation-security.js';
export type { Principal } from './auth/principal.js';
export { ALL_ACCOUNTS, authorizeOperation } from './auth/principal.js';
// Route modules: certificates, mappings, forwarding and the p12 test
export type { CertificateRoutesOptions } from './certificates/index.js';
export {
  CertificateService,
  certificateRoutes,
  createCertificateRoutes,
  DEFAULT_PENDING_TIMEOUT_MS,
} from './certificates/index.js';
// Command line
export type { CliIo, TextSink } from './cli/cli.js';
export { runCli } from './cli/cli.js';
export { createDefaultRoutePlugins } from './cli/route-plugins.js';
// Configuration
export type {
  ConfigKey,
  GatewayConfig,
  LoadConfigOptions,
  LogLevel,
  MultipartLimits,
  UpstreamTimeouts,
  VaultConfig,
} from './config/config.js';
export { CONFIG_KEYS, ConfigError, loadConfig, readConfigFile } from './config/config.js';
// The SSRF guard
export { EgressPolicy, EgressRefusedError } from './egress/index.js';
// Problems: the errors the gateway answers with (a code of the contract's catalogue, which gives the status
// and title) and their mapping to HTTP answers
export type { GatewayErrorOptions, InputError, InputLocation, P12ProblemCode } from './errors.js';
export {
  BadGatewayError,
  CertificateFileRejectedError,
  CertificateNotFoundError,
  DestinationBlockedError,
  ForbiddenError,
  GatewayError,
  HeadersTooLargeError,
  InternalError,
  InvalidRequestError,
  MappingConflictError,
  MethodNotAllowedError,
  NameConflictError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  RequestTimeoutError,
  RouteNotFoundError,
  TransportFailureError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from './errors.js';
export type { Forwarding, ForwardingOptions } from './forwarding/index.js';
export { createForwarding, ForwardingEngine, forwardingRoutes } from './forwarding/index.js';
export type { GatewayContext, GatewayRoutePlugin } from './http/context.js';
export { createLogger, redactUrl, SENSITIVE_LOG_KEYS, scrubSecrets } from './http/logging.js';
// Spec-driven routes and validation
export type { OpenApiDocument, SpecOperation, SpecParameter, SpecRequestBody } from './http/openapi.js';
export { GatewaySpec, loadOpenApiDocument, OpenApiDocumentError } from './http/openapi.js';
export type { ProblemDocument, ProblemOrigin, ProblemResponse } from './http/problem.js';
export {
  buildProblem,
  PROBLEM_CONTENT_TYPE,
  problemResponse,
  problemStatus,
  sendProblem,
  toGatewayError,
} from './http/problem.js';
export { REQUEST_ID_PATTERN } from './http/request-id.js';
export type { SpecRouteOptions } from './http/spec-routes.js';
export { registerSpecRoute } from './http/spec-routes.js';
export type { OperationInput } from './http/validation.js';
export { RequestValidator } from './http/validation.js';
export type { MappingRoutesOptions } from './mappings/index.js';
export { createMappingRoutes, MappingService, mappingRoutes } from './mappings/index.js';
// Operations endpoints and metrics
export type { GaugeOptions, HistogramOptions, Labels, MetricOptions } from './operations/metrics.js';
export { Counter, Gauge, Histogram, MetricsRegistry } from './operations/metrics.js';
export type { Readiness } from './operations/routes.js';
export { checkReadiness, operationsRoutes } from './operations/routes.js';
// Composition: the services of one app, built once
export type {
  AuthenticatorDependencies,
  GatewayServices,
  GatewayServicesDependencies,
} from './services.js';
export { createAuthenticator, createGatewayServices } from './services.js';
// Storage: the change log every replica follows
export type { ChangeKind, ChangeRecord, LocalChange } from './storage/change-log.js';
export { ChangeLog } from './storage/change-log.js';
