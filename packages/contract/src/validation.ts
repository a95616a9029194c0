/**
 * `@mtls-gateway/contract/validation`: JSON Schema 2020-12 validation against the spec with AJV, set up once
 * for every implementation — the whole document registered under one `$id` (so a schema is compiled from the
 * document's own JSON pointer and its `$ref`s resolve), ajv-formats on, compiled validators cached — and the
 * shaping of AJV errors into the spec's `InputError`s (`{location, name, message}`). Runs in browsers and Node.
 *
 * @example
 * ```ts
 * import { specOperation } from '@mtls-gateway/contract/spec';
 * import { schemaValidators } from '@mtls-gateway/contract/validation';
 *
 * const errors = schemaValidators().validateBody(specOperation('checkMappings'), 'application/json', [{}]);
 * errors[0]; // { location: 'body', name: '/0/serviceName', message: 'is required' }
 * ```
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { InputError, InputLocation } from './problems.js';
import { dereference, type JsonObject, openApiDocument, resolvePointer, type SpecOperation } from './spec.js';

export type { ErrorObject, ValidateFunction };

/**
 * The `$id` under which the document is registered with AJV: a schema pointer `#/…` of the document is
 * compiled as `{ $ref: SPEC_SCHEMA_ID + pointer }`.
 *
 * @example
 * ```ts
 * ajv.compile({ $ref: `${SPEC_SCHEMA_ID}#/components/schemas/Mapping` });
 * ```
 */
export const SPEC_SCHEMA_ID = 'https://mtls-gateway.dev/openapi.json';

// ajv-formats is CommonJS with `module.exports = plugin` and `exports.default = plugin`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * How an AJV instance treats the data. Each combination is its own AJV instance (the document registered
 * once in each), created on first use.
 *
 * @example
 * ```ts
 * const forParameters: ValidatorOptions = { coerceTypes: true, allErrors: true };
 * ```
 */
export interface ValidatorOptions {
  /** Convert values to the schema's types (`'true'` → `true`): parameters arrive as strings. Default off. */
  coerceTypes?: boolean;
  /** Report every error instead of stopping at the first. Default off (a large invalid body, one error). */
  allErrors?: boolean;
  /** Errors carry the failing schema and data (`parentSchema`, `data`). Default off. */
  verbose?: boolean;
}

/**
 * How AJV errors become `InputError`s.
 *
 * @example
 * ```ts
 * const certificatePart: InputErrorOptions = { namePrefix: 'certificate', unknownProperty: 'schema' };
 * ```
 */
export interface InputErrorOptions {
  /** Put before every body name (`certificate` → `certificate/password`). Default none. */
  namePrefix?: string;
  /**
   * An `additionalProperties` failure: `'named'` names the unknown property (`/x` `is not allowed`, the mock's
   * answer); `'schema'` keeps AJV's message at the object (`''` `must NOT have additional properties`, the
   * reference server's answer). Default `'named'`.
   */
  unknownProperty?: 'named' | 'schema';
}

/**
 * Options of {@link SchemaValidators.validateParameters} and {@link SchemaValidators.validateBody}.
 *
 * @example
 * ```ts
 * const options: InputValidationOptions = { allErrors: true, unknownProperty: 'schema' };
 * ```
 */
export interface InputValidationOptions extends ValidatorOptions, InputErrorOptions {}

/**
 * The parameter values of one request by location and spec name, as strings (or as already coerced values).
 * Validation coerces them in place.
 *
 * @example
 * ```ts
 * const values: ParameterValues = { path: { accountId: 'le1' }, query: {}, header: { 'LP-forward-url': 'https://a/' } };
 * ```
 */
export type ParameterValues = Partial<Record<'path' | 'query' | 'header', Record<string, unknown>>>;

const PARAMETER_LOCATIONS = ['path', 'query', 'header'] as const;

/** Parameters arrive as strings: coerce them, and list every invalid one. */
const PARAMETER_DEFAULTS: ValidatorOptions = { coerceTypes: true, allErrors: true };

function optionsKey(options: ValidatorOptions): string {
  return [options.coerceTypes, options.allErrors, options.verbose].map((flag) => (flag ? '1' : '0')).join('');
}

/**
 * The compiled validators of one OpenAPI document. Use {@link schemaValidators} to get the shared instance of
 * a document (the bundled one by default), so every schema is compiled once per process.
 *
 * @example
 * ```ts
 * const validate = schemaValidators().component('Mapping');
 * validate({ id: 1 }); // false; validate.errors lists why
 * ```
 */
export class SchemaValidators {
  readonly #instances = new Map<string, Ajv2020>();
  readonly #compiled = new Map<string, ValidateFunction>();
  readonly #parameterValidators = new WeakMap<object, Map<string, ValidateFunction | null>>();
  #inlineSchemas = 0;

  /** @param document an OpenAPI 3.1 document (its `$ref`s local). Prefer {@link schemaValidators}. */
  constructor(readonly document: JsonObject = openApiDocument) {}

  /**
   * The AJV instance of these options: JSON Schema 2020-12, ajv-formats, the document registered under
   * {@link SPEC_SCHEMA_ID}, unknown keywords (`example`, `x-…`) ignored.
   */
  ajv(options: ValidatorOptions = {}): Ajv2020 {
    const key = optionsKey(options);
    let ajv = this.#instances.get(key);
    if (!ajv) {
      ajv = new Ajv2020({
        // The document carries OpenAPI keywords (example, x-extension, contentMediaType, …) AJV does not know.
        strict: false,
        allErrors: options.allErrors === true,
        coerceTypes: options.coerceTypes === true,
        verbose: options.verbose === true,
        logger: false,
      });
      addFormats(ajv);
      // The top-level object is copied so that the `$id` does not touch the shared document.
      ajv.addSchema({ ...this.document, $id: SPEC_SCHEMA_ID });
      this.#instances.set(key, ajv);
    }
    return ajv;
  }

  #cached(key: string, options: ValidatorOptions, schema: () => object): ValidateFunction {
    const fullKey = `${optionsKey(options)}${key}`;
    let validate = this.#compiled.get(fullKey);
    if (!validate) {
      validate = this.ajv(options).compile(schema());
      this.#compiled.set(fullKey, validate);
    }
    return validate;
  }

  /**
   * The validator of the schema at a JSON pointer of the document (`#/components/schemas/Mapping`,
   * `#/paths/…/schema`), compiled once.
   *
   * @example
   * ```ts
   * schemaValidators().at('#/components/schemas/Health')({ status: 'ok' }); // true
   * ```
   */
  at(pointer: string, options: ValidatorOptions = {}): ValidateFunction {
    const at = pointer.startsWith('#') ? pointer : `#${pointer}`;
    return this.#cached(`@${at}`, options, () => ({ $ref: `${SPEC_SCHEMA_ID}${at}` }));
  }

  /**
   * The validator of a component schema (`#/components/schemas/<name>`).
   *
   * @example
   * ```ts
   * schemaValidators().component('CertificateList', { allErrors: true })(body);
   * ```
   */
  component(name: string, options: ValidatorOptions = {}): ValidateFunction {
    return this.at(`#/components/schemas/${name}`, options);
  }

  /**
   * The validator of a schema object taken out of the document (its `#/…` references still resolve against
   * the document), compiled once per distinct schema.
   *
   * @example
   * ```ts
   * schemaValidators().of({ type: 'array', items: { $ref: '#/components/schemas/Mapping' } })([]); // true
   * ```
   */
  of(schema: JsonObject, options: ValidatorOptions = {}): ValidateFunction {
    return this.#cached(`=${JSON.stringify(schema)}`, options, () => ({
      // A URI of its own (a schema cannot be registered twice under one), next to the document's.
      $id: `${SPEC_SCHEMA_ID}/inline-${this.#inlineSchemas++}`,
      ...(rebase(schema) as JsonObject),
    }));
  }

  /**
   * The validator of an operation's parameters at one location, as one object keyed by spec name (required
   * ones required), or `undefined` when it declares none there. Coerces by default; `options` replace that.
   *
   * @example
   * ```ts
   * const validate = schemaValidators().parameters(specOperation('forwardGet'), 'header');
   * ```
   */
  parameters(
    operation: SpecOperation<string>,
    location: 'path' | 'query' | 'header',
    options: ValidatorOptions = PARAMETER_DEFAULTS,
  ): ValidateFunction | undefined {
    // Looked up per request: found by the operation object first, without building a key string.
    let byOperation = this.#parameterValidators.get(operation);
    if (!byOperation) {
      byOperation = new Map();
      this.#parameterValidators.set(operation, byOperation);
    }
    const key = `${location}${options === PARAMETER_DEFAULTS ? '' : optionsKey(options)}`;
    let found = byOperation.get(key);
    if (found === undefined) {
      found = this.#compileParameters(operation, location, options) ?? null;
      byOperation.set(key, found);
    }
    return found ?? undefined;
  }

  #compileParameters(
    operation: SpecOperation<string>,
    location: 'path' | 'query' | 'header',
    options: ValidatorOptions,
  ): ValidateFunction | undefined {
    const declared = operation.parameters.filter((parameter) => parameter.in === location);
    if (declared.length === 0) return undefined;
    return this.#cached(`${operation.operationId}:${location}`, options, () => ({
      type: 'object',
      properties: Object.fromEntries(
        declared.map((parameter) => [
          parameter.name,
          { $ref: `${SPEC_SCHEMA_ID}${parameter.schemaPointer}` },
        ]),
      ),
      required: declared.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    }));
  }

  /**
   * Validates an operation's path, query and header parameters (coerced in place, by default to the schema
   * types, with every error listed) and returns the invalid inputs, by location and spec name.
   *
   * @example
   * ```ts
   * const values = { path: { accountId: 'le1' }, header: { 'LP-stop-if-certificate-not-found': 'maybe' } };
   * schemaValidators().validateParameters(specOperation('forwardGet'), values);
   * // [{ location: 'header', name: 'LP-forward-url', message: 'is required' }, { …, message: 'must be boolean' }]
   * ```
   */
  validateParameters(
    operation: SpecOperation<string>,
    values: ParameterValues,
    options: InputValidationOptions = {},
  ): InputError[] {
    const validatorOptions =
      options.coerceTypes === undefined && options.allErrors === undefined && options.verbose === undefined
        ? PARAMETER_DEFAULTS
        : { ...PARAMETER_DEFAULTS, ...options };
    const errors: InputError[] = [];
    for (const location of PARAMETER_LOCATIONS) {
      const validate = this.parameters(operation, location, validatorOptions);
      if (!validate) continue;
      values[location] ??= {};
      if (!validate(values[location])) errors.push(...inputErrorsOf(validate.errors, location, options));
    }
    return errors;
  }

  /**
   * Validates a decoded request body (parsed JSON, or a multipart form as an object) against the schema of
   * `mediaType` and returns the invalid inputs (an operation or media type without a schema accepts
   * anything). Stops at the first error unless `allErrors`. For a `oneOf` of object shapes (the certificate
   * file forms) the errors are those of the shape the body is closest to — the one declaring most of the
   * properties sent, then the one with the fewest errors — not every shape's errors and a bare "must match
   * exactly one schema in oneOf".
   *
   * @example
   * ```ts
   * schemaValidators().validateBody(specOperation('createCertificates'), 'application/json', [{ name: 'a' }]);
   * // [{ location: 'body', name: '/0/p12', message: 'is required' }]
   * ```
   */
  validateBody(
    operation: SpecOperation<string>,
    mediaType: string,
    body: unknown,
    options: InputValidationOptions = {},
  ): InputError[] {
    const pointer = operation.requestBody?.content[mediaType];
    if (!pointer) return [];
    const validate = this.at(pointer, options);
    if (validate(body)) return [];
    return inputErrorsOf(
      this.#closestShapeErrors(pointer, body, options) ?? validate.errors,
      'body',
      options,
    );
  }

  #closestShapeErrors(pointer: string, body: unknown, options: ValidatorOptions): ErrorObject[] | undefined {
    const value = resolvePointer(pointer, this.document);
    if (typeof value !== 'object' || value === null) return undefined;
    const { node: schema, pointer: at } = dereference(value, pointer, this.document);
    const shapes = schema.oneOf;
    if (!Array.isArray(shapes) || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return undefined;
    }
    const sent = Object.keys(body);
    let best: { declared: number; errors: ErrorObject[] } | undefined;
    shapes.forEach((shape, index) => {
      const shapePointer = `${at}/oneOf/${index}`;
      const { node } = dereference(shape, shapePointer, this.document);
      const properties = (node.properties ?? {}) as JsonObject;
      const validate = this.at(shapePointer, options);
      const errors = validate(body) ? [] : [...(validate.errors ?? [])];
      const declared = sent.filter((name) => name in properties).length;
      if (
        !best ||
        declared > best.declared ||
        (declared === best.declared && errors.length < best.errors.length)
      ) {
        best = { declared, errors };
      }
    });
    return best && best.errors.length > 0 ? best.errors : undefined;
  }
}

const shared = new WeakMap<object, SchemaValidators>();

/**
 * The shared {@link SchemaValidators} of a document (default: the bundled spec), created on first use.
 *
 * @example
 * ```ts
 * schemaValidators().component('Problem')(body);
 * ```
 */
export function schemaValidators(document: JsonObject = openApiDocument): SchemaValidators {
  let validators = shared.get(document);
  if (!validators) {
    validators = new SchemaValidators(document);
    shared.set(document, validators);
  }
  return validators;
}

/** Makes the `#/…` references of a schema lifted out of the document point back into it. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== 'object') return schema;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    result[key] =
      key === '$ref' && typeof value === 'string' && value.startsWith('#/')
        ? `${SPEC_SCHEMA_ID}${value}`
        : rebase(value);
  }
  return result;
}

/** `/LP-forward-url` → `LP-forward-url` (JSON pointer unescaped). */
function firstSegment(instancePath: string): string {
  const segment = instancePath.split('/')[1] ?? '';
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * AJV errors as the spec's `InputError`s, as the gateway answers them in an `invalid_request` problem: a
 * parameter by its spec name, a body place by JSON pointer; a missing one `is required`; an enum failure lists
 * the allowed values; an unknown property is named (see {@link InputErrorOptions}); duplicates dropped.
 *
 * @example
 * ```ts
 * inputErrorsOf(validate.errors, 'header'); // [{ location: 'header', name: 'LP-forward-url', message: 'is required' }]
 * ```
 */
export function inputErrorsOf(
  errors: readonly ErrorObject[] | null | undefined,
  location: InputLocation,
  options: InputErrorOptions = {},
): InputError[] {
  const prefix = location === 'body' ? (options.namePrefix ?? '') : '';
  const seen = new Set<string>();
  const result: InputError[] = [];
  for (const error of errors ?? []) {
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
      if (error.keyword === 'additionalProperties' && options.unknownProperty !== 'schema') {
        const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty ?? '');
        if (location === 'body') name = `${error.instancePath}/${extra}`;
        message = 'is not allowed';
      }
    }
    name = `${prefix}${name}`;
    const key = `${name}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ location, name, message });
  }
  return result;
}

const LOCATION_NAMES: Record<InputLocation, string> = {
  path: 'path parameter',
  query: 'query parameter',
  header: 'request header',
  body: 'request body',
};

/**
 * The `detail` of an `invalid_request` problem: the first invalid input in words, and how many more the
 * `errors` list holds.
 *
 * @example
 * ```ts
 * invalidRequestDetail([{ location: 'header', name: 'LP-forward-url', message: 'is required' }]);
 * // 'The request header LP-forward-url is required.'
 * ```
 */
export function invalidRequestDetail(errors: readonly InputError[]): string {
  const [first] = errors;
  if (!first) return 'The request is invalid.';
  const where =
    first.location === 'body'
      ? `${LOCATION_NAMES.body}${first.name ? ` at ${first.name}` : ''}`
      : `${LOCATION_NAMES[first.location]} ${first.name ?? ''}`;
  const more =
    errors.length > 1 ? ` (${errors.length - 1} more problem${errors.length > 2 ? 's' : ''} in errors)` : '';
  return `The ${where} ${first.message}.${more}`;
}
