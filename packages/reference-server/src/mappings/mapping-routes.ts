import { CertificateService } from '../certificates/certificate-service.js';
import type { GatewayContext, GatewayRoutePlugin } from '../http/context.js';
import { registerSpecRoute } from '../http/spec-routes.js';
import { MappingService, type MappingTarget, type ValidateMappingUrl } from './mapping-service.js';

/** Options of {@link createMappingRoutes}. */
export interface MappingRoutesOptions {
  /**
   * The test call of `isValidateUrlEnabled=true`, provided by the forwarding module. Without it the flag only
   * checks the URL's syntax (which every activation does).
   */
  validateUrl?: ValidateMappingUrl | undefined;
  /** Use this service instead of one built from the context. */
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
    const mappings =
      options.service ??
      new MappingService({
        db: context.db,
        certificates: new CertificateService({
          db: context.db,
          secrets: context.secrets,
          logger: context.logger,
        }),
        validateUrl: options.validateUrl,
      });

    registerSpecRoute(app, 'activateMapping', async (request, reply) => {
      const { accountId, certificateId } = request.params as { accountId: string; certificateId: string };
      const { isValidateUrlEnabled } = request.query as { isValidateUrlEnabled?: boolean };
      const mapping = await mappings.activate(
        accountId,
        Number(certificateId),
        request.body as MappingTarget,
        {
          validateUrl: isValidateUrlEnabled === true,
        },
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
