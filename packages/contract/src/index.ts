/**
 * `@mtls-gateway/contract`: what every implementation of the mTLS Gateway API needs from its spec, derived
 * from `openapi/mtls.yaml` once — the types of every operation and schema, the problem catalogue, and the
 * domain rules the spec states in prose. No dependencies; runs in browsers and Node. The bundled document
 * itself is `@mtls-gateway/contract/spec`.
 *
 * @example
 * ```ts
 * import { PROBLEM_CATALOGUE, mappingUrlMatches, type paths } from '@mtls-gateway/contract';
 *
 * PROBLEM_CATALOGUE.name_conflict.status;                                        // 409
 * mappingUrlMatches('https://api.example.com/v2*', 'https://api.example.com/v2/x'); // true
 * ```
 */

// Which headers cross the gateway
export {
  CLIENT_ADDRESS_HEADERS,
  connectionListedHeaders,
  HOP_BY_HOP_HEADERS,
  isForwardedRequestHeader,
  isReturnedResponseHeader,
} from './forwarding-headers.js';
// The spec's operations and schemas as TypeScript types (openapi-typescript)
export type { components, operations, paths } from './generated/openapi.js';
// Mapping rules
export { isValidMappingUrl, mappingUrlMatches, selectMapping } from './mapping-rules.js';
// The problem catalogue
export type { InputError, InputLocation, Problem, ProblemCode } from './problems.js';
export {
  GATEWAY_ERROR_HEADER,
  isProblemCode,
  PROBLEM_CATALOGUE,
  PROBLEM_TYPE_BASE,
  problemCodeForStatus,
  problemDocument,
  problemKind,
  WWW_AUTHENTICATE_CHALLENGE,
} from './problems.js';
// Opening the PKCS#12 files of an upload
export type { FileVerdict, P12Input, UploadNaming, UploadRefusal } from './uploaded-files.js';
export { decodeP12Input, openUploadedFiles, openUploadedFilesSync } from './uploaded-files.js';
