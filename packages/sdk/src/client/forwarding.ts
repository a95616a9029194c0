/**
 * `client.forward` and `client.testP12`: calls that the gateway repeats against a remote endpoint, whose
 * answers come back as-is (status, headers, streaming body). Only the gateway's own answers (those with
 * `LP-gateway-error`) become errors.
 */

import type { components } from '@mtls-gateway/contract';
import { InvalidArgumentError } from '../errors.js';
import type { APIPromise } from './api-promise.js';
import { fileNameOf, toBlob } from './binary.js';
import { asMultipartBody, type GatewayScope, gatewayRequest, multipartForm } from './call.js';
import type { CallContext } from './transport.js';
import type { ForwardMethod, ForwardRequest, P12TestRequest } from './types.js';

type Schemas = components['schemas'];

const FORWARD_METHODS: ReadonlySet<string> = new Set<ForwardMethod>([
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
]);
const IDEMPOTENT_FORWARDS: ReadonlySet<string> = new Set<ForwardMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The forwarding calls of a client.
 *
 * @example
 * ```ts
 * const response = await client.forward({ method: 'GET', url: 'https://api.example.com/status' });
 * console.log(response.status, await response.text());
 * ```
 */
export interface ForwardingResource {
  /**
   * Forwards a request through the gateway and returns the remote's answer as-is, whatever its status.
   * Throws the typed error of an answer of the gateway itself (`LP-gateway-error`), e.g. 400
   * `certificate_not_found`, 403 `destination_blocked`, 424 `TransportFailureError`. GET, HEAD, PUT and
   * DELETE are retried on transient gateway failures (unless the body is a stream); POST and PATCH never.
   * Redirects of the remote are returned, not followed (in browsers, as an opaque redirect).
   * The per-call options (`timeoutMs`, `maxRetries`, `signal`) go in `request`; its `headers` reach the gateway,
   * which passes them on to the target.
   */
  forward(request: ForwardRequest): APIPromise<Response>;
  /**
   * Tests a PKCS#12 file against a URL through the gateway (nothing is stored) and returns the remote's
   * answer as-is. Never retried (`maxRetries` has no effect). `headers` go to the gateway, not the target.
   */
  testP12(request: P12TestRequest): APIPromise<Response>;
}

/**
 * The forwarding calls of a client scoped to `scope.accountId`.
 *
 * @example
 * ```ts
 * const { forward, testP12 } = createForwardingResource(scope);
 * ```
 */
export function createForwardingResource(scope: GatewayScope): ForwardingResource {
  const { api, accountId } = scope;

  return {
    forward(request) {
      const context: CallContext = { operation: 'forward', idempotent: false, passthrough: true };
      return gatewayRequest<Response>(scope, context, request, async (init) => {
        const { method, url, serviceName, authorizationOverride, stopIfCertificateNotFound } = request;
        const headers = request.headers ?? {};
        const body = request.body ?? undefined;
        if (!FORWARD_METHODS.has(method)) {
          throw new InvalidArgumentError(
            `forward cannot send method "${String(method)}"; use one of ${[...FORWARD_METHODS].join(', ')}.`,
          );
        }
        checkTargetUrl(url);
        if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
          throw new InvalidArgumentError(`A ${method} request cannot carry a body; use POST, PUT or PATCH.`);
        }
        context.idempotent = IDEMPOTENT_FORWARDS.has(method);
        context.streamBody = typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
        const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
        // Every forwarding method shares the path's parameters and body type, so the call is typed as POST
        // (the most permissive) while sending `method`.
        // The answer is the transport's (the wrapper returns it); openapi-fetch only sees a placeholder.
        await api.request(method.toLowerCase() as 'post', '/mtls/account/{accountId}', {
          params: {
            path: { accountId },
            header: {
              'LP-forward-url': url,
              'LP-service-name': serviceName,
              'LP-authorization-override': authorizationOverride,
              'LP-stop-if-certificate-not-found': stopIfCertificateNotFound,
            },
          },
          body,
          bodySerializer: (passthrough: unknown) => passthrough,
          ...(body === undefined ? {} : { duplex: 'half' }),
          redirect: 'manual',
          ...init,
          // openapi-fetch defaults bodies to JSON; `null` removes that so the runtime types the body as a
          // direct fetch would (text/plain for a string, the Blob's type, multipart for FormData…).
          headers: { ...headers, ...(hasContentType || body === undefined ? {} : { 'Content-Type': null }) },
        });
        return {};
      });
    },

    testP12(request) {
      const context: CallContext = { operation: 'testP12', idempotent: false, passthrough: true };
      return gatewayRequest<Response>(scope, context, request, async (init) => {
        const { file, password, url, method, contentType, authorizationOverride, body } = request;
        checkTargetUrl(url);
        if (typeof password !== 'string') {
          throw new InvalidArgumentError(
            'testP12 needs the password of the file as a string (may be empty).',
          );
        }
        const form = multipartForm<Schemas['P12TestForm']>({
          file: [toBlob(file, 'file', 'application/x-pkcs12'), fileNameOf(file, 'certificate.p12')],
          password,
          body:
            body === undefined || typeof body === 'string'
              ? body
              : [toBlob(body, 'body', 'application/octet-stream'), 'body'],
        });
        await api.POST('/mtls/account/{accountId}/p12-test/multipart', {
          params: {
            path: { accountId },
            header: {
              'LP-forward-url': url,
              'LP-authorization-override': authorizationOverride,
              'LP-content-type-override': contentType,
              'LP-method-override': method,
            },
          },
          body: asMultipartBody<Schemas['P12TestForm']>(form),
          redirect: 'manual',
          ...init,
        });
        return {};
      });
    },
  };
}

function checkTargetUrl(url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw new InvalidArgumentError(
      'url must be a complete http(s) URL of the target, query included (e.g. https://api.example.com/hooks?tenant=42).',
    );
  }
}
