/**
 * The mocks as contract targets: the MSW handlers in-process (`setupMockServer`, requests intercepted before
 * any socket), the same handlers as the standalone HTTP server (`startMockServer`), and Prism serving the
 * spec (`startPrismMock`). The MSW mocks call the contract upstream as their `upstream` function around
 * their own echo; nothing leaves the process.
 */
import { createMockState } from '@mtls-gateway/mock-server';
import {
  type MockServer,
  setupMockServer,
  startMockServer,
  startPrismMock,
} from '@mtls-gateway/mock-server/node';
import { type Cleanup, runCleanups } from '../support/cleanups.js';
import type { ContractEnvironment, Target } from '../support/target.js';
import { contractMockUpstream, UNREACHABLE_HOST } from '../support/upstream.js';

const MOCK_LIMIT_BYTES = 10 * 1024 * 1024;

/** What the MSW mocks cannot do, by design (see the mock's README), with the reason. */
const MOCK_UNSUPPORTED: ContractEnvironment['unsupported'] = {
  credentialCheck: 'the mock accepts any non-empty Authorization (it has no credential store)',
  permissions: 'the mock has no permission model: every credential may read and write every account',
  rateLimit: 'the mock has no rate limit (a 429 is a scenario: X-Mock-Scenario: 429)',
  getBody: 'the mock runs its handlers on Fetch Requests, which cannot carry a GET body',
};

function mockEnvironment(baseUrl: string): Omit<ContractEnvironment, 'unsupported'> {
  return {
    baseUrl,
    accountId: 'le-contract-1',
    token: 'mock-token',
    allAccountsToken: 'mock-token',
    upstream: { url: 'https://upstream.contract.test', unreachableUrl: `https://${UNREACHABLE_HOST}` },
    limits: { bodyBytes: MOCK_LIMIT_BYTES },
  };
}

/** The MSW handlers, intercepting the global `fetch` in this test file's process. */
export function mswMockTarget(): Target & { mock(): MockServer } {
  let mock: MockServer | undefined;
  return {
    name: 'MSW mock (in-process)',
    mock: () => {
      if (!mock) throw new Error('the MSW mock is not started');
      return mock;
    },
    async start() {
      const state = createMockState({ upstream: contractMockUpstream });
      mock = setupMockServer({ state });
      mock.listen({ onUnhandledRequest: 'error' });
      // A loopback address nothing listens on: if MSW ever let a request through, it would fail locally.
      return {
        ...mockEnvironment('http://127.0.0.1:9'),
        unsupported: { ...MOCK_UNSUPPORTED, rawHttp: 'MSW intercepts fetch in-process: there is no socket' },
      };
    },
    async stop() {
      mock?.close();
      mock = undefined;
    },
  };
}

/** The standalone mock (`mtls-mock`), over real HTTP on loopback. */
export function standaloneMockTarget(): Target {
  const cleanups: Cleanup[] = [];
  return {
    name: 'standalone mock (HTTP)',
    async start() {
      const state = createMockState({ upstream: contractMockUpstream });
      const server = await startMockServer({ port: 0, state });
      cleanups.unshift(['standalone mock', () => server.close()]);
      return { ...mockEnvironment(server.url), unsupported: MOCK_UNSUPPORTED };
    },
    stop: () => runCleanups(cleanups.splice(0)),
  };
}

/** Why Prism runs only the scenarios that hold for a stateless mock answering the spec's examples. */
const PRISM_STATELESS = 'Prism keeps no state: every answer is the spec’s example';
const PRISM_NO_UPSTREAM = 'Prism calls no upstream: forwarding answers the spec’s example';
const PRISM_OWN_ERRORS =
  'Prism answers invalid requests with its own problem (no code, requestId or LP-gateway-error)';

/** Prism 5 validates a multipart part as text whatever its Content-Type, so a JSON part is never an object. */
export const PRISM_JSON_PART =
  'Prism refuses the documented JSON `certificate` part (its validator reads every part as a string: "certificate must be object")';

/** Prism mocking the bundled spec (stateless, example answers). */
export function prismMockTarget(): Target {
  const cleanups: Cleanup[] = [];
  return {
    name: 'Prism mock',
    async start() {
      const prism = await startPrismMock();
      cleanups.unshift(['prism', () => prism.close()]);
      return {
        baseUrl: prism.url,
        accountId: 'le1606809',
        token: 'prism-token',
        // Never called: Prism answers forwarding with the example.
        upstream: { url: 'https://upstream.contract.test' },
        unsupported: {
          stateful: PRISM_STATELESS,
          upstream: PRISM_NO_UPSTREAM,
          transportFailure: PRISM_NO_UPSTREAM,
          p12Validation: 'Prism does not read PKCS#12 files',
          multipartJsonPart: PRISM_JSON_PART,
          requestValidation: PRISM_OWN_ERRORS,
          payloadLimit: PRISM_OWN_ERRORS,
          authentication: 'Prism does not check credentials of the OAuth1 scheme, so answers without them',
          credentialCheck: 'Prism checks no credentials',
          permissions: 'Prism checks no permissions',
          rateLimit: 'Prism has no rate limit',
        },
        skipScenarios: {
          'the OpenAPI document served is the spec the suite checks against':
            'Prism answers /openapi.yaml with the spec’s example (`openapi: 3.1.0`), not the document',
        },
      };
    },
    stop: () => runCleanups(cleanups.splice(0)),
  };
}
