/**
 * `prism proxy --errors <bundled spec> <server>` (the mock package's `startPrismProxy`): Prism's validation proxy in front of a
 * gateway. Prism checks each request and each answer against the spec; with `--errors` it answers an
 * invalid request itself and reports answers off the spec in an `sl-violations` header. The suite's own
 * recorder checks every answer too, and fails any answer that carries `sl-violations`.
 */
import { startPrismProxy as startPrismValidationProxy } from '@mtls-gateway/mock-server/node';
import type { ExtraResponseCheck } from '../support/recorder.js';
import type { ContractEnvironment } from '../support/target.js';
import { PRISM_JSON_PART } from './mocks.js';

export interface RunningPrismProxy {
  url: string;
  /** Prism's output so far (the tail). */
  readonly output: string;
  /** The recorder check: an answer must not carry `sl-violations`. */
  check: ExtraResponseCheck;
  /** What the proxy cannot carry, with the reason. */
  unsupported: ContractEnvironment['unsupported'];
  unsupportedOperations: Record<string, string>;
  skipScenarios: Record<string, string>;
  close(): Promise<void>;
}

/** Why scenarios that send invalid requests do not run through the proxy. */
export const PRISM_ANSWERS_INVALID_REQUESTS =
  'prism proxy --errors answers invalid requests itself (its own 4xx, never forwarded), so the gateway’s 400/401/413/415 are not reachable through it';

const PRISM_HEAD = 'prism proxy answers every HEAD with its own 500 (it cannot proxy HEAD)';
const PRISM_BINARY =
  'prism proxy re-encodes binary multipart parts as text when it forwards them: the PKCS#12 file arrives corrupt (400 p12_corrupt)';

/** Starts the proxy on a free loopback port and waits until `/healthz` answers through it. */
export async function startPrismProxy(upstreamUrl: string, timeoutMs = 90_000): Promise<RunningPrismProxy> {
  const prism = await startPrismValidationProxy(upstreamUrl, { timeoutMs });
  return {
    url: prism.url,
    get output() {
      return prism.output;
    },
    check: (response) => {
      const violations = response.headers.get('sl-violations');
      return violations ? [`Prism reports sl-violations: ${violations}`] : [];
    },
    unsupported: {
      requestValidation: PRISM_ANSWERS_INVALID_REQUESTS,
      authentication: PRISM_ANSWERS_INVALID_REQUESTS,
      credentialCheck: PRISM_ANSWERS_INVALID_REQUESTS,
      payloadLimit: PRISM_ANSWERS_INVALID_REQUESTS,
      rateLimit: 'the rate-limited instance is reached directly, not through the proxy',
      multipartJsonPart: PRISM_JSON_PART,
      head: PRISM_HEAD,
      binaryMultipart: PRISM_BINARY,
    },
    unsupportedOperations: {
      forwardHead: PRISM_HEAD,
      testP12: PRISM_BINARY,
      createCertificateFromFile: PRISM_JSON_PART,
      updateCertificateFromFile: PRISM_JSON_PART,
      createCertificateFromFileAlias: PRISM_JSON_PART,
      updateCertificateFromFileAlias: PRISM_JSON_PART,
    },
    skipScenarios: {},
    close: () => prism.close(),
  };
}
