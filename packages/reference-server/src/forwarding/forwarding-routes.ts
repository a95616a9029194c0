import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { openCertificateFiles } from '../certificates/certificate-file.js';
import type { LoadedCertificate } from '../certificates/certificate-service.js';
import type { HostResolver } from '../egress/guarded-connector.js';
import type { GatewayContext, GatewayRoutePlugin } from '../http/context.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import type { ValidateMappingUrl } from '../mappings/mapping-service.js';
import { ChangeWatcher } from '../storage/change-log.js';
import type { CertificateSource } from './certificate-resolver.js';
import { ForwardingEngine, type SocketOpenerFactory, type UpstreamAnswer } from './forwarding-engine.js';
import { registerForwardingMetrics } from './forwarding-metrics.js';
import { readP12TestForm } from './p12-test-form.js';
import { UpstreamTls } from './upstream-tls.js';

/** The forwarding operations of the spec, by operationId. */
export const FORWARD_OPERATION_IDS = [
  'forwardGet',
  'forwardPost',
  'forwardPut',
  'forwardDelete',
  'forwardPatch',
  'forwardHead',
] as const;

/** Options of {@link createForwarding}. */
export interface ForwardingOptions {
  /** Name resolution of upstream hosts (tests: a stub mapping names to loopback). */
  resolve?: HostResolver | undefined;
  /** Opens upstream sockets (tests: a counting wrapper). */
  openSocket?: SocketOpenerFactory | undefined;
  /** Where certificates come from; default: the mapping and certificate services on the context. */
  source?: ((context: GatewayContext) => CertificateSource) | undefined;
  /** `change_log` poll interval. Default 250 ms. */
  changePollIntervalMs?: number | undefined;
  /** Most upstream pools. Default 256. */
  maxPools?: number | undefined;
  /** Idle pools are closed after this long. Default 60 s. */
  poolIdleTimeoutMs?: number | undefined;
  /** See `ForwardingEngineOptions.handshakeVerdictMs`. */
  handshakeVerdictMs?: number | undefined;
}

/** The forwarding module of one server instance. */
export interface Forwarding {
  /** The six forwarding operations and the p12 test. */
  routes: GatewayRoutePlugin;
  /**
   * The test call of mapping activation (`isValidateUrlEnabled=true`): pass it to `createMappingRoutes`. It
   * works once `routes` has been registered in the same app.
   */
  validateMappingUrl: ValidateMappingUrl;
  /** The engine, once `routes` has been registered (tests, diagnostics). */
  readonly engine: ForwardingEngine | undefined;
}

interface AccountParams {
  accountId: string;
}

/** Calls `abort` when the caller's connection closes before the answer was fully sent. */
function onCallerGone(reply: FastifyReply): (abort: () => void) => void {
  // Listening from now on: the caller may leave while the certificate is still being looked up.
  let gone = false;
  let onGone: (() => void) | undefined;
  reply.raw.once('close', () => {
    if (reply.raw.writableFinished) return;
    gone = true;
    onGone?.();
  });
  return (abort) => {
    if (gone) abort();
    else onGone = abort;
  };
}

/** A signal aborted when the caller's connection closes before the answer was fully sent. */
function callerGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  onCallerGone(reply)(() => controller.abort());
  return controller.signal;
}

/** The caller's body as the forwarding parser left it (a stream; a Buffer when OAuth read a form body). */
function forwardedBody(request: FastifyRequest): Readable | null {
  const body: unknown = request.body;
  if (body instanceof Readable) return body;
  if (Buffer.isBuffer(body)) return Readable.from([body]);
  // Fastify does not read GET bodies; a GET that has one still forwards it.
  const headers = request.headers;
  const announced =
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0');
  return request.method === 'GET' && announced ? request.raw : null;
}

/** Sends the remote's answer as-is: status, headers, streamed body (none for HEAD, 204 and 304). */
function sendUpstreamAnswer(reply: FastifyReply, method: string, answer: UpstreamAnswer): FastifyReply {
  reply.code(answer.statusCode);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  if (method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 304) {
    answer.body.resume();
    return reply.send();
  }
  return reply.send(answer.body);
}

/**
 * The remote answered while the caller is still sending its body. The answer goes to the caller at once
 * (with `Connection: close`, see the HTTP edge), the body keeps streaming to the remote while it reads it,
 * and once the remote's answer is over the rest of the caller's body is read and dropped — so the caller
 * can finish sending and read the answer, instead of hanging on a body nobody reads.
 */
function answerBeforeBodyEnds(request: FastifyRequest, answer: UpstreamAnswer): void {
  request.answersWhileBodyStreams = true;
  answer.body.once('close', () => {
    const raw = request.raw;
    if (raw.complete || raw.destroyed) return;
    raw.unpipe();
    raw.on('error', () => undefined);
    raw.resume();
  });
}

const MEDIA_TYPE_TOKEN = /^[\w!#$%&'*+.^`|~-]+$/;

/** Whether Fastify can parse this `Content-Type` (it answers 415 before any parser runs otherwise). */
export function isParsableContentType(value: string): boolean {
  const [type = '', subtype = ''] = (value.split(';')[0] ?? '').split('/');
  return MEDIA_TYPE_TOKEN.test(type.trim()) && MEDIA_TYPE_TOKEN.test(subtype.trim());
}

function headerString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Creates the forwarding module: the forwarding operations (`forwardGet|Post|Put|Delete|Patch|Head`,
 * permissions from the spec: read for GET/HEAD, write for the others), the p12 test (`testP12`), and the
 * `validateMappingUrl` of mapping activation. Registering `routes` starts the engine (pools, certificate
 * cache) and a {@link ChangeWatcher} on `change_log`; closing the app stops both.
 *
 * Forwarded bodies are streams: the forwarding routes live in their own scope whose only content-type
 * parser passes the raw request stream through, so Fastify never parses or buffers them.
 *
 * @example
 * ```ts
 * const forwarding = createForwarding();
 * const app = await buildApp(config, {
 *   routes: [certificateRoutes, createMappingRoutes({ validateUrl: forwarding.validateMappingUrl }), forwarding.routes],
 * });
 * ```
 */
export function createForwarding(options: ForwardingOptions = {}): Forwarding {
  let engine: ForwardingEngine | undefined;

  const routes: GatewayRoutePlugin = async (app: FastifyInstance, context: GatewayContext) => {
    const { config, db, logger } = context;
    const { certificates, mappings } = context;
    const source: CertificateSource = options.source?.(context) ?? {
      resolveMapping: (request) => mappings.resolveMapping(request),
      listActiveMappings: (accountId) => mappings.listActiveMappings(accountId),
      loadCertificateMaterial: (accountId, certificateId) =>
        certificates.loadCertificateMaterial(accountId, certificateId),
    };

    let watcher: ChangeWatcher | undefined;
    const instance: ForwardingEngine = new ForwardingEngine({
      source,
      egressAllow: config.egressAllow,
      upstreamTls: UpstreamTls.fromCaFile(config.upstreamCaFile),
      bodyLimitBytes: config.bodyLimitBytes,
      connectTimeoutMs: config.upstreamTimeouts.connectMs,
      totalTimeoutMs: config.upstreamTimeouts.totalMs,
      resolve: options.resolve,
      openSocket: options.openSocket,
      metrics: registerForwardingMetrics(context.metrics, () => instance.pools.size),
      canUseCache: () => watcher?.isCurrent() ?? false,
      maxPools: options.maxPools,
      poolIdleTimeoutMs: options.poolIdleTimeoutMs,
      handshakeVerdictMs: options.handshakeVerdictMs,
    });
    watcher = new ChangeWatcher({
      db,
      intervalMs: options.changePollIntervalMs,
      onChanges: (changes) => instance.applyChanges(changes),
      onError: (error) =>
        logger.warn({ err: error }, 'Polling change_log failed; certificate caches are bypassed'),
    });
    await watcher.start();
    // Changes made through this app apply at once; the watcher brings those of other replicas.
    const unsubscribe = context.changes.subscribe((change) => instance.applyChanges([{ id: 0, ...change }]));
    engine = instance;
    app.addHook('onClose', async () => {
      unsubscribe();
      await watcher?.stop();
      await instance.close();
    });

    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const { accountId } = request.params as AccountParams;
      const headers = request.operationInput?.headers ?? {};
      const answer = await instance.forwardRequest({
        accountId,
        method: request.method,
        targetUrl: headerString(headers['LP-forward-url']) ?? '',
        serviceName: headerString(headers['LP-service-name']),
        authorizationOverride: headerString(headers['LP-authorization-override']),
        stopIfCertificateNotFound: headers['LP-stop-if-certificate-not-found'] === true,
        headers: request.raw.rawHeaders,
        body: forwardedBody(request),
        onCallerGone: onCallerGone(reply),
        clientAddress: request.ip,
        clientProtocol: request.protocol,
      });
      if (!request.raw.complete) answerBeforeBodyEnds(request, answer);
      return sendUpstreamAnswer(reply, request.method, answer);
    };

    await app.register(async (scope) => {
      // Forwarded bodies stay streams: no parser of the app (JSON, multipart…) may touch them.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      // A Content-Type Fastify cannot parse would be refused (415) before the parser above runs. The remote
      // may accept it, so it is hidden from Fastify only: the raw headers, which are forwarded, keep it.
      scope.addHook('onRequest', async (request) => {
        const contentType = request.headers['content-type'];
        if (contentType !== undefined && !isParsableContentType(contentType)) {
          request.headers['content-type'] = 'application/octet-stream';
        }
      });
      for (const operationId of FORWARD_OPERATION_IDS) registerSpecRoute(scope, operationId, forward);
    });

    const passwordSchema = (
      context.spec.document.components?.schemas as Record<string, { maxLength?: number }>
    )?.P12Password;
    const passwordMaxLength = passwordSchema?.maxLength;
    registerSpecRoute(app, 'testP12', async (request, reply) => {
      const headers = request.operationInput?.headers ?? {};
      const form = await readP12TestForm(request, {
        fileSizeBytes: config.multipart.fileSizeBytes,
        fieldSizeBytes: config.multipart.fieldSizeBytes,
        bodySizeBytes: config.bodyLimitBytes,
        passwordMaxLength,
      });
      // The same checks as an upload (400 with the precise p12_* code); nothing is stored.
      const [opened] = await openCertificateFiles([{ p12: form.file, password: form.password }], {
        pointer: () => 'file',
        describeItem: () => 'The PKCS#12 file',
        opener: context.p12Workers,
      });
      if (!opened) throw new Error('openCertificateFiles returned no file.');
      const method = headerString(headers['LP-method-override']) ?? 'POST';
      const contentType =
        headerString(headers['LP-content-type-override']) ?? (form.body ? form.bodyContentType : undefined);
      const authorization = headerString(headers['LP-authorization-override']);
      const upstreamHeaders: string[] = [];
      if (contentType !== undefined) upstreamHeaders.push('content-type', contentType);
      if (authorization !== undefined) upstreamHeaders.push('authorization', authorization);
      const answer = await instance.callOnce({
        material: opened.material,
        method,
        targetUrl: headerString(headers['LP-forward-url']) ?? '',
        headers: upstreamHeaders,
        body: form.body ?? null,
        signal: callerGoneSignal(reply),
      });
      return sendUpstreamAnswer(reply, method, answer);
    });
  };

  return {
    routes,
    get engine() {
      return engine;
    },
    validateMappingUrl: async (certificate: LoadedCertificate, url: string) => {
      if (!engine) {
        throw new Error(
          'Register the forwarding routes (createForwarding().routes) before validating mapping URLs.',
        );
      }
      await engine.validateMappingUrl(certificate, url);
    },
  };
}

/**
 * The forwarding routes with default options. To make `isValidateUrlEnabled=true` call the URL, use
 * {@link createForwarding} and pass its `validateMappingUrl` to the mapping routes.
 */
export const forwardingRoutes: GatewayRoutePlugin = (app, context) => createForwarding().routes(app, context);
