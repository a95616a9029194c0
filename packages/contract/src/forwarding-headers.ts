/**
 * Which headers cross the gateway — the rule behind "as if contacted directly", shared by the reference
 * server and the mock. Everything passes except what belongs to one connection (hop-by-hop, RFC 9110
 * §7.6.1), what addresses the gateway itself (`Host`, `Expect`, every `LP-*` header, the caller's
 * `Authorization`), the caller's claims about the client's address (`X-Forwarded-*`, `X-Real-IP`,
 * `Forwarded`: the gateway states the client address itself, so a caller cannot spoof an IP towards a
 * partner) and, on the way back, the headers the gateway sets on its own answers (`LP-gateway-error`,
 * `LP-*-from-transport`, `X-Request-Id`): a client reading them must be able to trust that they come from
 * the gateway. Names are compared in lower case.
 */

/**
 * Hop-by-hop headers: never forwarded in either direction (nor any `Proxy-*` header).
 *
 * @example
 * ```ts
 * HOP_BY_HOP_HEADERS.has('keep-alive'); // true
 * ```
 */
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

/**
 * Caller headers claiming a client address or the original request: replaced by the gateway's own.
 *
 * @example
 * ```ts
 * CLIENT_ADDRESS_HEADERS.has('x-forwarded-for'); // true
 * ```
 */
export const CLIENT_ADDRESS_HEADERS: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'forwarded',
]);

/** `LP-message-from-transport`, `LP-error-from-transport` and any other `LP-*-from-transport`. */
const FROM_TRANSPORT_HEADER = /^lp-.*-from-transport$/;

/**
 * The names listed in `Connection` header values (they are hop-by-hop too), lower case.
 *
 * @example
 * ```ts
 * connectionListedHeaders(['close, X-Secret']); // Set { 'close', 'x-secret' }
 * ```
 */
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

function isHopByHop(name: string, connectionListed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP_HEADERS.has(name) || name.startsWith('proxy-') || connectionListed.has(name);
}

/**
 * Whether a caller's request header (lower-case `name`) is sent on to the remote as it is.
 *
 * @example
 * ```ts
 * isForwardedRequestHeader('x-trace', new Set());          // true
 * isForwardedRequestHeader('lp-forward-url', new Set());   // false
 * isForwardedRequestHeader('x-forwarded-for', new Set());  // false: the gateway sets its own
 * ```
 */
export function isForwardedRequestHeader(name: string, connectionListed: ReadonlySet<string>): boolean {
  return !(
    isHopByHop(name, connectionListed) ||
    name === 'host' ||
    name === 'authorization' ||
    name === 'expect' ||
    name.startsWith('lp-') ||
    CLIENT_ADDRESS_HEADERS.has(name)
  );
}

/**
 * Whether a remote's response header (lower-case `name`) is returned to the caller as it is.
 *
 * @example
 * ```ts
 * isReturnedResponseHeader('content-type', new Set());     // true
 * isReturnedResponseHeader('lp-gateway-error', new Set()); // false: only the gateway's own answers carry it
 * ```
 */
export function isReturnedResponseHeader(name: string, connectionListed: ReadonlySet<string>): boolean {
  return !(
    isHopByHop(name, connectionListed) ||
    name === 'lp-gateway-error' ||
    name === 'x-request-id' ||
    FROM_TRANSPORT_HEADER.test(name)
  );
}
