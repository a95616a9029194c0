/**
 * How resource methods call the gateway through openapi-fetch: per-call options and transport context,
 * turning error answers into typed errors, the `APIPromise` they return, and ids and account ids checked
 * before anything is sent.
 */

import type { paths } from '@mtls-gateway/contract';
import type { Client } from 'openapi-fetch';
import { AuthError } from '../auth/errors.js';
import {
  AbortError,
  ConnectionError,
  errorFromResponse,
  InvalidArgumentError,
  MtlsGatewayError,
} from '../errors.js';
import { type APIPromise, apiPromise } from './api-promise.js';
import type { CallContext, Transport } from './transport.js';
import type { CallHeaders, CallOptions } from './types.js';

/**
 * What resource methods share: the internal openapi-fetch client, the transport and the account.
 *
 * @example
 * ```ts
 * const scope: GatewayScope = { api, transport, accountId: 'le1606809' };
 * ```
 */
export interface GatewayScope {
  /** An openapi-fetch client of its own, so middleware a user adds to `client.raw` never alters resource calls. */
  api: Client<paths>;
  transport: Transport;
  accountId: string;
}

/**
 * What a resource method spreads into its openapi-fetch call: the transport for this call, the caller's
 * signal and the call's extra headers.
 *
 * @example
 * ```ts
 * api.GET('/mtls/account/{accountId}/mappings', { params, ...init });
 * ```
 */
export interface CallInit {
  fetch: (request: Request) => Promise<Response>;
  signal: AbortSignal | undefined;
  headers: CallHeaders | undefined;
}

// Headers the client or an option of the call sets; a call's `headers` may not carry them.
const RESERVED_HEADERS = new Map([
  [
    'authorization',
    "it carries the gateway credential, set by the client's auth (a remote's goes in authorizationOverride)",
  ],
  ['lp-forward-url', 'use url'],
  ['lp-service-name', 'use serviceName'],
  ['lp-authorization-override', 'use authorizationOverride'],
  ['lp-stop-if-certificate-not-found', 'use stopIfCertificateNotFound'],
  ['lp-content-type-override', 'use contentType'],
  ['lp-method-override', 'use method'],
]);

/**
 * One call of a resource method. `run` makes the openapi-fetch call with `init` spread in (it may first check
 * its arguments, and set `context` fields that depend on them). The result is the data, or — for passthrough
 * calls — the answer itself; an error answer of the gateway is thrown as its typed error, and every error the
 * call ends with goes to the `onError` hook.
 *
 * For passthrough calls openapi-fetch is handed an empty placeholder, because it reads the body of every
 * non-2xx answer while a forwarded answer must reach the caller untouched.
 *
 * @example
 * ```ts
 * return gatewayRequest(scope, { operation: 'mappings.list', idempotent: true }, options, (init) =>
 *   scope.api.GET('/mtls/account/{accountId}/mappings', { params: { path: { accountId } }, ...init }),
 * );
 * ```
 */
export function gatewayRequest<Data>(
  scope: GatewayScope,
  context: CallContext,
  options: CallOptions,
  run: (init: CallInit) => Promise<{ data?: Data; error?: unknown }>,
): APIPromise<Data> {
  const { signal, headers } = options;
  let answer: Response | undefined;
  let sent = false;
  const init: CallInit = {
    async fetch(request) {
      sent = true;
      answer = await scope.transport.send(request, context);
      return context.passthrough ? new Response(null, { status: 204 }) : answer;
    },
    signal,
    headers,
  };
  const settled = (async () => {
    context.timeoutMs = checkNumber(options.timeoutMs, 'timeoutMs', undefined, {
      allowInfinity: true,
      min: 1,
    });
    context.maxRetries = checkNumber(options.maxRetries, 'maxRetries', undefined, { integer: true, min: 0 });
    for (const name of Object.keys(headers ?? {})) {
      const advice = RESERVED_HEADERS.get(name.toLowerCase());
      if (advice)
        throw new InvalidArgumentError(`Do not pass the header ${name} to ${context.operation}: ${advice}.`);
    }
    let result: { data?: Data; error?: unknown };
    try {
      result = await run(init);
    } catch (error) {
      throw normalizeCallError(error, signal, sent, context.operation);
    }
    // Every run sends (or throws before): the answer is there.
    const response = answer as Response;
    if (context.passthrough) {
      if (response.headers.has('LP-gateway-error')) throw await gatewayAnswerError(response);
    } else if (!response.ok) throw errorFromResponse(response.status, response.headers, result.error);
    return {
      data: (context.passthrough ? response : result.data) as Data,
      response,
      requestId: response.headers.get('X-Request-Id') ?? undefined,
    };
  })();
  return apiPromise(
    settled.catch((error: unknown) => {
      scope.transport.reportError(error, context);
      throw error;
    }),
  );
}

/**
 * An error thrown while building or reading a call, as one of the SDK's errors. Errors that are already
 * typed pass through; an abort of the caller's signal becomes {@link AbortError}; anything thrown after the
 * request was sent (the answer cut off, unparsable JSON) is about the answer; anything before is about the
 * arguments (e.g. a header value with a line break). The original error's message is not reused: a header
 * error names the header's value, which may be a credential.
 *
 * @example
 * ```ts
 * try { … } catch (error) { throw normalizeCallError(error, signal, call.sent, 'certificates.list'); }
 * ```
 */
export function normalizeCallError(
  error: unknown,
  signal: AbortSignal | undefined,
  sent: boolean,
  operation: string,
): Error {
  if (error instanceof MtlsGatewayError || error instanceof AuthError) return error;
  if (signal?.aborted) {
    return new AbortError(`The call ${operation} was aborted by the caller's signal.`, { cause: error });
  }
  if (!sent) {
    return new InvalidArgumentError(
      `The request of ${operation} could not be built; check header values (no line breaks or non-ASCII characters) and the body.`,
      { cause: error },
    );
  }
  if (error instanceof SyntaxError) {
    return new MtlsGatewayError(
      `The answer to ${operation} is not the JSON the gateway sends; check that baseUrl points to the gateway.`,
      { code: 'invalid_response', cause: error },
    );
  }
  return new ConnectionError(`The answer to ${operation} was cut off; retry the call.`, { cause: error });
}

/**
 * Reads an answer the gateway made itself (it has `LP-gateway-error`) and returns its typed error.
 *
 * @example
 * ```ts
 * if (response.headers.has('LP-gateway-error')) throw await gatewayAnswerError(response);
 * ```
 */
export async function gatewayAnswerError(response: Response): Promise<MtlsGatewayError> {
  let body: unknown;
  try {
    const text = await response.text();
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } catch {
    body = undefined;
  }
  return errorFromResponse(response.status, response.headers, body);
}

const ID_STRING = /^[1-9][0-9]{0,15}$/;

/**
 * A certificate or mapping id as it goes in a path: a positive safe integer, given as number or string.
 *
 * @throws {InvalidArgumentError} for anything else.
 *
 * @example
 * ```ts
 * idForPath(3515906310, 'certificateId');   // '3515906310'
 * idForPath('3515906310', 'certificateId'); // '3515906310'
 * ```
 */
export function idForPath(id: unknown, label: string): string {
  const text = typeof id === 'number' ? String(id) : id;
  if (typeof text !== 'string' || !ID_STRING.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InvalidArgumentError(
      `${label} must be a positive integer (a number or its decimal string), as the gateway returns it.`,
    );
  }
  return text;
}

/**
 * An account id usable in a path.
 *
 * @throws {InvalidArgumentError} when it is missing or empty.
 *
 * @example
 * ```ts
 * checkAccountId('le1606809'); // 'le1606809'
 * ```
 */
export function checkAccountId(accountId: unknown): string {
  if (typeof accountId !== 'string' || accountId.trim() === '') {
    throw new InvalidArgumentError(
      'An account id is needed: pass accountId to createMtlsGatewayClient or use client.forAccount(accountId).',
    );
  }
  return accountId;
}

/**
 * The form parts of a multipart operation, named as in the spec's schema `Form`.
 *
 * @example
 * ```ts
 * const form = multipartForm<P12TestForm>({ file: [blob, 'client.p12'], password: 'changeit' });
 * ```
 */
export function multipartForm<Form>(
  parts: { [Part in keyof Form]?: string | [Blob, string] | undefined },
): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(parts) as Array<[string, string | [Blob, string] | undefined]>) {
    if (value === undefined) continue;
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value[0], value[1]);
  }
  return form;
}

/**
 * A `FormData` typed as the operation's multipart body. The generated type describes the parts; openapi-fetch
 * sends a `FormData` body as-is (and lets the runtime set the boundary), so only the static type differs.
 *
 * @example
 * ```ts
 * await api.POST(path, { body: asMultipartBody<CertificateFileForm>(form), params });
 * ```
 */
export function asMultipartBody<Form>(form: FormData): Form {
  return form as unknown as Form;
}

/**
 * A number option: `fallback` when unset, else checked against `rules`.
 *
 * @throws {InvalidArgumentError} when it breaks them.
 *
 * @example
 * ```ts
 * checkNumber(options.maxRetries, 'maxRetries', 2, { integer: true, min: 0 }); // 2 when unset
 * ```
 */
export function checkNumber<Fallback extends number | undefined>(
  value: number | undefined,
  label: string,
  fallback: Fallback,
  rules: { integer?: boolean; min: number; allowInfinity?: boolean },
): number | Fallback {
  if (value === undefined) return fallback;
  const finiteOk = typeof value === 'number' && Number.isFinite(value);
  const infinityOk = rules.allowInfinity === true && value === Number.POSITIVE_INFINITY;
  if (
    (!finiteOk && !infinityOk) ||
    value < rules.min ||
    (rules.integer === true && !Number.isInteger(value))
  ) {
    throw new InvalidArgumentError(
      `${label} must be ${rules.integer ? 'an integer' : 'a number'} of at least ${rules.min}${
        rules.allowInfinity ? ' (or Infinity)' : ''
      }.`,
    );
  }
  return value;
}
