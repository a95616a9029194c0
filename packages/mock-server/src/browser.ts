/**
 * Browser entry of the mock (`@mtls-gateway/mock-server/browser`): MSW's service worker with the mock's
 * handlers, for running a frontend against the mock in development or in browser tests.
 *
 * The worker script must be served by the app: run `npx msw init public/ --save` once (it copies MSW's
 * `mockServiceWorker.js` into `public/`), and start the worker before the app makes its first request.
 * The worker starts quiet: MSW's console log of every request (bodies included, so upload passwords and
 * PKCS#12 files) is off unless `start({ quiet: false })` asks for it.
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
import type { MockClock } from './clock.js';
import { createMockHandlers, type MockHandlerOptions } from './handlers.js';
import { type MockPersistence, type MockPersistOptions, persistMockState } from './persistence.js';
import type { ScenarioRegistry } from './scenarios.js';
import { createMockState, type MockSeed, type MockState } from './state.js';

/**
 * Options of {@link setupMockWorker}.
 *
 * @example
 * ```ts
 * const options: MockWorkerOptions = {
 *   baseUrl: 'https://mtls-gateway.example.com',
 *   exposeOnWindow: true,
 *   persist: { key: 'mtls-mock', storage: localStorage },
 * };
 * ```
 */
export interface MockWorkerOptions extends MockHandlerOptions {
  /** The state to serve (default: a new one). */
  state?: MockState;
  /** Put a handle on `window.__mtlsMock` for the devtools console (default true). */
  exposeOnWindow?: boolean;
  /**
   * Keep the state across page reloads (default off): restored at setup, saved after each change, forgotten
   * by `reset()`. `true` saves to `localStorage` under `mtls-mock`; see {@link persistMockState}.
   */
  persist?: boolean | MockPersistOptions;
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
  /** The mock's time: `advance('30d')`, `set(date)`, `now()`. */
  clock: MockClock;
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
  /** The state's persistence, when `persist` asked for it. */
  readonly persistence: MockPersistence | undefined;
  /**
   * Registers the worker. Defaults: `quiet: true` (MSW logs nothing; `quiet: false` logs every request with
   * its body, upload passwords and files included) and `onUnhandledRequest: 'bypass'` (requests the mock does
   * not serve go to the network).
   */
  start(options?: Parameters<SetupWorker['start']>[0]): ReturnType<SetupWorker['start']>;
  stop(): void;
  /** Drops handlers added with `worker.use()` and resets the state (and forgets the persisted one). */
  reset(): void;
}

/**
 * Sets up MSW's `setupWorker` with the mock's handlers, and (unless told not to) exposes
 * `window.__mtlsMock` to set scenarios, seed data or reset from the devtools console. With `persist`, the
 * state is restored from `localStorage` now and saved there after each change.
 *
 * @example
 * ```ts
 * import { setupMockWorker } from '@mtls-gateway/mock-server/browser';
 * import { createMockState } from '@mtls-gateway/mock-server';
 *
 * const mock = setupMockWorker({
 *   state: createMockState({ certificates: [{ accountId: 'le1606809', name: 'Cert1' }] }),
 *   persist: true, // demo data survives reloads
 *   operations: { except: ['forwardGet', 'forwardPost'] }, // forwarding goes to the real gateway
 * });
 * await mock.start({ serviceWorker: { url: '/mockServiceWorker.js' } }); // quiet unless { quiet: false }
 * ```
 */
export function setupMockWorker(options: MockWorkerOptions = {}): MockWorker {
  const state = options.state ?? createMockState();
  const handlers = createMockHandlers(state, options);
  const persistence =
    options.persist === undefined || options.persist === false
      ? undefined
      : persistMockState(state, options.persist === true ? {} : options.persist);
  const worker = setupWorker(...handlers);
  if (options.exposeOnWindow !== false) {
    const handle: MockDevtoolsHandle = {
      state,
      scenarios: state.scenarios,
      clock: state.clock,
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
    persistence,
    // Quiet: MSW would log every request with its body (upload passwords, PKCS#12 files) to the console.
    start: (startOptions) =>
      worker.start({ onUnhandledRequest: 'bypass', ...startOptions, quiet: startOptions?.quiet ?? true }),
    stop: () => worker.stop(),
    reset: () => {
      worker.resetHandlers();
      state.reset();
    },
  };
}
