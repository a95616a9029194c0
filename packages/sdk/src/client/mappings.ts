/**
 * `client.mappings`: which certificate serves which service and URL.
 */
import { InvalidArgumentError } from '../errors.js';
import { type GatewayScope, idForPath, jsonCall } from './call.js';
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
  ): Promise<Mapping>;
  /** The account's mappings (deleted ones left out). */
  list(options?: CallOptions): Promise<Mapping[]>;
  /** Deletes a mapping; requests to its URL go out without its certificate from then on. */
  delete(mappingId: MappingId, options?: CallOptions): Promise<Mapping>;
  /** For each service + URL pair, whether an enabled mapping exists (in the order asked). */
  check(pairs: readonly MappingTarget[], options?: CallOptions): Promise<MappingCheck[]>;
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
    async activate(certificateId, target, options = {}) {
      const id = idForPath(certificateId, 'certificate id');
      const { signal, validateUrl } = options;
      const body: MappingTarget = { serviceName: target.serviceName, url: target.url };
      return jsonCall(scope, { operation: 'mappings.activate', idempotent: false }, signal, (fetch) =>
        api.POST('/mtls/account/{accountId}/certificates/activate/{certificateId}', {
          params: {
            path: { accountId, certificateId: id },
            query: validateUrl === undefined ? {} : { isValidateUrlEnabled: validateUrl },
          },
          body,
          fetch,
          signal,
        }),
      );
    },

    async list(options = {}) {
      return jsonCall(scope, { operation: 'mappings.list', idempotent: true }, options.signal, (fetch) =>
        api.GET('/mtls/account/{accountId}/mappings', {
          params: { path: { accountId } },
          fetch,
          signal: options.signal,
        }),
      );
    },

    async delete(mappingId, options = {}) {
      const id = idForPath(mappingId, 'mapping id');
      return jsonCall(scope, { operation: 'mappings.delete', idempotent: true }, options.signal, (fetch) =>
        api.DELETE('/mtls/account/{accountId}/mappings/{mappingId}', {
          params: { path: { accountId, mappingId: id } },
          fetch,
          signal: options.signal,
        }),
      );
    },

    async check(pairs, options = {}) {
      if (!Array.isArray(pairs) || pairs.length === 0) {
        throw new InvalidArgumentError(
          'mappings.check needs a non-empty array of { serviceName, url } pairs.',
        );
      }
      const body: MappingTarget[] = pairs.map(({ serviceName, url }) => ({ serviceName, url }));
      return jsonCall(scope, { operation: 'mappings.check', idempotent: false }, options.signal, (fetch) =>
        api.POST('/api/account/{accountId}/checks/serviceUrlMappings', {
          params: { path: { accountId } },
          body,
          fetch,
          signal: options.signal,
        }),
      );
    },
  };
}
