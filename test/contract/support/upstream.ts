/**
 * The remote endpoint of forwarding, the p12 test and mapping validation, as one protocol every target's
 * upstream speaks, so forwarding scenarios assert the same things everywhere:
 *
 * - any method and path → the answer is JSON {@link UpstreamEcho} of the request it received and of the
 *   client certificate presented (no body for `HEAD`, 204 and 304);
 * - `?status=NNN` → that status instead of 200;
 * - every answer carries `X-Contract-Upstream: echo`.
 *
 * The reference server targets run it as a real HTTPS server on loopback (it asks for a client certificate);
 * the mocks run it as their `upstream` function around the mock's own echo (the mocks never open a
 * connection). An upstream URL on the host {@link UNREACHABLE_HOST} fails at the transport level in the
 * mocks; the servers get a loopback port nobody listens on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { echoUpstream, type MockUpstream, UpstreamTransportError } from '@mtls-gateway/mock-server';
import { findFreePort } from '@mtls-gateway/mock-server/node';
import type { RecordedRequest, TestCA, TestTlsServer } from '../../support/pki.js';
import { startTlsServer } from '../../support/pki.js';

/** The JSON body of an upstream answer (the mock's echo has the same fields, and a few more). */
export interface UpstreamEcho {
  method: string;
  /** The complete URL the upstream was called with. */
  url: string;
  /** Lower-case names. The mocks mask the credentials of `authorization` (`Bearer <redacted>`). */
  headers: Record<string, string>;
  body: string | null;
  /** The client certificate presented (`subject` holds `CN=<common name>`), or `null`. */
  certificate: { subject: string } | null;
}

/** Marks every answer of the contract upstream. */
export const UPSTREAM_MARKER_HEADER = 'x-contract-upstream';

/** The host the mocks' upstream refuses to reach. */
export const UNREACHABLE_HOST = 'unreachable.contract.test';

const NO_BODY_STATUSES = new Set([204, 205, 304]);

function requestedStatus(url: URL): number {
  const status = Number(url.searchParams.get('status') ?? '200');
  return Number.isInteger(status) && status >= 200 && status <= 599 ? status : 200;
}

/** The upstream function for the mocks: the mock's echo, with the status and marker of the protocol. */
export const contractMockUpstream: MockUpstream = async (request, context) => {
  const url = new URL(request.url);
  if (url.hostname === UNREACHABLE_HOST) {
    throw new UpstreamTransportError(`connect ECONNREFUSED ${url.host}`, 'ECONNREFUSED');
  }
  const echo = await echoUpstream(request, context);
  const status = requestedStatus(url);
  const headers = new Headers(echo.headers);
  headers.set(UPSTREAM_MARKER_HEADER, 'echo');
  const body = request.method === 'HEAD' || NO_BODY_STATUSES.has(status) ? null : await echo.text();
  return new Response(body, { status, headers });
};

/** A running HTTPS upstream on loopback. */
export interface ContractUpstreamServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** A URL on a loopback port nobody listens on (connection refused). */
  unreachableUrl: string;
  server: TestTlsServer;
  close(): Promise<void>;
}

function handler(baseUrl: string) {
  return (request: IncomingMessage, response: ServerResponse, recorded: RecordedRequest): void => {
    const url = new URL(recorded.path, baseUrl);
    const status = requestedStatus(url);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(recorded.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const echo: UpstreamEcho = {
      method: recorded.method,
      url: url.toString(),
      headers,
      body: recorded.body.byteLength === 0 ? null : recorded.body.toString('utf8'),
      certificate: recorded.peerCommonName ? { subject: `CN=${recorded.peerCommonName}` } : null,
    };
    response.statusCode = status;
    response.setHeader(UPSTREAM_MARKER_HEADER, 'echo');
    response.setHeader('content-type', 'application/json');
    if (request.method === 'HEAD' || NO_BODY_STATUSES.has(status)) {
      response.end();
      return;
    }
    response.end(JSON.stringify(echo));
  };
}

/**
 * Starts the contract upstream over HTTPS on 127.0.0.1 with a certificate of `serverCa`, asking for (not
 * requiring) a client certificate of `clientCa`.
 */
export async function startContractUpstream(
  serverCa: TestCA,
  clientCa: TestCA,
): Promise<ContractUpstreamServer> {
  const certificate = serverCa.issue({ commonName: 'localhost', kind: 'server' });
  let baseUrl = 'https://127.0.0.1';
  const server = await startTlsServer(
    { chainPem: certificate.chainPem, keyPem: certificate.keyPem, ca: clientCa.certPem, requestCert: true },
    (request, response, recorded) => handler(baseUrl)(request, response, recorded),
  );
  baseUrl = server.url;
  return {
    url: server.url,
    unreachableUrl: `https://127.0.0.1:${await findFreePort()}/unreachable`,
    server,
    close: () => server.close(),
  };
}
