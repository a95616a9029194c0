/**
 * The mapping URL rule as a table, shared by the reference server's and the mock's tests so both match
 * mappings the same way (DESIGN §2: exact URL, or a `*` prefix of the same origin ending at a boundary).
 *
 * @example
 * ```ts
 * it.each(MAPPING_URL_CASES)('%s', (_label, mappingUrl, requestUrl, applies) => {
 *   expect(mappingUrlMatches(mappingUrl, requestUrl)).toBe(applies);
 * });
 * ```
 */

/** `[label, mapping url, request url, whether the mapping applies]`. */
export type MappingUrlCase = readonly [
  label: string,
  mappingUrl: string,
  requestUrl: string,
  applies: boolean,
];

const API = 'https://api.example.com';

export const MAPPING_URL_CASES: readonly MappingUrlCase[] = [
  // Exact mappings: the whole URL, query included, as sent.
  ['exact: the same URL', `${API}/hooks?tenant=42`, `${API}/hooks?tenant=42`, true],
  ['exact: a longer query', `${API}/hooks?tenant=42`, `${API}/hooks?tenant=420`, false],
  ['exact: without the query', `${API}/hooks?tenant=42`, `${API}/hooks`, false],
  ['exact: a path below', `${API}/hooks`, `${API}/hooks/x`, false],

  // A prefix without a trailing slash ends at a boundary: `/`, `?`, `#` or the end.
  ['origin prefix: the origin itself', `${API}*`, API, true],
  ['origin prefix: a path', `${API}*`, `${API}/v1/users`, true],
  ['origin prefix: a query', `${API}*`, `${API}?x=1`, true],
  ['origin prefix: a fragment', `${API}*`, `${API}#top`, true],
  ['origin prefix: another host (.attacker.tld)', `${API}*`, 'https://api.example.com.attacker.tld/', false],
  ['origin prefix: another host (-attacker.tld)', `${API}*`, 'https://api.example.com-attacker.tld/', false],
  ['origin prefix: another port (:8443)', `${API}*`, 'https://api.example.com:8443/', false],
  ['origin prefix: the default port spelled out', `${API}*`, 'https://api.example.com:443/', false],
  ['origin prefix: userinfo (@)', `${API}*`, 'https://api.example.com@attacker.tld/', false],
  ['origin prefix: a backslash and @', `${API}*`, 'https://api.example.com\\@attacker.tld/', false],
  ['origin prefix: a tab inside the host', `${API}*`, 'https://api.example.com\t.attacker.tld/', false],
  ['origin prefix: another scheme', `${API}*`, 'http://api.example.com/', false],
  ['port prefix: that port', 'https://api.example.com:8443*', 'https://api.example.com:8443/x', true],
  ['port prefix: a longer port', 'https://api.example.com:8443*', 'https://api.example.com:84430/x', false],
  ['path prefix: the path itself', `${API}/v2*`, `${API}/v2`, true],
  ['path prefix: below the path', `${API}/v2*`, `${API}/v2/users`, true],
  ['path prefix: a query on the path', `${API}/v2*`, `${API}/v2?page=2`, true],
  ['path prefix: a longer segment', `${API}/v2*`, `${API}/v20/users`, false],
  ['path prefix: a dotted segment', `${API}/v2*`, `${API}/v2.attacker/x`, false],

  // A prefix ending with `/` already ends at a boundary.
  ['slash prefix: below it', `${API}/v2/*`, `${API}/v2/users`, true],
  ['slash prefix: itself', `${API}/v2/*`, `${API}/v2/`, true],
  ['slash prefix: without the slash', `${API}/v2/*`, `${API}/v2`, false],
  ['slash prefix: another scheme', `${API}/*`, 'http://api.example.com/x', false],
  ['slash prefix: http mapping, https request', 'http://api.example.com/*', `${API}/x`, false],

  // A prefix holding `?` is a query prefix: it may end anywhere in the query.
  ['query prefix: a longer value', `${API}/hooks?tenant=4*`, `${API}/hooks?tenant=42`, true],
  ['query prefix: itself', `${API}/hooks?tenant=4*`, `${API}/hooks?tenant=4`, true],
  ['query prefix: another path', `${API}/hooks?tenant=4*`, `${API}/hook?tenant=42`, false],
];

/** `[label, mapping url, whether it may be stored]`: the validity rule of a mapping `url`. */
export type MappingUrlValidityCase = readonly [label: string, url: string, valid: boolean];

export const MAPPING_URL_VALIDITY_CASES: readonly MappingUrlValidityCase[] = [
  ['an https URL', `${API}/hooks`, true],
  ['an http URL', 'http://api.example.com/hooks', true],
  ['a query', `${API}/hooks?tenant=42`, true],
  ['a prefix', `${API}/v2/*`, true],
  ['an origin prefix', `${API}*`, true],
  ['a port', 'https://api.example.com:8443/x', true],
  ['an IP address and a port', 'http://10.0.0.1:8080/x', true],
  ['a star in the query (a literal character)', 'https://a.example/?q=*x', true],
  ['only a scheme', 'https://', false],
  ['not a URL', 'not a url', false],
  ['a space in the host', 'https://exa mple.com/', false],
  ['no authority (https:///x)', 'https:///x', false],
  ['no authority (https:/x)', 'https:/x', false],
  ['another scheme', 'ftp://api.example.com/', false],
  ['a relative URL', '/hooks', false],
  ['a star inside (a literal character of an exact URL)', `${API}/*/x`, true],
  ['a space', `${API}/a b`, false],
  ['an empty string', '', false],
  ['only a star', '*', false],
];
