import { GATEWAY_ERROR_HEADER } from '@mtls-gateway/contract';
import Fastify, { type FastifyInstance } from 'fastify';
import type { OpsListener } from '../config/config.js';
import { RouteNotFoundError } from '../errors.js';
import type { GatewayContext } from '../http/context.js';
import { sendProblem } from '../http/problem.js';
import { generateRequestId } from '../http/request-id.js';
import { PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { cachedReadiness } from './routes.js';

/**
 * The operator listener (`MTLS_OPS_PORT`, `MTLS_OPS_HOST`; as Envoy's admin port or Kong's status listener):
 * `/healthz`, `/readyz` and `/metrics` without credentials, for orchestrators and Prometheus on an internal
 * address. It shares the API server's context (database, secret store, metrics registry); nothing else is
 * served, and it never sees tenant traffic. While `options.draining()` is true (a shutdown), `/readyz` is 503.
 *
 * @example
 * ```ts
 * const ops = await startOpsListener(app.gateway, { port: 9464, host: '127.0.0.1' });
 * // … later
 * await ops.close();
 * ```
 */
export async function startOpsListener(
  context: GatewayContext,
  listener: OpsListener,
  options: { draining?: () => boolean } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger.child({ listener: 'ops' }),
    genReqId: generateRequestId,
  }) as unknown as FastifyInstance;
  const readiness = cachedReadiness(context);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    // A draining gateway takes no new work: a load balancer must stop sending it any.
    if (options.draining?.()) {
      reply.code(503).header(GATEWAY_ERROR_HEADER, 'unavailable');
      return { status: 'unavailable', draining: true };
    }
    const result = await readiness();
    if (result.status !== 'ok') reply.code(503).header(GATEWAY_ERROR_HEADER, 'unavailable');
    return result;
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store');
    return context.metrics.render();
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new RouteNotFoundError('The operator listener serves /healthz, /readyz and /metrics only.'),
    ),
  );
  await app.listen({ port: listener.port, host: listener.host });
  return app;
}
