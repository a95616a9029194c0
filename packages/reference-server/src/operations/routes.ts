import { GATEWAY_ERROR_HEADER } from '@mtls-gateway/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ALL_ACCOUNTS } from '../auth/principal.js';
import { ForbiddenError } from '../errors.js';
import type { GatewayContext, GatewayRoutePlugin } from '../http/context.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import {
  API_REFERENCE_CSP,
  API_REFERENCE_SCRIPT_PATH,
  apiReferenceScript,
  openApiYaml,
  renderApiReference,
} from './api-reference.js';
import {
  type Counter,
  DEFAULT_LATENCY_BUCKETS,
  type Histogram,
  type MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
} from './metrics.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/** Status of one dependency in `/readyz`. */
export type DependencyStatus = 'ok' | 'unavailable';

/** The body of `/readyz` (the spec's `Readiness`). */
export interface Readiness {
  status: DependencyStatus;
  checks: { database: DependencyStatus; secretStore: DependencyStatus };
}

/** How long each readiness check may take before it counts as unavailable. */
export const READINESS_CHECK_TIMEOUT_MS = 3000;

async function probe(
  check: () => Promise<void>,
  onFailure: (error: unknown) => void,
): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), READINESS_CHECK_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (error) {
    onFailure(error);
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks the database (`SELECT 1`) and the secret store, in parallel, each within
 * {@link READINESS_CHECK_TIMEOUT_MS}.
 *
 * @example
 * ```ts
 * const readiness = await checkReadiness(context); // { status: 'ok', checks: { database: 'ok', secretStore: 'ok' } }
 * ```
 */
export async function checkReadiness(
  context: Pick<GatewayContext, 'db' | 'secrets' | 'logger'>,
): Promise<Readiness> {
  const [database, secretStore] = await Promise.all([
    probe(
      () => context.db.ping(),
      (error) => context.logger.warn({ err: error }, 'Readiness: the database is unavailable'),
    ),
    probe(
      () => context.secrets.health(),
      (error) => context.logger.warn({ err: error }, 'Readiness: the secret store is unavailable'),
    ),
  ]);
  const status = database === 'ok' && secretStore === 'ok' ? 'ok' : 'unavailable';
  return { status, checks: { database, secretStore } };
}

/** The HTTP metrics every server has: requests by route and status, and latency by route. */
export interface HttpMetrics {
  requests: Counter;
  duration: Histogram;
  /** Records one finished request (`onResponse`). */
  observe(request: FastifyRequest, reply: FastifyReply): void;
}

/**
 * Registers `mtls_http_requests_total{method,route,status}` and
 * `mtls_http_request_duration_seconds{method,route}`, and renders the process metrics with them
 * (`registerRuntimeMetrics`). The route label is the spec's path template (or `unmatched`), so the number of
 * series stays bounded.
 */
export function registerHttpMetrics(registry: MetricsRegistry): HttpMetrics {
  const requests = registry.counter({
    name: 'mtls_http_requests_total',
    help: 'Requests by method, route and status.',
    labelNames: ['method', 'route', 'status'],
  });
  const duration = registry.histogram({
    name: 'mtls_http_request_duration_seconds',
    help: 'Request latency in seconds by method and route.',
    labelNames: ['method', 'route'],
    buckets: DEFAULT_LATENCY_BUCKETS,
  });
  // The process metrics (process_start_time_seconds, memory, event loop…) are prom-client's defaults.
  registerRuntimeMetrics(registry);
  return {
    requests,
    duration,
    observe(request, reply) {
      const route = request.operation?.path ?? 'unmatched';
      // Unknown methods are folded together so that a scanner cannot create unbounded series.
      const method = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(request.method)
        ? request.method
        : 'OTHER';
      requests.inc({ method, route, status: reply.statusCode });
      duration.observe({ method, route }, reply.elapsedTime / 1000);
    },
  };
}

/** How long one readiness result is reused: a probe storm costs one round trip per second at most. */
export const READINESS_CACHE_MS = 1_000;

/**
 * {@link checkReadiness}, reusing a result younger than {@link READINESS_CACHE_MS} (and a check in flight).
 *
 * @example
 * ```ts
 * const readiness = cachedReadiness(context);
 * await readiness(); // { status: 'ok', … }
 * ```
 */
export function cachedReadiness(
  context: Pick<GatewayContext, 'db' | 'secrets' | 'logger'>,
): () => Promise<Readiness> {
  let last: { at: number; result: Promise<Readiness> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > READINESS_CACHE_MS) last = { at: now, result: checkReadiness(context) };
    return last.result;
  };
}

/**
 * The operations endpoints of the API port: `/healthz` (liveness, no data, no credentials), `/readyz`
 * (a credential with `MTLS_READ_INTERNAL`), `/metrics` (a credential for every account, `*`: it names every
 * tenant's certificates), `/docs` (the API reference, rendered in the browser by Scalar's script from
 * `/docs/api-reference.js`), `/openapi.yaml`. The operator listener (`MTLS_OPS_PORT`, see
 * `startOpsListener`) serves `/readyz` and `/metrics` without credentials on an internal address.
 *
 * @example
 * ```ts
 * const app = await buildApp(context); // registers operationsRoutes itself
 * ```
 */
export const operationsRoutes: GatewayRoutePlugin = (app, context) => {
  registerSpecRoute(app, 'getHealth', async () => ({ status: 'ok' }));

  const readiness = cachedReadiness(context);
  registerSpecRoute(app, 'getReadiness', async (_request, reply) => {
    const result = await readiness();
    if (result.status !== 'ok') reply.code(503).header(GATEWAY_ERROR_HEADER, 'unavailable');
    return result;
  });

  registerSpecRoute(app, 'getMetrics', async (request, reply) => {
    if (!request.principal?.accounts.includes(ALL_ACCOUNTS)) {
      throw new ForbiddenError(
        "/metrics names every account's certificates: use a credential for every account (*), or the operator " +
          'listener (MTLS_OPS_PORT).',
      );
    }
    reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store');
    return context.metrics.render();
  });

  const page = renderApiReference(context.spec);
  registerSpecRoute(app, 'getApiReference', async (_request, reply) => {
    // Nothing from another origin: the renderer's script is served below, the document is in the page.
    reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', API_REFERENCE_CSP)
      .header('x-content-type-options', 'nosniff');
    return page;
  });
  // The renderer's script is part of the getApiReference operation (the page's own asset), not an operation
  // of its own: public like /docs, no input to validate.
  app.get(
    API_REFERENCE_SCRIPT_PATH,
    { config: { operationId: 'getApiReference' } },
    async (request, reply) => {
      const script = await apiReferenceScript();
      const gzipped = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .header('vary', 'accept-encoding')
        .header('x-content-type-options', 'nosniff');
      if (gzipped) reply.header('content-encoding', 'gzip');
      return gzipped ? script.gzip : script.body;
    },
  );

  registerSpecRoute(app, 'getOpenApiDocument', async (_request, reply) => {
    reply.type('application/yaml; charset=utf-8');
    return openApiYaml(context.spec);
  });
};
