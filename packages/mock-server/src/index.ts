/**
 * `@mtls-gateway/mock-server`: a stateful mock of the mTLS Gateway API as MSW handlers — every operation of
 * the spec, typed against it with openapi-msw, validating requests with the spec's own schemas, parsing
 * uploaded PKCS#12 files with the SDK, and answering problems exactly as the reference server does. No Node.js
 * built-ins here: use it with `@mtls-gateway/mock-server/node` (`setupMockServer`, the standalone server,
 * Prism) or `@mtls-gateway/mock-server/browser` (`setupMockWorker`).
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * import { createMockHandlers, createMockState } from '@mtls-gateway/mock-server';
 *
 * const state = createMockState({ certificates: [{ accountId: 'le1606809', name: 'Cert1' }] });
 * const server = setupServer(...createMockHandlers(state));
 * server.listen();
 * state.scenarios.once('listCertificates', { status: 503 });
 * ```
 *
 * @module
 */

// API types and test files
export type { Certificate, CertificateStatus, Mapping, ServiceName } from './api-types.js';
// Time, coverage and persistence
export type { DurationInput } from './clock.js';
export { InvalidDurationError, MockClock, parseDuration } from './clock.js';
export type { CoverageOptions, CoverageReport, OperationCoverage, StatusCoverage } from './coverage.js';
export { coverageReport } from './coverage.js';
// Handlers and state
export type { MockHandlerOptions } from './handlers.js';
export { createMockHandlers } from './handlers.js';
export type { IdPosition } from './ids.js';
export { IdGenerator } from './ids.js';
export type { OperationSelection } from './operation-selection.js';
export type { MockPersistence, MockPersistOptions, StorageLike } from './persistence.js';
export { DEFAULT_PERSIST_KEY, persistMockState } from './persistence.js';
// Problems, spec and validation
export { MockProblem } from './problems.js';
export { BODY_LIMIT_BYTES, SCENARIO_HEADER, SCENARIO_QUERY_FLAG } from './request-pipeline.js';

// Scenarios
export type { MockScenario, ScenarioTarget } from './scenarios.js';
export { InvalidScenarioError, parseScenarioFlag, ScenarioRegistry } from './scenarios.js';
export type { MockSnapshot, SnapshotCertificate } from './snapshot.js';
export {
  InvalidSnapshotError,
  MOCK_SNAPSHOT_FORMAT,
  MOCK_SNAPSHOT_VERSION,
  readMockSnapshot,
} from './snapshot.js';
export type { OpenApiDocument, OperationId, SpecOperation } from './spec.js';
export { OPERATION_IDS, openApiDocument, specOperation, specOperations } from './spec.js';
export type {
  MockCall,
  MockSeed,
  MockStateChange,
  MockStateOptions,
  SeedCertificate,
  SeedMapping,
} from './state.js';
export { createMockState, MockState } from './state.js';
export type { CertificateFacts, StoredCertificate, StoredMapping } from './store.js';
export { GatewayStore } from './store.js';
export type { TestP12Options } from './test-p12.js';
export { createTestP12 } from './test-p12.js';
export { unhandledRequestWithoutBody } from './unhandled.js';
// The remote endpoint
export type { MockUpstream, PresentedCertificate, UpstreamContext, UpstreamEcho } from './upstream.js';
export { echoUpstream, UpstreamTransportError } from './upstream.js';
export type { RequestParameters } from './validation.js';
export { SpecValidator } from './validation.js';
