/**
 * The transport under the openapi-fetch client: resolves the gateway origin (fixed or discovered), signs each
 * attempt, bounds it with a fresh timeout, retries what is safe to retry and reports events. Web APIs only.
 *
 * It sits in the `fetch` slot of openapi-fetch rather than in middleware because every attempt must be signed
 * anew (an OAuth 1.0a nonce is accepted once) and must get its own timeout.
 */
import type { RequestAuthenticator } from '../auth/authenticator.js';
import { AbortError, ConnectionError, MtlsGatewayError, parseRetryAfter, TimeoutError } from '../errors.js';
import { copyHeaders } from '../headers.js';
import { discoverGatewayBaseUrl } from './discovery.js';
import type { MtlsGatewayHooks } from './hooks.js';
import type { MtlsGatewayLogEvent, MtlsGatewayLogger, MtlsGatewayRequestInfo } from './logger.js';
import { anySignal, sleep, startAttemptTimeout } from './signals.js';

/**
 * Backoff settings of the retries.
 *
 * @example
 * ```ts
 * const retry: RetryOptions = { baseDelayMs: 200, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 };
 * ```
 */
export interface RetryOptions {
  /** First backoff ceiling; it doubles with each retry (full jitter: the wait is random below it). Default 500. */
  baseDelayMs?: number;
  /** Highest backoff ceiling. Default 8000. */
  maxDelayMs?: number;
  /** A longer `Retry-After` is cut down to this. Default 60000. */
  maxRetryAfterMs?: number;
  /** Source of randomness for the jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/**
 * What the transport needs to know about a call.
 *
 * @example
 * ```ts
 * const context: CallContext = { operation: 'certificates.list', idempotent: true, timeoutMs: 5_000 };
 * ```
 */
export interface CallContext {
  operation: string;
  /** Whether the call may be sent again after a failure. */
  idempotent: boolean;
  /**
   * Forwarding and the p12 test: an answer without `LP-gateway-error` is the remote's and is never retried,
   * and the timeout stops once the headers arrive, so that the remote's body can stream.
   */
  passthrough?: boolean | undefined;
  /** The body is a caller's stream: sent once, never buffered. */
  streamBody?: boolean | undefined;
  /** This call's own `timeoutMs` (the client's when unset). */
  timeoutMs?: number | undefined;
  /** This call's own `maxRetries` (the client's when unset); it never makes a non-idempotent call retry. */
  maxRetries?: number | undefined;
  /** Set by the transport: the latest attempt, so that `onError` can say where the call failed. */
  attempt?: MtlsGatewayRequestInfo | undefined;
}

/**
 * Settings of {@link createTransport}.
 *
 * @example
 * ```ts
 * const settings: TransportSettings = { fetch: (request) => fetch(request), timeoutMs: 60_000, maxRetries: 2, retry: {} };
 * ```
 */
export interface TransportSettings {
  fetch: (request: Request) => Promise<Response>;
  authenticator?: RequestAuthenticator | undefined;
  /** Per attempt; a non-finite value means no timeout. */
  timeoutMs: number;
  maxRetries: number;
  retry: RetryOptions;
  logger?: MtlsGatewayLogger | undefined;
  hooks?: MtlsGatewayHooks | undefined;
  /** Set in discovery mode: URLs starting with {@link DISCOVERY_PLACEHOLDER_ORIGIN} are moved to the account's gateway. */
  discovery?: { csdsBaseUrl: string; defaultAccountId: string; ttlMs: number } | undefined;
}

/**
 * Sends requests for the client; see {@link createTransport}.
 *
 * @example
 * ```ts
 * const response = await transport.send(new Request(url), context);
 * ```
 */
export interface Transport {
  send(request: Request, context: CallContext): Promise<Response>;
  /** The transport as a plain fetch function for `client.raw` (context derived from the request). */
  fetchForRaw(request: Request): Promise<Response>;
  /** Hands the error a call ends with to the `onError` hook. */
  reportError(error: unknown, context: CallContext): void;
}

/**
 * Base URL given to openapi-fetch in discovery mode, replaced by the discovered origin before sending. The
 * `.invalid` top-level domain never resolves (RFC 2606), so nothing can ever be sent to it by mistake.
 */
export const DISCOVERY_PLACEHOLDER_ORIGIN = 'https://discovered-gateway.invalid';

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const PASSTHROUGH_PATH = /^\/mtls\/account\/[^/]+(?:\/p12-test\/multipart)?\/?$/;
const ACCOUNT_IN_PATH = /^\/(?:mtls|api)\/account\/([^/]+)/;

/**
 * Creates the transport of a client.
 *
 * - Each attempt gets a fresh timeout, combined with the request's (caller's) signal.
 * - Only idempotent calls are retried: on connection errors, timeouts, and 429, 502, 503 and 504 answers of
 *   the gateway (a passthrough answer of the remote is returned, whatever its status). The wait is
 *   exponential backoff with full jitter, or the answer's `Retry-After` (capped).
 * - A stream body is sent once and never retried; other bodies are buffered so that they can be re-sent.
 *
 * @example
 * ```ts
 * const transport = createTransport({ fetch: (request) => fetch(request), timeoutMs: 60_000, maxRetries: 2, retry: {} });
 * const client = createClient<paths>({ baseUrl, fetch: (request) => transport.fetchForRaw(request) });
 * ```
 */
export function createTransport(settings: TransportSettings): Transport {
  const baseDelayMs = settings.retry.baseDelayMs ?? 500;
  const maxDelayMs = settings.retry.maxDelayMs ?? 8000;
  const maxRetryAfterMs = settings.retry.maxRetryAfterMs ?? 60_000;
  const random = settings.retry.random ?? Math.random;

  const hooks = settings.hooks ?? {};

  function emit(event: MtlsGatewayLogEvent): void {
    if (settings.logger) quietly(() => settings.logger?.(event));
  }

  function reportError(error: unknown, context: CallContext): void {
    if (hooks.onError)
      quietly(() => hooks.onError?.(error, context.attempt ?? { operation: context.operation }));
  }

  async function resolveUrl(url: string, signal: AbortSignal): Promise<string> {
    const discovery = settings.discovery;
    if (!discovery || !url.startsWith(DISCOVERY_PLACEHOLDER_ORIGIN)) return url;
    const rest = url.slice(DISCOVERY_PLACEHOLDER_ORIGIN.length);
    // The gateway of the account in the path serves the call, so `forAccount` and raw calls of another
    // account reach the right zone.
    const inPath = ACCOUNT_IN_PATH.exec(rest)?.[1];
    const accountId = inPath === undefined ? discovery.defaultAccountId : decodeURIComponent(inPath);
    const origin = await discoverGatewayBaseUrl(
      {
        csdsBaseUrl: discovery.csdsBaseUrl,
        accountId,
        ttlMs: discovery.ttlMs,
        fetch: settings.fetch,
        timeoutMs: settings.timeoutMs,
        onDiscovered: (baseUrl, durationMs) =>
          emit({ type: 'discovery', accountId, csdsBaseUrl: discovery.csdsBaseUrl, baseUrl, durationMs }),
      },
      signal,
    );
    return `${origin}${rest}`;
  }

  async function authorizationFor(
    url: string,
    method: string,
    headers: Headers,
    body: ArrayBuffer | ReadableStream<Uint8Array> | null,
  ): Promise<string | null> {
    if (!settings.authenticator) return null;
    // Sign a body-less copy (or one with the buffered bytes, which form signing reads) so the real body —
    // possibly a one-shot stream — is never touched by the signer.
    const probe = new Request(url, {
      method,
      headers,
      body: body instanceof ArrayBuffer ? body : null,
    });
    return (await settings.authenticator.sign(probe)).headers.get('Authorization');
  }

  function backoff(attempt: number): number {
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(random() * ceiling);
  }

  function delayAfter(response: Response, attempt: number): number {
    const asked = parseRetryAfter(response.headers.get('Retry-After'));
    return asked === undefined ? backoff(attempt) : Math.min(asked, maxRetryAfterMs);
  }

  async function send(original: Request, context: CallContext): Promise<Response> {
    const callerSignal = original.signal;
    const method = original.method;
    const startedAt = Date.now();
    const info = (attempt: number, url: string): MtlsGatewayRequestInfo => ({
      operation: context.operation,
      method,
      url,
      attempt,
    });
    const aborted = (cause: unknown) =>
      new AbortError(`The call ${context.operation} was aborted by the caller's signal.`, { cause });

    if (callerSignal.aborted) throw aborted(callerSignal.reason);
    let url: string;
    try {
      url = await resolveUrl(original.url, callerSignal);
    } catch (error) {
      if (callerSignal.aborted) throw aborted(callerSignal.reason);
      throw error;
    }

    const contentType = original.headers.get('Content-Type') ?? '';
    const mustBuffer =
      !context.streamBody || /^application\/x-www-form-urlencoded\b/i.test(contentType.trim());
    const body: ArrayBuffer | ReadableStream<Uint8Array> | null =
      original.body === null ? null : mustBuffer ? await original.arrayBuffer() : original.body;
    const replayable = !(body instanceof ReadableStream);
    // Only idempotent calls are retried, whatever maxRetries (the client's or the call's) says.
    const maxAttempts =
      context.idempotent && replayable ? 1 + (context.maxRetries ?? settings.maxRetries) : 1;
    const timeoutMs = context.timeoutMs ?? settings.timeoutMs;
    const timedOut = (attempt: number, cause?: unknown) =>
      new TimeoutError(
        `No answer to ${context.operation} within ${timeoutMs} ms (attempt ${attempt}); raise timeoutMs or check that the gateway responds.`,
        { cause },
      );

    for (let attempt = 1; ; attempt += 1) {
      let headers = copyHeaders(original.headers);
      // One info object per attempt: hooks may key their own state on it (onRequest → onResponse).
      const where = info(attempt, url);
      context.attempt = where;
      if (hooks.onRequest) {
        // Before signing: the hook never sees the credential, and what it changes is what gets signed.
        try {
          const view = new Request(url, { method, headers });
          const changed = (await hooks.onRequest(view, where)) ?? view;
          where.url = changed.url;
          headers = copyHeaders(changed.headers);
        } catch (cause) {
          throw new MtlsGatewayError(
            `The onRequest hook threw before attempt ${attempt} of ${context.operation}; nothing was sent (see cause).`,
            { code: 'hook_failed', cause },
          );
        }
      }
      const attemptStarted = Date.now();
      const authorization = await authorizationFor(where.url, method, headers, body);
      if (authorization !== null) headers.set('Authorization', authorization);

      const timeout = startAttemptTimeout(timeoutMs, () => timedOut(attempt));
      const combined = anySignal([callerSignal, timeout.signal]);
      const request = new Request(where.url, {
        method,
        headers,
        body,
        signal: combined.signal,
        redirect: original.redirect,
        // Needed by Node for stream bodies; ignored elsewhere.
        ...(body === null ? {} : { duplex: 'half' }),
      } as RequestInit);

      emit({ type: 'request', ...where });
      let response: Response;
      try {
        response = await settings.fetch(request);
      } catch (error) {
        combined.dispose();
        timeout.release();
        let failure: MtlsGatewayError;
        if (callerSignal.aborted) failure = aborted(callerSignal.reason);
        else if (timeout.timedOut) failure = error instanceof TimeoutError ? error : timedOut(attempt, error);
        else
          failure = new ConnectionError(
            `The gateway could not be reached for ${context.operation} (${describeNetworkError(error)}); check the base URL and the network.`,
            { cause: error },
          );
        if (!(failure instanceof AbortError) && attempt < maxAttempts) {
          const delayMs = backoff(attempt);
          emit({ type: 'retry', ...where, delayMs, reason: failure.code });
          await sleepOrAbort(delayMs, callerSignal, aborted);
          continue;
        }
        emit({
          type: 'error',
          ...where,
          durationMs: Date.now() - startedAt,
          error: { name: failure.name, code: failure.code, message: failure.message },
        });
        throw failure;
      }

      const gatewayError = response.headers.get('LP-gateway-error') ?? undefined;
      const requestId = response.headers.get('X-Request-Id') ?? undefined;
      if (hooks.onResponse) quietly(() => hooks.onResponse?.(response, where));
      emit({
        type: 'response',
        ...where,
        status: response.status,
        durationMs: Date.now() - attemptStarted,
        ...(gatewayError === undefined ? {} : { gatewayError }),
        ...(requestId === undefined ? {} : { requestId }),
      });

      const answeredByGateway = gatewayError !== undefined || !context.passthrough;
      if (RETRYABLE_STATUSES.has(response.status) && answeredByGateway && attempt < maxAttempts) {
        const delayMs = delayAfter(response, attempt);
        emit({ type: 'retry', ...where, delayMs, reason: `status ${response.status}` });
        timeout.release();
        combined.dispose();
        await response.body?.cancel().catch(() => {});
        await sleepOrAbort(delayMs, callerSignal, aborted);
        continue;
      }
      // A remote's answer may stream for longer than the timeout; management answers are read whole, within it.
      if (context.passthrough) timeout.release();
      return response;
    }
  }

  return {
    send,
    async fetchForRaw(request) {
      const context: CallContext = {
        operation: 'raw',
        idempotent: IDEMPOTENT_METHODS.has(request.method),
        passthrough: PASSTHROUGH_PATH.test(pathOf(request.url)),
      };
      try {
        return await send(request, context);
      } catch (error) {
        reportError(error, context);
        throw error;
      }
    },
    reportError,
  };
}

/** Calls user code (logger, hooks) whose failures, thrown or rejected, must not break requests. */
function quietly(run: () => unknown): void {
  try {
    Promise.resolve(run()).catch(() => {});
  } catch {
    // Ignored on purpose.
  }
}

async function sleepOrAbort(
  ms: number,
  signal: AbortSignal,
  aborted: (cause: unknown) => AbortError,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (cause) {
    throw aborted(cause);
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** A short, secret-free description of a network error: its code (e.g. `ECONNREFUSED`) or its name. */
function describeNetworkError(error: unknown): string {
  for (let current = error, depth = 0; current && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : 'unknown error';
}
