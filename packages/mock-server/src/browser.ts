/**
 * Browser entry of the mock (`@mtls-gateway/mock-server/browser`): MSW's service worker with the mock's
 * handlers, for running a frontend against the mock in development or in browser tests.
 *
 * The worker script must be served by the app: run `npx msw init public/ --save` once (it copies MSW's
 * `mockServiceWorker.js` into `public/`), and start the worker before the app makes its first request.
 *
 * @example
 * ```ts
 * import { setupMockWorker } from '@mtls-gateway/mock-server/browser';
 *
 * if (import.meta.env.DEV) await setupMockWorker().start();
 * // devtools: __mtlsMock.scenarios.set('listCertificates', { status: 503 })
 * ```
 *
 * @module
 */
import type { RequestHandler } from 'msw';
import { type SetupWorker, setupWorker } from 'msw/browser';
import { createMockHandlers, type MockHandlerOptions } from './handlers.js';
import type { ScenarioRegistry } from './scenarios.js';
import { createMockState, type MockSeed, type MockState } from './state.js';

/**
 * Options of {@link setupMockWorker}.
 *
 * @example
 * ```ts
 * const options: MockWorkerOptions = { baseUrl: 'https://mtls-gateway.example.com', exposeOnWindow: true };
 * ```
 */
export interface MockWorkerOptions extends MockHandlerOptions {
  /** The state to serve (default: a new one). */
  state?: MockState;
  /** Put a handle on `window.__mtlsMock` for the devtools console (default true). */
  exposeOnWindow?: boolean;
}

/**
 * What `window.__mtlsMock` holds: enough to steer the mock from the devtools console.
 *
 * @example
 * ```ts
 * const handle = (window as { __mtlsMock?: MockDevtoolsHandle }).__mtlsMock;
 * handle?.scenarios.set('createCertificates', { delayMs: 3_000 });
 * handle?.seed({ certificates: [{ accountId: 'le1606809', name: 'Cert9' }] });
 * ```
 */
export interface MockDevtoolsHandle {
  state: MockState;
  scenarios: ScenarioRegistry;
  /** Adds data to the current state. */
  seed(seed: MockSeed): void;
  /** Back to the initial state. */
  reset(): void;
  /** Everything stored (every account, deleted included), as the API shows it. */
  dump(): { certificates: unknown[]; mappings: unknown[] };
}

/**
 * The mock wired into MSW's service worker.
 *
 * @example
 * ```ts
 * const mock: MockWorker = setupMockWorker();
 * await mock.start();
 * ```
 */
export interface MockWorker {
  readonly state: MockState;
  readonly worker: SetupWorker;
  readonly handlers: RequestHandler[];
  /** Registers the worker (requests the mock does not serve pass through to the network by default). */
  start(options?: Parameters<SetupWorker['start']>[0]): ReturnType<SetupWorker['start']>;
  stop(): void;
  /** Drops handlers added with `worker.use()` and resets the state. */
  reset(): void;
}

/**
 * Sets up MSW's `setupWorker` with the mock's handlers, and (unless told not to) exposes
 * `window.__mtlsMock` to set scenarios, seed data or reset from the devtools console.
 *
 * @example
 * ```ts
 * import { setupMockWorker } from '@mtls-gateway/mock-server/browser';
 * import { createMockState } from '@mtls-gateway/mock-server';
 *
 * const mock = setupMockWorker({ state: createMockState({ certificates: [{ accountId: 'le1606809', name: 'Cert1' }] }) });
 * await mock.start({ serviceWorker: { url: '/mockServiceWorker.js' } });
 * ```
 */
export function setupMockWorker(options: MockWorkerOptions = {}): MockWorker {
  const state = options.state ?? createMockState();
  const handlers = createMockHandlers(state, options);
  const worker = setupWorker(...handlers);
  if (options.exposeOnWindow !== false) {
    const handle: MockDevtoolsHandle = {
      state,
      scenarios: state.scenarios,
      seed: (seed) => {
        state.seed(seed);
      },
      reset: () => state.reset(),
      dump: () => {
        const { certificates, mappings } = state.store.all();
        return {
          certificates: certificates.map((record) => state.store.toCertificate(record)),
          mappings: mappings.map((record) => state.store.toMapping(record)),
        };
      },
    };
    (globalThis as { __mtlsMock?: MockDevtoolsHandle }).__mtlsMock = handle;
  }
  return {
    state,
    worker,
    handlers,
    start: (startOptions) => worker.start({ onUnhandledRequest: 'bypass', ...startOptions }),
    stop: () => worker.stop(),
    reset: () => {
      worker.resetHandlers();
      state.reset();
    },
  };
}
