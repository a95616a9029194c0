/**
 * The bundled spec (`openapi/generated/mtls.json`) as the contract suite reads it: every operation with its
 * path template, parameters, request body and responses (references resolved), and AJV (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1) compiled over the document itself, so schema paths in failures point
 * into the spec.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

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
  example?: unknown;
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

export const specDocument: Json = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function unescapePointer(segment: string): string {
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

function at(pointer: string): unknown {
  let node: unknown = specDocument;
  for (const segment of pointer.split('/').slice(1)) {
    node = (node as Json | undefined)?.[unescapePointer(segment)];
  }
  return node;
}

/** Follows `$ref`s (local ones only: the document is bundled) and returns the node and its pointer. */
function deref<T>(node: unknown, pointer: string): { value: T; pointer: string } {
  let current = node;
  let where = pointer;
  for (let hops = 0; hops < 20; hops += 1) {
    const ref = (current as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref !== 'string') return { value: current as T, pointer: where };
    if (!ref.startsWith('#/')) throw new Error(`Only local references are supported, got ${ref}`);
    where = ref.slice(1);
    current = at(where);
  }
  throw new Error(`Reference cycle at ${pointer}`);
}

/** Resolves a schema's top-level `$ref` chain (not nested ones). */
export function resolveSchema(schema: Schema): Schema {
  return deref<Schema>(schema, '').value;
}

function readResponses(responses: Json, pointer: string): Map<string, SpecResponse> {
  const result = new Map<string, SpecResponse>();
  for (const [key, raw] of Object.entries(responses)) {
    const { value, pointer: where } = deref<Json>(raw, `${pointer}/${escapePointer(key)}`);
    const headers = new Map<string, SpecHeader>();
    for (const [name, rawHeader] of Object.entries((value.headers as Json | undefined) ?? {})) {
      const header = deref<{ required?: boolean; schema: Schema }>(
        rawHeader,
        `${where}/headers/${escapePointer(name)}`,
      );
      headers.set(name.toLowerCase(), {
        required: header.value.required === true,
        schema: header.value.schema,
        schemaPointer: `${header.pointer}/schema`,
      });
    }
    let content: Map<string, string | undefined> | undefined;
    if (value.content !== undefined) {
      content = new Map();
      for (const [mediaType, media] of Object.entries(value.content as Record<string, MediaType>)) {
        content.set(
          mediaType,
          media.schema === undefined ? undefined : `${where}/content/${escapePointer(mediaType)}/schema`,
        );
      }
    }
    result.set(key, { key, headers, content });
  }
  return result;
}

function readOperations(): SpecOperation[] {
  const operations: SpecOperation[] = [];
  const paths = specDocument.paths as Record<string, Json>;
  for (const [pathTemplate, item] of Object.entries(paths)) {
    const pathPointer = `/paths/${escapePointer(pathTemplate)}`;
    const shared = ((item.parameters as unknown[] | undefined) ?? []).map(
      (raw, index) => deref<SpecParameter>(raw, `${pathPointer}/parameters/${index}`).value,
    );
    for (const method of HTTP_METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const opPointer = `${pathPointer}/${method}`;
      const own = ((operation.parameters as unknown[] | undefined) ?? []).map(
        (raw, index) => deref<SpecParameter>(raw, `${opPointer}/parameters/${index}`).value,
      );
      const byKey = new Map<string, SpecParameter>();
      for (const parameter of [...shared, ...own]) {
        byKey.set(`${parameter.in}:${parameter.name.toLowerCase()}`, {
          ...parameter,
          required: parameter.required === true,
        });
      }
      const requestBody =
        operation.requestBody === undefined
          ? undefined
          : deref<SpecRequestBody>(operation.requestBody, `${opPointer}/requestBody`).value;
      const security = (operation.security ?? specDocument.security) as Array<Record<string, string[]>>;
      const permission = security.flatMap((requirement) => Object.values(requirement).flat())[0];
      const responses = readResponses(operation.responses as Json, `${opPointer}/responses`);
      const segments = pathTemplate.split('/').filter(Boolean);
      const pattern = new RegExp(
        `^/${segments
          .map((segment) =>
            segment.startsWith('{') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
          )
          .join('/')}$`,
      );
      operations.push({
        operationId: String(operation.operationId),
        method: method.toUpperCase(),
        pathTemplate,
        parameters: [...byKey.values()],
        requestBody: requestBody && {
          required: requestBody.required === true,
          content: requestBody.content,
        },
        responses,
        permission,
        passthrough: responses.has('default'),
        pattern,
        literalSegments: segments.filter((segment) => !segment.startsWith('{')).length,
      });
    }
  }
  return operations;
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
// AJV over the document

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

const DOCUMENT_ID = 'mtls.json';

/** A 2020-12 validator that knows the whole document (so `#/components/schemas/…` references resolve). */
export function createSpecAjv(options: { coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    // The document is an OpenAPI document, not a schema: its other keywords are ignored.
    strict: false,
    allErrors: true,
    // Errors carry the schema object that failed, which `describeErrors` locates in the document.
    verbose: true,
    coerceTypes: options.coerceTypes ?? false,
  });
  addFormats(ajv);
  ajv.addSchema(specDocument, DOCUMENT_ID);
  return ajv;
}

const ajv = createSpecAjv();
const coercingAjv = createSpecAjv({ coerceTypes: true });
const compiled = new Map<string, ValidateFunction>();

/** The validator of the schema at `pointer` in the document (compiled once). */
export function validatorAt(pointer: string, options: { coerce?: boolean } = {}): ValidateFunction {
  const key = `${options.coerce ? 'c' : 'p'}${pointer}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = (options.coerce ? coercingAjv : ajv).compile({ $ref: `${DOCUMENT_ID}#${pointer}` });
    compiled.set(key, validate);
  }
  return validate;
}

/** The validator of a schema object taken from the document (its `$ref`s resolve against the document). */
export function validatorFor(schema: Schema): ValidateFunction {
  const key = `s${JSON.stringify(schema)}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile({ $id: `inline-${compiled.size}`, ...(rebase(schema) as object) });
    compiled.set(key, validate);
  }
  return validate;
}

/** Makes `#/components/…` references of a schema lifted out of the document point back into it. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  const result: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    result[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${DOCUMENT_ID}${value}`
        : rebase(value);
  }
  return result;
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
