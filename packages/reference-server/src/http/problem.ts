import type { FastifyReply, FastifyRequest } from 'fastify';
import { P12WorkersUnavailableError } from '../certificates/p12-worker-pool.js';
import { SecretStoreUnavailableError } from '../secrets/errors.js';
import { DatabaseInUseError, DatabaseUnavailableError } from '../storage/errors.js';
import {
  GatewayError,
  type InputError,
  InternalError,
  InvalidRequestError,
  PayloadTooLargeError,
  PROBLEM_TYPE_BASE,
  UnavailableError,
  UnsupportedMediaTypeError,
} from './errors.js';

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
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  instance?: string;
  errors?: InputError[];
}

/** Media type of every answer the gateway makes itself. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Header naming the problem code on every answer of the gateway itself (never on a passthrough). */
export const GATEWAY_ERROR_HEADER = 'LP-gateway-error';

const MAX_ERRORS = 100;

/** Removes control characters (the spec forbids them in `detail`, `title` and error messages) and truncates. */
function clean(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const flat = text.replace(/[\x00-\x1F\x7F]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * Turns anything thrown while serving a request into a {@link GatewayError}: gateway errors as they are,
 * Fastify's and @fastify/multipart's body errors to 400/413/415, an unreachable database or secret store
 * and a full PKCS#12 worker queue to 503, everything else to a 500 whose detail says nothing about the cause.
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
 * Builds the problem document of `error` for `request`. `instance` is the request path without its query
 * (which could carry secrets).
 */
export function buildProblem(error: GatewayError, request: FastifyRequest): ProblemDocument {
  const problem: ProblemDocument = {
    type: `${PROBLEM_TYPE_BASE}${error.code}`,
    title: clean(error.title, 256),
    status: error.status,
    detail: clean(error.detail, 4096),
    code: error.code,
    requestId: request.id,
  };
  const path = request.url.split('?')[0] ?? '/';
  if (path.length <= 2048) problem.instance = path;
  if (error.errors.length > 0) {
    problem.errors = error.errors.slice(0, MAX_ERRORS).map((item) => ({
      location: item.location,
      ...(item.name === undefined ? {} : { name: clean(item.name, 256) }),
      message: clean(item.message, 1024),
    }));
  }
  return problem;
}

/**
 * Sends `error` as `application/problem+json` with `LP-gateway-error` and `X-Request-Id`, plus the error's
 * own headers (`WWW-Authenticate`, `Retry-After`, …).
 *
 * @example
 * ```ts
 * app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new RouteNotFoundError('…')));
 * ```
 */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: GatewayError): FastifyReply {
  const problem = buildProblem(error, request);
  reply.code(error.status);
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return (
    reply
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header(GATEWAY_ERROR_HEADER, error.code)
      .header('x-request-id', request.id)
      // A Buffer, so Fastify does not append `; charset=utf-8` (JSON has no charset parameter, RFC 8259).
      .send(Buffer.from(JSON.stringify(problem), 'utf8'))
  );
}
