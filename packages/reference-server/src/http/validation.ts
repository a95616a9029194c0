import type { IncomingHttpHeaders } from 'node:http';
import type { InputError } from '@mtls-gateway/contract';
import {
  type InputValidationOptions,
  invalidRequestDetail,
  type SchemaValidators,
  schemaValidators,
} from '@mtls-gateway/contract/validation';
import { InvalidRequestError, UnsupportedMediaTypeError } from '../errors.js';
import type { GatewaySpec, SpecOperation } from './openapi.js';

/**
 * How the server words invalid inputs: an unknown body property is reported at its object with the schema's
 * message (the mock names the property instead).
 */
const INPUT_ERRORS: InputValidationOptions = { unknownProperty: 'schema' };

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

/** The media type of a `Content-Type` value, lower case, parameters dropped. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

/**
 * Validates requests against the OpenAPI document: path, query and header parameters (coerced to their
 * schema types, every invalid one listed) and JSON bodies (the first problem), with the contract's validators
 * (`@mtls-gateway/contract/validation`: AJV, JSON Schema 2020-12, compiled from the document's own schemas).
 * Multipart and `*\/*` bodies are only checked for their media type; their content is the handler's.
 *
 * @example
 * ```ts
 * const validator = new RequestValidator(GatewaySpec.load());
 * const input = validator.validate(spec.operation('checkMappings'), request); // throws InvalidRequestError
 * ```
 */
export class RequestValidator {
  readonly #validators: SchemaValidators;

  constructor(readonly spec: GatewaySpec) {
    this.#validators = schemaValidators(spec.document);
  }

  /** Compiles the validators of one operation now (else on first use); surfaces spec problems at start-up. */
  compile(operation: SpecOperation): void {
    for (const location of ['path', 'query', 'header'] as const)
      this.#validators.parameters(operation, location);
    const json = operation.requestBody?.content['application/json'];
    if (json) this.#validators.at(json);
  }

  /**
   * Validates one request and returns its coerced inputs.
   *
   * @throws {InvalidRequestError} listing every invalid parameter (and the first body problem).
   * @throws {UnsupportedMediaTypeError} when a body is sent with a media type the operation does not declare.
   */
  validate(operation: SpecOperation, request: RequestParts): OperationInput {
    const params = { ...(request.params as Record<string, unknown> | undefined) };
    const query = { ...(request.query as Record<string, unknown> | undefined) };
    const headers: Record<string, unknown> = {};
    for (const parameter of operation.parameters) {
      if (parameter.in !== 'header') continue;
      const value = request.headers[parameter.name.toLowerCase()];
      if (value !== undefined) headers[parameter.name] = value;
    }

    const errors = this.#validators.validateParameters(
      operation,
      { path: params, query, header: headers },
      INPUT_ERRORS,
    );
    const body = this.#validateBody(operation, request, errors);

    if (errors.length > 0) throw new InvalidRequestError(invalidRequestDetail(errors), errors);
    return { params, query, headers, body };
  }

  #validateBody(operation: SpecOperation, request: RequestParts, errors: InputError[]): unknown {
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
    if (mediaType === 'application/json') {
      errors.push(...this.#validators.validateBody(operation, mediaType, request.body, INPUT_ERRORS));
    }
    return request.body;
  }
}
