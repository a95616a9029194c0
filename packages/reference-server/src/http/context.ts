import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { P12WorkerPool } from '../certificates/p12-worker-pool.js';
import type { GatewayConfig } from '../config/config.js';
import type { MetricsRegistry } from '../operations/metrics.js';
import type { Keyring } from '../secrets/master-key.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { GatewayServices } from '../services.js';
import type { Database } from '../storage/database.js';
import type { GatewaySpec } from './openapi.js';

/**
 * Everything a route module needs, shared by the whole server instance: the services (built once by the
 * composition root, `createGatewayContext`) and what they were built from. Route plugins receive it as their
 * second argument; handlers reach it as `request.server.gateway`.
 *
 * @example
 * ```ts
 * export const certificateRoutes: GatewayRoutePlugin = (app, { certificates }) => {
 *   registerSpecRoute(app, 'listCertificates', async (request) => certificates.list(accountIdOf(request)));
 * };
 * ```
 */
export interface GatewayContext extends GatewayServices {
  config: GatewayConfig;
  db: Database;
  /** Where certificate key material lives (embedded AES-256-GCM or Vault). */
  secrets: SecretStore;
  logger: Logger;
  /** Prometheus registry rendered at `/metrics`; modules add their own metrics. */
  metrics: MetricsRegistry;
  /** The OpenAPI document and its operation index. */
  spec: GatewaySpec;
  /** Master keys (current + previous) sealing OAuth consumer secrets. */
  keyring: () => Keyring;
  /** Opens uploaded PKCS#12 files off the event loop (`MTLS_P12_WORKERS`, `MTLS_P12_TIMEOUT_MS`). */
  p12Workers: P12WorkerPool;
}

/**
 * A route module: registers its operations with `registerSpecRoute` on the (encapsulated) instance it is
 * given. `buildApp` registers each one as its own Fastify plugin.
 *
 * @example
 * ```ts
 * const pingRoutes: GatewayRoutePlugin = (app) => {
 *   registerSpecRoute(app, 'getHealth', async () => ({ status: 'ok' }));
 * };
 * ```
 */
export type GatewayRoutePlugin = (app: FastifyInstance, context: GatewayContext) => void | Promise<void>;
