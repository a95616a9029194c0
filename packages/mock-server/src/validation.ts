/**
 * Request and response validation against the bundled OpenAPI document, with the contract's one AJV setup
 * (`@mtls-gateway/contract/validation`: JSON Schema 2020-12 compiled from the document's own schemas) and its
 * input-error shaping: nothing is copied by hand, so the mock refuses exactly what the spec refuses.
 */
import type { InputError } from '@mtls-gateway/contract';
import { schemaValidators } from '@mtls-gateway/contract/validation';
import { type OperationId, specOperation } from './spec.js';

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
 * Validates requests and responses against the spec. Validators are compiled once per process, on first use.
 *
 * @example
 * ```ts
 * const validator = new SpecValidator();
 * const errors = validator.body('checkMappings', 'application/json', [{ serviceName: 'NOPE', url: 'x' }]);
 * errors[0]; // { location: 'body', name: '/0/serviceName', message: 'must be one of …' }
 * ```
 */
export class SpecValidator {
  /**
   * Validates and coerces the path, query and header parameters the operation declares (every invalid one
   * is listed). Returns the coerced values, or the list of invalid inputs.
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
      if (parameter.in === 'cookie') continue;
      const raw =
        parameter.in === 'path'
          ? pathParameters[parameter.name]
          : parameter.in === 'query'
            ? url.searchParams.get(parameter.name)
            : request.headers.get(parameter.name);
      if (raw !== undefined && raw !== null) values[parameter.in][parameter.name] = raw;
    }
    return { values, errors: schemaValidators().validateParameters(operation, values) };
  }

  /**
   * Validates a decoded request body (parsed JSON, or a multipart form as an object) against the schema of
   * `mediaType` (stops at the first error; a `oneOf` form answers with the errors of its closest shape). An
   * operation or media type without a schema accepts anything.
   */
  body(operationId: OperationId, mediaType: string, body: unknown): InputError[] {
    return schemaValidators().validateBody(specOperation(operationId), mediaType, body);
  }

  /**
   * Checks an answer against the operation's documented responses: a documented status (or `default`), a
   * documented media type, a body valid against its schema, the required headers, and `LP-gateway-error`
   * on every `application/problem+json` answer. Returns the problems found (empty when the answer conforms).
   * Reads a clone, so the response stays usable.
   *
   * Forwarding and the p12 test (the operations with a `default` response) return the remote's answers
   * as-is, under any status: an answer without `LP-gateway-error` is the remote's and only has to be one
   * the spec lets through (its status's `*∕*` content, or `default`); an answer with it is the gateway's own
   * problem, with the headers the spec marks `x-required-on-gateway-answer`.
   *
   * @example
   * ```ts
   * expect(await validator.response('listCertificates', response)).toEqual([]);
   * ```
   */
  async response(operationId: OperationId, response: Response): Promise<string[]> {
    const operation = specOperation(operationId);
    const exact = operation.responses.find((candidate) => candidate.status === String(response.status));
    const fallback = operation.responses.find((candidate) => candidate.status === 'default');
    const passthrough = fallback !== undefined;
    const gatewayAnswer = response.headers.has('LP-gateway-error');
    const remoteAnswer = passthrough && !gatewayAnswer;
    let documented = exact ?? fallback;
    if (remoteAnswer && exact && Object.keys(exact.content).length > 0 && !('*/*' in exact.content)) {
      documented = fallback;
    }
    if (!documented) return [`status ${response.status} is not documented for ${operationId}`];
    const problems: string[] = [];
    const required = gatewayAnswer
      ? [...documented.requiredHeaders, ...documented.gatewayAnswerHeaders]
      : documented.requiredHeaders;
    for (const header of new Set(required)) {
      if (!response.headers.has(header)) problems.push(`required header ${header} is missing`);
    }
    // The remote's answer may be anything; the gateway's own answer is never a wildcard media type.
    const mediaTypes = Object.keys(documented.content).filter((mediaType) => {
      if (remoteAnswer) return mediaType === '*/*';
      return !passthrough || mediaType !== '*/*';
    });
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
    if (mediaType === 'application/problem+json' && !gatewayAnswer) {
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
    const validate = schemaValidators().at(pointer);
    if (!validate(body)) {
      for (const error of validate.errors ?? []) problems.push(`body${error.instancePath} ${error.message}`);
    }
    return problems;
  }
}
