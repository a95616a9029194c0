/**
 * Events the client reports to a `logger` hook. They are built from a fixed list of fields — never from
 * headers or bodies — so credentials (`Authorization`, `LP-authorization-override`), passwords and PKCS#12
 * bytes cannot reach a log.
 */

/**
 * Fields every request event carries.
 *
 * @example
 * ```ts
 * const where: MtlsGatewayRequestInfo = { operation: 'certificates.list', method: 'GET', url, attempt: 1 };
 * ```
 */
export interface MtlsGatewayRequestInfo {
  /** What was called: `certificates.list`, `forward`, … or `raw` for calls of `client.raw`. */
  operation: string;
  method: string;
  /** The gateway URL (path and query; the target of a forward is not included). */
  url: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
}

/**
 * One event of the client's life, for logs and metrics.
 *
 * @example
 * ```ts
 * const logger = (event: MtlsGatewayLogEvent) => {
 *   if (event.type === 'retry') console.warn(`retrying ${event.operation} in ${event.delayMs} ms: ${event.reason}`);
 * };
 * ```
 */
export type MtlsGatewayLogEvent =
  | ({ type: 'request' } & MtlsGatewayRequestInfo)
  | ({
      type: 'response';
      status: number;
      durationMs: number;
      /** `LP-gateway-error`: set when the gateway answered itself (not a passthrough answer of the remote). */
      gatewayError?: string;
      /** `X-Request-Id` of the gateway. */
      requestId?: string;
    } & MtlsGatewayRequestInfo)
  | ({
      type: 'retry';
      /** Milliseconds before the next attempt. */
      delayMs: number;
      /** Why: `status 503`, `connection_failed`, `timeout`. */
      reason: string;
    } & MtlsGatewayRequestInfo)
  | ({
      /** A call that got no answer (connection, timeout, abort); error answers are `response` events. */
      type: 'error';
      durationMs: number;
      error: { name: string; code: string; message: string };
    } & MtlsGatewayRequestInfo)
  | {
      type: 'discovery';
      accountId: string;
      csdsBaseUrl: string;
      /** The discovered gateway base URL. */
      baseUrl: string;
      durationMs: number;
    };

/**
 * The `logger` option: called synchronously for each event; what it throws is ignored.
 *
 * @example
 * ```ts
 * const logger: MtlsGatewayLogger = (event) => pino.debug(event, `mtls-gateway ${event.type}`);
 * ```
 */
export type MtlsGatewayLogger = (event: MtlsGatewayLogEvent) => void;
