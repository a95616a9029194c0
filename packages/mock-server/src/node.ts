/**
 * Node.js entry of the mock (`@mtls-gateway/mock-server/node`): MSW's `setupServer` for vitest / jest, the
 * standalone HTTP mock server and a Prism launcher.
 *
 * @example
 * ```ts
 * import { setupMockServer } from '@mtls-gateway/mock-server/node';
 *
 * const mock = setupMockServer();
 * beforeAll(() => mock.listen());
 * afterEach(() => mock.reset());
 * afterAll(() => mock.close());
 * ```
 *
 * @module
 */
import type { RequestHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { createMockHandlers, type MockHandlerOptions } from './handlers.js';
import { createMockState, type MockState } from './state.js';
import { unhandledRequestWithoutBody } from './unhandled.js';

export type { MockCliOptions } from './cli.js';
export { MOCK_CLI_USAGE, MockCliUsageError, parseMockCliArguments, readSeedFile, runMockCli } from './cli.js';
export type { PrismMockOptions, PrismProxyOptions, RunningPrismMock } from './prism.js';
export {
  BUNDLED_SPEC_PATH,
  findFreePort,
  PrismStartError,
  resolvePrismCli,
  startPrismMock,
  startPrismProxy,
} from './prism.js';
export type { RunningMockServer, StandaloneMockOptions } from './standalone.js';
export { startMockServer } from './standalone.js';

/**
 * Options of {@link setupMockServer}.
 *
 * @example
 * ```ts
 * const options: MockServerOptions = { state: createMockState({ idSeed: 7 }), baseUrl: 'https://gw.example.com' };
 * ```
 */
export interface MockServerOptions extends MockHandlerOptions {
  /** The state to serve (default: a new one). */
  state?: MockState;
}

/**
 * The mock wired into MSW's Node.js interceptor.
 *
 * @example
 * ```ts
 * const mock: MockServer = setupMockServer();
 * mock.state.scenarios.set('listCertificates', { status: 503 });
 * ```
 */
export interface MockServer {
  readonly state: MockState;
  /** MSW's server: `use()` extra handlers, listen to its events… */
  readonly server: SetupServer;
  readonly handlers: RequestHandler[];
  /**
   * Starts intercepting. Requests no handler serves fail the test unless told otherwise: MSW's `'error'`
   * strategy, but printing the method and URL only ({@link unhandledRequestWithoutBody}), as MSW's own
   * `'warn'` / `'error'` print the body. The operations left out by `operations` are passed through all the same.
   */
  listen(options?: Parameters<SetupServer['listen']>[0]): void;
  /** Between tests: drops handlers added with `server.use()` and resets the state (seed, ids, scenarios). */
  reset(): void;
  /** Stops intercepting. */
  close(): void;
}

/**
 * Sets up MSW's `setupServer` with the mock's handlers: `fetch` (and anything on Node's http stack) to the
 * gateway's paths is answered in-process, on any origin unless `baseUrl` says otherwise. With `operations`,
 * only those are mocked: the others reach the gateway at the request's URL (passthrough mode).
 *
 * @example
 * ```ts
 * import { setupMockServer } from '@mtls-gateway/mock-server/node';
 * import { createMtlsGatewayClient } from '@mtls-gateway/sdk';
 *
 * const mock = setupMockServer();
 * beforeAll(() => mock.listen());
 * afterEach(() => mock.reset());
 * afterAll(() => mock.close());
 *
 * test('lists certificates', async () => {
 *   mock.state.addCertificate({ accountId: 'le1606809', name: 'Cert1' });
 *   const client = createMtlsGatewayClient({ baseUrl: 'https://gw.example.com', accountId: 'le1606809', auth });
 *   expect(await client.certificates.list()).toHaveLength(1);
 * });
 *
 * // Passthrough mode: uploads are mocked, every other operation reaches the staging gateway.
 * const partial = setupMockServer({ operations: ['createCertificates', 'createCertificateFromFile'] });
 * ```
 */
export function setupMockServer(options: MockServerOptions = {}): MockServer {
  const state = options.state ?? createMockState();
  const handlers = createMockHandlers(state, options);
  const server = setupServer(...handlers);
  return {
    state,
    server,
    handlers,
    listen: (listenOptions) =>
      server.listen({ onUnhandledRequest: unhandledRequestWithoutBody('error'), ...listenOptions }),
    reset: () => {
      server.resetHandlers();
      state.reset();
    },
    close: () => server.close(),
  };
}
