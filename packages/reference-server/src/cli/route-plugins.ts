import { certificateRoutes } from '../certificates/index.js';
import { createForwarding } from '../forwarding/index.js';
import { createConsoleRoutes } from '../http/console-static.js';
import type { GatewayRoutePlugin } from '../http/context.js';
import { createMappingRoutes } from '../mappings/index.js';

/**
 * The route modules `mtls-gateway serve` registers besides the operations endpoints: certificates, mappings
 * (whose `isValidateUrlEnabled` check makes a real call through the forwarding engine), forwarding and the
 * p12 test, and the certificate console's static files at `/console/`. A new set per app: the forwarding
 * engine holds that app's connection pools and caches.
 *
 * @example
 * ```ts
 * const app = await buildApp(config, { routes: createDefaultRoutePlugins() });
 * ```
 */
export function createDefaultRoutePlugins(): GatewayRoutePlugin[] {
  const forwarding = createForwarding();
  return [
    certificateRoutes,
    createMappingRoutes({ validateUrl: forwarding.validateMappingUrl }),
    forwarding.routes,
    createConsoleRoutes(),
  ];
}
