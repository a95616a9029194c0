import type { FastifyReply, FastifyRequest } from 'fastify';
import { ALL_ACCOUNTS } from '../auth/principal.js';
import type { GatewayContext, GatewayRoutePlugin } from '../http/context.js';
import { ForbiddenError } from '../http/errors.js';
import { GATEWAY_ERROR_HEADER } from '../http/problem.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import { openApiYaml, renderApiReference } from './api-reference.js';
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
 * `mtls_http_request_duration_seconds{method,route}`. The route label is the spec's path template (or
 * `unmatched`), so the number of series stays bounded.
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
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch in seconds.',
    collect(gauge) {
      gauge.set({}, Math.round((Date.now() - process.uptime() * 1000) / 1000));
    },
  });
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
 * tenant's certificates), `/docs`, `/openapi.yaml`. The operator listener (`MTLS_OPS_PORT`, see
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
    // The page is static HTML: forbid scripts and every external resource.
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      )
      .header('x-content-type-options', 'nosniff');
    return page;
  });

  registerSpecRoute(app, 'getOpenApiDocument', async (_request, reply) => {
    reply.type('application/yaml; charset=utf-8');
    return openApiYaml(context.spec);
  });
};
