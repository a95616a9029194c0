import { certificateRoutes } from '../certificates/index.js';
import type { GatewayRoutePlugin } from '../http/context.js';
import { mappingRoutes } from '../mappings/index.js';

/**
 * The route modules `mtls-gateway serve` registers besides the operations endpoints. The forwarding module
 * (forwarding and the p12 test) is added here when it lands.
 */
export const defaultRoutePlugins: readonly GatewayRoutePlugin[] = [certificateRoutes, mappingRoutes];
