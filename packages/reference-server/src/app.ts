import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { P12WorkerPool } from './certificates/p12-worker-pool.js';
import type { GatewayConfig } from './config/config.js';
import { type GatewayError, MethodNotAllowedError, RateLimitedError, RouteNotFoundError } from './errors.js';
import { AccessLogController } from './http/access-log.js';
import type { GatewayContext, GatewayRoutePlugin } from './http/context.js';
import { httpEdgeServerOptions, registerHttpEdge } from './http/edge.js';
import { createLogger } from './http/logging.js';
import { GatewaySpec } from './http/openapi.js';
import { problemStatus, sendProblem, toGatewayError } from './http/problem.js';
import { TokenBucketRateLimiter } from './http/rate-limit.js';
import { requestIdOf } from './http/request-id.js';
import { MetricsRegistry } from './operations/metrics.js';
import { operationsRoutes, registerHttpMetrics } from './operations/routes.js';
import { loadCheckedMasterKey } from './secrets/embedded.js';
import { loadMasterKey } from './secrets/master-key.js';
import { openSecretStore } from './secrets/open-secret-store.js';
import { createGatewayServices } from './services.js';
import type { Database } from './storage/database.js';
import { migrate } from './storage/migrations.js';
import { openDatabase } from './storage/open-database.js';

export type { GatewayContext, GatewayRoutePlugin } from './http/context.js';

/** Paths never rate limited: orchestrators probe liveness often, from few addresses (it reads nothing). */
export const RATE_LIMIT_EXEMPT_PATHS: ReadonlySet<string> = new Set(['/healthz']);

/** A {@link GatewayContext} that owns its resources (built from a config) and must be closed. */
export interface OwnedGatewayContext extends GatewayContext {
  /** Closes the PKCS#12 worker pool and the database (unless it was passed in). */
  close(): Promise<void>;
}

/** Options of {@link createGatewayContext}. */
export interface CreateGatewayContextOptions {
  /** Logger to use; default: pino on standard error at `config.logLevel`. */
  logger?: Logger;
  /** Where a default logger writes (tests capture it). */
  logStream?: DestinationStream;
  /** Apply database migrations first (default true). */
  migrate?: boolean;
  /**
   * Refuse to start (MasterKeyMismatchError) when the master key cannot open the secrets the database holds.
   * Default: true when the context opens its own database (as `serve` does), false when `db` is given.
   */
  verifyMasterKey?: boolean;
  /** The spec (default: the bundled document). */
  spec?: GatewaySpec;
  /** An open database to use instead of opening one from the config (the caller keeps closing it). */
  db?: Database;
  /**
   * Age after which a `pending` certificate create counts as abandoned: the sweep removes it, a new upload
   * of the same name replaces it. Default 10 minutes.
   */
  pendingTimeoutMs?: number | undefined;
}

/**
 * The composition root: opens everything a server instance needs from its configuration — the logger, the
 * database (migrated), the master key (from `MTLS_MASTER_KEY` or the key file), the secret store (Vault when
 * `VAULT_ADDR` is set, else embedded), the metrics registry, the PKCS#12 worker pool — and builds the
 * services once (authentication, the change log, certificates, mappings: `createGatewayServices`).
 *
 * @example
 * ```ts
 * const context = await createGatewayContext(loadConfig());
 * try { … } finally { await context.close(); }
 * ```
 */
export async function createGatewayContext(
  config: GatewayConfig,
  options: CreateGatewayContextOptions = {},
): Promise<OwnedGatewayContext> {
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      ...(options.logStream ? { destination: options.logStream } : {}),
    });
  const spec = options.spec ?? GatewaySpec.load();
  const db: Database =
    options.db ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      onBackgroundError: (error) => logger.error({ err: error }, 'Idle database connection failed'),
    }));
  const closeDatabase = options.db ? async () => undefined : () => db.close();
  try {
    // Checked before migrating or generating a key file: a start with the wrong key changes nothing.
    const masterKey =
      (options.verifyMasterKey ?? options.db === undefined)
        ? await loadCheckedMasterKey(db, {
            masterKey: config.masterKey,
            dataDir: config.dataDir,
            certificateSecrets: !config.vault,
            warn: (message) => logger.warn(message),
          })
        : await loadMasterKey({
            masterKey: config.masterKey,
            dataDir: config.dataDir,
            warn: (message) => logger.warn(message),
          });
    if (options.migrate ?? true) {
      const applied = await migrate(db);
      if (applied.length > 0) logger.info({ versions: applied }, 'Applied database migrations');
    }
    const { store: secrets, keyring } = openSecretStore({ db, masterKey, vault: config.vault });
    const metrics = new MetricsRegistry();
    metrics.onCollectError = (metric, error) =>
      logger.warn({ err: error, metric }, 'Collecting a metric failed');
    // Threads start with the first file opened.
    const p12Workers = new P12WorkerPool({
      threads: config.p12Workers.threads,
      timeoutMs: config.p12Workers.timeoutMs,
    });
    const services = createGatewayServices({
      config,
      db,
      secrets,
      keyring,
      spec,
      logger,
      p12Opener: p12Workers,
      pendingTimeoutMs: options.pendingTimeoutMs,
    });
    const close = async () => {
      await p12Workers.close();
      await closeDatabase();
    };
    return { ...services, config, db, secrets, logger, metrics, spec, keyring, p12Workers, close };
  } catch (error) {
    await closeDatabase().catch(() => undefined);
    throw error;
  }
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /** Route modules (certificates, mappings, forwarding…), each registered as its own encapsulated plugin. */
  routes?: readonly GatewayRoutePlugin[];
  /** When building from a config: where the logger writes (tests capture it). */
  logStream?: DestinationStream;
  /**
   * How often this replica sweeps what interrupted certificate writes left behind
   * (`CertificateService.sweepAbandonedWrites`), in ms. Default 60 000; 0 turns the sweep off.
   */
  sweepIntervalMs?: number | undefined;
}

/** Default of {@link BuildAppOptions.sweepIntervalMs}. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** Runs the certificate sweep every `intervalMs` until the app closes (a failure is logged; it retries). */
function scheduleCertificateSweep(app: FastifyInstance, context: GatewayContext, intervalMs: number): void {
  if (intervalMs <= 0) return;
  const sweep = () => {
    context.certificates
      .sweepAbandonedWrites()
      .catch((error: unknown) =>
        context.logger.warn({ err: error }, 'The certificate sweep failed; it will retry.'),
      );
  };
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}

function isContext(source: GatewayConfig | GatewayContext): source is GatewayContext {
  return 'db' in source && 'auth' in source;
}

interface RegisteredRoute {
  method: string;
  pattern: RegExp;
}

function routePattern(routePath: string): RegExp {
  const escaped = routePath
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}$`);
}

/**
 * Builds the gateway's Fastify app. Given a config, it opens its own context (database, secret store…) and
 * closes it with the app; given a context, the caller owns it.
 *
 * - Every route is a spec operation (`registerSpecRoute`): authenticated, authorized and validated from the
 *   OpenAPI document. Registering any other route fails at start-up.
 * - Every answer the gateway makes itself is `application/problem+json` with `LP-gateway-error`; unknown
 *   paths are 404 `route_not_found`, a known path with another method is 405 `method_not_allowed` (with
 *   `Allow`).
 * - Request ids: a well-formed incoming `X-Request-Id` is kept, else one is generated; it is echoed on every
 *   answer and on every log line (`requestId`).
 * - Per-IP token bucket rate limit (`MTLS_RATE_LIMIT_RPS`, per replica), `/healthz` and `/readyz` exempt.
 * - `@fastify/multipart` is registered here with the configured limits; route modules must not register it.
 * - Background jobs are the app's: the certificate sweep runs every `sweepIntervalMs` until the app closes.
 *
 * @example
 * ```ts
 * const app = await buildApp(loadConfig(), { routes: [certificateRoutes, mappingRoutes, forwardingRoutes] });
 * await app.listen({ port: 8080, host: '127.0.0.1' });
 * ```
 */
export async function buildApp(
  source: GatewayConfig | GatewayContext,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const owned = isContext(source)
    ? undefined
    : await createGatewayContext(source, options.logStream ? { logStream: options.logStream } : {});
  const context: GatewayContext = owned ?? (source as GatewayContext);
  const { config, spec } = context;

  try {
    const app = Fastify({
      loggerInstance: context.logger,
      genReqId: requestIdOf,
      requestIdHeader: false,
      logController: new AccessLogController({ accessLog: config.accessLog }),
      bodyLimit: config.bodyLimitBytes,
      // A hop count becomes the function proxy-addr would build from it (Fastify's types omit numbers).
      trustProxy:
        typeof config.trustProxy === 'number'
          ? (_address: string, hop: number) => hop < (config.trustProxy as number)
          : config.trustProxy,
      // The spec declares HEAD where it exists (forwardHead); automatic HEAD routes would collide with it.
      exposeHeadRoutes: false,
      ...httpEdgeServerOptions(config),
    }) as unknown as FastifyInstance;

    if (owned) app.addHook('onClose', async () => owned.close());
    // Background jobs belong to the app, not to a route module.
    scheduleCertificateSweep(app, context, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);

    app.decorate('gateway', context);
    registerHttpEdge(app, config);
    app.decorateRequest('principal', undefined);
    app.decorateRequest('operation', undefined);
    app.decorateRequest('operationInput', undefined);
    app.decorateRequest('problemLogged', false);

    const registeredRoutes: RegisteredRoute[] = [];
    app.addHook('onRoute', (route) => {
      if (!route.config?.operationId) {
        throw new Error(
          `Route ${String(route.method)} ${route.url} is not an operation of the OpenAPI document. ` +
            'Declare routes with registerSpecRoute(app, operationId, handler).',
        );
      }
      for (const method of [route.method].flat()) {
        registeredRoutes.push({ method: String(method).toUpperCase(), pattern: routePattern(route.url) });
      }
    });

    const limiter =
      config.rateLimitRps > 0
        ? new TokenBucketRateLimiter({ requestsPerSecond: config.rateLimitRps })
        : undefined;
    if (limiter) {
      const sweeper = setInterval(() => limiter.sweep(), 60_000);
      sweeper.unref();
      app.addHook('onClose', async () => clearInterval(sweeper));
    }
    const httpMetrics = registerHttpMetrics(context.metrics);

    // Hooks of every request take a callback rather than returning a promise: one promise less each.
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      const operationId = request.routeOptions.config?.operationId;
      request.operation = operationId ? spec.operations.get(operationId) : undefined;
      if (limiter && !RATE_LIMIT_EXEMPT_PATHS.has(request.url.split('?')[0] ?? '')) {
        const decision = limiter.take(request.ip);
        if (!decision.allowed) {
          done(new RateLimitedError(limiter.requestsPerSecond, decision.retryAfterSeconds));
          return;
        }
      }
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      httpMetrics.observe(request, reply);
      done();
    });

    app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
      // Already answered (a body that timed out is answered 408 while its reader is still waiting).
      if (reply.sent) return reply;
      const problem = toGatewayError(error, config.bodyLimitBytes);
      const status = problemStatus(problem);
      // Logged now (not when the answer is complete: a caller may still be sending), and then it is the
      // request's access line too: one line per request.
      const line = { ...(config.accessLog ? { req: request } : {}), problem: problem.code, status };
      if (status >= 500) request.log.error({ ...line, err: error }, 'Request failed');
      else request.log.info(line, problem.detail);
      request.problemLogged = true;
      return sendProblem(request, reply, problem);
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      const allowed = [
        ...new Set(registeredRoutes.filter((route) => route.pattern.test(path)).map((route) => route.method)),
      ];
      const error: GatewayError =
        allowed.length > 0
          ? new MethodNotAllowedError(request.method, path, allowed.sort())
          : new RouteNotFoundError(
              `No operation serves ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}. ` +
                'See /docs for the API reference.',
            );
      return sendProblem(request, reply, error);
    });

    await app.register(multipart, {
      throwFileSizeLimit: true,
      limits: {
        fileSize: config.multipart.fileSizeBytes,
        fieldSize: config.multipart.fieldSizeBytes,
        files: config.multipart.files,
        fields: config.multipart.fields,
        parts: config.multipart.parts,
      },
    });

    for (const plugin of [operationsRoutes, ...(options.routes ?? [])]) {
      await app.register(async (child) => plugin(child, context));
    }
    return app;
  } catch (error) {
    // Nobody gets the app: release what this call opened.
    await owned?.close().catch(() => undefined);
    throw error;
  }
}
