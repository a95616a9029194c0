/**
 * The bundled OpenAPI document and the index of its operations, as the mock reads them: both are the
 * contract's (`@mtls-gateway/contract/spec`, imported as JSON, so the mock works in browsers as well as in
 * Node.js); this module only names them for the mock's modules and its public entry.
 */
export type {
  JsonObject,
  OpenApiDocument,
  OperationId,
  ParameterLocation,
  SpecHeader,
  SpecOperation,
  SpecParameter,
  SpecRequestBody,
  SpecResponse,
} from '@mtls-gateway/contract/spec';
export {
  OPERATION_IDS,
  openApiDocument,
  resolvePointer,
  specOperation,
  specOperations,
} from '@mtls-gateway/contract/spec';
