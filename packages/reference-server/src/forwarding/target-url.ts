import { InvalidRequestError } from '../errors.js';

/** A forward URL split into what the connection needs and what the request line carries. */
export interface ForwardTarget {
  /** The WHATWG-parsed URL: scheme, host and port to connect to. */
  url: URL;
  /** `scheme://host[:port]`, normalized: the key of connection pools. */
  origin: string;
  /** Path and query exactly as given (no dot-segment removal, no re-encoding); `/` when empty. */
  path: string;
  /** `host:port` for messages (never the path or query, which may carry secrets). */
  displayAuthority: string;
}

const REQUEST_TARGET = /^[\x21-\x7E]*$/;

function invalidUrl(message: string, header: string): InvalidRequestError {
  return new InvalidRequestError(`The request header ${header} ${message}.`, [
    { location: 'header', name: header, message },
  ]);
}

/**
 * Parses a forward URL (`LP-forward-url`). The host is taken from the WHATWG parse (which normalizes every
 * IPv4 notation, so the SSRF guard sees the real address); the request target is the raw path and query as
 * written, so the remote receives exactly what the caller asked for. When the raw text cannot be sent as-is
 * (non-ASCII), the parser's encoded form is used.
 *
 * @throws {InvalidRequestError} when it is not an absolute http(s) URL, or carries credentials.
 * @example
 * ```ts
 * parseForwardTarget('https://api.example.com/a/../b?x=%2F').path; // '/a/../b?x=%2F'
 * ```
 */
export function parseForwardTarget(raw: string, header = 'LP-forward-url'): ForwardTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidUrl('must be an absolute http or https URL', header);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidUrl('must be an http or https URL', header);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidUrl('must not contain credentials; send them with LP-authorization-override', header);
  }
  const schemeEnd = raw.indexOf('//') + 2;
  // The authority ends at the first "/", "\" (a path separator for http URLs), "?" or "#".
  const afterAuthority = raw.slice(schemeEnd).search(/[/\\?#]/);
  let path = afterAuthority < 0 ? '' : raw.slice(schemeEnd + afterAuthority);
  const fragment = path.indexOf('#');
  if (fragment >= 0) path = path.slice(0, fragment);
  if (path.startsWith('?')) path = `/${path}`;
  if (path === '') path = '/';
  if (!REQUEST_TARGET.test(path) || path.startsWith('\\')) path = `${url.pathname}${url.search}`;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return { url, origin: url.origin, path, displayAuthority: `${url.hostname}:${port}` };
}
