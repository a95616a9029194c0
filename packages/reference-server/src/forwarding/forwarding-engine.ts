import type { Readable } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { buildConnector, Client, type Dispatcher, Pool } from 'undici';
import type { LoadedCertificate } from '../certificates/certificate-service.js';
import { EgressPolicy, EgressRefusedError } from '../egress/egress-policy.js';
import { createGuardedConnector, type HostResolver } from '../egress/guarded-connector.js';
import {
  BadGatewayError,
  CertificateNotFoundError,
  GatewayError,
  PayloadTooLargeError,
  TransportFailureError,
  UnavailableError,
} from '../errors.js';
import { SecretStoreUnavailableError } from '../secrets/errors.js';
import type { SecretMaterial } from '../secrets/secret-store.js';
import type { ChangeRecord } from '../storage/change-log.js';
import { DatabaseInUseError, DatabaseUnavailableError } from '../storage/errors.js';
import { assertDeclaredLengthWithin, limitBody } from './body-limit.js';
import { CertificateResolver, type CertificateSource } from './certificate-resolver.js';
import {
  type CertificateLabel,
  type ForwardingMetrics,
  statusClass,
  type UpstreamOutcome,
} from './forwarding-metrics.js';
import { awaitHandshakeVerdict } from './handshake-verdict.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { type ForwardTarget, parseForwardTarget } from './target-url.js';
import {
  CallerGoneError,
  PASSABLE_STATUS_RANGE,
  toForwardingError,
  UpstreamTimeoutError,
  unusableAnswerError,
  unusableStatusError,
} from './transport-errors.js';
import { type UpstreamPoolKey, UpstreamPools } from './upstream-pools.js';
import { UpstreamTls } from './upstream-tls.js';

/** What the caller of the gateway asked to forward. */
export interface ForwardRequestInput {
  accountId: string;
  /** The incoming method, repeated as-is. */
  method: string;
  /** `LP-forward-url`: the complete target URL; also the key of the mapping lookup. */
  targetUrl: string;
  /** `LP-service-name`. */
  serviceName?: string | undefined;
  /** `LP-authorization-override`: becomes the `Authorization` sent to the target. */
  authorizationOverride?: string | undefined;
  /** `LP-stop-if-certificate-not-found`: without a certificate, answer 400 and send nothing. */
  stopIfCertificateNotFound: boolean;
  /** The caller's raw headers (`IncomingMessage.rawHeaders`); filtered by {@link upstreamRequestHeaders}. */
  headers: readonly string[];
  /** The caller's body, streamed as-is (never buffered); `null` when there is none. */
  body: Readable | null;
  /** Aborts the exchange (the caller went away). */
  signal?: AbortSignal | undefined;
  /**
   * Registers a function to call when the caller goes away (aborts the exchange): the cheaper form of
   * `signal` for a server that can listen on the connection itself (one abort controller per request less).
   */
  onCallerGone?: ((abort: () => void) => void) | undefined;
  /**
   * The caller's IP address (`request.ip`): sent as `X-Forwarded-For` and `Forwarded: for=…`, replacing
   * whatever the caller claimed in those headers.
   */
  clientAddress?: string | undefined;
  /** How the caller reached the gateway, `http` or `https` (`request.protocol`): `Forwarded: …;proto=…`. */
  clientProtocol?: string | undefined;
}

/** A call with a given key and certificate that no pool is kept for (p12 test, mapping validation). */
export interface OneOffCallInput {
  material: SecretMaterial;
  method: string;
  targetUrl: string;
  /** Header name/value pairs sent as they are (nothing is filtered). */
  headers: readonly string[];
  body: Buffer | Readable | null;
  signal?: AbortSignal | undefined;
}

/** The remote's answer, to be returned as-is. */
export interface UpstreamAnswer {
  statusCode: number;
  /** Without hop-by-hop headers and `LP-gateway-error`. */
  headers: Record<string, string | string[]>;
  /** Streamed from the remote (empty for HEAD). Consume or destroy it. */
  body: Readable;
  /** The certificate presented, if any. */
  certificate: { id: number; version: number } | undefined;
}

/** Carries a certificate lookup failure past the transport error mapping of {@link ForwardingEngine}. */
class CertificateLookupFailure extends Error {
  override readonly name = 'CertificateLookupFailure';

  constructor(readonly error: Error) {
    super(error.message, { cause: error });
  }
}

/** Builds the socket connector of a pool from undici connector options (tests wrap it to count sockets). */
export type SocketOpenerFactory = (options: buildConnector.BuildOptions) => buildConnector.connector;

/** Options of {@link ForwardingEngine}. */
export interface ForwardingEngineOptions {
  /** Mapping lookup and certificate material. */
  source: CertificateSource;
  /** `MTLS_EGRESS_ALLOW` entries (ignored when `policy` is given). */
  egressAllow?: readonly string[] | undefined;
  /** The SSRF guard; default built from `egressAllow` and reporting refusals to `metrics`. */
  policy?: EgressPolicy | undefined;
  /** Trusted CAs for upstream servers. Default: the system CAs only. */
  upstreamTls?: UpstreamTls | undefined;
  /** Largest forwarded request body (`MTLS_BODY_LIMIT`). */
  bodyLimitBytes: number;
  /** TCP + TLS connect timeout (`MTLS_UPSTREAM_CONNECT_TIMEOUT_MS`). */
  connectTimeoutMs: number;
  /** Whole exchange, answer body included (`MTLS_UPSTREAM_TIMEOUT_MS`). */
  totalTimeoutMs: number;
  /** Name resolution (tests: a stub). */
  resolve?: HostResolver | undefined;
  /** Opens sockets to checked addresses (tests: a counting wrapper). Default: undici's connector. */
  openSocket?: SocketOpenerFactory | undefined;
  metrics?: ForwardingMetrics | undefined;
  /** Whether cached certificate/mapping lookups may be used now (the change watcher is current). */
  canUseCache?: (() => boolean) | undefined;
  /** Most pools. Default 256. */
  maxPools?: number | undefined;
  /** Idle pools are closed after this long. Default 60 s. */
  poolIdleTimeoutMs?: number | undefined;
  /** Most connections per pool. Default 64. */
  connectionsPerPool?: number | undefined;
  /** Largest answer header section accepted from a remote. Default 64 KiB. */
  maxResponseHeaderBytes?: number | undefined;
  /**
   * How long a new TLS 1.3 connection presenting a certificate waits for the server's verdict on it
   * (see {@link awaitHandshakeVerdict}). Default 100 ms; 0 turns the wait off.
   */
  handshakeVerdictMs?: number | undefined;
}

/** The caller's `Content-Length`, from raw header pairs. */
function contentLengthOf(rawHeaders: readonly string[]): string | undefined {
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'content-length') return rawHeaders[index + 1];
  }
  return undefined;
}

/**
 * What failing to choose the certificate becomes: the gateway's own errors as they are, an unreachable
 * database or secret store as it is (the error handler makes it 503 `unavailable`), anything else from the
 * certificate source 503 too — never a 424, which would blame the remote and quote an internal message.
 */
function certificateLookupError(error: unknown): Error {
  if (
    error instanceof GatewayError ||
    error instanceof DatabaseUnavailableError ||
    error instanceof DatabaseInUseError ||
    error instanceof SecretStoreUnavailableError
  ) {
    return error;
  }
  return new UnavailableError(
    'The certificate of this request could not be looked up (database or secret store). Retry in a moment.',
    { cause: error },
  );
}

function outcomeOf(error: GatewayError): UpstreamOutcome {
  if (error instanceof TransportFailureError) return 'transport_failure';
  if (error instanceof CertificateNotFoundError) return 'certificate_not_found';
  if (error instanceof EgressRefusedError) return 'destination_blocked';
  if (error instanceof PayloadTooLargeError) return 'payload_too_large';
  return 'error';
}

/**
 * The forwarding hot path. For each request: check the target against the egress policy, choose the
 * certificate (mapping → Available certificate, cached), take the keep-alive pool of (account, certificate
 * version, origin), and stream the request and the answer through it — nothing is buffered whole, redirects
 * are returned, not followed. Transport failures become 424 with `LP-error-from-transport`; an answer with a
 * status that cannot be passed on (outside 200–599, or `101 Switching Protocols`) becomes 502 `bad_gateway`;
 * a failure to look the certificate up (database, secret store) is the gateway's own, never a 424.
 *
 * @example
 * ```ts
 * const engine = new ForwardingEngine({ source, bodyLimitBytes: 10 << 20, connectTimeoutMs: 10_000, totalTimeoutMs: 60_000 });
 * const answer = await engine.forwardRequest({ accountId, method: 'POST', targetUrl, stopIfCertificateNotFound: false,
 *   headers: request.raw.rawHeaders, body: request.raw });
 * reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
 * ```
 */
export class ForwardingEngine {
  readonly policy: EgressPolicy;
  readonly upstreamTls: UpstreamTls;
  readonly pools: UpstreamPools;
  readonly certificates: CertificateResolver;
  readonly #options: ForwardingEngineOptions;
  readonly #metrics: ForwardingMetrics | undefined;
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(options: ForwardingEngineOptions) {
    this.#options = options;
    this.#metrics = options.metrics;
    this.policy =
      options.policy ??
      new EgressPolicy({
        allow: options.egressAllow ?? [],
        onRefused: (error) => this.#metrics?.countRefusal(error.reason),
      });
    this.upstreamTls = options.upstreamTls ?? new UpstreamTls();
    this.certificates = new CertificateResolver({
      source: options.source,
      upstreamTls: this.upstreamTls,
      canUseCache: options.canUseCache,
    });
    this.pools = new UpstreamPools({ maxPools: options.maxPools, idleTimeoutMs: options.poolIdleTimeoutMs });
    const idleTimeout = options.poolIdleTimeoutMs ?? 60_000;
    this.#sweeper = setInterval(() => this.pools.closeIdle(), Math.max(1_000, Math.min(idleTimeout, 30_000)));
    this.#sweeper.unref();
  }

  #connector(secureContext: SecureContext, presentsCertificate: boolean): buildConnector.connector {
    const connectOptions: buildConnector.BuildOptions = {
      secureContext,
      timeout: this.#options.connectTimeoutMs,
      // Server certificates are always verified; there is deliberately no switch to turn this off.
      rejectUnauthorized: true,
    };
    const openSocket = (this.#options.openSocket ?? buildConnector)(connectOptions);
    return createGuardedConnector({
      policy: this.policy,
      resolve: this.#options.resolve,
      connectOptions,
      connectSocket: presentsCertificate
        ? awaitHandshakeVerdict(openSocket, this.#options.handshakeVerdictMs ?? 100)
        : openSocket,
      resolveTimeoutMs: this.#options.connectTimeoutMs,
    });
  }

  #dispatcherOptions(secureContext: SecureContext, presentsCertificate: boolean): Pool.Options {
    return {
      connect: this.#connector(secureContext, presentsCertificate),
      // The total timeout is enforced by an abort signal; these only bound a silent remote.
      headersTimeout: this.#options.totalTimeoutMs,
      bodyTimeout: this.#options.totalTimeoutMs,
      maxHeaderSize: this.#options.maxResponseHeaderBytes ?? 64 * 1024,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      pipelining: 1,
    };
  }

  /**
   * Forwards one request and resolves with the remote's answer (status, filtered headers, streamed body).
   *
   * @throws {InvalidRequestError} 400 when the forward URL is malformed or carries credentials.
   * @throws {EgressRefusedError} 403 `destination_blocked` — nothing was sent, no socket was opened.
   * @throws {CertificateNotFoundError} 400 when `stopIfCertificateNotFound` and no certificate applies.
   * @throws {PayloadTooLargeError} 413 when the body is over the limit (declared or counted).
   * @throws {TransportFailureError} 424 when the remote cannot be reached or the exchange fails.
   * @throws {BadGatewayError} 502 when the remote answers with a status that cannot be passed on.
   * @throws {UnavailableError} 503 (or the database / secret store error the app maps to it) when the
   *   certificate cannot be looked up.
   */
  async forwardRequest(input: ForwardRequestInput): Promise<UpstreamAnswer> {
    const started = performance.now();
    const target = parseForwardTarget(input.targetUrl);
    let label: CertificateLabel = 'none';
    try {
      this.policy.assertUrlAllowed(target.url);
      assertDeclaredLengthWithin(contentLengthOf(input.headers), this.#options.bodyLimitBytes);
      let certificate: Awaited<ReturnType<CertificateResolver['resolve']>>;
      try {
        certificate = await this.certificates.resolve({
          accountId: input.accountId,
          serviceName: input.serviceName,
          url: input.targetUrl,
        });
      } catch (error) {
        // Not the remote's fault: only errors of the exchange below are transport failures.
        throw new CertificateLookupFailure(certificateLookupError(error));
      }
      if (!certificate && input.stopIfCertificateNotFound) {
        throw new CertificateNotFoundError(
          `No Available certificate is mapped to account ${input.accountId}, service ` +
            `${input.serviceName ?? '(any)'} and this URL; nothing was sent.`,
        );
      }
      if (certificate) label = 'client_certificate';
      const key: UpstreamPoolKey = {
        accountId: input.accountId,
        certificate: certificate ? { id: certificate.id, version: certificate.version } : undefined,
        origin: target.origin,
      };
      const secureContext = certificate?.secureContext ?? this.upstreamTls.plainContext();
      const pool = this.pools.acquire(
        key,
        () =>
          new Pool(target.origin, {
            ...this.#dispatcherOptions(secureContext, certificate !== undefined),
            connections: this.#options.connectionsPerPool ?? 64,
          }),
      );
      const headers = upstreamRequestHeaders(input.headers, {
        authorizationOverride: input.authorizationOverride,
        clientAddress: input.clientAddress,
        clientProtocol: input.clientProtocol,
      });
      const body =
        input.body && input.method !== 'HEAD' ? limitBody(input.body, this.#options.bodyLimitBytes) : null;
      // No await between acquiring the pool and dispatching: a concurrent certificate change cannot close it
      // in between.
      const answer = await this.#exchange(
        pool,
        target,
        { method: input.method, headers, body, signal: input.signal, onCallerGone: input.onCallerGone },
        label,
        started,
      );
      return {
        ...answer,
        certificate: certificate ? { id: certificate.id, version: certificate.version } : undefined,
      };
    } catch (error) {
      if (error instanceof CertificateLookupFailure) {
        this.#metrics?.observeUpstream(label, 'error', (performance.now() - started) / 1000);
        throw error.error;
      }
      throw this.#failed(error, target, label, started);
    }
  }

  /**
   * One call with the given key material, on a connection opened for it and closed after it: no pool and no
   * TLS session is kept, so the key is dropped once the answer is consumed (p12 test).
   *
   * @throws the same errors as {@link forwardRequest} (but never `certificate_not_found`).
   */
  async callOnce(input: OneOffCallInput): Promise<UpstreamAnswer> {
    const started = performance.now();
    const target = parseForwardTarget(input.targetUrl);
    let client: Client | undefined;
    try {
      this.policy.assertUrlAllowed(target.url);
      client = new Client(
        target.origin,
        this.#dispatcherOptions(this.upstreamTls.secureContextFor(input.material), true),
      );
      const body = input.method === 'HEAD' ? null : input.body;
      const answer = await this.#exchange(
        client,
        target,
        { method: input.method, headers: [...input.headers], body, signal: input.signal },
        'client_certificate',
        started,
      );
      // Graceful: the connection closes once the answer body has been read.
      client.close().catch(() => undefined);
      return { ...answer, certificate: undefined };
    } catch (error) {
      client?.destroy().catch(() => undefined);
      throw this.#failed(error, target, 'client_certificate', started);
    }
  }

  /**
   * The test call of mapping activation with `isValidateUrlEnabled=true`: a GET to `url` with the
   * certificate. Any answer — whatever its status — proves the endpoint reachable with it.
   *
   * @throws {TransportFailureError} 424 when the call fails at the transport level.
   * @throws {EgressRefusedError} 403 when the URL is not an allowed destination.
   */
  async validateMappingUrl(certificate: LoadedCertificate, url: string): Promise<void> {
    let answer: UpstreamAnswer;
    try {
      answer = await this.callOnce({
        material: certificate.material,
        method: 'GET',
        targetUrl: url,
        headers: [],
        body: null,
      });
    } catch (error) {
      // The remote answered (with a status the gateway would not pass on): reachable with the certificate.
      if (error instanceof BadGatewayError) return;
      throw error;
    }
    // The status is the proof; the body is not needed (the one-off connection closes with it). Destroying an
    // undici body emits an AbortError, which must not become an uncaught exception.
    answer.body.once('error', () => undefined);
    answer.body.destroy();
  }

  #failed(error: unknown, target: ForwardTarget, label: CertificateLabel, started: number): GatewayError {
    const gatewayError = toForwardingError(error, target.displayAuthority);
    const outcome = error instanceof CallerGoneError ? 'caller_gone' : outcomeOf(gatewayError);
    this.#metrics?.observeUpstream(label, outcome, (performance.now() - started) / 1000);
    return gatewayError;
  }

  /** One request on `dispatcher` under the total timeout; records the latency to the answer headers. */
  async #exchange(
    dispatcher: Dispatcher,
    target: ForwardTarget,
    request: {
      method: string;
      headers: string[];
      body: Buffer | Readable | null;
      signal: AbortSignal | undefined;
      onCallerGone?: ((abort: () => void) => void) | undefined;
    },
    label: CertificateLabel,
    started: number,
  ): Promise<Omit<UpstreamAnswer, 'certificate'>> {
    const { totalTimeoutMs } = this.#options;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new UpstreamTimeoutError(totalTimeoutMs)),
      totalTimeoutMs,
    );
    const onCallerGone = () => controller.abort(new CallerGoneError());
    if (request.signal?.aborted) onCallerGone();
    request.signal?.addEventListener('abort', onCallerGone, { once: true });
    request.onCallerGone?.(onCallerGone);
    const finish = () => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onCallerGone);
    };
    // Undici reports a 101 as informational, then fails on the upgrade it did not ask for.
    let switchingProtocols = false;
    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        onInfo: ({ statusCode }) => {
          if (statusCode === 101) switchingProtocols = true;
        },
      });
    } catch (error) {
      finish();
      // The abort reason says why (total timeout, caller gone) better than undici's generic abort error.
      if (controller.signal.aborted) throw controller.signal.reason as unknown;
      throw unusableAnswerError(error, target.displayAuthority, switchingProtocols) ?? error;
    }
    const { statusCode } = response;
    if (statusCode < PASSABLE_STATUS_RANGE.min || statusCode > PASSABLE_STATUS_RANGE.max) {
      finish();
      // Nobody reads this body: destroying it closes the connection (its AbortError is expected).
      response.body.once('error', () => undefined);
      response.body.destroy();
      throw unusableStatusError(statusCode, target.displayAuthority);
    }
    try {
      this.#metrics?.observeUpstream(
        label,
        statusClass(response.statusCode),
        (performance.now() - started) / 1000,
      );
      const body = response.body as unknown as Readable;
      body.once('close', finish);
      return { statusCode, headers: clientResponseHeaders(response.headers), body };
    } catch (error) {
      finish();
      response.body.once('error', () => undefined);
      response.body.destroy();
      throw error;
    }
  }

  /** Applies changes seen in `change_log`: drops cached lookups and closes pools of changed certificates. */
  applyChanges(changes: readonly ChangeRecord[]): void {
    for (const change of changes) {
      if (change.kind.startsWith('certificate.') && change.certificateId !== null) {
        this.certificates.invalidateCertificate(change.accountId, change.certificateId);
        this.pools.closeCertificate(change.certificateId);
      } else {
        this.certificates.invalidateMappings(change.accountId);
      }
    }
  }

  /** Closes every pool and stops the idle sweep. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.certificates.clear();
    await this.pools.close();
  }
}
