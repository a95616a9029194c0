import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/config.js';
import {
  type GatewayError,
  HeadersTooLargeError,
  InvalidRequestError,
  RequestTimeoutError,
  UnavailableError,
} from '../errors.js';
import { problemResponse, sendProblem } from './problem.js';
import {
  announcesBody,
  BodyWatch,
  closeInStages,
  declaredBodyLength,
  discardRequestBody,
} from './request-body.js';
import { generateRequestId } from './request-id.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests received and not answered yet (a shutdown waits for them). */
    readonly requestsInFlight: number;
  }
  interface FastifyRequest {
    /** Watches a request body that is still arriving (start timeout, minimum rate); unset without a body. */
    bodyWatch: BodyWatch | undefined;
    /**
     * Set by a route whose answer starts while the body still streams elsewhere (forwarding): the answer is
     * sent at once with `Connection: close` instead of after the body is discarded.
     */
    answersWhileBodyStreams: boolean;
  }
}

/** How long a connection closed in stages keeps reading (and dropping) what the client still sends. */
function lingerMsOf(config: GatewayConfig): number {
  return Math.min(config.requestTimeouts.bodyStartMs, 10_000);
}

/**
 * The server options of the HTTP edge: headers must be complete within `MTLS_HEADERS_TIMEOUT_MS` (checked
 * every second, not Node's default 30 s); Node's whole-request timeout is off because bodies are bounded
 * by rate instead (see {@link registerHttpEdge}), so a large upload on a healthy link is never cut.
 */
export function httpEdgeServerOptions(config: GatewayConfig) {
  return {
    // Requests arriving on kept-alive connections while the server closes get the gateway's 503 problem
    // (registerHttpEdge) instead of Fastify's plain one.
    return503OnClosing: false,
    http: {
      headersTimeout: config.requestTimeouts.headersMs,
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeouts.headersMs),
    },
    requestTimeout: 0,
    clientErrorHandler: createClientErrorHandler(config),
  };
}

const answeredSockets = new WeakSet<Socket>();

function clientErrorOf(error: NodeJS.ErrnoException): GatewayError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new RequestTimeoutError(
      'The request line and headers did not arrive in time (MTLS_HEADERS_TIMEOUT_MS). The connection is closed.',
    );
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HeadersTooLargeError('The request line and headers are larger than the server accepts.');
  }
  // Node's parser messages name the rule that was broken, never the offending bytes.
  const reason = (error.message ?? '').replace(/^Parse Error: /, '').replace(/[^\x20-\x7E]/g, ' ');
  return new InvalidRequestError(
    `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}: ${reason.slice(0, 200)}). ` +
      'Check for control characters or malformed header names and values.',
  );
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (a control character in a header,
 * a malformed request line, headers too large or too slow) as the gateway's other answers are: a problem
 * with its `code`, `LP-gateway-error` and a request id. The connection is then closed in stages.
 */
export function createClientErrorHandler(config: GatewayConfig) {
  const lingerMs = lingerMsOf(config);
  return function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket) {
    if (error.code === 'ECONNRESET' || socket.destroyed || answeredSockets.has(socket)) return;
    answeredSockets.add(socket);
    const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || started?.headersSent) {
      socket.destroy();
      return;
    }
    const problem = clientErrorOf(error);
    const requestId = generateRequestId();
    const { status, headers, body } = problemResponse(problem, { requestId });
    this.log.info({ problem: problem.code, status, requestId, err: error }, problem.detail);
    const head = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}` +
            `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        ),
        body,
      ]),
    );
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

function answerTimedOutBody(request: FastifyRequest, reply: FastifyReply, config: GatewayConfig): void {
  const socket = request.raw.socket;
  if (reply.sent || reply.raw.headersSent) {
    socket.destroy();
    return;
  }
  const { bodyStartMs, bodyMinBytesPerSecond } = config.requestTimeouts;
  reply.header('connection', 'close');
  closeInStages(socket, 1_000);
  void sendProblem(
    request,
    reply,
    new RequestTimeoutError(
      `The request body did not start within ${bodyStartMs} ms or then arrived slower than ` +
        `${bodyMinBytesPerSecond} bytes per second (MTLS_BODY_TIMEOUT_MS, MTLS_BODY_MIN_RATE). The connection is closed.`,
    ),
  );
}

/**
 * Answers sent while the client is still sending its body (an auth error, a 413, an upstream that answered
 * early…) must reach it as those answers:
 * - a body that may still be read within the route's limit is read and dropped first, then the answer goes
 *   out on a connection that stays usable;
 * - a body declared (or found) larger than the limit, one that times out, and an answer that starts while
 *   the body still streams to an upstream, go out at once with `Connection: close`, and the connection is
 *   closed in stages, so the client reads the answer instead of a reset.
 */
async function settleRequestBody(
  request: FastifyRequest,
  reply: FastifyReply,
  config: GatewayConfig,
): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed || raw.socket.destroyed || reply.raw.headersSent) return;
  const closeAfterAnswer = () => {
    reply.header('connection', 'close');
    closeInStages(raw.socket, lingerMsOf(config));
  };
  if (request.answersWhileBodyStreams) {
    closeAfterAnswer();
    return;
  }
  const watch = request.bodyWatch;
  const limitBytes = request.routeOptions.bodyLimit ?? config.bodyLimitBytes;
  const declared = declaredBodyLength(request.headers);
  if (watch?.timedOut || (declared !== undefined && declared > limitBytes)) {
    raw.unpipe();
    raw.on('error', () => undefined);
    raw.resume();
    closeAfterAnswer();
    return;
  }
  const outcome = await discardRequestBody(raw, { limitBytes, watch });
  if (outcome !== 'complete') closeAfterAnswer();
}

/**
 * Registers the HTTP edge on the app: a {@link BodyWatch} on every request with a body (408
 * `request_timeout` and closed when it stalls or trickles), the settling of bodies still arriving when an
 * answer is sent (see {@link settleRequestBody}), the count of requests in flight, and a 503 `unavailable`
 * (with `Connection: close`) for requests that arrive on kept-alive connections while the app closes.
 *
 * @example
 * ```ts
 * const app = Fastify({ ...httpEdgeServerOptions(config) });
 * registerHttpEdge(app, config);
 * ```
 */
export function registerHttpEdge(app: FastifyInstance, config: GatewayConfig): void {
  app.decorateRequest('bodyWatch', undefined);
  app.decorateRequest('answersWhileBodyStreams', false);
  const timeouts = {
    startTimeoutMs: config.requestTimeouts.bodyStartMs,
    minBytesPerSecond: config.requestTimeouts.bodyMinBytesPerSecond,
  };
  // First: every later refusal (shutdown, rate limit, authentication) settles the body within its bounds.
  app.addHook('onRequest', async (request, reply) => {
    if (!announcesBody(request.headers) || request.raw.complete) return;
    request.bodyWatch = new BodyWatch(request.raw, timeouts, () =>
      answerTimedOutBody(request, reply, config),
    );
  });
  let inFlight = 0;
  let closing = false;
  app.decorate('requestsInFlight', {
    getter: () => inFlight,
  });
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    inFlight += 1;
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
    if (closing) {
      reply.header('connection', 'close');
      throw new UnavailableError(
        'The gateway is shutting down and takes no new requests. Retry: another replica, or this one once ' +
          'restarted, answers.',
        { headers: { 'Retry-After': '1' } },
      );
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    await settleRequestBody(request, reply, config);
    return payload;
  });
}
