/**
 * Mappings of the reference server: which certificate serves which account + service + URL, and
 * `resolveMapping`, the lookup forwarding uses.
 *
 * @example
 * ```ts
 * import { MappingService, mappingRoutes } from './mappings/index.js';
 * const mappings = new MappingService({ db, certificates });
 * const mapping = await mappings.resolveMapping({ accountId, serviceName: 'WEBHOOKS', url });
 * ```
 */
export type { MappingRoutesOptions } from './mapping-routes.js';
export { createMappingRoutes, mappingRoutes } from './mapping-routes.js';
export type {
  MappingCheck,
  MappingResource,
  MappingServiceOptions,
  MappingTarget,
  ResolvedMapping,
  ServiceName,
  ValidateMappingUrl,
} from './mapping-service.js';
export { assertMappingUrl, MappingService } from './mapping-service.js';
