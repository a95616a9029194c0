import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import {
  type InputError,
  type InputLocation,
  InvalidRequestError,
  UnsupportedMediaTypeError,
} from './errors.js';
import type { GatewaySpec, ParameterLocation, SpecOperation } from './openapi.js';

/** The `$id` under which the OpenAPI document is known to AJV; schema pointers are resolved against it. */
const DOCUMENT_ID = 'https://mtls-gateway.dev/openapi.json';

// ajv-formats is CommonJS with `module.exports = plugin` and `exports.default = plugin`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** The validated, coerced inputs of a request (query/path/header values converted to the schema's types). */
export interface OperationInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  /** Declared headers by their spec name (e.g. `LP-forward-url`), coerced (`LP-stop-if-…` is a boolean). */
  headers: Record<string, unknown>;
  /** The parsed JSON body (validated), or the body as the handler's parser left it for other media types. */
  body: unknown;
}

/** What {@link RequestValidator.validate} reads from a request. */
export interface RequestParts {
  params: unknown;
  query: unknown;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface CompiledOperation {
  parameters: Partial<Record<ParameterLocation, ValidateFunction>>;
  bodies: Record<string, ValidateFunction>;
}

const locationNames: Record<InputLocation, string> = {
  path: 'path parameter',
  query: 'query parameter',
  header: 'request header',
  body: 'request body',
};

function newAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    // The document carries OpenAPI keywords (example, x-extension, contentMediaType …) AJV does not know.
    strict: false,
    allErrors: coerce,
    coerceTypes: coerce,
    useDefaults: coerce,
    logger: false,
  });
  addFormats(ajv);
  // OpenAPI's `binary` marks file parts; there is nothing to check in a decoded JSON value.
  ajv.addFormat('binary', true);
  return ajv;
}

/** The media type of a `Content-Type` value, lower case, parameters dropped. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

function describe(error: InputError): string {
  const where =
    error.location === 'body'
      ? `${locationNames.body}${error.name ? ` at ${error.name}` : ''}`
      : `${locationNames[error.location]} ${error.name}`;
  return `The ${where} ${error.message}.`;
}

/**
 * Validates requests against the OpenAPI document: path, query and header parameters (coerced to their
 * schema types, defaults filled in) and JSON bodies, with AJV (JSON Schema 2020-12) compiled from the
 * document's own schemas — `$ref`s resolved against the whole document. Multipart and `*\/*` bodies are only
 * checked for their media type; their content is the handler's.
 *
 * @example
 * ```ts
 * const validator = new RequestValidator(GatewaySpec.load());
 * const input = validator.validate(spec.operation('checkMappings'), request); // throws InvalidRequestError
 * ```
 */
export class RequestValidator {
  readonly #parameterAjv = newAjv(true);
  // Bodies are not coerced (a number where a string is required is an error) and stop at the first error:
  // a large invalid body must not produce a huge error list.
  readonly #bodyAjv = newAjv(false);
  readonly #compiled = new Map<string, CompiledOperation>();

  constructor(readonly spec: GatewaySpec) {
    const schemaDocument = { ...spec.document, $id: DOCUMENT_ID };
    this.#parameterAjv.addSchema(schemaDocument);
    this.#bodyAjv.addSchema(schemaDocument);
  }

  /** Compiles the validators of one operation now (else on first use); surfaces spec problems at start-up. */
  compile(operation: SpecOperation): void {
    this.#compile(operation);
  }

  #compile(operation: SpecOperation): CompiledOperation {
    const existing = this.#compiled.get(operation.operationId);
    if (existing) return existing;
    const compiled: CompiledOperation = { parameters: {}, bodies: {} };
    for (const location of ['path', 'query', 'header'] as const) {
      const declared = operation.parameters.filter((parameter) => parameter.in === location);
      if (declared.length === 0) continue;
      compiled.parameters[location] = this.#parameterAjv.compile({
        type: 'object',
        properties: Object.fromEntries(
          declared.map((parameter) => [parameter.name, { $ref: `${DOCUMENT_ID}${parameter.schemaPointer}` }]),
        ),
        required: declared.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      });
    }
    for (const [mediaType, pointer] of Object.entries(operation.requestBody?.schemaPointers ?? {})) {
      if (mediaType === 'application/json') {
        compiled.bodies[mediaType] = this.#bodyAjv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      }
    }
    this.#compiled.set(operation.operationId, compiled);
    return compiled;
  }

  /**
   * Validates one request and returns its coerced inputs.
   *
   * @throws {InvalidRequestError} listing every invalid parameter (and the first body problem).
   * @throws {UnsupportedMediaTypeError} when a body is sent with a media type the operation does not declare.
   */
  validate(operation: SpecOperation, request: RequestParts): OperationInput {
    const compiled = this.#compile(operation);
    const errors: InputError[] = [];

    const params = { ...(request.params as Record<string, unknown> | undefined) };
    const query = { ...(request.query as Record<string, unknown> | undefined) };
    const headers: Record<string, unknown> = {};
    for (const parameter of operation.parameters) {
      if (parameter.in !== 'header') continue;
      const value = request.headers[parameter.name.toLowerCase()];
      if (value !== undefined) headers[parameter.name] = value;
    }

    const sources: Array<[ParameterLocation, Record<string, unknown>]> = [
      ['path', params],
      ['query', query],
      ['header', headers],
    ];
    for (const [location, values] of sources) {
      const validateLocation = compiled.parameters[location];
      if (validateLocation && !validateLocation(values)) {
        errors.push(...toInputErrors(validateLocation.errors ?? [], location as InputLocation));
      }
    }

    const body = this.#validateBody(operation, compiled, request, errors);

    if (errors.length > 0) {
      const [first] = errors;
      const more =
        errors.length > 1
          ? ` (${errors.length - 1} more problem${errors.length > 2 ? 's' : ''} in errors)`
          : '';
      throw new InvalidRequestError(`${first ? describe(first) : 'The request is invalid.'}${more}`, errors);
    }
    return { params, query, headers, body };
  }

  #validateBody(
    operation: SpecOperation,
    compiled: CompiledOperation,
    request: RequestParts,
    errors: InputError[],
  ): unknown {
    const declared = operation.requestBody;
    const sent = hasBody(request.headers) || (request.body !== undefined && request.body !== null);
    if (!declared) return request.body;
    if (!sent) {
      if (declared.required) errors.push({ location: 'body', name: '', message: 'is required' });
      return undefined;
    }
    const mediaType = mediaTypeOf(request.headers['content-type']);
    const accepted =
      declared.mediaTypes.includes('*/*') || (mediaType && declared.mediaTypes.includes(mediaType));
    if (!accepted) {
      throw new UnsupportedMediaTypeError(
        `Send the body as ${declared.mediaTypes.join(' or ')}${mediaType ? `, not ${mediaType}` : ''}.`,
      );
    }
    const validateBody = mediaType ? compiled.bodies[mediaType] : undefined;
    if (validateBody && !validateBody(request.body)) {
      errors.push(...toInputErrors(validateBody.errors ?? [], 'body'));
    }
    return request.body;
  }
}

function toInputErrors(errors: readonly ErrorObject[], location: InputLocation): InputError[] {
  const seen = new Set<string>();
  const result: InputError[] = [];
  for (const error of errors) {
    let name: string;
    let message: string;
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty?: unknown }).missingProperty ?? '');
      name = location === 'body' ? `${error.instancePath}/${missing}` : missing;
      message = 'is required';
    } else {
      name = location === 'body' ? error.instancePath : firstSegment(error.instancePath);
      message = error.message ?? 'is invalid';
      if (error.keyword === 'enum') {
        const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
        if (Array.isArray(allowed))
          message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
      }
    }
    const key = `${name}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ location, name, message });
  }
  return result;
}

/** `/LP-forward-url` → `LP-forward-url` (JSON pointer unescaped). */
function firstSegment(instancePath: string): string {
  const segment = instancePath.split('/')[1] ?? '';
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
