import { BadGatewayError, GatewayError, InvalidRequestError, TransportFailureError } from '../errors.js';

/**
 * The whole exchange with the remote took longer than `MTLS_UPSTREAM_TIMEOUT_MS` (`code` `ETIMEDOUT`).
 * Used as the abort reason of the upstream request.
 */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'UpstreamTimeoutError';
  readonly code = 'ETIMEDOUT';

  constructor(readonly timeoutMs: number) {
    super(`The remote did not complete the exchange within ${timeoutMs} ms.`);
  }
}

/** The caller went away; the upstream request was aborted (`code` `ECLIENTGONE`). Nobody sees the answer. */
export class CallerGoneError extends Error {
  override readonly name = 'CallerGoneError';
  readonly code = 'ECLIENTGONE';

  constructor() {
    super('The caller closed the connection before the answer was complete.');
  }
}

type Describe = (authority: string, error: { message: string }) => string;

const connectFailed =
  (what: string): Describe =>
  (authority) =>
    `Connecting to ${authority} failed: ${what}.`;

const serverCertificate: Describe = (authority, error) =>
  `The TLS handshake with ${authority} failed: the server certificate could not be verified (${sanitizeTransportText(
    error.message,
    200,
  )}). Trust its CA with MTLS_UPSTREAM_CA_FILE if it is a private CA.`;

const clientCertificateRejected: Describe = (authority) =>
  `The TLS handshake with ${authority} failed: the remote rejected the client certificate (or requires one). ` +
  'Check that the mapped certificate is the one the remote expects.';

/** Plain-words descriptions of the transport failures the gateway knows, by error code. */
const DESCRIPTIONS: Readonly<Record<string, Describe>> = {
  ENOTFOUND: (authority) => `The host of ${authority} could not be resolved (no such name).`,
  EAI_AGAIN: (authority) => `The host of ${authority} could not be resolved (temporary DNS failure).`,
  ECONNREFUSED: connectFailed('the connection was refused'),
  EHOSTUNREACH: connectFailed('the host is unreachable'),
  ENETUNREACH: connectFailed('the network is unreachable'),
  ECONNRESET: (authority) => `The connection to ${authority} was reset by the remote.`,
  EPIPE: (authority) => `The connection to ${authority} was closed by the remote while the request was sent.`,
  ETIMEDOUT: (authority, error) =>
    `The exchange with ${authority} timed out: ${sanitizeTransportText(error.message, 200)}`,
  UND_ERR_CONNECT_TIMEOUT: (authority) =>
    `Connecting to ${authority} timed out (MTLS_UPSTREAM_CONNECT_TIMEOUT_MS): no TCP connection or TLS handshake in time.`,
  UND_ERR_HEADERS_TIMEOUT: (authority) => `The remote ${authority} did not send its answer headers in time.`,
  UND_ERR_BODY_TIMEOUT: (authority) => `The remote ${authority} stopped sending its answer body.`,
  UND_ERR_SOCKET: (authority) =>
    `The remote ${authority} closed the connection before answering (a remote that requires a client ` +
    'certificate does this when none or another one is presented).',
  UND_ERR_CLOSED: (authority) => `The connection to ${authority} was closed before answering.`,
  UND_ERR_DESTROYED: (authority) => `The connection to ${authority} was closed before answering.`,
  UND_ERR_HEADERS_OVERFLOW: (authority) =>
    `The answer headers of ${authority} are larger than the gateway accepts.`,
  UND_ERR_INFO: (authority, error) =>
    `The answer of ${authority} is not valid HTTP (${sanitizeTransportText(error.message, 200)}).`,
  HPE_INVALID_CONSTANT: (authority) => `The answer of ${authority} is not valid HTTP.`,
  ERR_SSL_WRONG_VERSION_NUMBER: (authority) =>
    `The TLS handshake with ${authority} failed: the remote does not speak TLS on this port (is it http://?).`,
  ERR_TLS_CLIENT_CERTIFICATE_REJECTED: clientCertificateRejected,
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: clientCertificateRejected,
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: clientCertificateRejected,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: clientCertificateRejected,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: clientCertificateRejected,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: clientCertificateRejected,
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: clientCertificateRejected,
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: clientCertificateRejected,
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: clientCertificateRejected,
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: clientCertificateRejected,
  ERR_TLS_CERT_ALTNAME_INVALID: serverCertificate,
  CERT_HAS_EXPIRED: serverCertificate,
  CERT_NOT_YET_VALID: serverCertificate,
  CERT_REVOKED: serverCertificate,
  CERT_SIGNATURE_FAILURE: serverCertificate,
  CERT_UNTRUSTED: serverCertificate,
  CERT_REJECTED: serverCertificate,
  DEPTH_ZERO_SELF_SIGNED_CERT: serverCertificate,
  SELF_SIGNED_CERT_IN_CHAIN: serverCertificate,
  UNABLE_TO_GET_ISSUER_CERT: serverCertificate,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: serverCertificate,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: serverCertificate,
  HOSTNAME_MISMATCH: serverCertificate,
  INVALID_PURPOSE: serverCertificate,
};

/**
 * Makes text from a transport error safe for a response header and a problem detail: printable ASCII, no
 * URLs (a path or query could carry a token), no `user:password@`, bounded.
 */
export function sanitizeTransportText(text: string, max = 512): string {
  const flat = text
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"]*/gi, '<url>')
    .replace(/[^\x20-\x7E]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

interface CodedError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and its causes (and an AggregateError's members), outermost first. */
function errorChain(error: unknown): CodedError[] {
  const chain: CodedError[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 10) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    const coded = next as CodedError;
    chain.push(coded);
    if (coded.cause !== undefined) queue.push(coded.cause);
    if (Array.isArray(coded.errors)) queue.push(...coded.errors);
  }
  return chain;
}

/** The most telling code of a transport error: a known one anywhere in the chain, else the first code. */
export function transportErrorCode(error: unknown): { code: string; message: string } {
  const chain = errorChain(error);
  const known = chain.find((item) => typeof item.code === 'string' && item.code in DESCRIPTIONS);
  const coded = known ?? chain.find((item) => typeof item.code === 'string' && item.code !== '');
  const source = coded ?? chain[0];
  return {
    code: typeof source?.code === 'string' ? source.code : 'UNKNOWN',
    message: typeof source?.message === 'string' ? source.message : 'unknown error',
  };
}

/** The lowest and highest status the gateway passes on (Fastify, and HTTP itself, know no others). */
export const PASSABLE_STATUS_RANGE = { min: 200, max: 599 } as const;

/**
 * The 502 for a remote answer with a status the gateway cannot pass on (outside 200–599). Undici hands
 * statuses up to 999 through; the caller must destroy the answer body.
 *
 * @example
 * ```ts
 * if (response.statusCode > 599) throw unusableStatusError(response.statusCode, 'api.example.com:443');
 * ```
 */
export function unusableStatusError(status: number, authority: string): BadGatewayError {
  return new BadGatewayError(
    `The remote ${authority} answered with status ${status}, which is not a valid HTTP status ` +
      `(${PASSABLE_STATUS_RANGE.min}–${PASSABLE_STATUS_RANGE.max}); its answer was discarded.`,
  );
}

// Undici gives these no code: its HTTP parser's reasons for a status line it cannot read.
const INVALID_STATUS_REASONS = /\((Invalid status code|Invalid response status)\)$/;

/**
 * Recognizes what undici throws when the remote's status line is unusable and returns the 502 for it, else
 * `undefined`: `101 Switching Protocols` (`switchingProtocols`: undici reported a 101 as informational, then
 * fails with an assertion; with an `Upgrade` header it fails with `bad upgrade`), a status the parser refuses
 * (fewer or more than three digits), or any other assertion of undici's parser. Undici's own text never
 * reaches the caller.
 *
 * @example
 * ```ts
 * const badGateway = unusableAnswerError(error, 'api.example.com:443', sawSwitchingProtocols);
 * if (badGateway) throw badGateway;
 * ```
 */
export function unusableAnswerError(
  error: unknown,
  authority: string,
  switchingProtocols = false,
): BadGatewayError | undefined {
  const chain = errorChain(error);
  const upgrade = chain.some(
    (item) =>
      item.code === 'UND_ERR_SOCKET' && typeof item.message === 'string' && item.message === 'bad upgrade',
  );
  if (switchingProtocols || upgrade) {
    return new BadGatewayError(
      `The remote ${authority} answered 101 Switching Protocols; the gateway does not tunnel protocol ` +
        'upgrades, so its answer was discarded.',
      { cause: error },
    );
  }
  const invalidStatus = chain.some(
    (item) =>
      (item as { name?: unknown }).name === 'HTTPParserError' &&
      typeof item.message === 'string' &&
      INVALID_STATUS_REASONS.test(item.message),
  );
  if (invalidStatus) {
    return new BadGatewayError(
      `The remote ${authority} answered with a status that is not a valid HTTP status; its answer was discarded.`,
      { cause: error },
    );
  }
  if (chain.some((item) => item.code === 'ERR_ASSERTION')) {
    return new BadGatewayError(
      `The remote ${authority} answered in a way the gateway cannot pass on; its answer was discarded.`,
      { cause: error },
    );
  }
  return undefined;
}

/**
 * Turns what an upstream call threw into the gateway's answer: gateway errors (SSRF refusal, body over the
 * limit) as they are; a body shorter or longer than its `Content-Length` → 400; everything else is a
 * transport failure → 424 `transport_failure` with `LP-error-from-transport` (the code, e.g. `ECONNREFUSED`,
 * `UND_ERR_CONNECT_TIMEOUT`, `CERT_HAS_EXPIRED`) and `LP-message-from-transport` (what happened, naming only
 * `host:port`).
 *
 * @example
 * ```ts
 * try { await pool.request(options); } catch (error) { throw toForwardingError(error, 'api.example.com:443'); }
 * ```
 */
export function toForwardingError(error: unknown, authority: string): GatewayError {
  for (const item of errorChain(error)) if (item instanceof GatewayError) return item;
  const { code, message } = transportErrorCode(error);
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return new InvalidRequestError('The request body does not match its Content-Length.', [
      { location: 'header', name: 'Content-Length', message: 'does not match the body size' },
    ]);
  }
  const describe = DESCRIPTIONS[code];
  let text: string;
  if (describe) text = describe(authority, { message });
  else if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    text = `The TLS handshake with ${authority} failed (${sanitizeTransportText(message, 200)}).`;
  } else text = `The call to ${authority} failed (${sanitizeTransportText(message, 200)}).`;
  return new TransportFailureError(sanitizeTransportText(text, 1024), code, { cause: error });
}
