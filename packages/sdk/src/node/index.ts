/**
 * `@mtls-gateway/sdk/node`: the Node-only parts of the SDK — the Functions toolbelt `IMTLSClient` calling
 * endpoints directly with a client certificate (`createMTLSClient`) or through the gateway
 * (`createGatewayMTLSClient`), and reading files from disk for uploads (`readFileInput`).
 *
 * @example
 * ```ts
 * import { createMtlsGatewayClient } from '@mtls-gateway/sdk';
 * import { createGatewayMTLSClient, readFileInput } from '@mtls-gateway/sdk/node';
 *
 * const gateway = createMtlsGatewayClient({ baseUrl, accountId: 'le1606809', auth: { bearer: token } });
 * await gateway.certificates.createFromFile({ file: await readFileInput('./client.p12'), name: 'Cert1', password });
 * const mtls = createGatewayMTLSClient({ client: gateway, serviceName: 'FAAS' });
 * ```
 */

// Files from disk
export type { ReadFileInputOptions } from './files.js';
export { readFileInput } from './files.js';

// The same interface, through the gateway
export type { GatewayMTLSClientOptions } from './gateway-mtls-client.js';
export { createGatewayMTLSClient } from './gateway-mtls-client.js';
// The direct mTLS client and its errors
export type {
  ClientTLS,
  Header,
  IMTLSClient,
  MTLSClient,
  MTLSClientDefaults,
  MTLSErrorCode,
  MTLSMethod,
  MTLSOptions,
  MTLSResponse,
} from './mtls.js';
export {
  createMTLSClient,
  DEFAULT_MTLS_MAX_RESPONSE_BYTES,
  DEFAULT_MTLS_TIMEOUT_MS,
  MTLSError,
  MTLSGeneralIssueError,
  MTLSInvalidCertError,
  MTLSInvalidKeyError,
  MTLSInvalidRequestError,
  MTLSMissingConfError,
  MTLSRemoteThrewError,
  MTLSRequestTimeoutError,
} from './mtls.js';
