/**
 * What every mocked operation does before its own logic, in the reference server's order: scenario,
 * authentication (401), parameter and body validation against the spec (400 / 413 / 415), then the logic;
 * anything thrown becomes the gateway's problem answer.
 */
import { GATEWAY_ERROR_HEADER, type InputError, problemCodeForStatus } from '@mtls-gateway/contract';
import { invalidRequest, MockProblem, problemResponse, transportFailure } from './problems.js';
import { InvalidScenarioError, type MockScenario, parseScenarioFlag } from './scenarios.js';
import { type JsonObject, type OperationId, resolvePointer, specOperation } from './spec.js';
import type { MockState } from './state.js';
import { type RequestParameters, SpecValidator } from './validation.js';

/**
 * The largest request body the mock reads (10 MiB); above it the answer is 413 `payload_too_large`.
 *
 * @example
 * ```ts
 * const tooBig = new Uint8Array(BODY_LIMIT_BYTES + 1);
 * ```
 */
export const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The query parameter that chooses a scenario for one request (see {@link parseScenarioFlag}).
 *
 * @example
 * ```ts
 * await fetch(`${gateway}/mtls/account/le1/certificates?${SCENARIO_QUERY_FLAG}=503`, { headers });
 * ```
 */
export const SCENARIO_QUERY_FLAG = '__mock_scenario';

/**
 * The request header that chooses a scenario for one request (same syntax as the query flag).
 *
 * @example
 * ```ts
 * await fetch(url, { headers: { ...headers, [SCENARIO_HEADER]: 'delay:2000' } });
 * ```
 */
export const SCENARIO_HEADER = 'X-Mock-Scenario';

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A file part of a multipart body.
 *
 * @example
 * ```ts
 * const file: FormFile = { bytes: new Uint8Array([48, 130]), type: 'application/x-pkcs12' };
 * ```
 */
export interface FormFile {
  bytes: Uint8Array;
  /** Its declared content type (`''` when none). */
  type: string;
}

/**
 * A request body decoded according to its media type.
 *
 * @example
 * ```ts
 * if (call.body?.kind === 'form') console.log(Object.keys(call.body.files)); // ['file']
 * ```
 */
export type DecodedBody =
  | { kind: 'json'; value: unknown }
  | {
      kind: 'form';
      /** Text fields, and JSON parts parsed; file parts appear as `''` (their bytes are in `files`). */
      values: Record<string, unknown>;
      files: Record<string, FormFile>;
    }
  | { kind: 'raw'; bytes: Uint8Array; contentType: string | undefined };

/**
 * Everything the operation logic gets: the validated, coerced inputs.
 *
 * @example
 * ```ts
 * const includeDeleted = (call: OperationCall) => call.query.includeDeleted === true;
 * ```
 */
export interface OperationCall extends RequestParameters {
  request: Request;
  requestId: string;
  body: DecodedBody | undefined;
}

let sharedValidator: SpecValidator | undefined;

/**
 * One validator for every handler set: its compiled schemas are reused across states and tests.
 *
 * @example
 * ```ts
 * const errors = specValidator().body('checkMappings', 'application/json', body);
 * ```
 */
export function specValidator(): SpecValidator {
  sharedValidator ??= new SpecValidator();
  return sharedValidator;
}

// Answers that come from the upstream are returned untouched (no X-Request-Id is added to them).
const passthroughAnswers = new WeakSet<Response>();

/**
 * Marks a response as the remote's answer, to be returned as-is (no `X-Request-Id` added).
 *
 * @example
 * ```ts
 * return markPassthrough(await state.upstream(request, context));
 * ```
 */
export function markPassthrough(response: Response): Response {
  passthroughAnswers.add(response);
  return response;
}

/**
 * The media type of a `Content-Type` value, lower case, parameters dropped.
 *
 * @example
 * ```ts
 * mediaTypeOf('Application/JSON; charset=utf-8'); // 'application/json'
 * ```
 */
export function mediaTypeOf(contentType: string | null | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The scenario of one request: its query flag or header, else the registry's. */
function scenarioOf(state: MockState, operationId: OperationId, request: Request): MockScenario | undefined {
  const url = new URL(request.url);
  const fromQuery = url.searchParams.get(SCENARIO_QUERY_FLAG);
  const flag = fromQuery ?? request.headers.get(SCENARIO_HEADER);
  if (flag === null) return state.scenarios.take(operationId);
  try {
    return parseScenarioFlag(flag);
  } catch (error) {
    if (!(error instanceof InvalidScenarioError)) throw error;
    throw invalidRequest([
      fromQuery === null
        ? { location: 'header', name: SCENARIO_HEADER, message: error.message }
        : { location: 'query', name: SCENARIO_QUERY_FLAG, message: error.message },
    ]);
  }
}

/** Plays a scenario; returns the forced answer, or `undefined` to answer normally (after the delay). */
async function playScenario(
  scenario: MockScenario,
  operationId: OperationId,
  request: Request,
): Promise<Response | undefined> {
  if (scenario.delayMs !== undefined && scenario.delayMs > 0) await sleep(scenario.delayMs);
  if (scenario.networkError) return Response.error();
  if (scenario.transportFailure || scenario.status === 424) {
    const failure = typeof scenario.transportFailure === 'object' ? scenario.transportFailure : {};
    const kind = failure.error ?? 'ECONNREFUSED';
    throw transportFailure(failure.message ?? scenario.detail ?? `connect ${kind} (mock scenario)`, kind);
  }
  if (scenario.status !== undefined) {
    // The one operation whose documented failure is not a problem: readiness answers its own document.
    if (operationId === 'getReadiness' && scenario.status === 503) {
      return Response.json(
        { status: 'unavailable', checks: { database: 'ok', secretStore: 'unavailable' } },
        { status: 503, headers: { [GATEWAY_ERROR_HEADER]: 'unavailable' } },
      );
    }
    throw new MockProblem(
      scenario.code ?? problemCodeForStatus(scenario.status),
      scenario.detail ?? `Answer forced by a mock scenario for ${operationId}.`,
      { status: scenario.status },
    );
  }
  if (scenario.response) return scenario.response(request);
  return undefined;
}

interface FormFieldKinds {
  binary: Set<string>;
  json: Set<string>;
  /** Largest size of each binary field (its schema's `maxLength`). */
  limits: Map<string, number>;
}

const formKindsCache = new Map<string, FormFieldKinds>();

/** The properties of a form schema and of each of its `oneOf` shapes (a part means the same in every shape). */
function formProperties(schema: JsonObject | undefined): Array<[string, unknown]> {
  const shapes = [schema, ...((schema?.oneOf ?? []) as unknown[]).map(deref)];
  return shapes.flatMap((shape) => Object.entries((shape?.properties ?? {}) as Record<string, unknown>));
}

/** Which multipart fields are files and which are JSON parts, read from the operation's form schema. */
function formFieldKinds(operationId: OperationId): FormFieldKinds {
  let kinds = formKindsCache.get(operationId);
  if (kinds) return kinds;
  kinds = { binary: new Set(), json: new Set(), limits: new Map() };
  const pointer = specOperation(operationId).requestBody?.content['multipart/form-data'];
  const schema = pointer ? deref(resolvePointer(pointer)) : undefined;
  for (const [name, property] of formProperties(schema)) {
    const field = deref(property);
    if (field?.format === 'binary') {
      kinds.binary.add(name);
      if (typeof field.maxLength === 'number') kinds.limits.set(name, field.maxLength);
    } else if (field?.type === 'object') kinds.json.add(name);
  }
  formKindsCache.set(operationId, kinds);
  return kinds;
}

function deref(node: unknown): JsonObject | undefined {
  let current = node as JsonObject | undefined;
  for (let depth = 0; current && typeof current.$ref === 'string' && depth < 16; depth++) {
    current = resolvePointer(current.$ref) as JsonObject | undefined;
  }
  return current;
}

async function decodeForm(
  operationId: OperationId,
  form: FormData,
  errors: InputError[],
): Promise<DecodedBody> {
  const kinds = formFieldKinds(operationId);
  const values: Record<string, unknown> = {};
  const files: Record<string, FormFile> = {};
  for (const name of new Set(form.keys())) {
    const entries = form.getAll(name);
    if (entries.length > 1)
      errors.push({ location: 'body', name: `/${name}`, message: 'is sent more than once' });
    const entry = entries[0];
    if (entry === undefined) continue;
    const isFile = typeof entry !== 'string';
    const bytes = isFile ? new Uint8Array(await entry.arrayBuffer()) : new TextEncoder().encode(entry);
    if (kinds.binary.has(name)) {
      const limit = kinds.limits.get(name);
      if (limit !== undefined && bytes.byteLength > limit) {
        throw new MockProblem(
          'payload_too_large',
          `The ${name} part is larger than the limit of ${limit} bytes.`,
        );
      }
      files[name] = { bytes, type: isFile ? entry.type : '' };
      values[name] = '';
      continue;
    }
    const text = isFile ? new TextDecoder().decode(bytes) : entry;
    if (kinds.json.has(name)) {
      try {
        values[name] = JSON.parse(text);
      } catch {
        errors.push({ location: 'body', name: `/${name}`, message: 'is not valid JSON' });
      }
    } else {
      values[name] = text;
    }
  }
  return { kind: 'form', values, files };
}

/** Reads and checks the body the operation declares; pushes invalid inputs to `errors`. */
async function decodeBody(
  operationId: OperationId,
  request: Request,
  errors: InputError[],
  validator: SpecValidator,
): Promise<DecodedBody | undefined> {
  const declared = specOperation(operationId).requestBody;
  if (!declared || request.method === 'GET' || request.method === 'HEAD') return undefined;
  // A clone: the handler may still read the typed body itself.
  const bytes = new Uint8Array(await request.clone().arrayBuffer());
  if (bytes.byteLength > BODY_LIMIT_BYTES) {
    throw new MockProblem(
      'payload_too_large',
      `The request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes.`,
    );
  }
  if (bytes.byteLength === 0) {
    if (declared.required) errors.push({ location: 'body', name: '', message: 'is required' });
    return undefined;
  }
  const contentType = request.headers.get('content-type') ?? undefined;
  const mediaTypes = Object.keys(declared.content);
  if (mediaTypes.includes('*/*')) return { kind: 'raw', bytes, contentType };
  const mediaType = mediaTypeOf(contentType);
  if (!mediaType || !mediaTypes.includes(mediaType)) {
    throw new MockProblem(
      'unsupported_media_type',
      `Send the body as ${mediaTypes.join(' or ')}${mediaType ? `, not ${mediaType}` : ''}.`,
    );
  }
  if (mediaType === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { 'Content-Type': contentType ?? mediaType } }).formData();
    } catch {
      errors.push({ location: 'body', name: '', message: 'is not a valid multipart/form-data body' });
      return undefined;
    }
    const decoded = await decodeForm(operationId, form, errors);
    if (decoded.kind === 'form') errors.push(...validator.body(operationId, mediaType, decoded.values));
    return decoded;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    errors.push({ location: 'body', name: '', message: 'is not valid JSON' });
    return undefined;
  }
  errors.push(...validator.body(operationId, mediaType, value));
  return { kind: 'json', value };
}

/**
 * The part of openapi-msw's resolver info the pipeline uses.
 *
 * @example
 * ```ts
 * http.get('/healthz', (info: ResolverInfo<Response>) => serveOperation(state, 'getHealth', info, logic));
 * ```
 */
export interface ResolverInfo<Answer extends Response> {
  request: Request;
  params: object;
  response: { untyped(response: Response): Answer };
}

/**
 * Runs one request of `operationId` through the pipeline and `logic`; returns the answer in the handler's
 * (typed) response type.
 *
 * @example
 * ```ts
 * http.get('/mtls/account/{accountId}/mappings', (info) =>
 *   serveOperation(state, 'listMappings', info, async () => info.response(200).json(state.listMappings(info.params.accountId))),
 * );
 * ```
 */
export async function serveOperation<Answer extends Response>(
  state: MockState,
  operationId: OperationId,
  info: ResolverInfo<Answer>,
  logic: (call: OperationCall) => Promise<Response>,
): Promise<Answer> {
  const { request } = info;
  const url = new URL(request.url);
  const incomingId = request.headers.get('x-request-id');
  const requestId =
    incomingId && REQUEST_ID_PATTERN.test(incomingId) ? incomingId : state.ids.nextRequestId();
  let answer: Response;
  let scenarioAnswered = false;
  try {
    const scenario = scenarioOf(state, operationId, request);
    // Set before playing: a scenario may answer by throwing its problem.
    scenarioAnswered = scenario !== undefined;
    const forced = scenario ? await playScenario(scenario, operationId, request) : undefined;
    if (forced) {
      answer = forced;
    } else {
      scenarioAnswered = false;
      answer = await runOperation(
        operationId,
        request,
        info.params as Record<string, unknown>,
        requestId,
        logic,
      );
    }
  } catch (error) {
    answer = problemResponse(toProblem(error), { requestId, path: url.pathname });
  }
  if (answer.type !== 'error' && !passthroughAnswers.has(answer)) {
    try {
      answer.headers.set('X-Request-Id', requestId);
    } catch {
      // A scenario's own response may have immutable headers (e.g. one returned by fetch): leave it as it is.
    }
  }
  state.recordCall({
    operationId,
    method: request.method,
    url: `${url.pathname}${url.search}`,
    status: answer.type === 'error' ? 0 : answer.status,
    requestId,
    scenario: scenarioAnswered,
  });
  return info.response.untyped(answer);
}

async function runOperation(
  operationId: OperationId,
  request: Request,
  pathParameters: Record<string, unknown>,
  requestId: string,
  logic: (call: OperationCall) => Promise<Response>,
): Promise<Response> {
  const operation = specOperation(operationId);
  // The mock accepts any credentials, but not none: a client that forgets them gets the gateway's 401.
  if (operation.secured && !request.headers.get('authorization')?.trim()) {
    throw new MockProblem(
      'unauthorized',
      'Send an OAuth 1.0a signature or a Bearer token in the Authorization header.',
    );
  }
  const validator = specValidator();
  const { values, errors } = validator.parameters(operationId, request, pathParameters);
  const body = await decodeBody(operationId, request, errors, validator);
  if (errors.length > 0) throw invalidRequest(errors);
  return logic({ ...values, request, requestId, body });
}

function toProblem(error: unknown): MockProblem {
  if (error instanceof MockProblem) return error;
  // A bug of the mock or of a test's upstream/response function: say so without leaking details.
  return new MockProblem(
    'internal_error',
    `The mock failed to answer (${error instanceof Error ? error.name : 'unknown error'}). Quote the request id when reporting it.`,
  );
}

/**
 * The answer for a request no operation serves: 405 when the path exists with other methods, else 404
 * `route_not_found`.
 *
 * @example
 * ```ts
 * return routeNotFound(state, request, ['POST']); // 405 with Allow: POST
 * ```
 */
export function routeNotFound(state: MockState, request: Request, allowedMethods: string[]): Response {
  const url = new URL(request.url);
  const requestId = state.ids.nextRequestId();
  const problem =
    allowedMethods.length > 0
      ? new MockProblem(
          'method_not_allowed',
          `${url.pathname} does not accept ${request.method}; use ${allowedMethods.join(', ')}.`,
          {
            headers: { Allow: allowedMethods.join(', ') },
          },
        )
      : new MockProblem(
          'route_not_found',
          `No operation serves ${request.method} ${url.pathname}. See /docs for the API reference.`,
        );
  return problemResponse(problem, { requestId, path: url.pathname });
}
