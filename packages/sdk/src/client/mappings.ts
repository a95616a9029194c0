/**
 * `client.mappings`: which certificate serves which service and URL.
 */
import { InvalidArgumentError } from '../errors.js';
import type { APIPromise } from './api-promise.js';
import { type GatewayScope, gatewayRequest, idForPath } from './call.js';
import type { CallOptions, CertificateId, Mapping, MappingCheck, MappingId, MappingTarget } from './types.js';

/**
 * The account's mappings.
 *
 * @example
 * ```ts
 * await client.mappings.activate(certificateId, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks' });
 * const [check] = await client.mappings.check([{ serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks' }]);
 * ```
 */
export interface MappingsResource {
  /**
   * Makes the certificate the one presented for the service and URL (complete URL, query included; a
   * trailing `*` makes it a prefix). With `validateUrl`, the gateway first calls the URL with the
   * certificate (424 `TransportFailureError` when that fails). Never retried.
   */
  activate(
    certificateId: CertificateId,
    target: MappingTarget,
    options?: CallOptions & { validateUrl?: boolean | undefined },
  ): APIPromise<Mapping>;
  /** The account's mappings (deleted ones left out). */
  list(options?: CallOptions): APIPromise<Mapping[]>;
  /** Deletes a mapping; requests to its URL go out without its certificate from then on. */
  delete(mappingId: MappingId, options?: CallOptions): APIPromise<Mapping>;
  /** For each service + URL pair, whether an enabled mapping exists (in the order asked). */
  check(pairs: readonly MappingTarget[], options?: CallOptions): APIPromise<MappingCheck[]>;
}

/**
 * The `mappings` resource of a client scoped to `scope.accountId`.
 *
 * @example
 * ```ts
 * const mappings = createMappingsResource(scope);
 * ```
 */
export function createMappingsResource(scope: GatewayScope): MappingsResource {
  const { api, accountId } = scope;
  return {
    activate(certificateId, target, options = {}) {
      const { validateUrl } = options;
      return gatewayRequest(
        scope,
        { operation: 'mappings.activate', idempotent: false },
        options,
        async (init) =>
          api.POST('/mtls/account/{accountId}/certificates/activate/{certificateId}', {
            params: {
              path: { accountId, certificateId: idForPath(certificateId, 'certificate id') },
              query: validateUrl === undefined ? {} : { isValidateUrlEnabled: validateUrl },
            },
            body: { serviceName: target.serviceName, url: target.url },
            ...init,
          }),
      );
    },

    list(options = {}) {
      return gatewayRequest(scope, { operation: 'mappings.list', idempotent: true }, options, (init) =>
        api.GET('/mtls/account/{accountId}/mappings', { params: { path: { accountId } }, ...init }),
      );
    },

    delete(mappingId, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'mappings.delete', idempotent: true },
        options,
        async (init) =>
          api.DELETE('/mtls/account/{accountId}/mappings/{mappingId}', {
            params: { path: { accountId, mappingId: idForPath(mappingId, 'mapping id') } },
            ...init,
          }),
      );
    },

    check(pairs, options = {}) {
      return gatewayRequest(
        scope,
        { operation: 'mappings.check', idempotent: false },
        options,
        async (init) => {
          if (!Array.isArray(pairs) || pairs.length === 0) {
            throw new InvalidArgumentError(
              'mappings.check needs a non-empty array of { serviceName, url } pairs.',
            );
          }
          return api.POST('/api/account/{accountId}/checks/serviceUrlMappings', {
            params: { path: { accountId } },
            body: pairs.map(({ serviceName, url }) => ({ serviceName, url })),
            ...init,
          });
        },
      );
    },
  };
}
