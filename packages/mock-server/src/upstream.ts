/**
 * The "remote endpoint" of forwarding, the p12 test and mapping validation. The mock never opens a network
 * connection: it hands the request it would send to an `upstream` function. The default one echoes it.
 */

import {
  connectionListedHeaders,
  isForwardedRequestHeader,
  isReturnedResponseHeader,
} from '@mtls-gateway/contract';
import type { ServiceName } from './api-types.js';

/** The mock's own scenario header (`X-Mock-Scenario`), never forwarded. */
const SCENARIO_HEADER_NAME = 'x-mock-scenario';

/**
 * The client certificate the gateway would present to the remote (public facts only: the mock keeps no key).
 *
 * @example
 * ```ts
 * const upstream: MockUpstream = (request, { certificate }) =>
 *   certificate?.name === 'Cert1' ? new Response('hello') : new Response('who are you?', { status: 401 });
 * ```
 */
export interface PresentedCertificate {
  /** The certificate id; `null` for the p12 test (nothing is stored). */
  id: number | null;
  /** The certificate name; `null` for the p12 test. */
  name: string | null;
  /** RFC 4514 subject, e.g. `CN=tenant-42`. */
  subject: string;
  issuer: string | null;
  serialNumber: string | null;
  fingerprintSha256: string | null;
  /** ISO 8601, or `null` when unknown. */
  expirationDate: string | null;
  /** The certificate, PEM (public), when known. */
  certificatePem: string | null;
}

/**
 * What the upstream is told besides the request.
 *
 * @example
 * ```ts
 * const upstream: MockUpstream = (request, context: UpstreamContext) =>
 *   Response.json({ via: context.operationId, mapped: context.certificate !== undefined });
 * ```
 */
export interface UpstreamContext {
  /** The certificate that would be presented; `undefined` when the call would go out over plain TLS. */
  certificate: PresentedCertificate | undefined;
  /** The operation making the call: a forwarding operation, `testP12`, or `activateMapping` (URL validation). */
  operationId: string;
  accountId: string;
  /** `LP-service-name` of a forwarded request, when sent. */
  serviceName: ServiceName | undefined;
}

/**
 * The remote endpoint as the mock sees it. Return its answer; throw to simulate a transport failure (the
 * mock answers 424 `transport_failure`, with the error's `code` — e.g. `ECONNREFUSED` — as
 * `LP-error-from-transport` and its message as `LP-message-from-transport`).
 *
 * @example
 * ```ts
 * state.upstream = (request) => {
 *   if (new URL(request.url).hostname === 'down.example.com') {
 *     throw new UpstreamTransportError('connect ECONNREFUSED 203.0.113.7:443', 'ECONNREFUSED');
 *   }
 *   return Response.json({ ok: true }, { status: 201 });
 * };
 * ```
 */
export type MockUpstream = (request: Request, context: UpstreamContext) => Response | Promise<Response>;

/**
 * Throw it from an upstream to simulate a failure to reach the remote (DNS, refused, reset, TLS, timeout).
 *
 * @example
 * ```ts
 * throw new UpstreamTransportError('getaddrinfo ENOTFOUND nowhere.example', 'ENOTFOUND');
 * ```
 */
export class UpstreamTransportError extends Error {
  override readonly name = 'UpstreamTransportError';
  constructor(
    message: string,
    readonly code: string = 'ECONNREFUSED',
  ) {
    super(message);
  }
}

/**
 * The JSON body of the default upstream's answer.
 *
 * @example
 * ```ts
 * const echo: UpstreamEcho = await response.json();
 * expect(echo.certificate?.name).toBe('Cert1');
 * ```
 */
export interface UpstreamEcho {
  method: string;
  url: string;
  /** Request headers, lower-case names. The credentials of `authorization` are masked: `Bearer <redacted>`. */
  headers: Record<string, string>;
  /** The body as UTF-8 text, or `null` when there was none. */
  body: string | null;
  certificate: { id: number | null; name: string | null; subject: string } | null;
}

/** Keeps the scheme of an Authorization value and masks its credentials: the echo never repeats a secret. */
function maskAuthorization(value: string): string {
  const scheme = value.trim().split(/\s+/)[0] ?? '';
  return scheme && scheme !== value.trim() ? `${scheme} <redacted>` : '<redacted>';
}

/**
 * The default upstream: makes no network call and answers 200 with a JSON {@link UpstreamEcho} of the
 * request it received and of the certificate that would have been presented. `HEAD` gets no body.
 *
 * @example
 * ```ts
 * const response = await echoUpstream(new Request('https://api.example.com/x'), context);
 * (await response.json()).url; // 'https://api.example.com/x'
 * ```
 */
export const echoUpstream: MockUpstream = async (request, { certificate }) => {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = name === 'authorization' ? maskAuthorization(value) : value;
  });
  const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text();
  const echo: UpstreamEcho = {
    method: request.method,
    url: request.url,
    headers,
    body: text === '' ? null : text,
    certificate: certificate
      ? { id: certificate.id, name: certificate.name, subject: certificate.subject }
      : null,
  };
  const responseHeaders = { 'Content-Type': 'application/json', 'X-Mock-Upstream': 'echo' };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: responseHeaders });
  return new Response(JSON.stringify(echo), { status: 200, headers: responseHeaders });
};

/**
 * The request the gateway would send to the remote: the caller's headers minus credentials and control
 * headers, `LP-authorization-override` as `Authorization`, the given method and body.
 *
 * @example
 * ```ts
 * const outgoing = buildUpstreamRequest(incoming, { url: forwardUrl, method: 'POST', body, authorization: override });
 * ```
 */
export function buildUpstreamRequest(
  incomingHeaders: Headers,
  options: {
    url: string;
    method: string;
    body: Uint8Array | undefined;
    authorization: string | undefined;
    contentType?: string | undefined;
    /** Copy the caller's other headers (forwarding) or not (the p12 test sends only what its headers say). */
    copyHeaders: boolean;
  },
): Request {
  const headers = new Headers();
  if (options.copyHeaders) {
    const listed = connectionListedHeaders([incomingHeaders.get('connection') ?? '']);
    incomingHeaders.forEach((value, name) => {
      // Content-Length is the new Request's own; the scenario header is the mock's.
      if (name === 'content-length' || name === SCENARIO_HEADER_NAME) return;
      if (isForwardedRequestHeader(name, listed)) headers.append(name, value);
    });
  }
  if (options.authorization !== undefined) headers.set('Authorization', options.authorization);
  if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
  const hasBody = options.method !== 'GET' && options.method !== 'HEAD' && options.body !== undefined;
  return new Request(options.url, {
    method: options.method,
    headers,
    // A copy in a fresh ArrayBuffer: `BodyInit` wants an ArrayBuffer-backed view.
    body: hasBody && options.body ? new Uint8Array(options.body) : null,
  });
}

/**
 * The remote's answer as the gateway returns it: status, headers and body as-is, except `LP-gateway-error`,
 * which only the gateway's own answers carry.
 *
 * @example
 * ```ts
 * return passthroughResponse(await upstream(request, context), request.method);
 * ```
 */
export function passthroughResponse(response: Response, method: string): Response {
  const listed = connectionListedHeaders([response.headers.get('connection') ?? '']);
  const returned: Array<[string, string]> = [];
  // Copied entry by entry: under MSW's Node interceptor, `new Headers(otherHeaders)` can lose entries.
  response.headers.forEach((value, name) => {
    if (isReturnedResponseHeader(name, listed)) returned.push([name, value]);
  });
  if (method !== 'HEAD' && returned.length === [...response.headers].length) return response;
  const headers = new Headers();
  for (const [name, value] of returned) headers.append(name, value);
  const bodyless = method === 'HEAD' || [204, 205, 304].includes(response.status);
  return new Response(bodyless ? null : response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}
