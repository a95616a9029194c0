/**
 * The API's types, from the SDK's generated OpenAPI types: the mock's answers are typed by the same spec the
 * client is built from, so a spec change that the mock does not follow breaks its typecheck.
 */
import type { components, operations, paths } from '@mtls-gateway/contract';

export type { components, operations, paths };

type Schemas = components['schemas'];

/**
 * A certificate as the API returns it.
 *
 * @example
 * ```ts
 * const [certificate]: Certificate[] = state.listCertificates('le1606809');
 * ```
 */
export type Certificate = Schemas['Certificate'];

/**
 * A mapping (certificate → service + URL) as the API returns it.
 *
 * @example
 * ```ts
 * const mapping: Mapping = state.addMapping({ accountId: 'le1', certificate: 'Cert1', serviceName: 'IDP', url });
 * ```
 */
export type Mapping = Schemas['Mapping'];

/**
 * `TEST_SERVICE`, `IDP`, `WEBHOOKS` or `FAAS`.
 *
 * @example
 * ```ts
 * const service: ServiceName = 'WEBHOOKS';
 * ```
 */
export type ServiceName = Schemas['ServiceName'];

/**
 * `Available`, `UnAvailable` or `Expired`.
 *
 * @example
 * ```ts
 * const status: CertificateStatus = 'Expired';
 * ```
 */
export type CertificateStatus = Schemas['CertificateStatus'];
