/**
 * Request and response validation against the bundled OpenAPI document with AJV (JSON Schema 2020-12),
 * compiled from the document's own schemas (`$ref`s resolved against the whole document): nothing is copied
 * by hand, so the mock refuses exactly what the spec refuses.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { InputError } from './problems.js';
import { type OperationId, openApiDocument, specOperation } from './spec.js';

/** The `$id` under which the document is known to AJV; schema pointers are resolved against it. */
const DOCUMENT_ID = 'https://mtls-gateway.dev/openapi.json';

// ajv-formats is CommonJS with `module.exports = plugin` and `exports.default = plugin`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

function newAjv(coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    // The document carries OpenAPI keywords (example, x-extension, …) that AJV does not know.
    strict: false,
    allErrors: coerce,
    coerceTypes: coerce,
    logger: false,
  });
  addFormats(ajv);
  // `binary` marks file parts; a file is replaced by a placeholder string before validation.
  ajv.addFormat('binary', true);
  ajv.addSchema({ ...openApiDocument, $id: DOCUMENT_ID });
  return ajv;
}

/**
 * The validated, coerced parameters of a request, by their spec names.
 *
 * @example
 * ```ts
 * const parameters: RequestParameters = validator.parameters('listCertificates', request, { accountId: 'le1' });
 * parameters.query.includeDeleted; // true (a boolean, coerced from the query string)
 * ```
 */
export interface RequestParameters {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  /** Declared headers by their spec name (e.g. `LP-forward-url`), coerced. */
  header: Record<string, unknown>;
}

/**
 * Validates requests and responses against the spec. One instance compiles each schema once, on first use.
 *
 * @example
 * ```ts
 * const validator = new SpecValidator();
 * const errors = validator.body('checkMappings', 'application/json', [{ serviceName: 'NOPE', url: 'x' }]);
 * errors[0]; // { location: 'body', name: '/0/serviceName', message: 'must be one of …' }
 * ```
 */
export class SpecValidator {
  // Parameters arrive as strings: coerce them to the schema types. Bodies are not coerced (a number where a
  // string is required is an error) and stop at the first error, as the reference server does.
  #parameterAjv: Ajv2020 | undefined;
  #bodyAjv: Ajv2020 | undefined;
  readonly #compiled = new Map<string, ValidateFunction>();

  #ajvFor(kind: 'parameters' | 'bodies'): Ajv2020 {
    if (kind === 'parameters') {
      this.#parameterAjv ??= newAjv(true);
      return this.#parameterAjv;
    }
    this.#bodyAjv ??= newAjv(false);
    return this.#bodyAjv;
  }

  #compile(key: string, coerce: boolean, schema: () => object): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (!validate) {
      const ajv = coerce ? this.#ajvFor('parameters') : this.#ajvFor('bodies');
      validate = ajv.compile(schema());
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * Validates and coerces the path, query and header parameters the operation declares.
   * Returns the coerced values, or the list of invalid inputs.
   */
  parameters(
    operationId: OperationId,
    request: Request,
    pathParameters: Record<string, unknown>,
  ): { values: RequestParameters; errors: InputError[] } {
    const operation = specOperation(operationId);
    const url = new URL(request.url);
    const values: RequestParameters = { path: {}, query: {}, header: {} };
    for (const parameter of operation.parameters) {
      const raw =
        parameter.in === 'path'
          ? pathParameters[parameter.name]
          : parameter.in === 'query'
            ? url.searchParams.get(parameter.name)
            : request.headers.get(parameter.name);
      if (raw !== undefined && raw !== null) values[parameter.in][parameter.name] = raw;
    }
    const errors: InputError[] = [];
    for (const location of ['path', 'query', 'header'] as const) {
      const declared = operation.parameters.filter((parameter) => parameter.in === location);
      if (declared.length === 0) continue;
      const validate = this.#compile(`${operationId}:${location}`, true, () => ({
        type: 'object',
        properties: Object.fromEntries(
          declared.map((parameter) => [parameter.name, { $ref: `${DOCUMENT_ID}${parameter.schemaPointer}` }]),
        ),
        required: declared.filter((parameter) => parameter.required).map((parameter) => parameter.name),
      }));
      if (!validate(values[location])) errors.push(...toInputErrors(validate.errors ?? [], location));
    }
    return { values, errors };
  }

  /**
   * Validates a decoded request body (parsed JSON, or a multipart form as an object) against the schema of
   * `mediaType`. An operation or media type without a schema accepts anything.
   */
  body(operationId: OperationId, mediaType: string, body: unknown): InputError[] {
    const pointer = specOperation(operationId).requestBody?.content[mediaType];
    if (!pointer) return [];
    const validate = this.#compile(`${operationId}:body:${mediaType}`, false, () => ({
      $ref: `${DOCUMENT_ID}${pointer}`,
    }));
    return validate(body) ? [] : toInputErrors(validate.errors ?? [], 'body');
  }

  /**
   * Checks an answer against the operation's documented responses: a documented status (or `default`), a
   * documented media type, a body valid against its schema, the required headers, and `LP-gateway-error`
   * on every `application/problem+json` answer. Returns the problems found (empty when the answer conforms).
   * Reads a clone, so the response stays usable.
   *
   * @example
   * ```ts
   * expect(await validator.response('listCertificates', response)).toEqual([]);
   * ```
   */
  async response(operationId: OperationId, response: Response): Promise<string[]> {
    const operation = specOperation(operationId);
    const documented =
      operation.responses.find((candidate) => candidate.status === String(response.status)) ??
      operation.responses.find((candidate) => candidate.status === 'default');
    if (!documented) return [`status ${response.status} is not documented for ${operationId}`];
    const problems: string[] = [];
    for (const header of documented.requiredHeaders) {
      if (!response.headers.has(header)) problems.push(`required header ${header} is missing`);
    }
    const mediaTypes = Object.keys(documented.content);
    const text = await response.clone().text();
    if (mediaTypes.length === 0) {
      if (text.length > 0 && operation.method !== 'HEAD')
        problems.push('a body was sent where none is documented');
      return problems;
    }
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    const mediaType = mediaTypes.includes(contentType)
      ? contentType
      : mediaTypes.includes('*/*')
        ? '*/*'
        : undefined;
    if (mediaType === undefined) {
      return [...problems, `content type "${contentType}" is not one of ${mediaTypes.join(', ')}`];
    }
    if (mediaType === 'application/problem+json' && !response.headers.has('LP-gateway-error')) {
      problems.push('a problem answer lacks the LP-gateway-error header');
    }
    const pointer = documented.content[mediaType];
    if (pointer === undefined || operation.method === 'HEAD') return problems;
    let body: unknown = text;
    if (mediaType.endsWith('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        return [...problems, 'the body is not valid JSON'];
      }
    }
    const validate = this.#compile(`response:${pointer}`, false, () => ({
      $ref: `${DOCUMENT_ID}${pointer}`,
    }));
    if (!validate(body)) {
      for (const error of validate.errors ?? []) problems.push(`body${error.instancePath} ${error.message}`);
    }
    return problems;
  }
}

function toInputErrors(errors: readonly ErrorObject[], location: InputError['location']): InputError[] {
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
        if (Array.isArray(allowed)) {
          message = `must be one of ${allowed.map((value) => JSON.stringify(value)).join(', ')}`;
        }
      }
      if (error.keyword === 'additionalProperties') {
        const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty ?? '');
        if (location === 'body') name = `${error.instancePath}/${extra}`;
        message = 'is not allowed';
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
