import type { GatewayContext, GatewayRoutePlugin } from '../http/context.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import type { MappingService, MappingTarget, ValidateMappingUrl } from './mapping-service.js';

/** Options of {@link createMappingRoutes}. */
export interface MappingRoutesOptions {
  /**
   * The test call of `isValidateUrlEnabled=true`, provided by the forwarding module. Without it the flag only
   * checks the URL's syntax (which every activation does).
   */
  validateUrl?: ValidateMappingUrl | undefined;
  /** Use this service instead of the context's. */
  service?: MappingService | undefined;
}

/**
 * The mapping operations of the spec, by operationId: `activateMapping`, `listMappings`, `deleteMapping`
 * and `checkMappings`.
 *
 * @example
 * ```ts
 * const app = await buildApp(config, {
 *   routes: [certificateRoutes, createMappingRoutes({ validateUrl: forwarding.validateMappingUrl })],
 * });
 * ```
 */
export function createMappingRoutes(options: MappingRoutesOptions = {}): GatewayRoutePlugin {
  return (app, context: GatewayContext) => {
    const mappings = options.service ?? context.mappings;

    registerSpecRoute(app, 'activateMapping', async (request, reply) => {
      const { accountId, certificateId } = request.params as { accountId: string; certificateId: string };
      const { isValidateUrlEnabled } = request.query as { isValidateUrlEnabled?: boolean };
      const mapping = await mappings.activate(
        accountId,
        Number(certificateId),
        request.body as MappingTarget,
        { validateUrl: isValidateUrlEnabled === true, testCall: options.validateUrl },
      );
      return reply.code(201).send(mapping);
    });

    registerSpecRoute(app, 'listMappings', async (request) => {
      const { accountId } = request.params as { accountId: string };
      return mappings.list(accountId);
    });

    registerSpecRoute(app, 'deleteMapping', async (request) => {
      const { accountId, mappingId } = request.params as { accountId: string; mappingId: string };
      return mappings.delete(accountId, Number(mappingId));
    });

    registerSpecRoute(app, 'checkMappings', async (request) => {
      const { accountId } = request.params as { accountId: string };
      return mappings.check(accountId, request.body as MappingTarget[]);
    });
  };
}

/** The mapping routes with default options (no test call for `isValidateUrlEnabled`). */
export const mappingRoutes: GatewayRoutePlugin = createMappingRoutes();
