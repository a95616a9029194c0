import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type SpecOperation as ContractSpecOperation,
  indexOperations as indexContractOperations,
  type JsonObject,
  OpenApiDocumentError,
  openApiDocument,
} from '@mtls-gateway/contract/spec';
import type { AuthSchemeKind, SecurityRequirement } from '../auth/operation-security.js';

/**
 * The OpenAPI document the server serves and its operation index: the single source of the routes, their
 * parameters, request bodies and required permissions. The document and the index are the contract's
 * (`@mtls-gateway/contract/spec`); this module adds what only the server needs — Fastify route paths, the
 * security scheme kinds, the known permissions — and reads another document from a file when asked.
 */

export type {
  JsonObject,
  ParameterLocation,
  SpecParameter,
  SpecRequestBody,
  SpecResponse,
} from '@mtls-gateway/contract/spec';
export type { AuthSchemeKind, SecurityRequirement } from '../auth/operation-security.js';
export { OpenApiDocumentError };

/** The OpenAPI document, loosely typed (only the parts the server reads are named). */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject & { title?: string; version?: string; description?: string };
  paths: Record<string, JsonObject>;
  components?: JsonObject;
  security?: SecurityRequirement[];
}

/** One operation of the document (the contract's index entry) with its Fastify route path. */
export interface SpecOperation extends ContractSpecOperation<string> {
  /** The same path in Fastify syntax, e.g. `/mtls/account/:accountId`. */
  routePath: string;
}

let bundledDocument: OpenApiDocument | undefined;

/**
 * The OpenAPI document: by default the contract's bundled one (later calls return the same object — do not
 * modify it), else the JSON file at `path`. The generator's banner (`x-generated`) is dropped: it is not part
 * of the API description.
 *
 * @throws {OpenApiDocumentError} when `path` does not exist or is not an OpenAPI 3.1 document.
 * @example
 * ```ts
 * const document = loadOpenApiDocument();
 * document.info.title; // 'mTLS Gateway API'
 * ```
 */
export function loadOpenApiDocument(path?: string | URL): OpenApiDocument {
  if (path === undefined) {
    if (!bundledDocument) {
      const { 'x-generated': _banner, ...document } = openApiDocument;
      bundledDocument = document as OpenApiDocument;
    }
    return bundledDocument;
  }
  const shown = path instanceof URL ? fileURLToPath(path) : path;
  if (!existsSync(path)) throw new OpenApiDocumentError(`The OpenAPI document ${shown} was not found.`);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const document = parsed as OpenApiDocument;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof document.openapi !== 'string' ||
    !document.openapi.startsWith('3.1') ||
    typeof document.paths !== 'object'
  ) {
    throw new OpenApiDocumentError(`${shown} is not an OpenAPI 3.1 document.`);
  }
  delete (document as JsonObject)['x-generated'];
  return document;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every operation of the document (the contract's index, in document order) with its Fastify route path.
 *
 * @throws {OpenApiDocumentError} when an operation has no operationId, one is used twice, or a `$ref` cannot
 * be followed.
 * @example
 * ```ts
 * const operations = indexOperations(loadOpenApiDocument());
 * operations.get('listCertificates')?.routePath; // '/mtls/account/:accountId/certificates'
 * ```
 */
export function indexOperations(document: OpenApiDocument): Map<string, SpecOperation> {
  const operations = new Map<string, SpecOperation>();
  for (const [operationId, operation] of indexContractOperations(document)) {
    operations.set(operationId, { ...operation, routePath: operation.path.replace(/\{([^}]+)\}/g, ':$1') });
  }
  return operations;
}

/**
 * The kind of each security scheme of the document, read from its definition (`type: http` with
 * `scheme: OAuth` → `oauth1`, `scheme: bearer` → `bearer`), so scheme names are not hard-coded.
 */
export function securitySchemeKinds(document: OpenApiDocument): Map<string, AuthSchemeKind> {
  const kinds = new Map<string, AuthSchemeKind>();
  const schemes = isObject(document.components?.securitySchemes) ? document.components.securitySchemes : {};
  for (const [name, definition] of Object.entries(schemes)) {
    if (!isObject(definition) || definition.type !== 'http' || typeof definition.scheme !== 'string')
      continue;
    const scheme = definition.scheme.toLowerCase();
    if (scheme === 'oauth') kinds.set(name, 'oauth1');
    else if (scheme === 'bearer') kinds.set(name, 'bearer');
  }
  return kinds;
}

/**
 * Every permission (scope) any operation asks for, sorted — the permissions a credential may hold.
 *
 * @example
 * ```ts
 * knownPermissions(loadOpenApiDocument()); // ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL']
 * ```
 */
export function knownPermissions(document: OpenApiDocument): string[] {
  const permissions = new Set<string>();
  for (const operation of indexOperations(document).values()) {
    for (const requirement of operation.security) {
      for (const scopes of Object.values(requirement)) for (const scope of scopes) permissions.add(scope);
    }
  }
  return [...permissions].sort();
}

/**
 * The document with its operation index, loaded once per process.
 *
 * @example
 * ```ts
 * const spec = GatewaySpec.load();
 * spec.operation('checkMappings').method; // 'POST'
 * ```
 */
export class GatewaySpec {
  readonly operations: ReadonlyMap<string, SpecOperation>;
  readonly schemeKinds: ReadonlyMap<string, AuthSchemeKind>;
  readonly permissions: readonly string[];

  constructor(readonly document: OpenApiDocument) {
    this.operations = indexOperations(document);
    this.schemeKinds = securitySchemeKinds(document);
    this.permissions = knownPermissions(document);
  }

  static #shared: GatewaySpec | undefined;

  /** The bundled document's spec (shared, built once). */
  static load(): GatewaySpec {
    GatewaySpec.#shared ??= new GatewaySpec(loadOpenApiDocument());
    return GatewaySpec.#shared;
  }

  /** The operation with this id. @throws {OpenApiDocumentError} when there is none. */
  operation(operationId: string): SpecOperation {
    const operation = this.operations.get(operationId);
    if (!operation) {
      throw new OpenApiDocumentError(
        `The OpenAPI document has no operation "${operationId}". Use an operationId of openapi/mtls.yaml.`,
      );
    }
    return operation;
  }
}
