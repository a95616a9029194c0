import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The bundled OpenAPI document (`openapi/generated/mtls.json`) and an index of its operations: the single
 * source of the routes, their parameters, request bodies and required permissions.
 */

/** A JSON value as found in the document. */
export type JsonObject = { [key: string]: unknown };

/** The OpenAPI document, loosely typed (only the parts the server reads are named). */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject & { title?: string; version?: string; description?: string };
  paths: Record<string, JsonObject>;
  components?: JsonObject;
  security?: SecurityRequirement[];
}

/** One alternative of an operation's `security`: scheme name → required scopes (permissions). */
export type SecurityRequirement = Record<string, string[]>;

/** Where a parameter is sent. */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/** A parameter of an operation, `$ref`s resolved. */
export interface SpecParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  description?: string;
  /** JSON pointer (`#/…`) of the parameter's schema inside the document. */
  schemaPointer: string;
  /** The schema itself (refs unresolved), for documentation. */
  schema: JsonObject;
}

/** The request body of an operation, `$ref` resolved. */
export interface SpecRequestBody {
  required: boolean;
  description?: string;
  /** Declared media types, lower case, e.g. `application/json`, `multipart/form-data`, `*\/*`. */
  mediaTypes: string[];
  /** JSON pointer of the schema of each media type. */
  schemaPointers: Record<string, string>;
}

/** One response of an operation, `$ref` resolved (for documentation). */
export interface SpecResponse {
  status: string;
  description: string;
  mediaTypes: string[];
}

/** One operation of the document. */
export interface SpecOperation {
  operationId: string;
  /** Upper-case HTTP method. */
  method: string;
  /** OpenAPI path template, e.g. `/mtls/account/{accountId}`. */
  path: string;
  /** The same path in Fastify syntax, e.g. `/mtls/account/:accountId`. */
  routePath: string;
  summary?: string;
  description?: string;
  tags: string[];
  extension: boolean;
  parameters: SpecParameter[];
  requestBody?: SpecRequestBody;
  /** The effective security alternatives (the operation's own, else the document's). `[]` = public. */
  security: SecurityRequirement[];
  responses: SpecResponse[];
}

/** Thrown when the document cannot be found or is not what the server expects. */
export class OpenApiDocumentError extends Error {
  readonly code = 'openapi_document_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'OpenApiDocumentError';
  }
}

/**
 * Where the bundled document is looked for, in order: a copy inside the package (`<package>/openapi/mtls.json`,
 * for a packaged build) and the monorepo's `openapi/generated/mtls.json`. Both are resolved from this file, so
 * they work from `src/` (tests) and from `dist/` (build) alike.
 */
export const OPENAPI_DOCUMENT_CANDIDATES: readonly URL[] = [
  new URL(import.meta.resolve('@mtls-gateway/contract/mtls.json')),
];

let cachedDocument: OpenApiDocument | undefined;

/**
 * Reads the bundled OpenAPI document (once; later calls return the same object — do not modify it).
 *
 * @throws {OpenApiDocumentError} when no candidate file exists or it is not an OpenAPI 3.1 document.
 * @example
 * ```ts
 * const document = loadOpenApiDocument();
 * document.info.title; // 'mTLS Gateway API'
 * ```
 */
export function loadOpenApiDocument(path?: string | URL): OpenApiDocument {
  if (path === undefined && cachedDocument) return cachedDocument;
  const candidates = path === undefined ? OPENAPI_DOCUMENT_CANDIDATES : [path];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new OpenApiDocumentError(
      `The bundled OpenAPI document was not found (looked in ${candidates
        .map((candidate) => (candidate instanceof URL ? fileURLToPath(candidate) : candidate))
        .join(', ')}). Run \`pnpm generate\` at the repository root.`,
    );
  }
  const parsed = JSON.parse(readFileSync(found, 'utf8')) as unknown;
  const document = parsed as OpenApiDocument;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof document.openapi !== 'string' ||
    !document.openapi.startsWith('3.1') ||
    typeof document.paths !== 'object'
  ) {
    throw new OpenApiDocumentError(`${String(found)} is not an OpenAPI 3.1 document.`);
  }
  // The generator's banner is not part of the API description.
  delete (document as JsonObject)['x-generated'];
  if (path === undefined) cachedDocument = document;
  return document;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Escapes one JSON pointer segment (RFC 6901). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Follows local `$ref`s (`#/…`) until a non-reference object, returning it and its JSON pointer.
 *
 * @throws {OpenApiDocumentError} on a non-local, dangling or circular reference.
 */
export function resolveReference(
  document: OpenApiDocument,
  value: unknown,
  pointer: string,
): { value: JsonObject; pointer: string } {
  let current = value;
  let currentPointer = pointer;
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(current)) throw new OpenApiDocumentError(`${currentPointer} is not an object.`);
    const ref = current.$ref;
    if (typeof ref !== 'string') return { value: current, pointer: currentPointer };
    if (!ref.startsWith('#/')) throw new OpenApiDocumentError(`Only local references are supported: ${ref}`);
    let target: unknown = document;
    for (const raw of ref.slice(2).split('/')) {
      const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) || Array.isArray(target) ? (target as JsonObject)[segment] : undefined;
    }
    if (target === undefined) throw new OpenApiDocumentError(`Dangling reference ${ref}.`);
    current = target;
    currentPointer = ref;
  }
  throw new OpenApiDocumentError(`Reference chain too long at ${pointer}.`);
}

function toRoutePath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

function parametersAt(document: OpenApiDocument, list: unknown, pointer: string): SpecParameter[] {
  if (!Array.isArray(list)) return [];
  return list.map((item, index) => {
    const { value, pointer: at } = resolveReference(document, item, `${pointer}/${index}`);
    const location = value.in;
    if (
      typeof value.name !== 'string' ||
      (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie')
    ) {
      throw new OpenApiDocumentError(`${at} is not a parameter.`);
    }
    const schema = isObject(value.schema) ? value.schema : {};
    return {
      name: value.name,
      in: location,
      required: value.required === true,
      ...(typeof value.description === 'string' ? { description: value.description } : {}),
      schemaPointer: `${at}/schema`,
      schema,
    };
  });
}

function requestBodyAt(
  document: OpenApiDocument,
  body: unknown,
  pointer: string,
): SpecRequestBody | undefined {
  if (body === undefined) return undefined;
  const { value, pointer: at } = resolveReference(document, body, pointer);
  const content = isObject(value.content) ? value.content : {};
  const schemaPointers: Record<string, string> = {};
  for (const mediaType of Object.keys(content)) {
    schemaPointers[mediaType.toLowerCase()] = `${at}/content/${escapePointerSegment(mediaType)}/schema`;
  }
  return {
    required: value.required === true,
    ...(typeof value.description === 'string' ? { description: value.description } : {}),
    mediaTypes: Object.keys(schemaPointers),
    schemaPointers,
  };
}

function responsesAt(document: OpenApiDocument, responses: unknown, pointer: string): SpecResponse[] {
  if (!isObject(responses)) return [];
  return Object.entries(responses).map(([status, response]) => {
    const { value } = resolveReference(document, response, `${pointer}/${escapePointerSegment(status)}`);
    return {
      status,
      description: typeof value.description === 'string' ? value.description : '',
      mediaTypes: isObject(value.content) ? Object.keys(value.content) : [],
    };
  });
}

/**
 * Every operation of the document, path-level parameters merged into each (an operation's own parameter of
 * the same name and location wins), references resolved.
 *
 * @example
 * ```ts
 * const operations = indexOperations(loadOpenApiDocument());
 * operations.get('listCertificates')?.routePath; // '/mtls/account/:accountId/certificates'
 * ```
 */
export function indexOperations(document: OpenApiDocument): Map<string, SpecOperation> {
  const operations = new Map<string, SpecOperation>();
  for (const [path, item] of Object.entries(document.paths)) {
    const itemPointer = `#/paths/${escapePointerSegment(path)}`;
    const shared = parametersAt(document, item.parameters, `${itemPointer}/parameters`);
    for (const method of HTTP_METHODS) {
      const raw = item[method];
      if (!isObject(raw)) continue;
      const pointer = `${itemPointer}/${method}`;
      const operationId = raw.operationId;
      if (typeof operationId !== 'string') {
        throw new OpenApiDocumentError(`${method.toUpperCase()} ${path} has no operationId.`);
      }
      if (operations.has(operationId)) {
        throw new OpenApiDocumentError(`operationId ${operationId} is used twice.`);
      }
      const own = parametersAt(document, raw.parameters, `${pointer}/parameters`);
      const parameters = [
        ...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)),
        ...own,
      ];
      const requestBody = requestBodyAt(document, raw.requestBody, `${pointer}/requestBody`);
      const security = (Array.isArray(raw.security) ? raw.security : (document.security ?? [])) as
        | SecurityRequirement[]
        | undefined;
      operations.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path,
        routePath: toRoutePath(path),
        ...(typeof raw.summary === 'string' ? { summary: raw.summary } : {}),
        ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
        tags: Array.isArray(raw.tags) ? raw.tags.filter((tag): tag is string => typeof tag === 'string') : [],
        extension: raw['x-extension'] === true,
        parameters,
        ...(requestBody ? { requestBody } : {}),
        security: security ?? [],
        responses: responsesAt(document, raw.responses, `${pointer}/responses`),
      });
    }
  }
  return operations;
}

/** The auth scheme kinds the gateway verifies. */
export type AuthSchemeKind = 'oauth1' | 'bearer';

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
