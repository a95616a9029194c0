import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/**
 * Fastify's request logging reduced to one line per request: the `incoming request` line is dropped, and
 * `request completed` carries the request (method, redacted URL, address), the status and the time — unless
 * the error handler already logged the request's problem answer with the request on it
 * (`request.problemLogged`). With `accessLog: false` (`MTLS_ACCESS_LOG=off`) only problems are logged.
 * Fastify's other lines (stream and serializer errors) are kept.
 *
 * @example
 * ```ts
 * Fastify({ logController: new AccessLogController({ accessLog: config.accessLog }) });
 * ```
 */
export class AccessLogController extends LogController {
  readonly accessLog: boolean;

  constructor(options: { accessLog: boolean }) {
    super({ requestIdLogLabel: 'requestId' });
    this.accessLog = options.accessLog;
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (!this.accessLog || request.problemLogged) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
