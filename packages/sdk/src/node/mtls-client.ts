/**
 * `createMTLSClient`: the `IMTLSClient` of the LivePerson Functions toolbelt, calling HTTPS endpoints
 * directly with a client certificate (mutual TLS). Node-only (undici connection pools).
 */
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { checkServerIdentity, rootCertificates, type TLSSocket } from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import {
  MTLSError,
  MTLSGeneralIssueError,
  MTLSInvalidCertError,
  MTLSInvalidKeyError,
  MTLSInvalidRequestError,
  MTLSMissingConfError,
  MTLSRemoteThrewError,
  MTLSRequestTimeoutError,
} from './errors.js';

/**
 * Timeout of a call when neither {@link MTLSOptions.timeout} nor {@link MTLSClientDefaults.timeout} is set:
 * 30 seconds for the whole call (connect, TLS handshake, answer headers and body).
 *
 * @example
 * ```ts
 * createMTLSClient(tls, { timeout: DEFAULT_MTLS_TIMEOUT_MS * 2 }); // a client for slow partners
 * ```
 */
export const DEFAULT_MTLS_TIMEOUT_MS = 30_000;

/**
 * Answer body size limit when neither {@link MTLSOptions.maxResponseBytes} nor
 * {@link MTLSClientDefaults.maxResponseBytes} is set: 10 MiB. The body is held in memory (as text or parsed
 * JSON), so an unbounded answer would let a remote end exhaust the caller's memory.
 *
 * @example
 * ```ts
 * createMTLSClient(tls, { maxResponseBytes: DEFAULT_MTLS_MAX_RESPONSE_BYTES * 5 }); // allow 50 MiB exports
 * ```
 */
export const DEFAULT_MTLS_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * Request headers: one string value per name.
 *
 * @example
 * ```ts
 * const headers: Header = { Authorization: 'Bearer abc', 'X-Request-Id': '42' };
 * ```
 */
export interface Header {
  [name: string]: string;
}

/**
 * Per-request options.
 *
 * @example
 * ```ts
 * const options: MTLSOptions = { json: true, timeout: 5_000 };
 * ```
 */
export interface MTLSOptions {
  /**
   * Accept a server certificate that is not trusted: self-signed, issued by an unknown CA, or outside its
   * validity dates. The certificate must still name the host of the URL (DNS or IP subject alternative name),
   * otherwise the call fails with `mtls.remote-threw` (`ERR_TLS_CERT_ALTNAME_INVALID`) and nothing is sent.
   * Prefer passing the CA as {@link ClientTLS.ca}. Unlike the original Functions client, which skips
   * verification unless this is explicitly `false`, this client verifies unless it is `true`.
   */
  allowSelfSigned?: boolean;
  /**
   * Send the body as JSON (`JSON.stringify`, `Content-Type: application/json` unless you set one) and parse
   * the answer as JSON, falling back to the text when it is not JSON. Strings and bytes are taken as already
   * serialized and sent unchanged.
   */
  json?: boolean;
  /**
   * Milliseconds until the whole call (connect, TLS handshake, answer headers and body) gives up with
   * `mtls.request-timeout`. Default: the client's {@link MTLSClientDefaults.timeout}, else
   * {@link DEFAULT_MTLS_TIMEOUT_MS} (30 s).
   */
  timeout?: number;
  /**
   * Largest answer body accepted, in bytes. A larger answer (declared by `Content-Length` or counted while it
   * streams) is cut off: the connection is closed and the call fails with `mtls.remote-threw`. Default: the
   * client's {@link MTLSClientDefaults.maxResponseBytes}, else {@link DEFAULT_MTLS_MAX_RESPONSE_BYTES}
   * (10 MiB); `Infinity` turns the limit off. Not applied to `head`/`options`, whose body is discarded.
   */
  maxResponseBytes?: number;
}

/**
 * The answer of the remote endpoint, whatever its status (a 404 or 500 is an answer, not an error).
 *
 * @example
 * ```ts
 * const { statusCode, headers, body } = await client.get(url);
 * if (statusCode === 200 && headers['content-type']?.startsWith('text/')) console.log(body);
 * ```
 */
export interface MTLSResponse {
  /** Lower-case names; repeated headers (`set-cookie` included) joined with `, `. */
  headers: { [key: string]: string };
  statusCode: number;
  /** Text, or parsed JSON with `json: true`; `undefined` for `head` and `options`. */
  // biome-ignore lint/suspicious/noExplicitAny: the documented IMTLSClient type is `any`; callers rely on it.
  body?: any;
}

/**
 * TLS material of the client, in PEM.
 *
 * @example
 * ```ts
 * const tls: ClientTLS = { cert: readFileSync('client.crt'), key: readFileSync('client.key'), ca: partnerCaPem };
 * ```
 */
export interface ClientTLS {
  /** Extra CA(s) trusted for the server certificate, in addition to the system roots (PEM, bundles allowed). */
  ca?: string | Buffer;
  /** Client certificate, optionally followed by its intermediate certificates. */
  cert: string | Buffer;
  /** Unencrypted private key of the client certificate. */
  key: string | Buffer;
}

/**
 * The Functions toolbelt mTLS client interface (`IMTLSClient`).
 *
 * @example
 * ```ts
 * async function ping(client: IMTLSClient): Promise<number> {
 *   return (await client.head('https://partner.example/health')).statusCode;
 * }
 * ```
 */
export interface IMTLSClient {
  get(url: string, headers?: Header, body?: unknown, options?: MTLSOptions): Promise<MTLSResponse>;
  post(url: string, headers?: Header, body?: unknown, options?: MTLSOptions): Promise<MTLSResponse>;
  put(url: string, headers?: Header, body?: unknown, options?: MTLSOptions): Promise<MTLSResponse>;
  patch(url: string, headers?: Header, body?: unknown, options?: MTLSOptions): Promise<MTLSResponse>;
  delete(url: string, headers?: Header, body?: unknown, options?: MTLSOptions): Promise<MTLSResponse>;
  /** The answer body is ignored: `body` is always `undefined`. */
  head(url: string, headers?: Header, options?: MTLSOptions): Promise<MTLSResponse>;
  /** The answer body is ignored: `body` is always `undefined`. */
  options(url: string, headers?: Header, options?: MTLSOptions): Promise<MTLSResponse>;
}

/**
 * Defaults applied to every request of a client; per-request {@link MTLSOptions} win.
 *
 * @example
 * ```ts
 * createMTLSClient(tls, { timeout: 10_000 });
 * ```
 */
export interface MTLSClientDefaults {
  /** See {@link MTLSOptions.timeout}; default {@link DEFAULT_MTLS_TIMEOUT_MS}. */
  timeout?: number;
  /** See {@link MTLSOptions.allowSelfSigned}; default `false`. */
  allowSelfSigned?: boolean;
  /** See {@link MTLSOptions.maxResponseBytes}; default {@link DEFAULT_MTLS_MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
}

/** HTTP methods the client sends. */
export type MTLSMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/**
 * An {@link IMTLSClient} that owns keep-alive connections: call `close()` when done.
 *
 * @example
 * ```ts
 * const client: MTLSClient = createMTLSClient(tls);
 * try {
 *   await client.post(url, {}, { hello: 'world' }, { json: true });
 * } finally {
 *   await client.close();
 * }
 * ```
 */
export interface MTLSClient extends IMTLSClient {
  /**
   * Any method by name (e.g. from a `LP-method-override` header); an unknown method is `mtls.invalid-request`.
   * `HEAD` and `OPTIONS` answers have no body, as with {@link IMTLSClient.head}.
   */
  request(
    method: string,
    url: string,
    headers?: Header,
    body?: unknown,
    options?: MTLSOptions,
  ): Promise<MTLSResponse>;
  /** Wait for requests in flight, then close every connection. Later calls fail with `mtls.general-issue`. */
  close(): Promise<void>;
}

const METHODS: ReadonlySet<string> = new Set<MTLSMethod>([
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
]);

/**
 * Create an mTLS client that presents `tls.cert` / `tls.key` to every server it calls.
 *
 * - The server certificate is **verified by default** against the system roots plus `tls.ca`; trust is
 *   skipped only with `allowSelfSigned: true` (safer than the original Functions client, which skipped it
 *   unless told otherwise), and even then the certificate must name the URL's host. Verified and unverified
 *   calls use separate connection pools, so a connection opened without verification is never reused for a
 *   verified call.
 * - Only `https:` URLs: a plain `http:` URL would carry no client certificate, so it is refused with
 *   `mtls.invalid-request` before anything is sent.
 * - Every call is bounded: {@link DEFAULT_MTLS_TIMEOUT_MS} (30 s) unless `timeout` says otherwise, and answer
 *   bodies up to {@link DEFAULT_MTLS_MAX_RESPONSE_BYTES} (10 MiB) unless `maxResponseBytes` says otherwise.
 * - Connections are kept alive and reused between calls to the same origin.
 * - Bodies: strings and bytes are sent as-is; other values (plain objects, arrays, numbers) are sent as JSON
 *   with `Content-Type: application/json` unless you set one. Answers are text unless `json: true`.
 *   Redirects are not followed: a 3xx is returned like any other answer.
 * - Certificate and key are checked now: missing → `mtls.missing-conf`, bad key or key of another certificate
 *   → `mtls.invalid-key`, bad certificate or CA → `mtls.invalid-cert`.
 *
 * @example
 * ```ts
 * import { createMTLSClient } from '@mtls-gateway/sdk/node';
 *
 * const client = createMTLSClient({ cert: certPem, key: keyPem, ca: partnerCaPem }, { timeout: 10_000 });
 * const answer = await client.post('https://partner.example/orders', { 'X-Tenant': '42' }, { id: 1 }, { json: true });
 * console.log(answer.statusCode, answer.body);
 * await client.close();
 * ```
 */
export function createMTLSClient(tls: ClientTLS, defaults: MTLSClientDefaults = {}): MTLSClient {
  const material = validateClientTLS(tls);
  checkTimeout(defaults.timeout);
  checkMaxResponseBytes(defaults.maxResponseBytes);
  // Created on first use: most clients only ever need the verified pool.
  const agents = new Map<boolean, Agent>();
  let closed: Promise<void> | undefined;

  function agentFor(allowSelfSigned: boolean): Agent {
    let agent = agents.get(allowSelfSigned);
    if (!agent) {
      const connect = {
        cert: material.cert,
        key: material.key,
        // Passing `ca` replaces Node's default trust store, so keep the system roots next to the extra CA.
        ...(material.ca === undefined ? {} : { ca: [...rootCertificates, material.ca] }),
      };
      agent = new Agent({
        connect: allowSelfSigned
          ? untrustedButNamedConnector(connect)
          : { ...connect, rejectUnauthorized: true },
      });
      agents.set(allowSelfSigned, agent);
    }
    return agent;
  }

  async function request(
    method: string,
    url: string,
    headers: Header = {},
    body?: unknown,
    options: MTLSOptions = {},
  ): Promise<MTLSResponse> {
    if (closed)
      throw new MTLSGeneralIssueError('this client is closed; create a new one with createMTLSClient()');
    const verb = typeof method === 'string' ? method.toUpperCase() : '';
    if (!METHODS.has(verb)) {
      throw new MTLSInvalidRequestError(
        `unsupported method "${String(method)}"; use one of ${[...METHODS].join(', ')}`,
      );
    }
    const target = parseTarget(url);
    const timeout = options.timeout ?? defaults.timeout ?? DEFAULT_MTLS_TIMEOUT_MS;
    checkTimeout(timeout);
    const maxResponseBytes =
      options.maxResponseBytes ?? defaults.maxResponseBytes ?? DEFAULT_MTLS_MAX_RESPONSE_BYTES;
    checkMaxResponseBytes(maxResponseBytes);
    const json = options.json === true;
    const { payload, headers: requestHeaders } = encodeRequest(headers, body, json);
    const agent = agentFor((options.allowSelfSigned ?? defaults.allowSelfSigned) === true);

    const abort = new AbortController();
    const timer = setTimeout(
      () =>
        abort.abort(
          new MTLSRequestTimeoutError(
            `no complete answer from ${target.origin} within ${timeout} ms; raise MTLSOptions.timeout or check that the server responds`,
          ),
        ),
      timeout,
    );
    try {
      const response = await agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: verb as Dispatcher.HttpMethod,
        headers: requestHeaders,
        body: payload,
        signal: abort.signal,
      });
      const answer: MTLSResponse = {
        statusCode: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: undefined,
      };
      if (verb === 'HEAD' || verb === 'OPTIONS') {
        await response.body.dump(); // frees the connection for reuse (undici caps what it drains, 128 KiB)
      } else {
        const text = await readBodyText(response, maxResponseBytes, target.origin, abort);
        answer.body = json ? parseJsonOrText(text) : text;
      }
      // undici hands a kept-alive socket back to its pool one event-loop turn after the answer ends; wait for
      // it so that a caller's next request reuses the connection instead of opening (and paying for) another.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return answer;
    } catch (error) {
      throw toMTLSError(error, target.origin);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get: (url, headers, body, options) => request('GET', url, headers, body, options),
    post: (url, headers, body, options) => request('POST', url, headers, body, options),
    put: (url, headers, body, options) => request('PUT', url, headers, body, options),
    patch: (url, headers, body, options) => request('PATCH', url, headers, body, options),
    delete: (url, headers, body, options) => request('DELETE', url, headers, body, options),
    head: (url, headers, options) => request('HEAD', url, headers, undefined, options),
    options: (url, headers, options) => request('OPTIONS', url, headers, undefined, options),
    request,
    close() {
      closed ??= Promise.all([...agents.values()].map((agent) => agent.close())).then(() => undefined);
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Validation of the TLS material

interface ValidatedTLS {
  cert: string;
  key: string;
  ca: string | undefined;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function validateClientTLS(tls: ClientTLS | undefined): ValidatedTLS {
  const cert = pemText(tls?.cert);
  const key = pemText(tls?.key);
  if (!cert || !key) {
    throw new MTLSMissingConfError(
      `no client ${!cert ? 'certificate' : 'key'} configured; pass PEM strings as ClientTLS.cert and ClientTLS.key`,
    );
  }

  const certificates = parseCertificates(cert, 'ClientTLS.cert');
  const leaf = certificates[0];
  if (!leaf)
    throw new MTLSInvalidCertError('ClientTLS.cert holds no certificate; pass the PEM client certificate');

  const privateKey = parsePrivateKey(key);
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new MTLSInvalidKeyError(
      `ClientTLS.key does not belong to the certificate "${leaf.subject.replace(/\n/g, ', ')}"; pass the key it was issued for`,
    );
  }

  const ca = pemText(tls?.ca);
  if (ca !== undefined) {
    if (parseCertificates(ca, 'ClientTLS.ca').length === 0) {
      throw new MTLSInvalidCertError('ClientTLS.ca holds no certificate; pass the PEM certificate of the CA');
    }
  }
  return { cert, key, ca };
}

function pemText(value: string | Buffer | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text =
    typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
  if (text === undefined) return undefined;
  return text.trim() === '' ? undefined : text;
}

function parseCertificates(pem: string, label: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERTIFICATE);
  if (!blocks)
    throw new MTLSInvalidCertError(`${label} is not a PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new MTLSInvalidCertError(`${label}: certificate #${index + 1} of the PEM cannot be parsed`);
    }
  });
}

function parsePrivateKey(pem: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new MTLSInvalidKeyError('ClientTLS.key is not a PEM private key ("-----BEGIN PRIVATE KEY-----")');
  }
  if (/ENCRYPTED/.test(pem)) {
    throw new MTLSInvalidKeyError(
      'ClientTLS.key is encrypted; decrypt it first (the client takes no passphrase)',
    );
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The crypto error text is not reused: it must never risk echoing key material.
    throw new MTLSInvalidKeyError('ClientTLS.key cannot be parsed; pass an unencrypted PEM private key');
  }
}

function checkMaxResponseBytes(limit: number | undefined): void {
  if (limit === undefined) return;
  if (typeof limit !== 'number' || Number.isNaN(limit) || limit <= 0) {
    throw new MTLSInvalidRequestError(
      `maxResponseBytes must be a positive number of bytes (Infinity for no limit), got ${String(limit)}`,
    );
  }
}

function checkTimeout(timeout: number | undefined): void {
  if (timeout === undefined) return;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw new MTLSInvalidRequestError(
      `timeout must be a positive number of milliseconds, got ${String(timeout)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Request and response encoding

function parseTarget(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new MTLSInvalidRequestError(`"${String(url).slice(0, 200)}" is not an absolute URL`);
  }
  if (target.protocol === 'http:') {
    throw new MTLSInvalidRequestError(
      `"${target.origin}" is plain http://, which carries no client certificate; use an https:// URL`,
    );
  }
  if (target.protocol !== 'https:') {
    throw new MTLSInvalidRequestError(`scheme "${target.protocol}" is not supported; use an https:// URL`);
  }
  return target;
}

/**
 * The connector of the `allowSelfSigned` pool: the chain and the validity dates are not checked
 * (`rejectUnauthorized: false`), but the certificate must still name the host. Node runs its
 * `checkServerIdentity` only when the chain verified and ignores its verdict without `rejectUnauthorized`,
 * so the check is made here, after the handshake and before undici sends anything on the socket.
 */
function untrustedButNamedConnector(tls: {
  cert: string;
  key: string;
  ca?: string[];
}): buildConnector.connector {
  // No TLS session resumption: a resumed session is not re-checked by anyone, and the host check below must
  // see the certificate of every connection.
  const connect = buildConnector({ ...tls, rejectUnauthorized: false, maxCachedSessions: 0 });
  return (options, callback) => {
    connect(options, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      const host = options.hostname.replace(/^\[(.*)\]$/, '$1');
      const identityError = checkServerIdentity(host, (socket as TLSSocket).getPeerCertificate());
      if (identityError) {
        socket.destroy();
        callback(identityError, null);
        return;
      }
      callback(null, socket);
    });
  };
}

/**
 * Read the answer body up to `limit` bytes. Past the limit the request is aborted, which makes undici close
 * the connection (the rest of the body is never read), and the call fails with `mtls.remote-threw`: the code
 * set is the Functions toolbelt's, fixed so that callers switching on it keep working, and among its codes an
 * unusable answer from the remote end is closest to "the remote end failed" (like a reset mid-answer).
 */
async function readBodyText(
  response: Dispatcher.ResponseData,
  limit: number,
  origin: string,
  abort: AbortController,
): Promise<string> {
  const tooLarge = (received: string) =>
    new MTLSRemoteThrewError(
      `the answer of ${origin} is larger than maxResponseBytes (${received} > ${limit} bytes); the connection was closed. Raise MTLSOptions.maxResponseBytes if such answers are expected`,
    );
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    const error = tooLarge(`Content-Length ${declared}`);
    abort.abort(error);
    throw error;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of response.body) {
    received += (chunk as Buffer).length;
    if (received > limit) {
      const error = tooLarge(`at least ${received}`);
      abort.abort(error);
      throw error;
    }
    chunks.push(chunk as Buffer);
  }
  // Like undici's `body.text()`: UTF-8, a leading byte-order mark dropped.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function hasHeader(headers: Header, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function encodeRequest(
  headers: Header,
  body: unknown,
  json: boolean,
): { payload: string | Uint8Array | undefined; headers: Header } {
  if (headers === null || typeof headers !== 'object') {
    throw new MTLSInvalidRequestError('headers must be an object of header names to string values');
  }
  const requestHeaders: Header = { ...headers };
  if (body === undefined || body === null) return { payload: undefined, headers: requestHeaders };

  let payload: string | Uint8Array;
  let isJson = json;
  if (typeof body === 'string' || body instanceof Uint8Array) payload = body;
  else if (body instanceof ArrayBuffer) payload = new Uint8Array(body);
  else {
    try {
      payload = JSON.stringify(body);
    } catch (error) {
      throw new MTLSInvalidRequestError(
        `the body cannot be serialized as JSON (${(error as Error).message})`,
      );
    }
    isJson = true;
  }
  if (isJson && !hasHeader(requestHeaders, 'content-type'))
    requestHeaders['content-type'] = 'application/json';
  return { payload, headers: requestHeaders };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): { [key: string]: string } {
  const flat: { [key: string]: string } = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Errors

const UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** The first `code` found on the error or down its `cause` chain. */
function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}

function toMTLSError(error: unknown, origin: string): MTLSError {
  if (error instanceof MTLSError) return error;
  const code = errorCode(error) ?? 'UNKNOWN';
  const options = { cause: error };

  if (TIMEOUTS.has(code)) {
    return new MTLSRequestTimeoutError(
      `${origin} did not answer in time (${code}); raise MTLSOptions.timeout`,
      options,
    );
  }
  if (code === 'UND_ERR_INVALID_ARG') {
    return new MTLSInvalidRequestError(
      `the request was refused before sending: ${(error as Error).message}`,
      options,
    );
  }
  if (UNTRUSTED_SERVER.has(code)) {
    return new MTLSRemoteThrewError(
      `the server's certificate is not trusted (${code}); pass its CA as ClientTLS.ca or set allowSelfSigned`,
      options,
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new MTLSRemoteThrewError(
      `the server's certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'} (${code}); the server must renew it, or set allowSelfSigned`,
      options,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new MTLSRemoteThrewError(
      `the server's certificate does not cover ${origin} (${code}); call the host name it was issued for`,
      options,
    );
  }
  if (code.startsWith('ERR_SSL_') && code.includes('ALERT')) {
    return new MTLSRemoteThrewError(
      `the server refused the TLS handshake (${code}); check that it trusts the issuer of the client certificate`,
      options,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new MTLSRemoteThrewError(
      `${origin} refused the connection (${code}); check the host and port`,
      options,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new MTLSRemoteThrewError(
      `the host of ${origin} cannot be resolved (${code}); check the URL`,
      options,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    // With TLS 1.3 a server that rejects the client certificate usually just closes the socket after the
    // handshake, so "closed before any answer" is the only trace the client gets.
    const answered = ((error as { socket?: { bytesRead?: number } }).socket?.bytesRead ?? 0) > 0;
    return new MTLSRemoteThrewError(
      answered
        ? `${origin} closed the connection in the middle of its answer (${code})`
        : `${origin} closed the connection before answering (${code}); it probably rejected the client certificate: check that the server trusts its issuer`,
      options,
    );
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /^E[A-Z]+$/.test(code)) {
    return new MTLSRemoteThrewError(`the call to ${origin} failed (${code})`, options);
  }
  return new MTLSGeneralIssueError(
    `the call to ${origin} failed unexpectedly (${code}: ${(error as Error)?.message ?? String(error)})`,
    options,
  );
}
