/**
 * The one place where errors become HTTP answers. Whatever a request's handling threw — a domain error of
 * `../errors.ts`, an unreachable database or secret store, a full PKCS#12 worker queue, a PKCS#12 error of
 * the SDK, one of Fastify's own errors, or anything unexpected — {@link toGatewayError} names its problem
 * code, and {@link problemResponse} gives the answer: status, `type` and `title` from the spec's catalogue
 * (`problemKind`), the `detail` and `errors` of the error, and its headers.
 */
import {
  GATEWAY_ERROR_HEADER,
  isProblemCode,
  type Problem,
  problemDocument,
  problemKind,
  WWW_AUTHENTICATE_CHALLENGE,
} from '@mtls-gateway/contract';
import { P12Error } from '@mtls-gateway/sdk/p12';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { P12WorkersUnavailableError } from '../certificates/p12-worker-pool.js';
import {
  CertificateFileRejectedError,
  GatewayError,
  InternalError,
  InvalidRequestError,
  PayloadTooLargeError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from '../errors.js';
import { SecretStoreUnavailableError } from '../secrets/errors.js';
import { DatabaseInUseError, DatabaseUnavailableError } from '../storage/errors.js';

/**
 * An RFC 9457 problem as the gateway sends it (the spec's `Problem` schema).
 *
 * @example
 * ```ts
 * const problem: ProblemDocument = {
 *   type: 'https://mtls-gateway.dev/problems/not_found', title: 'Not found', status: 404,
 *   detail: 'Certificate 1 does not exist in account le1.', code: 'not_found', requestId: 'req-1',
 * };
 * ```
 */
export type ProblemDocument = Problem;

/** Media type of every answer the gateway makes itself. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `Retry-After` (seconds) of an `unavailable` answer that does not set its own: a dependency restart takes seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Turns anything thrown while serving a request into a {@link GatewayError}: the gateway's own errors as
 * they are; an unreachable database or secret store and a full PKCS#12 worker queue → `unavailable`; a
 * PKCS#12 error of the SDK → its `p12_*` code; Fastify's and @fastify/multipart's body errors →
 * `invalid_request`, `payload_too_large` or `unsupported_media_type`; everything else → `internal_error`,
 * whose detail says nothing about the cause.
 *
 * @example
 * ```ts
 * toGatewayError(new DatabaseUnavailableError('…')).code; // 'unavailable'
 * ```
 */
export function toGatewayError(error: unknown, bodyLimitBytes?: number): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof P12WorkersUnavailableError) {
    return new UnavailableError(error.message, {
      cause: error,
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    });
  }
  if (
    error instanceof DatabaseUnavailableError ||
    error instanceof DatabaseInUseError ||
    error instanceof SecretStoreUnavailableError
  ) {
    return new UnavailableError(
      `${error instanceof SecretStoreUnavailableError ? 'The secret store' : 'The database'} is not reachable. Retry in a moment.`,
      { cause: error },
    );
  }
  // The SDK's client-side code (`p12_invalid_input`, createP12) is not a problem code: it is never sent.
  if (error instanceof P12Error && isProblemCode(error.code)) {
    return new CertificateFileRejectedError(error.code, error.message, [], { cause: error });
  }
  const framework = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  const code = typeof framework.code === 'string' ? framework.code : '';
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(
        bodyLimitBytes === undefined
          ? 'The request body is larger than the limit.'
          : `The request body is larger than the limit of ${bodyLimitBytes} bytes.`,
        { cause: error },
      );
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PayloadTooLargeError('A file part of the multipart body is larger than the limit.', {
        cause: error,
      });
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeError('The multipart body has more parts than allowed.', { cause: error });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new UnsupportedMediaTypeError(
        'The request body has a content type this operation does not accept. See /docs for the accepted ones.',
        { cause: error },
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new InvalidRequestError('The request body is not valid JSON.', [
        { location: 'body', name: '', message: 'is not valid JSON' },
      ]);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new InvalidRequestError('The request body is empty but its content type is application/json.', [
        { location: 'body', name: '', message: 'is empty' },
      ]);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new InvalidRequestError('The request body size does not match its Content-Length.', [
        { location: 'header', name: 'Content-Length', message: 'does not match the body size' },
      ]);
    case 'FST_PROTO_VIOLATION':
      return new InvalidRequestError('A multipart field name is not allowed.', [
        { location: 'body', message: 'uses a reserved field name' },
      ]);
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new InvalidRequestError('A multipart part declared as JSON is not valid JSON.', [
        { location: 'body', message: 'a JSON part is not valid JSON' },
      ]);
    case 'FST_MP_PREMATURE_CLOSE':
      return new InvalidRequestError('The request was closed before the multipart body was complete.');
  }
  // Node's JSON.parse errors, as thrown by Fastify's parser when the error lacks a code.
  if (error instanceof SyntaxError && framework.statusCode === 400) {
    return new InvalidRequestError('The request body is not valid JSON.', [
      { location: 'body', name: '', message: 'is not valid JSON' },
    ]);
  }
  return new InternalError(undefined, { cause: error });
}

/**
 * The HTTP status of `error`'s problem, from the catalogue.
 *
 * @example
 * ```ts
 * problemStatus(new NotFoundError('…')); // 404
 * ```
 */
export function problemStatus(error: GatewayError): number {
  return problemKind(error.code).status;
}

/** Where the problem happened: the request id and, when known, the path (`instance`). */
export interface ProblemOrigin {
  requestId: string;
  /** The request path without its query (which could carry secrets); left out when longer than 2048. */
  path?: string | undefined;
}

/**
 * Builds the problem document of `error`: `type`, `title` and `status` from the catalogue, `detail`, `code`,
 * `requestId`, `instance` (the path) and `errors` from the error and the request.
 *
 * @example
 * ```ts
 * buildProblem(new NotFoundError('Certificate 1 does not exist in account le1.'), { requestId: 'req-1' });
 * ```
 */
export function buildProblem(error: GatewayError, origin: ProblemOrigin): ProblemDocument {
  return problemDocument(error.code, error.detail, {
    requestId: origin.requestId,
    instance: origin.path,
    errors: error.errors,
  });
}

/** The answer of one problem, ready to be written. */
export interface ProblemResponse {
  status: number;
  /** `Content-Type`, `LP-gateway-error`, `X-Request-Id` and the problem's own headers. */
  headers: Record<string, string>;
  /** The JSON document (a Buffer: JSON has no charset parameter, RFC 8259). */
  body: Buffer;
}

/**
 * The whole answer of `error`: the problem document, `application/problem+json`, `LP-gateway-error`,
 * `X-Request-Id`, the `WWW-Authenticate` challenge on every 401, a `Retry-After` on every 503, and the
 * error's own headers (`Allow`, `Retry-After`, `LP-error-from-transport`, …).
 *
 * @example
 * ```ts
 * const { status, headers, body } = problemResponse(new UnauthorizedError('…'), { requestId: 'req-1' });
 * ```
 */
export function problemResponse(error: GatewayError, origin: ProblemOrigin): ProblemResponse {
  const problem = buildProblem(error, origin);
  const headers: Record<string, string> = {};
  if (problem.status === 401) headers['WWW-Authenticate'] = WWW_AUTHENTICATE_CHALLENGE;
  if (problem.status === 503) headers['Retry-After'] = String(UNAVAILABLE_RETRY_AFTER_SECONDS);
  Object.assign(headers, error.headers);
  headers['Content-Type'] = PROBLEM_CONTENT_TYPE;
  headers[GATEWAY_ERROR_HEADER] = error.code;
  headers['X-Request-Id'] = origin.requestId;
  return { status: problem.status, headers, body: Buffer.from(JSON.stringify(problem), 'utf8') };
}

/**
 * Sends `error` as its problem ({@link problemResponse}); `instance` is the request path without its query.
 *
 * @example
 * ```ts
 * app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new RouteNotFoundError('…')));
 * ```
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: GatewayError): FastifyReply {
  const { status, headers, body } = problemResponse(error, {
    requestId: request.id,
    path: request.url.split('?')[0] ?? '/',
  });
  reply.code(status);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  // A Buffer, so Fastify does not append `; charset=utf-8`.
  return reply.send(body);
}
