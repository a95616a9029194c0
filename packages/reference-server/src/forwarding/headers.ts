/**
 * The headers of a forwarded request and of the remote's answer, by the contract's rule of which headers
 * cross the gateway (`isForwardedRequestHeader`, `isReturnedResponseHeader`), plus what the gateway adds:
 * the override headers and its own statement of the client's address.
 */
import { isIP } from 'node:net';
import {
  connectionListedHeaders,
  isForwardedRequestHeader,
  isReturnedResponseHeader,
} from '@mtls-gateway/contract';

export { HOP_BY_HOP_HEADERS } from '@mtls-gateway/contract';

/** Header values as Node and undici give them. */
export type HeaderValue = string | string[] | undefined;

/** Options of {@link upstreamRequestHeaders}. */
export interface UpstreamRequestHeaderOptions {
  /** `LP-authorization-override`: becomes the `Authorization` sent to the target. */
  authorizationOverride?: string | undefined;
  /** Replaces the caller's `Content-Type` (the p12 test's `LP-content-type-override`). */
  contentTypeOverride?: string | undefined;
  /** The caller's IP address: sent as `X-Forwarded-For` and `Forwarded: for=…`. */
  clientAddress?: string | undefined;
  /** How the caller reached the gateway (`http` or `https`): `Forwarded: …;proto=…`. */
  clientProtocol?: string | undefined;
}

/** An address as the gateway reports it: IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4, no zone id. */
function reportedAddress(address: string): string {
  const bare = address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped?.[1] ?? bare;
}

/**
 * The `Forwarded` value for a client (RFC 7239): `for=<ip>;proto=<http|https>`, an IPv6 address quoted and
 * in brackets (`for="[2001:db8::1]"`), anything that is not an IP address as the obfuscated `for=unknown`.
 *
 * @example
 * ```ts
 * forwardedHeaderValue('203.0.113.7', 'https'); // 'for=203.0.113.7;proto=https'
 * forwardedHeaderValue('2001:db8::1', 'http'); // 'for="[2001:db8::1]";proto=http'
 * ```
 */
export function forwardedHeaderValue(clientAddress: string, protocol?: string): string {
  const address = reportedAddress(clientAddress);
  const family = isIP(address);
  const node = family === 4 ? address : family === 6 ? `"[${address}]"` : 'unknown';
  const proto = protocol === 'http' || protocol === 'https' ? `;proto=${protocol}` : '';
  return `for=${node}${proto}`;
}

/**
 * The headers sent to the target, from the caller's raw headers (`IncomingMessage.rawHeaders`: name/value
 * pairs in order, case and duplicates kept). Removed: hop-by-hop headers and those named by `Connection`,
 * `Proxy-*`, `Host` (set from the target URL), `Expect` (answered by the gateway's own server), every `LP-*`
 * header, `Authorization` (replaced by the override when there is one) and the caller's `X-Forwarded-For`,
 * `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Real-IP` and `Forwarded`. With `clientAddress`, the gateway
 * adds its own `X-Forwarded-For: <ip>` and `Forwarded: for=<ip>;proto=<http|https>`.
 *
 * @example
 * ```ts
 * upstreamRequestHeaders(['Host', 'gw', 'Authorization', 'Bearer gw-token', 'X-Forwarded-For', '1.2.3.4', 'X-Trace', '1'], {
 *   authorizationOverride: 'Bearer remote-token',
 *   clientAddress: '203.0.113.7',
 *   clientProtocol: 'https',
 * });
 * // ['X-Trace', '1', 'x-forwarded-for', '203.0.113.7', 'forwarded', 'for=203.0.113.7;proto=https',
 * //  'authorization', 'Bearer remote-token']
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
    if (!isForwardedRequestHeader(lower, listed)) continue;
    if (lower === 'content-type' && options.contentTypeOverride !== undefined) continue;
    headers.push(name, value);
  }
  if (options.contentTypeOverride !== undefined) headers.push('content-type', options.contentTypeOverride);
  if (options.clientAddress !== undefined && options.clientAddress !== '') {
    headers.push('x-forwarded-for', reportedAddress(options.clientAddress));
    headers.push('forwarded', forwardedHeaderValue(options.clientAddress, options.clientProtocol));
  }
  if (options.authorizationOverride !== undefined)
    headers.push('authorization', options.authorizationOverride);
  return headers;
}

/**
 * The upstream answer's headers as returned to the caller: everything but hop-by-hop headers (and those named
 * by `Connection`), `Proxy-*`, and the headers only the gateway sets on its answers: `LP-gateway-error`,
 * `LP-*-from-transport` (a remote cannot fake a transport failure) and `X-Request-Id` (the gateway's own
 * request id is the one the caller gets).
 *
 * @example
 * ```ts
 * clientResponseHeaders({
 *   'content-type': 'text/plain', connection: 'close', 'lp-gateway-error': 'x', 'x-request-id': 'remote-1',
 * });
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
    if (isReturnedResponseHeader(lower, listed)) result[lower] = value;
  }
  return result;
}
