/**
 * How resource methods call the gateway through openapi-fetch: per-call transport context, turning error
 * answers into typed errors, and ids and account ids checked before anything is sent.
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
import type { CallContext, Transport } from './transport.js';

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
 * One call through the transport: `fetch` goes in the openapi-fetch init; `answer()` is the real response.
 * For passthrough calls openapi-fetch is handed an empty placeholder, because it reads the body of every
 * non-2xx answer while a forwarded answer must reach the caller untouched.
 *
 * @example
 * ```ts
 * const call = gatewayCall(scope.transport, { operation: 'forward', idempotent: false, passthrough: true, streamBody: false });
 * await scope.api.POST('/mtls/account/{accountId}', { params, fetch: call.fetch });
 * const response = call.answer();
 * ```
 */
export function gatewayCall(
  transport: Transport,
  context: CallContext,
): { fetch: (request: Request) => Promise<Response>; answer: () => Response; readonly sent: boolean } {
  let response: Response | undefined;
  let sent = false;
  return {
    async fetch(request: Request): Promise<Response> {
      sent = true;
      response = await transport.send(request, context);
      return context.passthrough ? new Response(null, { status: 204 }) : response;
    },
    answer(): Response {
      if (!response) throw new MtlsGatewayError('The gateway call ended without an answer.');
      return response;
    },
    get sent() {
      return sent;
    },
  };
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
 * Runs an openapi-fetch call of the management API and returns its data, or throws the typed error of an
 * error answer.
 *
 * @example
 * ```ts
 * const list = await jsonCall(scope, { operation: 'mappings.list', idempotent: true }, signal, (fetch) =>
 *   scope.api.GET('/mtls/account/{accountId}/mappings', { params: { path: { accountId } }, fetch, signal }),
 * );
 * ```
 */
export async function jsonCall<Data>(
  scope: GatewayScope,
  context: { operation: string; idempotent: boolean },
  signal: AbortSignal | undefined,
  run: (
    fetch: (request: Request) => Promise<Response>,
  ) => Promise<{ data?: Data; error?: unknown; response: Response }>,
): Promise<Data> {
  const call = gatewayCall(scope.transport, { ...context, passthrough: false, streamBody: false });
  let result: { data?: Data; error?: unknown; response: Response };
  try {
    result = await run(call.fetch);
  } catch (error) {
    throw normalizeCallError(error, signal, call.sent, context.operation);
  }
  const { response } = result;
  if (!response.ok) throw errorFromResponse(response.status, response.headers, result.error);
  return result.data as Data;
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
