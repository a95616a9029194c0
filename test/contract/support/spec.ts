/**
 * The bundled spec as the contract suite reads it: every operation with its path template, parameters,
 * request body and responses, and validators of its schemas. Both come from the contract
 * (`@mtls-gateway/contract/spec`'s operation index, `@mtls-gateway/contract/validation`'s AJV over the
 * document itself, so schema paths in failures point into the spec); this module shapes them for the suite:
 * responses by status, headers by lower-case name, the permission and path pattern of each operation.
 */
import { fileURLToPath } from 'node:url';
import {
  dereference,
  specOperations as indexedOperations,
  type JsonObject,
  openApiDocument,
  resolvePointer,
} from '@mtls-gateway/contract/spec';
import { type ErrorObject, schemaValidators, type ValidateFunction } from '@mtls-gateway/contract/validation';

/** Where the bundled spec lives (what Prism is given too). */
export const SPEC_PATH = fileURLToPath(import.meta.resolve('@mtls-gateway/contract/mtls.json'));

/** A JSON Schema of the spec (only the keywords the suite reads are typed). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  examples?: unknown[];
  default?: unknown;
}

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

interface MediaType {
  schema?: Schema;
}

export interface SpecRequestBody {
  required: boolean;
  content: Record<string, MediaType>;
}

export interface SpecHeader {
  required: boolean;
  /**
   * Present whenever the gateway answered itself (`x-required-on-gateway-answer`): headers of the statuses
   * that forwarding and the p12 test share with the remote's own answers, which cannot be `required`.
   */
  requiredOnGatewayAnswer: boolean;
  schema: Schema;
  /** JSON pointer of the header's schema in the document. */
  schemaPointer: string;
}

export interface SpecResponse {
  /** `200`, `404`, `default`… */
  key: string;
  headers: Map<string, SpecHeader>;
  /** Media type → JSON pointer of its schema in the document (`undefined`: any body). */
  content: Map<string, string | undefined> | undefined;
}

export interface SpecOperation {
  operationId: string;
  /** Upper case. */
  method: string;
  pathTemplate: string;
  /** Path-level and operation-level parameters (operation ones win), references resolved. */
  parameters: SpecParameter[];
  requestBody: SpecRequestBody | undefined;
  responses: Map<string, SpecResponse>;
  /** `MTLS_READ_INTERNAL`, `MTLS_WRITE_INTERNAL`, or `undefined` for public operations. */
  permission: string | undefined;
  /** Forwarding and the p12 test: answers of the remote come back as-is (`default`). */
  passthrough: boolean;
  pattern: RegExp;
  /** Literal path segments: the more, the more specific (`/certificates/byFile` over `/{certificateId}`). */
  literalSegments: number;
}

type Json = Record<string, unknown>;

/** The bundled document (the contract's; do not modify it). */
export const specDocument: Json = openApiDocument;

/** Resolves a schema's top-level `$ref` chain (not nested ones). */
export function resolveSchema(schema: Schema): Schema {
  // A boolean schema (`true`) has nothing to follow.
  return typeof schema === 'object' && schema !== null ? (dereference(schema).node as Schema) : schema;
}

/**
 * The shape of a multipart form the suite sends, resolved: for a `oneOf` of shapes (the certificate file
 * forms: a JSON `certificate` part or plain fields), the one with the JSON `certificate` part — the documented
 * way — else the first; any other form as it is.
 */
export function formShape(schema: Schema): Schema {
  const form = resolveSchema(schema);
  const shapes = (form.oneOf ?? []).map(resolveSchema);
  return shapes.find((shape) => shape.properties?.certificate !== undefined) ?? shapes[0] ?? form;
}

function schemaAt(pointer: string | undefined): Schema | undefined {
  return pointer === undefined ? undefined : (resolvePointer(pointer) as Schema);
}

function readOperations(): SpecOperation[] {
  return indexedOperations().map((operation) => {
    const segments = operation.path.split('/').filter(Boolean);
    const pattern = new RegExp(
      `^/${segments
        .map((segment) =>
          segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/')}$`,
    );
    const responses = new Map<string, SpecResponse>();
    for (const response of operation.responses) {
      const headers = new Map<string, SpecHeader>();
      for (const header of response.headers) {
        headers.set(header.name.toLowerCase(), {
          required: header.required,
          requiredOnGatewayAnswer: header.requiredOnGatewayAnswer,
          schema: schemaAt(header.schemaPointer) ?? {},
          schemaPointer: header.schemaPointer ?? '#',
        });
      }
      const documented = Object.entries(response.content);
      responses.set(response.status, {
        key: response.status,
        headers,
        content: documented.length === 0 ? undefined : new Map(documented),
      });
    }
    const body = operation.requestBody;
    return {
      operationId: operation.operationId,
      method: operation.method,
      pathTemplate: operation.path,
      parameters: operation.parameters.map((parameter) => ({
        name: parameter.name,
        in: parameter.in,
        required: parameter.required,
        schema: parameter.schema as Schema,
      })),
      requestBody: body && {
        required: body.required,
        content: Object.fromEntries(
          Object.entries(body.content).map(([mediaType, pointer]) => {
            const schema = schemaAt(pointer);
            return [mediaType, schema === undefined ? {} : { schema }];
          }),
        ),
      },
      responses,
      permission: operation.security.flatMap((requirement) => Object.values(requirement).flat())[0],
      passthrough: responses.has('default'),
      pattern,
      literalSegments: segments.filter((segment) => !segment.startsWith('{')).length,
    };
  });
}

/** Every operation of the spec, in document order. */
export const specOperations: readonly SpecOperation[] = readOperations();

const bySpecificity = [...specOperations].sort((a, b) => b.literalSegments - a.literalSegments);

/** The operation serving `method` + `pathname` (relative to the gateway's base path), by path template. */
export function findOperation(method: string, pathname: string): SpecOperation | undefined {
  const upper = method.toUpperCase();
  return bySpecificity.find((candidate) => candidate.method === upper && candidate.pattern.test(pathname));
}

// ---------------------------------------------------------------------------------------------------------
// Validators (the contract's), every error listed, each error carrying the schema that failed

/** The validator of the schema at `pointer` (`#/…`) in the document (compiled once). */
export function validatorAt(pointer: string, options: { coerce?: boolean } = {}): ValidateFunction {
  return schemaValidators().at(pointer, {
    allErrors: true,
    verbose: true,
    coerceTypes: options.coerce === true,
  });
}

/** The validator of a schema object taken from the document (its `$ref`s resolve against the document). */
export function validatorFor(schema: Schema): ValidateFunction {
  return schemaValidators().of(schema as JsonObject, { allErrors: true, verbose: true });
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Every object of the document by identity → its JSON pointer (AJV hands back the schema objects). */
const pointers = new WeakMap<object, string>();
(function index(node: unknown, pointer: string) {
  if (node === null || typeof node !== 'object' || pointers.has(node)) return;
  pointers.set(node, pointer);
  for (const [key, value] of Object.entries(node)) index(value, `${pointer}/${escapePointer(key)}`);
})(specDocument, '');

/** Where an AJV error's keyword sits in the spec: `#/components/schemas/Certificate/additionalProperties`. */
function specPathOf(error: ErrorObject): string {
  const parent = error.parentSchema === undefined ? undefined : pointers.get(error.parentSchema);
  return parent === undefined ? error.schemaPath : `#${parent}/${escapePointer(error.keyword)}`;
}

/** One line per AJV error: where in the value, what failed, and the schema path in the spec. */
export function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (error) =>
      `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'} (schema ${specPathOf(error)}${
        error.params && Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : ''
      })`,
  );
}
