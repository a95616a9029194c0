/**
 * The bundled OpenAPI document (`@mtls-gateway/contract/spec`, imported as JSON so the mock works in browsers
 * as well as in Node.js) and an index of its operations.
 */
import { type JsonObject, type OpenApiDocument, openApiDocument } from '@mtls-gateway/contract/spec';

export type { JsonObject, OpenApiDocument };
export { openApiDocument };

/**
 * Where a parameter is sent.
 *
 * @example
 * ```ts
 * const location: ParameterLocation = 'header';
 * ```
 */
export type ParameterLocation = 'path' | 'query' | 'header';

/**
 * A parameter of an operation, `$ref` resolved.
 *
 * @example
 * ```ts
 * const [accountId]: SpecParameter[] = specOperation('listCertificates').parameters;
 * ```
 */
export interface SpecParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** JSON pointer (`#/…`) of the parameter's schema inside the document. */
  schemaPointer: string;
}

/**
 * A documented response of an operation.
 *
 * @example
 * ```ts
 * const created: SpecResponse | undefined = specOperation('createCertificates').responses.find((r) => r.status === '201');
 * ```
 */
export interface SpecResponse {
  /** `200`, `400`, … or `default`. */
  status: string;
  /** Media type → JSON pointer of its schema (`undefined` when the media type has no schema). */
  content: Record<string, string | undefined>;
  /** Response headers the spec marks as required. */
  requiredHeaders: string[];
}

/**
 * One operation of the document, with everything `$ref`-resolved that the mock needs.
 *
 * @example
 * ```ts
 * const operation: SpecOperation = specOperation('listCertificates');
 * operation.method; // 'GET'
 * ```
 */
export interface SpecOperation {
  operationId: OperationId;
  /** Upper-case HTTP method. */
  method: string;
  /** OpenAPI path template, e.g. `/mtls/account/{accountId}/certificates`. */
  path: string;
  parameters: SpecParameter[];
  requestBody:
    | {
        required: boolean;
        /** Media type (lower case) → JSON pointer of its schema. */
        content: Record<string, string | undefined>;
      }
    | undefined;
  /** Whether credentials are needed (the operation's effective `security` is not empty). */
  secured: boolean;
  responses: SpecResponse[];
}

/**
 * Every operationId of the spec, in document order. The list is checked against the document by the tests,
 * so adding an operation to the spec without mocking it fails them.
 *
 * @example
 * ```ts
 * const id: OperationId = 'forwardGet';
 * ```
 */
export const OPERATION_IDS = [
  'forwardGet',
  'forwardPost',
  'forwardPut',
  'forwardDelete',
  'forwardPatch',
  'forwardHead',
  'testP12',
  'listCertificates',
  'createCertificates',
  'updateCertificates',
  'getCertificate',
  'updateCertificate',
  'deleteCertificate',
  'createCertificateFromFile',
  'updateCertificateFromFile',
  'createCertificateFromFileAlias',
  'updateCertificateFromFileAlias',
  'activateMapping',
  'listMappings',
  'deleteMapping',
  'checkMappings',
  'getHealth',
  'getReadiness',
  'getMetrics',
  'getApiReference',
  'getOpenApiDocument',
] as const;

/**
 * The operationId of an operation of the spec.
 *
 * @example
 * ```ts
 * state.scenarios.set('listCertificates' satisfies OperationId, { status: 503 });
 * ```
 */
export type OperationId = (typeof OPERATION_IDS)[number];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Escapes one JSON pointer segment (RFC 6901). */
function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Reads the value at a local JSON pointer (`#/a/b`) of the document.
 *
 * @example
 * ```ts
 * resolvePointer('#/components/schemas/P12File/maxLength'); // 1048576
 * ```
 */
export function resolvePointer(pointer: string): unknown {
  let node: unknown = openApiDocument;
  for (const raw of pointer.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as JsonObject)[segment] : undefined;
  }
  return node;
}

/** Follows `$ref`s until a concrete object; returns it with the pointer it was found at. */
function dereference(value: unknown, pointer: string): { node: JsonObject; pointer: string } {
  let node = value as JsonObject;
  let at = pointer;
  for (let depth = 0; typeof node.$ref === 'string' && depth < 16; depth++) {
    at = node.$ref;
    node = resolvePointer(at) as JsonObject;
  }
  return { node, pointer: at };
}

function contentPointers(content: unknown, pointer: string): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [mediaType, media] of Object.entries((content ?? {}) as Record<string, JsonObject>)) {
    result[mediaType.toLowerCase()] =
      media.schema === undefined ? undefined : `${pointer}/${escapePointerSegment(mediaType)}/schema`;
  }
  return result;
}

function indexOperations(): Map<OperationId, SpecOperation> {
  const index = new Map<OperationId, SpecOperation>();
  const documentSecurity = (openApiDocument.security ?? []) as unknown[];
  for (const [path, item] of Object.entries(openApiDocument.paths)) {
    const itemPointer = `#/paths/${escapePointerSegment(path)}`;
    const shared = ((item.parameters ?? []) as unknown[]).map((parameter, position) =>
      dereference(parameter, `${itemPointer}/parameters/${position}`),
    );
    // In document order (the path item's keys), not in a fixed method order.
    for (const method of Object.keys(item)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method)) continue;
      const operation = item[method] as JsonObject | undefined;
      if (!operation) continue;
      const operationPointer = `${itemPointer}/${method}`;
      const own = ((operation.parameters ?? []) as unknown[]).map((parameter, position) =>
        dereference(parameter, `${operationPointer}/parameters/${position}`),
      );
      // An operation's own parameter replaces a path-level one of the same name and location.
      const byKey = new Map<string, SpecParameter>();
      for (const { node, pointer } of [...shared, ...own]) {
        const location = node.in as string;
        if (location !== 'path' && location !== 'query' && location !== 'header') continue;
        byKey.set(`${location}:${String(node.name).toLowerCase()}`, {
          name: String(node.name),
          in: location,
          required: node.required === true,
          schemaPointer: `${pointer}/schema`,
        });
      }
      const body = operation.requestBody
        ? dereference(operation.requestBody, `${operationPointer}/requestBody`)
        : undefined;
      const responses = Object.entries((operation.responses ?? {}) as Record<string, unknown>).map(
        ([status, response]) => {
          const { node, pointer } = dereference(
            response,
            `${operationPointer}/responses/${escapePointerSegment(status)}`,
          );
          const headers = Object.entries((node.headers ?? {}) as Record<string, unknown>)
            .filter(([, header]) => dereference(header, '').node.required === true)
            .map(([name]) => name);
          return {
            status,
            content: contentPointers(node.content, `${pointer}/content`),
            requiredHeaders: headers,
          };
        },
      );
      const security = (operation.security ?? documentSecurity) as unknown[];
      const operationId = String(operation.operationId) as OperationId;
      index.set(operationId, {
        operationId,
        method: method.toUpperCase(),
        path,
        parameters: [...byKey.values()],
        requestBody: body
          ? {
              required: body.node.required === true,
              content: contentPointers(body.node.content, `${body.pointer}/content`),
            }
          : undefined,
        secured: security.length > 0,
        responses,
      });
    }
  }
  return index;
}

let operationIndex: Map<OperationId, SpecOperation> | undefined;

/**
 * Every operation of the document, in document order.
 *
 * @example
 * ```ts
 * specOperations().map((operation) => operation.operationId); // ['forwardGet', …]
 * ```
 */
export function specOperations(): SpecOperation[] {
  operationIndex ??= indexOperations();
  return [...operationIndex.values()];
}

/**
 * One operation of the document by its operationId.
 *
 * @throws {Error} when the spec has no such operation.
 * @example
 * ```ts
 * specOperation('createCertificates').requestBody?.content['application/json']; // '#/components/…/schema'
 * ```
 */
export function specOperation(operationId: OperationId): SpecOperation {
  operationIndex ??= indexOperations();
  const operation = operationIndex.get(operationId);
  if (!operation) throw new Error(`The OpenAPI document has no operation ${operationId}.`);
  return operation;
}
