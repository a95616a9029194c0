/**
 * `createGatewayMTLSClient`: the Functions toolbelt `IMTLSClient`, going *through* the gateway's forwarding
 * endpoint instead of presenting a certificate itself. The gateway picks the certificate mapped to the
 * account + service + URL.
 */
import type { MtlsGatewayBaseClient, MtlsGatewayClient } from '../client/gateway-client.js';
import type { ServiceName } from '../client/types.js';
import {
  InvalidArgumentError,
  MtlsGatewayError,
  TimeoutError,
  TransportFailureError,
  ValidationError,
} from '../errors.js';
import {
  type Header,
  type IMTLSClient,
  MTLSError,
  MTLSGeneralIssueError,
  MTLSInvalidRequestError,
  MTLSMissingConfError,
  type MTLSOptions,
  MTLSRemoteThrewError,
  MTLSRequestTimeoutError,
  type MTLSResponse,
} from './mtls.js';

/**
 * Options of {@link createGatewayMTLSClient}: a gateway client bound to an account, or any gateway client plus
 * the `accountId`.
 *
 * @example
 * ```ts
 * const options: GatewayMTLSClientOptions = { client: gateway, serviceName: 'FAAS', accountId: 'le1606809' };
 * ```
 */
export type GatewayMTLSClientOptions =
  | { client: MtlsGatewayClient; serviceName: ServiceName; accountId?: string | undefined }
  | { client: MtlsGatewayBaseClient; serviceName: ServiceName; accountId: string };

type ForwardingMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/**
 * Creates an `IMTLSClient` that sends every call through the gateway's forwarding endpoint: `LP-service-name`
 * is `serviceName`, `LP-forward-url` the URL, `LP-stop-if-certificate-not-found: true` (no certificate → the
 * call is not sent), and the caller's `Authorization` header goes to the target as `LP-authorization-override`.
 *
 * - `json: true` sends objects as JSON and parses the answer as JSON, falling back to text, as the direct
 *   client does; every status of the remote is an answer, not an error.
 * - `head` answers with `body: undefined`. `options` (OPTIONS) is not a forwarding method of the gateway and
 *   rejects with `mtls.invalid-request`; GET and HEAD cannot carry a body (`mtls.invalid-request`).
 * - Errors: no certificate mapped → `mtls.missing-conf`; the gateway could not reach the remote (424) →
 *   `mtls.remote-threw`; `timeout` or the gateway client's timeout elapsed → `mtls.request-timeout`; a bad URL or
 *   header → `mtls.invalid-request`; any other gateway error → `mtls.general-issue` (its `cause` is the typed
 *   gateway error).
 *
 * @example
 * ```ts
 * import { createMtlsGatewayClient } from '@mtls-gateway/sdk';
 * import { createGatewayMTLSClient } from '@mtls-gateway/sdk/node';
 *
 * const gateway = createMtlsGatewayClient({ accountId: 'le1606809', discover: true, auth: { oauth1: credentials } });
 * const mtls = createGatewayMTLSClient({ client: gateway, serviceName: 'FAAS' });
 * const { statusCode, body } = await mtls.post('https://partner.example/api', { Authorization: 'Bearer partner-token' }, { id: 1 }, { json: true });
 * ```
 */
export function createGatewayMTLSClient(options: GatewayMTLSClientOptions): IMTLSClient {
  const { client, serviceName, accountId } = options;
  let scoped: MtlsGatewayClient;
  try {
    scoped =
      accountId !== undefined
        ? client.forAccount(accountId)
        : 'accountId' in client
          ? (client as MtlsGatewayClient)
          : client.forAccount(accountId as unknown as string);
  } catch (error) {
    throw new MTLSMissingConfError(
      'no account id configured: pass accountId, or a gateway client created with accountId',
      { cause: error },
    );
  }

  async function request(
    method: ForwardingMethod,
    url: string,
    headers: Header = {},
    body?: unknown,
    options: MTLSOptions = {},
  ): Promise<MTLSResponse> {
    const target = checkUrl(url);
    const timeout = options.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)) {
      throw new MTLSInvalidRequestError(
        `timeout must be a positive number of milliseconds, got ${String(timeout)}`,
      );
    }
    const json = options.json === true;
    const { authorization, headers: remoteHeaders } = splitAuthorization(headers);
    const payload = method === 'HEAD' ? undefined : encodeBody(body, json, remoteHeaders);

    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeout);
    try {
      const response = await scoped.forward({
        method,
        url,
        serviceName,
        stopIfCertificateNotFound: true,
        authorizationOverride: authorization,
        headers: remoteHeaders,
        body: payload,
        signal: controller.signal,
      });
      const answer: MTLSResponse = {
        statusCode: response.status,
        headers: flattenHeaders(response.headers),
        body: undefined,
      };
      if (method === 'HEAD') {
        await response.body?.cancel();
      } else {
        const text = await response.text();
        answer.body = json ? parseJsonOrText(text) : text;
      }
      return answer;
    } catch (error) {
      throw toMTLSError(error, { timedOut, timeout, origin: target.origin, serviceName });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get: (url, headers, body, options) => request('GET', url, headers, body, options),
    post: (url, headers, body, options) => request('POST', url, headers, body, options),
    put: (url, headers, body, options) => request('PUT', url, headers, body, options),
    patch: (url, headers, body, options) => request('PATCH', url, headers, body, options),
    delete: (url, headers, body, options) => request('DELETE', url, headers, body, options),
    head: (url, headers, options) => request('HEAD', url, headers, undefined, options),
    options: async () => {
      throw new MTLSInvalidRequestError(
        'OPTIONS cannot go through the gateway (not a forwarding method of its API); call the endpoint with createMTLSClient',
      );
    },
  };
}

function checkUrl(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new MTLSInvalidRequestError(
      'the URL is not absolute; pass the complete https:// URL, query included',
    );
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new MTLSInvalidRequestError(`scheme "${target.protocol}" is not supported; use an https:// URL`);
  }
  return target;
}

function splitAuthorization(headers: Header): { authorization: string | undefined; headers: Header } {
  if (headers === null || typeof headers !== 'object') {
    throw new MTLSInvalidRequestError('headers must be an object of header names to string values');
  }
  let authorization: string | undefined;
  const rest: Header = {};
  for (const [name, value] of Object.entries(headers)) {
    // The caller's Authorization is meant for the remote; the gateway takes its own from the gateway client.
    if (name.toLowerCase() === 'authorization') authorization = value;
    else rest[name] = value;
  }
  return { authorization, headers: rest };
}

function encodeBody(body: unknown, json: boolean, headers: Header): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  let payload: string | Uint8Array;
  let isJson = json;
  if (typeof body === 'string') payload = body;
  else if (body instanceof Uint8Array) payload = body;
  else if (body instanceof ArrayBuffer) payload = new Uint8Array(body);
  else {
    try {
      payload = JSON.stringify(body);
    } catch (error) {
      throw new MTLSInvalidRequestError(
        `the body cannot be serialized as JSON (${(error as Error).message})`,
      );
    }
    isJson = true;
  }
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  if (isJson && !hasContentType) headers['content-type'] = 'application/json';
  return payload;
}

function flattenHeaders(headers: Headers): { [key: string]: string } {
  const flat: { [key: string]: string } = {};
  headers.forEach((value, name) => {
    // Headers lists each set-cookie on its own; join repeats like the direct client does.
    flat[name] = flat[name] === undefined ? value : `${flat[name]}, ${value}`;
  });
  return flat;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toMTLSError(
  error: unknown,
  context: { timedOut: boolean; timeout: number | undefined; origin: string; serviceName: ServiceName },
): MTLSError {
  if (error instanceof MTLSError) return error;
  const options = { cause: error };
  if (context.timedOut) {
    return new MTLSRequestTimeoutError(
      `no complete answer from ${context.origin} through the gateway within ${context.timeout} ms; raise MTLSOptions.timeout or check that the server responds`,
      options,
    );
  }
  if (error instanceof TimeoutError) {
    return new MTLSRequestTimeoutError(
      `the gateway did not answer in time for ${context.origin}; raise timeoutMs of the gateway client`,
      options,
    );
  }
  if (error instanceof ValidationError && error.code === 'certificate_not_found') {
    return new MTLSMissingConfError(
      `no certificate is mapped to service ${context.serviceName} and this URL; map one with client.mappings.activate() (nothing was sent)`,
      options,
    );
  }
  if (error instanceof TransportFailureError) {
    const kind = error.errorFromTransport ?? 'transport_failure';
    const detail = error.messageFromTransport ?? error.message;
    return new MTLSRemoteThrewError(
      `the gateway could not reach ${context.origin} (${kind}): ${detail}`,
      options,
    );
  }
  if (error instanceof InvalidArgumentError) return new MTLSInvalidRequestError(error.message, options);
  if (error instanceof MtlsGatewayError) {
    return new MTLSGeneralIssueError(
      `the gateway refused the call (${error.status ?? 'no answer'} ${error.code}): ${error.message}`,
      options,
    );
  }
  return new MTLSGeneralIssueError(
    `the call through the gateway failed unexpectedly (${error instanceof Error ? error.name : String(error)})`,
    options,
  );
}
