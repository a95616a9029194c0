/**
 * The mapping rules the spec states in prose and cannot express as a schema: which URLs a mapping may hold,
 * which request URLs it applies to, and which of several applicable mappings forwarding uses. Pure functions,
 * shared by the reference server and the mock (both run over one table of cases).
 */

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Whether `url` may be stored as a mapping URL: an absolute `http`/`https` URL with its authority spelled
 * out (query included); only a trailing `*` is allowed, making it a prefix mapping.
 *
 * @example
 * ```ts
 * isValidMappingUrl('https://api.example.com/v2/*'); // true
 * isValidMappingUrl('https:///x');                    // false: WHATWG parsing would read it as https://x/
 * isValidMappingUrl('ftp://example.com/');            // false
 * ```
 */
export function isValidMappingUrl(url: string): boolean {
  const base = url.endsWith('*') ? url.slice(0, -1) : url;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    return false;
  }
  return (
    (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
    parsed.hostname !== '' &&
    // The authority must be spelled out: WHATWG parsing would turn `https:///x` into `https://x/`.
    /^https?:\/\/[^\s/?#][^\s]*$/i.test(base)
  );
}

/**
 * Whether a mapping `url` applies to a request URL. Without a trailing `*` the two must be equal (as sent,
 * query included). A prefix mapping (`…*`) applies when the request URL starts with the part before the `*`,
 * has the same origin (scheme, host and port, compared parsed) and the prefix ends at a boundary: the prefix
 * ends with `/` or holds a `?` (a query prefix), or the rest of the request URL is empty or starts with `/`,
 * `?` or `#`. So `https://api.example.com*` serves `https://api.example.com/x` but never
 * `https://api.example.com.attacker.tld/`, `https://api.example.com:8443/` or `https://api.example.com@evil/`:
 * the certificate is only ever presented to the host the mapping names.
 *
 * @example
 * ```ts
 * mappingUrlMatches('https://api.example.com/v2*', 'https://api.example.com/v2/users'); // true
 * mappingUrlMatches('https://api.example.com/v2*', 'https://api.example.com/v20'); // false
 * mappingUrlMatches('https://api.example.com*', 'https://api.example.com.attacker.tld/'); // false
 * ```
 */
export function mappingUrlMatches(mappingUrl: string, requestUrl: string): boolean {
  if (!mappingUrl.endsWith('*')) return mappingUrl === requestUrl;
  const prefix = mappingUrl.slice(0, -1);
  if (!requestUrl.startsWith(prefix)) return false;
  const origin = originOf(prefix);
  if (origin === undefined || origin === 'null' || origin !== originOf(requestUrl)) return false;
  if (prefix.endsWith('/') || prefix.includes('?')) return true;
  const rest = requestUrl.slice(prefix.length);
  return rest === '' || rest.startsWith('/') || rest.startsWith('?') || rest.startsWith('#');
}

/**
 * The mapping forwarding uses for `requestUrl` among `candidates` (already filtered by account, service and
 * `enabled`): the one whose `url` equals the request URL, else the longest `*` prefix mapping that applies by
 * {@link mappingUrlMatches}. A tie at the deciding level is ambiguous, so none applies (`undefined`).
 *
 * @example
 * ```ts
 * selectMapping([{ url: 'https://a.example/*' }, { url: 'https://a.example/v2/*' }], 'https://a.example/v2/x');
 * // { url: 'https://a.example/v2/*' }
 * ```
 */
export function selectMapping<Mapping extends { readonly url: string }>(
  candidates: readonly Mapping[],
  requestUrl: string,
): Mapping | undefined {
  const applicable = candidates.filter((mapping) => mappingUrlMatches(mapping.url, requestUrl));
  const exact = applicable.filter((mapping) => mapping.url === requestUrl);
  const among = exact.length > 0 ? exact : applicable;
  if (among.length === 0) return undefined;
  const longest = Math.max(...among.map((mapping) => mapping.url.length));
  const best = among.filter((mapping) => mapping.url.length === longest);
  return best.length === 1 ? best[0] : undefined;
}
