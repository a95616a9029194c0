/**
 * The contract check of every answer: a `fetch` wrapper handed to the SDK (and used by the generated
 * requests) that maps each request to its spec operation by method + path template, checks the answer
 * against that operation's responses — status documented, required headers present and valid, media type
 * and body valid (AJV 2020-12 over the bundled spec) — and records (operationId, status) for the coverage
 * table. Violations are collected and fail the running test (see `takeViolations`).
 */
import { isProblemCode, PROBLEM_CATALOGUE, type Problem } from '@mtls-gateway/contract';
import { describeErrors, findOperation, type SpecOperation, type SpecResponse, validatorAt } from './spec.js';

/** The header every answer of the gateway itself carries (never a passthrough answer). */
export const GATEWAY_ERROR_HEADER = 'lp-gateway-error';

/** One request and its answer, as seen by the recorder. */
export interface Exchange {
  operationId: string | undefined;
  method: string;
  path: string;
  status: number;
  /** The documented response the answer was checked against (`'200'`, `'default'`…), if any. */
  documentedAs: string | undefined;
  /** Whether the answer carried `LP-gateway-error`. */
  gatewayAnswer: boolean;
  violations: string[];
}

/** A check of its own a target adds (e.g. the Prism proxy's `sl-violations` header). */
export type ExtraResponseCheck = (response: Response, exchange: Exchange) => string[];

export interface ContractRecorderOptions {
  /** The gateway's base URL; its path is stripped before matching path templates. */
  baseUrl: string;
  /** How requests are really sent (default: the global `fetch`, looked up at call time so MSW can patch it). */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  extraCheck?: ExtraResponseCheck | undefined;
}

function mediaTypeOf(response: Response): string | undefined {
  return response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function mediaTypeMatches(documented: string, actual: string): boolean {
  if (documented === '*/*') return true;
  const [type, subtype] = documented.toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return type === actualType && (subtype === '*' || subtype === actualSubtype);
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/**
 * Which documented response an answer must match. Passthrough operations (forwarding, the p12 test): an
 * answer without `LP-gateway-error` is the remote's, so it matches the response of its status when that one
 * lets any answer through (content `*∕*` or none — the statuses the gateway shares with the remote document
 * both), else `default`; an answer with it is the gateway's own and must match its status exactly. Other
 * operations: the status must be documented.
 */
function documentedResponse(
  operation: SpecOperation,
  status: number,
  gatewayAnswer: boolean,
): SpecResponse | undefined {
  const exact = operation.responses.get(String(status));
  if (!operation.passthrough || gatewayAnswer) return exact;
  const letsAnyAnswerThrough =
    exact !== undefined && (exact.content === undefined || exact.content.has('*/*'));
  return letsAnyAnswerThrough ? exact : operation.responses.get('default');
}

/**
 * The media types an answer is checked against: a remote answer of a passthrough operation only needs the
 * `*∕*` (or no content) the spec lets through; the gateway's own answer there is never a wildcard (it is its
 * `application/problem+json` problem).
 */
function documentedContent(
  operation: SpecOperation,
  documented: SpecResponse,
  gatewayAnswer: boolean,
): Map<string, string | undefined> | undefined {
  if (documented.content === undefined || !operation.passthrough) return documented.content;
  return new Map([...documented.content].filter(([mediaType]) => (mediaType === '*/*') === !gatewayAnswer));
}

function checkHeaders(documented: SpecResponse, response: Response, gatewayAnswer: boolean): string[] {
  const problems: string[] = [];
  for (const [name, header] of documented.headers) {
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required || (gatewayAnswer && header.requiredOnGatewayAnswer)) {
        problems.push(
          header.required
            ? `the required header ${name} is missing`
            : `the header ${name}, present on every answer of the gateway itself, is missing`,
        );
      }
      continue;
    }
    // Header values are text: a number header (Retry-After) is checked with type coercion.
    const validate = validatorAt(header.schemaPointer, { coerce: true });
    if (!validate(value)) {
      problems.push(
        ...describeErrors(validate.errors).map((line) => `header ${name}: ${JSON.stringify(value)} ${line}`),
      );
    }
  }
  return problems;
}

async function checkBody(
  content: Map<string, string | undefined> | undefined,
  response: Response,
  method: string,
): Promise<string[]> {
  if (content === undefined || method === 'HEAD') return [];
  const text = await response.text();
  const mediaType = mediaTypeOf(response);
  if (mediaType === undefined) {
    if (content.has('*/*')) return [];
    return [`no Content-Type; documented: ${[...content.keys()].join(', ')}`];
  }
  const match = [...content.keys()].find((candidate) => mediaTypeMatches(candidate, mediaType));
  if (match === undefined) {
    return [`Content-Type ${mediaType} is not documented (${[...content.keys()].join(', ')})`];
  }
  const pointer = content.get(match);
  if (pointer === undefined || match === '*/*') return [];
  let body: unknown = text;
  if (isJsonMediaType(mediaType)) {
    try {
      body = JSON.parse(text);
    } catch {
      return [`the ${mediaType} body is not JSON: ${JSON.stringify(text.slice(0, 120))}`];
    }
  }
  const validate = validatorAt(pointer);
  if (!validate(body)) return describeErrors(validate.errors).map((line) => `body ${line}`);
  return mediaType === 'application/problem+json' ? checkProblemCode(body as Problem, response) : [];
}

/**
 * A problem's code must be one of the spec's catalogue (`x-problem-codes`) and answered with the status the
 * catalogue gives it, and `LP-gateway-error` must name the same code: what the schema alone cannot say.
 */
function checkProblemCode(problem: Problem, response: Response): string[] {
  if (!isProblemCode(problem.code))
    return [`problem code ${problem.code} is not in the spec's x-problem-codes`];
  const problems: string[] = [];
  const { status } = PROBLEM_CATALOGUE[problem.code];
  if (status !== response.status) {
    problems.push(
      `problem code ${problem.code} answered with ${response.status}; the catalogue says ${status}`,
    );
  }
  const header = response.headers.get(GATEWAY_ERROR_HEADER);
  if (header !== problem.code)
    problems.push(`LP-gateway-error ${header} differs from the problem code ${problem.code}`);
  return problems;
}

/**
 * Records and checks every exchange. Give `recorder.fetch` to `createMtlsGatewayClient({ fetch })`.
 *
 * @example
 * ```ts
 * const recorder = new ContractRecorder({ baseUrl });
 * const client = createMtlsGatewayClient({ baseUrl, accountId, auth, fetch: recorder.fetch, maxRetries: 0 });
 * await client.certificates.list();
 * expect(recorder.takeViolations()).toEqual([]);
 * ```
 */
export class ContractRecorder {
  readonly exchanges: Exchange[] = [];
  #pending: string[] = [];
  readonly #basePath: string;

  constructor(readonly options: ContractRecorderOptions) {
    this.#basePath = new URL(options.baseUrl).pathname.replace(/\/+$/, '');
  }

  /** Sends the request, checks the answer against the spec, and returns the answer untouched. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const send = this.options.fetch ?? ((outgoing: Request) => globalThis.fetch(outgoing));
    const response = await send(request);
    await this.record(request.method, request.url, response);
    return response;
  };

  /** Checks and records an answer to `method url` obtained some other way (e.g. with `node:http`). */
  async record(method: string, requestUrl: string, response: Response): Promise<Exchange> {
    const url = new URL(requestUrl);
    const path = url.pathname.startsWith(this.#basePath)
      ? url.pathname.slice(this.#basePath.length) || '/'
      : url.pathname;
    const upperMethod = method.toUpperCase();
    const operation = findOperation(upperMethod, path);
    const gatewayAnswer = response.headers.has(GATEWAY_ERROR_HEADER);
    const exchange: Exchange = {
      operationId: operation?.operationId,
      method: upperMethod,
      path,
      status: response.status,
      documentedAs: undefined,
      gatewayAnswer,
      violations: [],
    };
    if (!operation) {
      exchange.violations.push('no operation of the spec serves this method and path');
    } else {
      const documented = documentedResponse(operation, response.status, gatewayAnswer);
      if (!documented) {
        exchange.violations.push(
          gatewayAnswer
            ? `the gateway answered ${response.status} itself (LP-gateway-error), a status not documented`
            : `status ${response.status} is not documented`,
        );
      } else {
        exchange.documentedAs = documented.key;
        if (response.ok && gatewayAnswer) {
          exchange.violations.push('a success answer carries LP-gateway-error');
        }
        exchange.violations.push(...checkHeaders(documented, response, gatewayAnswer));
        const content = documentedContent(operation, documented, gatewayAnswer);
        exchange.violations.push(...(await checkBody(content, response.clone(), upperMethod)));
      }
    }
    exchange.violations.push(...(this.options.extraCheck?.(response, exchange) ?? []));
    this.exchanges.push(exchange);
    for (const violation of exchange.violations) {
      this.#pending.push(
        `${exchange.operationId ?? '(no operation)'} ${upperMethod} ${path} → ${response.status}: ${violation}`,
      );
    }
    return exchange;
  }

  /** The violations recorded since the last call (and forgets them). */
  takeViolations(): string[] {
    const violations = this.#pending;
    this.#pending = [];
    return violations;
  }
}
