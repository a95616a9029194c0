import type { Readable } from 'node:stream';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
  RouteHandlerMethod,
} from 'fastify';
import type { Principal } from '../auth/principal.js';
import { PayloadTooLargeError, UnauthorizedError } from '../errors.js';
import type { GatewayContext } from './context.js';
import type { GatewaySpec, SpecOperation } from './openapi.js';
import { announcesBody, declaredBodyLength } from './request-body.js';
import { mediaTypeOf, type OperationInput, RequestValidator } from './validation.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The shared server context (database, secret store, auth, config, metrics, spec). */
    gateway: GatewayContext;
  }
  interface FastifyRequest {
    /** Who sent the request; set before validation on every operation with security. */
    principal: Principal | undefined;
    /** The operation being served. */
    operation: SpecOperation | undefined;
    /** Validated inputs, query/path/header values coerced to their schema types. */
    operationInput: OperationInput | undefined;
    /** The error handler logged the gateway's own answer: that line is the request's access line. */
    problemLogged: boolean;
  }
  interface FastifyContextConfig {
    /** The spec operation a route serves; every route of the gateway has one. */
    operationId?: string;
  }
}

const validators = new WeakMap<GatewaySpec, RequestValidator>();

/** The (cached) request validator of a spec. */
export function validatorFor(spec: GatewaySpec): RequestValidator {
  let validator = validators.get(spec);
  if (!validator) {
    validator = new RequestValidator(spec);
    validators.set(spec, validator);
  }
  return validator;
}

/** Options of {@link registerSpecRoute}. */
export interface SpecRouteOptions {
  /** Body limit of this route in bytes (default: the server's `MTLS_BODY_LIMIT`). */
  bodyLimit?: number;
  /** Extra hooks run after authentication and validation, before the handler. */
  preHandler?: preHandlerAsyncHookHandler | preHandlerAsyncHookHandler[];
}

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

type HookDone = (error?: Error) => void;

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function';
}

async function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > limit)
      throw new PayloadTooLargeError(`The request body is larger than the limit of ${limit} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The body of a form request as text, so its parameters can be part of the OAuth base string. A body left
 * as a stream by a route's own parser (forwarding) is read into a Buffer — bounded by the body limit — and put
 * back on `request.body`, so the handler still gets every byte.
 */
async function formBodyOf(request: FastifyRequest, limit: number): Promise<string | undefined> {
  if (mediaTypeOf(request.headers['content-type']) !== FORM_MEDIA_TYPE) return undefined;
  let body: unknown = request.body;
  if (isReadable(body)) {
    body = await readLimited(body, limit);
    request.body = body;
  }
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (body instanceof URLSearchParams) return body.toString();
  return undefined;
}

/** The URL the client called: scheme and host from `Host` (or trusted `X-Forwarded-*`), path and query as sent. */
export function requestUrlOf(request: FastifyRequest): string {
  const host = request.host;
  if (!host) {
    throw new UnauthorizedError('The request has no Host header, so its signature cannot be verified.');
  }
  return `${request.protocol}://${host}${request.url}`;
}

function isOAuth(request: FastifyRequest): boolean {
  return /^\s*oauth[ \t]/i.test(request.headers.authorization ?? '');
}

/** An OAuth request whose form body is signed: its signature can only be checked once the body is read. */
function hasSignedFormBody(request: FastifyRequest): boolean {
  return (
    isOAuth(request) &&
    mediaTypeOf(request.headers['content-type']) === FORM_MEDIA_TYPE &&
    announcesBody(request.headers)
  );
}

/**
 * Authenticates and authorizes a request for `operation` (nothing to do for a public one) and sets
 * `request.principal`. With `formBodyPending`, an OAuth request with a signed form body gets every check but
 * its signature and nonce (call again once the body may be read).
 */
export async function authenticateRequest(
  context: GatewayContext,
  operation: SpecOperation,
  request: FastifyRequest,
  options: { formBodyPending?: boolean } = {},
): Promise<void> {
  if (operation.security.length === 0) return;
  const oauth = isOAuth(request);
  const pending = options.formBodyPending === true && oauth;
  const principal = await context.auth.authenticate(operation, {
    method: request.method,
    url: oauth ? requestUrlOf(request) : '',
    authorization: request.headers.authorization,
    formBodyPending: pending,
    formBody: oauth && !pending ? await formBodyOf(request, context.config.bodyLimitBytes) : undefined,
  });
  request.principal = principal;
  const accountId = operation.parameters.some((p) => p.in === 'path' && p.name === 'accountId')
    ? (request.params as Record<string, string | undefined>).accountId
    : undefined;
  context.auth.authorize(principal, operation, accountId);
}

/**
 * Declares the route of a spec operation: method and path come from the document, and before the handler
 * runs the request is authenticated and authorized (permissions from the operation's `security`, account
 * scope from `{accountId}`) — in `onRequest`, before any body byte is read, and a declared body over the
 * route's limit is refused there too (413) — then its path, query and header parameters and JSON body are validated against
 * the operation's schemas (400 `invalid_request` / 415 `unsupported_media_type`). The handler finds the
 * coerced inputs in `request.operationInput` (also on `request.params` / `request.query`) and the caller in
 * `request.principal`. Multipart and `*\/*` bodies are only checked for their media type.
 *
 * @example
 * ```ts
 * registerSpecRoute(app, 'checkMappings', async (request) => {
 *   const pairs = request.operationInput?.body as Array<{ serviceName: string; url: string }>;
 *   return pairs.map((pair) => ({ ...pair, exist: false }));
 * });
 * ```
 */
export function registerSpecRoute(
  app: FastifyInstance,
  operationId: string,
  handler: RouteHandlerMethod,
  options: SpecRouteOptions = {},
): void {
  const context = app.gateway;
  const operation = context.spec.operation(operationId);
  const validator = validatorFor(context.spec);
  // Compiled now, so a schema problem shows at start-up rather than on the first request.
  validator.compile(operation);

  const bodyLimit = options.bodyLimit ?? context.config.bodyLimitBytes;
  // onRequest: no body byte has been read yet. A caller without valid credentials, or over the body limit,
  // is answered before the gateway reads (or buffers) anything it sent.
  const authenticate = async (request: FastifyRequest) => {
    request.operation = operation;
    await authenticateRequest(context, operation, request, { formBodyPending: hasSignedFormBody(request) });
    const declared = declaredBodyLength(request.headers);
    if (declared !== undefined && declared > bodyLimit) {
      throw new PayloadTooLargeError(`The request body is larger than the limit of ${bodyLimit} bytes.`);
    }
  };
  // preValidation: the form body of an OAuth request is read (bounded), so its signature can be checked.
  // Callback hooks (no promise) where the work is synchronous for most requests.
  const verifySignedForm = (request: FastifyRequest, _reply: FastifyReply, done: HookDone) => {
    if (!hasSignedFormBody(request)) return done();
    authenticateRequest(context, operation, request).then(() => done(), done);
  };
  const validate = (request: FastifyRequest, _reply: FastifyReply, done: HookDone) => {
    let input: OperationInput;
    try {
      input = validator.validate(operation, request);
    } catch (error) {
      return done(error as Error);
    }
    request.operationInput = input;
    (request as { params: unknown }).params = input.params;
    (request as { query: unknown }).query = input.query;
    done();
  };
  const extra = options.preHandler === undefined ? [] : [options.preHandler].flat();

  app.route({
    method: operation.method,
    url: operation.routePath,
    config: { operationId },
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    onRequest: authenticate,
    preValidation: verifySignedForm,
    preHandler: [validate, ...extra],
    handler,
  });
}
