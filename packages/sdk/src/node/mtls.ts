/**
 * Node-only mTLS client of `@mtls-gateway/sdk`: the LivePerson Functions `IMTLSClient`, calling endpoints
 * directly with a client certificate. Re-exported by the `./node` entry.
 *
 * @example
 * ```ts
 * import { createMTLSClient, MTLSError } from '@mtls-gateway/sdk/node';
 *
 * const client = createMTLSClient({ cert: certPem, key: keyPem });
 * try {
 *   const { statusCode, body } = await client.get('https://partner.example/api', {}, undefined, { json: true });
 * } catch (error) {
 *   if (error instanceof MTLSError) console.error(error.code, error.message);
 * } finally {
 *   await client.close();
 * }
 * ```
 */
export type { MTLSErrorCode } from './errors.js';
export {
  MTLSError,
  MTLSGeneralIssueError,
  MTLSInvalidCertError,
  MTLSInvalidKeyError,
  MTLSInvalidRequestError,
  MTLSMissingConfError,
  MTLSRemoteThrewError,
  MTLSRequestTimeoutError,
} from './errors.js';
export type {
  ClientTLS,
  Header,
  IMTLSClient,
  MTLSClient,
  MTLSClientDefaults,
  MTLSMethod,
  MTLSOptions,
  MTLSResponse,
} from './mtls-client.js';
export {
  createMTLSClient,
  DEFAULT_MTLS_MAX_RESPONSE_BYTES,
  DEFAULT_MTLS_TIMEOUT_MS,
} from './mtls-client.js';
