/**
 * Forwarding: the mTLS hot path (`forwardRequest`), keep-alive pools per certificate version (dropped within a
 * second of a certificate or mapping change, through the change log's watcher), the p12 test and the test
 * call of mapping activation.
 *
 * @example
 * ```ts
 * import { createForwarding } from './forwarding/index.js';
 * const forwarding = createForwarding();
 * const app = await buildApp(config, {
 *   routes: [certificateRoutes, createMappingRoutes({ validateUrl: forwarding.validateMappingUrl }), forwarding.routes],
 * });
 * ```
 */
export { assertDeclaredLengthWithin, BodyLimit, limitBody } from './body-limit.js';
export type {
  CertificateResolverOptions,
  CertificateSource,
  ResolvedCertificate,
} from './certificate-resolver.js';
export { CertificateResolver } from './certificate-resolver.js';
export type {
  ForwardingEngineOptions,
  ForwardRequestInput,
  OneOffCallInput,
  SocketOpenerFactory,
  UpstreamAnswer,
} from './forwarding-engine.js';
export { ForwardingEngine } from './forwarding-engine.js';
export type { CertificateLabel, ForwardingMetrics, UpstreamOutcome } from './forwarding-metrics.js';
export { registerForwardingMetrics } from './forwarding-metrics.js';
export type { Forwarding, ForwardingOptions } from './forwarding-routes.js';
export { createForwarding, FORWARD_OPERATION_IDS, forwardingRoutes } from './forwarding-routes.js';
export { awaitHandshakeVerdict, ClientCertificateRejectedError } from './handshake-verdict.js';
export { clientResponseHeaders, HOP_BY_HOP_HEADERS, upstreamRequestHeaders } from './headers.js';
export type { P12TestForm, P12TestFormLimits } from './p12-test-form.js';
export { readP12TestForm } from './p12-test-form.js';
export type { ForwardTarget } from './target-url.js';
export { parseForwardTarget } from './target-url.js';
export {
  CallerGoneError,
  sanitizeTransportText,
  toForwardingError,
  UpstreamTimeoutError,
} from './transport-errors.js';
export type { UpstreamPool, UpstreamPoolKey, UpstreamPoolsOptions } from './upstream-pools.js';
export { UpstreamPools } from './upstream-pools.js';
export { UpstreamCaFileError, UpstreamTls } from './upstream-tls.js';
