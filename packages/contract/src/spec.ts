/**
 * `@mtls-gateway/contract/spec`: the bundled OpenAPI 3.1 document (YAML anchors expanded, references inlined),
 * imported as JSON so that it works in browsers as well as in Node.js, and an index of its operations
 * (parameters, bodies, responses and security, `$ref`s resolved). No dependencies. Tools that need a file
 * (Prism, Portman) resolve `@mtls-gateway/contract/mtls.json` instead.
 */

import bundledDocument from './generated/mtls.json' with { type: 'json' };
import type { operations } from './generated/openapi.js';

/**
 * A JSON object as found in the document.
 *
 * @example
 * ```ts
 * const info: JsonObject = openApiDocument.info;
 * ```
 */
export type JsonObject = { [key: string]: unknown };

/**
 * The OpenAPI document, loosely typed: only the parts every reader needs are named.
 *
 * @example
 * ```ts
 * const document: OpenApiDocument = openApiDocument;
 * document.info.version; // '1.0.0'
 * ```
 */
export interface OpenApiDocument extends JsonObject {
  openapi: string;
  info: JsonObject & { title: string; version: string };
  paths: Record<string, JsonObject>;
  components: JsonObject & { schemas: Record<string, JsonObject> };
}

/**
 * The bundled OpenAPI 3.1 document. Shared by every reader: do not modify it.
 *
 * @example
 * ```ts
 * import { openApiDocument } from '@mtls-gateway/contract/spec';
 * Object.keys(openApiDocument.paths); // ['/mtls/account/{accountId}', …]
 * ```
 */
export const openApiDocument: OpenApiDocument = bundledDocument as unknown as OpenApiDocument;

// ---------------------------------------------------------------------------------------------------------
// The operation index: every operation of the document with its parameters, bodies, responses and security,
// `$ref`s resolved. Read by the mock, the reference server and the contract suite.

/**
 * The operationId of an operation of the bundled spec.
 *
 * @example
 * ```ts
 * const id: OperationId = 'listCertificates';
 * ```
 */
export type OperationId = keyof operations & string;

/**
 * Where a parameter is sent.
 *
 * @example
 * ```ts
 * const location: ParameterLocation = 'header';
 * ```
 */
export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

/**
 * One alternative of an operation's `security`: scheme name → required scopes (permissions).
 *
 * @example
 * ```ts
 * const requirement: SecurityRequirement = { BearerAuth: ['MTLS_READ_INTERNAL'] };
 * ```
 */
export type SecurityRequirement = Record<string, string[]>;

/**
 * A parameter of an operation, `$ref` resolved.
 *
 * @example
 * ```ts
 * const [accountId]: SpecParameter[] = specOperation('listCertificates').parameters;
 * accountId?.schemaPointer; // '#/components/parameters/AccountId/schema'
 * ```
 */
export interface SpecParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  description?: string;
  /** JSON pointer (`#/…`) of the parameter's schema inside the document. */
  schemaPointer: string;
  /** The schema as written (its `$ref`s not resolved); `{}` when the parameter has none. */
  schema: JsonObject;
}

/**
 * The request body of an operation, `$ref` resolved.
 *
 * @example
 * ```ts
 * const body: SpecRequestBody | undefined = specOperation('checkMappings').requestBody;
 * body?.content['application/json']; // '#/components/requestBodies/…/schema' (a JSON pointer)
 * ```
 */
export interface SpecRequestBody {
  required: boolean;
  description?: string;
  /** The declared media types, lower case, in document order (`application/json`, `*\/*`, …). */
  mediaTypes: string[];
  /** Media type (lower case) → JSON pointer of its schema, `undefined` when it has none. */
  content: Record<string, string | undefined>;
}

/**
 * A response header of an operation, `$ref` resolved.
 *
 * @example
 * ```ts
 * const [header]: SpecHeader[] = specOperation('listCertificates').responses[0]?.headers ?? [];
 * ```
 */
export interface SpecHeader {
  /** As the document spells it (e.g. `LP-gateway-error`). */
  name: string;
  required: boolean;
  /**
   * `x-required-on-gateway-answer`: present whenever the gateway answered itself, on statuses that
   * forwarding and the p12 test share with the remote's own answers (where it cannot be `required`).
   */
  requiredOnGatewayAnswer: boolean;
  /** JSON pointer of the header's schema, `undefined` when it has none. */
  schemaPointer: string | undefined;
}

/**
 * A documented response of an operation, `$ref` resolved.
 *
 * @example
 * ```ts
 * const created = specOperation('createCertificates').responses.find((response) => response.status === '201');
 * ```
 */
export interface SpecResponse {
  /** `200`, `400`, … or `default`. */
  status: string;
  description: string;
  /** The documented media types, lower case, in document order (empty when no body is documented). */
  mediaTypes: string[];
  /** Media type (lower case) → JSON pointer of its schema, `undefined` when it has none. */
  content: Record<string, string | undefined>;
  /** Every documented response header. */
  headers: SpecHeader[];
  /** The names of the headers the spec marks `required`. */
  requiredHeaders: string[];
  /** The names of the headers marked `x-required-on-gateway-answer` (see {@link SpecHeader}). */
  gatewayAnswerHeaders: string[];
}

/**
 * One operation of the document. `Id` is the operationId type: the bundled spec's {@link OperationId}, or
 * `string` for an index of another document ({@link indexOperations}).
 *
 * @example
 * ```ts
 * const operation: SpecOperation = specOperation('listCertificates');
 * operation.method; // 'GET'
 * ```
 */
export interface SpecOperation<Id extends string = OperationId> {
  operationId: Id;
  /** Upper-case HTTP method. */
  method: string;
  /** OpenAPI path template, e.g. `/mtls/account/{accountId}/certificates`. */
  path: string;
  summary?: string;
  description?: string;
  tags: string[];
  /** `x-extension: true`: beyond the documented API. */
  extension: boolean;
  /** Path-level and operation-level parameters (an operation's own wins), in document order. */
  parameters: SpecParameter[];
  requestBody: SpecRequestBody | undefined;
  /** The effective security alternatives (the operation's own, else the document's). `[]` = public. */
  security: SecurityRequirement[];
  /** Whether credentials are needed (`security` is not empty). */
  secured: boolean;
  responses: SpecResponse[];
}

/**
 * Thrown when the document is not what the index expects (a dangling or non-local `$ref`, an operation
 * without operationId, an unknown operationId asked for).
 *
 * @example
 * ```ts
 * try { specOperation('nope' as OperationId); } catch (error) { (error as OpenApiDocumentError).code; }
 * ```
 */
export class OpenApiDocumentError extends Error {
  override readonly name = 'OpenApiDocumentError';
  readonly code = 'openapi_document_invalid';
}

const HTTP_METHODS: ReadonlySet<string> = new Set([
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
]);

/** A document the index can read: only `paths` (and the document-wide `security`) are needed. */
type IndexableDocument = JsonObject & { paths: Record<string, JsonObject> };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Escapes one JSON pointer segment (RFC 6901).
 *
 * @example
 * ```ts
 * escapePointerSegment('multipart/form-data'); // 'multipart~1form-data'
 * ```
 */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The value at a local JSON pointer (`#/a/b`) of the document (`undefined` when there is none).
 *
 * @example
 * ```ts
 * resolvePointer('#/components/schemas/P12File/maxLength'); // 1048576
 * ```
 */
export function resolvePointer(pointer: string, document: JsonObject = openApiDocument): unknown {
  let node: unknown = document;
  for (const raw of pointer.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as JsonObject)[segment] : undefined;
  }
  return node;
}

/**
 * Follows local `$ref`s (`#/…`) until an object that is not a reference; returns it with its JSON pointer.
 *
 * @throws {OpenApiDocumentError} on a non-local, dangling or circular reference.
 * @example
 * ```ts
 * dereference({ $ref: '#/components/schemas/Mapping' }).pointer; // '#/components/schemas/Mapping'
 * ```
 */
export function dereference(
  value: unknown,
  pointer = '',
  document: JsonObject = openApiDocument,
): { node: JsonObject; pointer: string } {
  let node = value;
  let at = pointer;
  for (let hops = 0; hops < 32; hops++) {
    if (!isObject(node)) throw new OpenApiDocumentError(`${at || 'The value'} is not an object.`);
    const ref = node.$ref;
    if (typeof ref !== 'string') return { node, pointer: at };
    if (!ref.startsWith('#/')) throw new OpenApiDocumentError(`Only local references are supported: ${ref}`);
    node = resolvePointer(ref, document);
    if (node === undefined) throw new OpenApiDocumentError(`Dangling reference ${ref}.`);
    at = ref;
  }
  throw new OpenApiDocumentError(`Reference chain too long at ${pointer}.`);
}

function contentAt(content: unknown, pointer: string): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  if (!isObject(content)) return result;
  for (const [mediaType, media] of Object.entries(content)) {
    result[mediaType.toLowerCase()] =
      isObject(media) && media.schema !== undefined
        ? `${pointer}/${escapePointerSegment(mediaType)}/schema`
        : undefined;
  }
  return result;
}

function parametersAt(document: IndexableDocument, list: unknown, pointer: string): SpecParameter[] {
  if (!Array.isArray(list)) return [];
  return list.map((item, index) => {
    const { node, pointer: at } = dereference(item, `${pointer}/${index}`, document);
    const location = node.in;
    if (
      typeof node.name !== 'string' ||
      (location !== 'path' && location !== 'query' && location !== 'header' && location !== 'cookie')
    ) {
      throw new OpenApiDocumentError(`${at} is not a parameter.`);
    }
    return {
      name: node.name,
      in: location,
      required: node.required === true,
      ...(typeof node.description === 'string' ? { description: node.description } : {}),
      schemaPointer: `${at}/schema`,
      schema: isObject(node.schema) ? node.schema : {},
    };
  });
}

/** Header names are case-insensitive; other parameter names are not. */
function parameterKey(parameter: SpecParameter): string {
  return `${parameter.in}:${parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name}`;
}

function requestBodyAt(
  document: IndexableDocument,
  body: unknown,
  pointer: string,
): SpecRequestBody | undefined {
  if (body === undefined) return undefined;
  const { node, pointer: at } = dereference(body, pointer, document);
  const content = contentAt(node.content, `${at}/content`);
  return {
    required: node.required === true,
    ...(typeof node.description === 'string' ? { description: node.description } : {}),
    mediaTypes: Object.keys(content),
    content,
  };
}

function responsesAt(document: IndexableDocument, responses: unknown, pointer: string): SpecResponse[] {
  if (!isObject(responses)) return [];
  return Object.entries(responses).map(([status, response]) => {
    const { node, pointer: at } = dereference(
      response,
      `${pointer}/${escapePointerSegment(status)}`,
      document,
    );
    const headers = Object.entries(isObject(node.headers) ? node.headers : {}).map(([name, header]) => {
      const resolved = dereference(header, `${at}/headers/${escapePointerSegment(name)}`, document);
      return {
        name,
        required: resolved.node.required === true,
        requiredOnGatewayAnswer: resolved.node['x-required-on-gateway-answer'] === true,
        schemaPointer: resolved.node.schema === undefined ? undefined : `${resolved.pointer}/schema`,
      };
    });
    const content = contentAt(node.content, `${at}/content`);
    return {
      status,
      description: typeof node.description === 'string' ? node.description : '',
      mediaTypes: Object.keys(content),
      content,
      headers,
      requiredHeaders: headers.filter((header) => header.required).map((header) => header.name),
      gatewayAnswerHeaders: headers
        .filter((header) => header.requiredOnGatewayAnswer)
        .map((header) => header.name),
    };
  });
}

/**
 * Every operation of a document, in document order (paths, then each path item's methods as written),
 * path-level parameters merged into each (an operation's own parameter of the same name and location wins),
 * `$ref`s resolved. For the bundled document use {@link specOperations}, which is built once.
 *
 * @throws {OpenApiDocumentError} when an operation has no operationId, one is used twice, or a `$ref`
 * cannot be followed.
 * @example
 * ```ts
 * const operations = indexOperations(openApiDocument);
 * operations.get('listCertificates')?.method; // 'GET'
 * ```
 */
export function indexOperations(document: IndexableDocument): Map<string, SpecOperation<string>> {
  const operations = new Map<string, SpecOperation<string>>();
  const documentSecurity = Array.isArray(document.security)
    ? (document.security as SecurityRequirement[])
    : [];
  for (const [path, item] of Object.entries(document.paths)) {
    const itemPointer = `#/paths/${escapePointerSegment(path)}`;
    const shared = parametersAt(document, item.parameters, `${itemPointer}/parameters`);
    for (const [method, raw] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method) || !isObject(raw)) continue;
      const pointer = `${itemPointer}/${method}`;
      const operationId = raw.operationId;
      if (typeof operationId !== 'string') {
        throw new OpenApiDocumentError(`${method.toUpperCase()} ${path} has no operationId.`);
      }
      if (operations.has(operationId)) {
        throw new OpenApiDocumentError(`operationId ${operationId} is used twice.`);
      }
      const parameters = new Map<string, SpecParameter>();
      for (const parameter of shared) parameters.set(parameterKey(parameter), parameter);
      for (const parameter of parametersAt(document, raw.parameters, `${pointer}/parameters`)) {
        parameters.set(parameterKey(parameter), parameter);
      }
      const security = Array.isArray(raw.security)
        ? (raw.security as SecurityRequirement[])
        : documentSecurity;
      operations.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path,
        ...(typeof raw.summary === 'string' ? { summary: raw.summary } : {}),
        ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
        tags: Array.isArray(raw.tags) ? raw.tags.filter((tag): tag is string => typeof tag === 'string') : [],
        extension: raw['x-extension'] === true,
        parameters: [...parameters.values()],
        requestBody: requestBodyAt(document, raw.requestBody, `${pointer}/requestBody`),
        security,
        secured: security.length > 0,
        responses: responsesAt(document, raw.responses, `${pointer}/responses`),
      });
    }
  }
  return operations;
}

let bundledIndex: Map<OperationId, SpecOperation> | undefined;

function bundledOperations(): Map<OperationId, SpecOperation> {
  // The bundled document's operationIds are exactly the generated `operations` keys (checked by the tests).
  bundledIndex ??= indexOperations(openApiDocument) as Map<OperationId, SpecOperation>;
  return bundledIndex;
}

/**
 * Every operation of the bundled document, in document order (indexed once, on first use).
 *
 * @example
 * ```ts
 * specOperations().map((operation) => operation.operationId); // ['forwardGet', 'forwardPost', …]
 * ```
 */
export function specOperations(): SpecOperation[] {
  return [...bundledOperations().values()];
}

/**
 * One operation of the bundled document by its operationId.
 *
 * @throws {OpenApiDocumentError} when the spec has no such operation.
 * @example
 * ```ts
 * specOperation('createCertificates').requestBody?.content['application/json']; // '#/components/…/schema'
 * ```
 */
export function specOperation(operationId: OperationId): SpecOperation {
  const operation = bundledOperations().get(operationId);
  if (!operation) {
    throw new OpenApiDocumentError(
      `The OpenAPI document has no operation ${operationId}. Use an operationId of openapi/mtls.yaml.`,
    );
  }
  return operation;
}

/**
 * Every operationId of the bundled document, in document order — read from the document, so it cannot drift
 * from it.
 *
 * @example
 * ```ts
 * OPERATION_IDS.includes('checkMappings'); // true
 * ```
 */
export const OPERATION_IDS: readonly OperationId[] = Object.freeze(
  Object.values(openApiDocument.paths).flatMap((item) =>
    Object.entries(item)
      .filter(([method, operation]) => HTTP_METHODS.has(method) && isObject(operation))
      .map(([, operation]) => String((operation as JsonObject).operationId) as OperationId),
  ),
);
