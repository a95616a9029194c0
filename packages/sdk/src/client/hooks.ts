/**
 * The `hooks` option: user code called around every attempt of every call (resource methods and `raw`).
 */
import type { MtlsGatewayRequestInfo } from './logger.js';

/**
 * What `onResponse` sees of an answer: status and headers. The body belongs to the call (the JSON the SDK
 * parses, or the `Response` that `forward` returns), so a hook cannot consume it.
 *
 * @example
 * ```ts
 * const onResponse = (response: MtlsGatewayResponseHead) => console.log(response.status, response.headers.get('X-Request-Id'));
 * ```
 */
export type MtlsGatewayResponseHead = Pick<
  Response,
  'status' | 'statusText' | 'ok' | 'headers' | 'url' | 'type' | 'redirected'
>;

/**
 * Where a call failed: the fields of its last attempt, or only `operation` when nothing was sent (an
 * argument was refused, or discovery failed).
 *
 * @example
 * ```ts
 * const describe = (info: MtlsGatewayErrorInfo) => `${info.operation} after ${info.attempt ?? 0} attempt(s)`;
 * ```
 */
export type MtlsGatewayErrorInfo = Pick<MtlsGatewayRequestInfo, 'operation'> &
  Partial<MtlsGatewayRequestInfo>;

/**
 * Hooks of a client.
 *
 * - `onRequest(request, info)` runs before each attempt (retries included), before the request is signed: it
 *   never sees `Authorization`, and a URL it changes is the one signed. It gets the method, URL and headers
 *   (no body: it may be a one-shot stream, and holds passwords and key files); it may change the headers in
 *   place or return a `Request` whose URL and headers are sent instead (an `Authorization` set here is
 *   replaced by the client's `auth`). It may be async; the attempt's timeout starts after it. If it throws,
 *   the call fails with an `MtlsGatewayError` of code `hook_failed` (its `cause` is what was thrown) and
 *   nothing is sent.
 * - `onResponse(response, info)` runs for each answer that arrives, retried ones included.
 * - `onError(error, info)` runs once for the error a call throws: for resource methods an `MtlsGatewayError`
 *   (error answers included) or `AuthError`; for `raw`, which returns error answers, only when no answer came.
 *
 * `onResponse` and `onError` are not awaited and what they throw is ignored, like the `logger`'s. The `info`
 * of an attempt is one object, the same for its `onRequest`, `onResponse` and `onError` (a `WeakMap` key).
 *
 * @example
 * ```ts
 * const hooks: MtlsGatewayHooks = {
 *   onRequest: (request) => request.headers.set('traceparent', currentTraceparent()),
 *   onError: (error, info) => metrics.increment('gateway.error', { operation: info.operation }),
 * };
 * ```
 */
export interface MtlsGatewayHooks {
  onRequest?:
    | ((
        request: Request,
        info: MtlsGatewayRequestInfo,
      ) => Request | void | Promise<Request | undefined> | Promise<void>)
    | undefined;
  onResponse?: ((response: MtlsGatewayResponseHead, info: MtlsGatewayRequestInfo) => void) | undefined;
  onError?: ((error: unknown, info: MtlsGatewayErrorInfo) => void) | undefined;
}
