/**
 * `prism proxy --errors openapi/generated/mtls.json <server>`: Prism's validation proxy in front of a
 * gateway. Prism checks each request and each answer against the spec; with `--errors` it answers an
 * invalid request itself and reports answers off the spec in an `sl-violations` header. The suite's own
 * recorder checks every answer too, and fails any answer that carries `sl-violations`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { findFreePort, resolvePrismCli } from '@mtls-gateway/mock-server/node';
import type { ExtraResponseCheck } from '../support/recorder.js';
import { SPEC_PATH } from '../support/spec.js';
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts the proxy on a free loopback port and waits until `/healthz` answers through it. */
export async function startPrismProxy(upstreamUrl: string, timeoutMs = 90_000): Promise<RunningPrismProxy> {
  const port = await findFreePort();
  const child = spawn(
    process.execPath,
    [
      resolvePrismCli(),
      'proxy',
      SPEC_PATH,
      upstreamUrl,
      '--errors',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = `${output}${chunk.toString('utf8')}`.slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prism proxy exited before answering:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop(child);
      throw new Error(`prism proxy did not answer on ${url} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    get output() {
      return output;
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
    skipScenarios: {
      'a remote status the gateway also answers itself (400, 503) comes back as-is, told apart by LP-gateway-error':
        'Prism checks a remote 400/503 against the gateway’s documented 400/503 problem: OpenAPI cannot say that a passthrough answer may share a status with one of the gateway’s own (the suite’s recorder tells them apart by LP-gateway-error)',
    },
    close: () => stop(child),
  };
}
