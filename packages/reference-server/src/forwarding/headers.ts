/**
 * Which headers cross the gateway. Forwarding is "as if contacted directly": everything passes except what
 * belongs to one connection (hop-by-hop, RFC 9110 §7.6.1), what addresses the gateway itself (`Host`, every
 * `LP-*` header, the caller's `Authorization`) and, on the way back, `LP-gateway-error` — reserved for answers
 * the gateway makes itself.
 */

/** Hop-by-hop headers: never forwarded in either direction. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
]);

/** The response header naming the gateway's own problems; stripped from upstream answers. */
export const GATEWAY_ERROR_HEADER_NAME = 'lp-gateway-error';

/** Header values as Node and undici give them. */
export type HeaderValue = string | string[] | undefined;

/** The names listed in `Connection` headers (they are hop-by-hop too), lower case. */
export function connectionListedHeaders(values: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) names.add(name);
    }
  }
  return names;
}

function isHopByHop(name: string, listed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP_HEADERS.has(name) || name.startsWith('proxy-') || listed.has(name);
}

/** Options of {@link upstreamRequestHeaders}. */
export interface UpstreamRequestHeaderOptions {
  /** `LP-authorization-override`: becomes the `Authorization` sent to the target. */
  authorizationOverride?: string | undefined;
  /** Replaces the caller's `Content-Type` (the p12 test's `LP-content-type-override`). */
  contentTypeOverride?: string | undefined;
}

/**
 * The headers sent to the target, from the caller's raw headers (`IncomingMessage.rawHeaders`: name/value
 * pairs in order, case and duplicates kept). Removed: hop-by-hop headers and those named by `Connection`,
 * `Proxy-*`, `Host` (set from the target URL), `Expect` (answered by the gateway's own server), every `LP-*`
 * header and `Authorization` (replaced by the override when there is one).
 *
 * @example
 * ```ts
 * upstreamRequestHeaders(['Host', 'gw', 'Authorization', 'Bearer gw-token', 'X-Trace', '1'], {
 *   authorizationOverride: 'Bearer remote-token',
 * }); // ['X-Trace', '1', 'authorization', 'Bearer remote-token']
 * ```
 */
export function upstreamRequestHeaders(
  rawHeaders: readonly string[],
  options: UpstreamRequestHeaderOptions = {},
): string[] {
  const connectionValues: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toLowerCase() === 'connection') connectionValues.push(rawHeaders[index + 1] ?? '');
  }
  const listed = connectionListedHeaders(connectionValues);
  const headers: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] ?? '';
    const value = rawHeaders[index + 1] ?? '';
    const lower = name.toLowerCase();
    if (isHopByHop(lower, listed)) continue;
    if (lower === 'host' || lower === 'authorization' || lower === 'expect' || lower.startsWith('lp-'))
      continue;
    if (lower === 'content-type' && options.contentTypeOverride !== undefined) continue;
    headers.push(name, value);
  }
  if (options.contentTypeOverride !== undefined) headers.push('content-type', options.contentTypeOverride);
  if (options.authorizationOverride !== undefined)
    headers.push('authorization', options.authorizationOverride);
  return headers;
}

/**
 * The upstream answer's headers as returned to the caller: everything but hop-by-hop headers (and those named
 * by `Connection`), `Proxy-*` and `LP-gateway-error`.
 *
 * @example
 * ```ts
 * clientResponseHeaders({ 'content-type': 'text/plain', connection: 'close', 'lp-gateway-error': 'x' });
 * // { 'content-type': 'text/plain' }
 * ```
 */
export function clientResponseHeaders(
  headers: Readonly<Record<string, HeaderValue>>,
): Record<string, string | string[]> {
  const connection = headers.connection;
  const listed = connectionListedHeaders(connection === undefined ? [] : [connection].flat());
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (isHopByHop(lower, listed) || lower === GATEWAY_ERROR_HEADER_NAME) continue;
    result[lower] = value;
  }
  return result;
}
