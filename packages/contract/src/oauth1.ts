/**
 * `@mtls-gateway/contract/oauth1`: OAuth 1.0a (RFC 5849) as both ends of the gateway need it — the signature
 * base string, parameter normalization, percent-encoding, HMAC-SHA1/SHA256 signing, and the `Authorization:
 * OAuth …` header in both directions. The SDK signs requests with these functions and the server verifies them
 * with the same ones, so the two cannot drift apart. Web APIs only (Web Crypto, URL, TextEncoder): runs in
 * browsers, edge runtimes and Node. Errors carry a `code`, never an HTTP status: the caller maps them.
 * Hand-written: the common libraries (`oauth-sign`, `oauth-1.0a`) need Node's `crypto` or leave hashing to the
 * caller, and none parses an incoming header strictly.
 *
 * @example
 * ```ts
 * import { parseAuthorizationHeader, signatureBaseString, signHmac } from '@mtls-gateway/contract/oauth1';
 *
 * const params = parseAuthorizationHeader(request.headers.get('authorization') ?? '');
 * const baseString = signatureBaseString({ method: request.method, url: request.url, oauthParams: params });
 * const expected = await signHmac(baseString, consumerSecret, undefined, 'HMAC-SHA256');
 * ```
 */
import {
  OAuthHeaderSyntaxError,
  OAuthSignatureMethodError,
  OAuthUnsignableUrlError,
  WebCryptoUnavailableError,
} from './oauth1-errors.js';

export type { OAuth1ErrorCode } from './oauth1-errors.js';
export {
  OAuth1Error,
  OAuthHeaderSyntaxError,
  OAuthSignatureMethodError,
  OAuthUnsignableUrlError,
  WebCryptoUnavailableError,
} from './oauth1-errors.js';

/**
 * The HMAC signature methods the gateway's clients sign and its server verifies with.
 *
 * @example
 * ```ts
 * const method: OAuthSignatureMethod = 'HMAC-SHA256';
 * ```
 */
export type OAuthSignatureMethod = 'HMAC-SHA1' | 'HMAC-SHA256';

/**
 * Protocol parameters by name, decoded (`oauth_consumer_key`, `oauth_nonce`, …, and `realm` when present).
 *
 * @example
 * ```ts
 * const params: OAuthParameters = { oauth_consumer_key: 'key', oauth_nonce: 'n', realm: 'Example' };
 * ```
 */
export type OAuthParameters = Readonly<Record<string, string>>;

/**
 * Input of {@link signatureBaseString}.
 *
 * @example
 * ```ts
 * const input: SignatureBaseStringInput = {
 *   method: 'GET',
 *   url: 'https://gateway.example/mtls/account/123/certificates',
 *   oauthParams: { oauth_consumer_key: 'key', oauth_nonce: 'n' },
 * };
 * ```
 */
export interface SignatureBaseStringInput {
  /** HTTP method; upper-cased in the base string. */
  method: string;
  /** The absolute request URL; its query parameters are signed. */
  url: string | URL;
  /** Protocol parameters; `realm` and `oauth_signature` are left out of the base string. */
  oauthParams: OAuthParameters;
  /** The body of an `application/x-www-form-urlencoded` request; leave out for any other body. */
  formBody?: string | URLSearchParams;
}

const HASH_OF: Readonly<Record<OAuthSignatureMethod, string>> = {
  'HMAC-SHA1': 'SHA-1',
  'HMAC-SHA256': 'SHA-256',
};

/**
 * Whether `value` is a signature method these functions sign and verify with (`HMAC-SHA1`, `HMAC-SHA256`).
 *
 * @example
 * ```ts
 * isOAuthSignatureMethod('HMAC-SHA256'); // true
 * isOAuthSignatureMethod('PLAINTEXT');   // false
 * ```
 */
export function isOAuthSignatureMethod(value: unknown): value is OAuthSignatureMethod {
  return typeof value === 'string' && Object.hasOwn(HASH_OF, value);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const HEX = '0123456789ABCDEF';
const utf8Encoder = new TextEncoder();

/**
 * Percent-encodes a value as RFC 5849 §3.6 requires: UTF-8 bytes, every byte outside the RFC 3986
 * unreserved set (`A-Z a-z 0-9 - . _ ~`) as `%XX` with upper-case hex. Unlike `encodeURIComponent`,
 * it also encodes `!*'()`.
 *
 * @example
 * ```ts
 * percentEncode('Ladies + Gentlemen'); // 'Ladies%20%2B%20Gentlemen'
 * percentEncode('é!');                 // '%C3%A9%21'
 * ```
 */
export function percentEncode(value: string): string {
  let encoded = '';
  for (const byte of utf8Encoder.encode(value)) {
    const char = String.fromCharCode(byte);
    encoded += UNRESERVED.test(char) ? char : `%${HEX[byte >> 4]}${HEX[byte & 0xf]}`;
  }
  return encoded;
}

/**
 * Decodes `%XX` escapes as UTF-8, rejecting malformed escapes and invalid UTF-8 (unlike
 * `URLSearchParams`, which silently substitutes them), because a header must mean one thing only.
 */
function strictPercentDecode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let index = 0; index < value.length; index++) {
    const char = value.charCodeAt(index);
    if (char === 0x25) {
      const hex = value.slice(index + 1, index + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      index += 2;
    } else {
      // Callers pass ASCII only (non-ASCII is rejected before decoding), so a char is a byte.
      bytes.push(char);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}

/**
 * Normalizes parameters as RFC 5849 §3.4.1.3.2 describes: each name and value percent-encoded,
 * sorted by encoded name and then encoded value (byte order), joined as `name=value` pairs with `&`.
 * Repeated names are kept.
 *
 * @example
 * ```ts
 * normalizeParameters([['b', '2'], ['a', 'x y'], ['a', '1']]); // 'a=1&a=x%20y&b=2'
 * ```
 */
export function normalizeParameters(pairs: ReadonlyArray<readonly [string, string]>): string {
  const encoded = pairs.map(([name, value]) => [percentEncode(name), percentEncode(value)] as const);
  // Encoded strings are ASCII, so comparing UTF-16 code units is the byte order the RFC asks for.
  const compare = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);
  encoded.sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB));
  return encoded.map(([name, value]) => `${name}=${value}`).join('&');
}

function parseHttpUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No `cause`: the URL parser's message quotes the URL, which may hold credentials.
    throw new OAuthUnsignableUrlError(
      'The request URL is not an absolute URL; OAuth 1.0a signs absolute http: or https: URLs only.',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OAuthUnsignableUrlError(
      `OAuth 1.0a signs http: and https: requests only, not ${parsed.protocol} ones; use an HTTP(S) URL.`,
    );
  }
  return parsed;
}

/**
 * The base string URI of RFC 5849 §3.4.1.2: lower-case scheme and host, the port only when it is not
 * the scheme's default (80 for http, 443 for https), the path as sent; no user info, query or fragment.
 *
 * @example
 * ```ts
 * baseStringUri('HTTP://EXAMPLE.COM:80/r%20v/X?id=123'); // 'http://example.com/r%20v/X'
 * ```
 */
export function baseStringUri(url: string | URL): string {
  // The WHATWG URL parser already lower-cases scheme and host and drops the default port.
  const parsed = parseHttpUrl(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * Builds the signature base string of RFC 5849 §3.4.1: `METHOD&uri&parameters`, where the parameters
 * are the URL's query, the protocol parameters (without `realm` and `oauth_signature`) and the
 * parameters of a form body. Query and form are decoded with `application/x-www-form-urlencoded` rules
 * (`+` is a space), as §3.4.1.3.1 prescribes.
 *
 * @example
 * ```ts
 * signatureBaseString({
 *   method: 'GET',
 *   url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
 *   oauthParams: { oauth_consumer_key: 'dpf43f3p2l4k3l03', oauth_nonce: 'chapoH' },
 * });
 * // 'GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3D…'
 * ```
 */
export function signatureBaseString(input: SignatureBaseStringInput): string {
  const url = parseHttpUrl(input.url);
  const pairs: Array<[string, string]> = [...url.searchParams];
  for (const [name, value] of Object.entries(input.oauthParams)) {
    if (name !== 'realm') pairs.push([name, value]);
  }
  if (input.formBody !== undefined) {
    const form = typeof input.formBody === 'string' ? new URLSearchParams(input.formBody) : input.formBody;
    pairs.push(...form);
  }
  // §3.4.1.3.1: the signature is never part of what it signs, wherever it was sent.
  const signed = pairs.filter(([name]) => name !== 'oauth_signature');
  return [
    percentEncode(input.method.toUpperCase()),
    percentEncode(baseStringUri(url)),
    percentEncode(normalizeParameters(signed)),
  ].join('&');
}

function webCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new WebCryptoUnavailableError(
      'Web Crypto (crypto.subtle) is not available; OAuth 1.0a signing needs Node.js 20+ or a browser page served over HTTPS.',
    );
  }
  return subtle;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Computes an HMAC signature (RFC 5849 §3.4.2) of a base string, base64 encoded. The key is
 * `percentEncode(consumerSecret) & percentEncode(tokenSecret ?? '')`.
 *
 * @example
 * ```ts
 * await signHmac(baseString, 'kd94hf93k423kf44', 'pfkkdhi9sl3r4s00', 'HMAC-SHA1');
 * // 'MdpQcU8iPSUjWoN/UDMsK2sui9I=' for the RFC 5849 §1.2 photo request
 * ```
 */
export async function signHmac(
  baseString: string,
  consumerSecret: string,
  tokenSecret: string | undefined,
  algorithm: OAuthSignatureMethod = 'HMAC-SHA1',
): Promise<string> {
  if (!isOAuthSignatureMethod(algorithm)) {
    throw new OAuthSignatureMethodError(
      'Unsupported OAuth signature method; use "HMAC-SHA1" or "HMAC-SHA256".',
    );
  }
  const hash = HASH_OF[algorithm];
  const subtle = webCrypto();
  const keyBytes = utf8Encoder.encode(`${percentEncode(consumerSecret)}&${percentEncode(tokenSecret ?? '')}`);
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash }, false, ['sign']);
  const signature = await subtle.sign('HMAC', key, utf8Encoder.encode(baseString));
  return toBase64(new Uint8Array(signature));
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const WHITESPACE = /[ \t\r\n]/;

function headerSyntaxError(problem: string, position: number): OAuthHeaderSyntaxError {
  return new OAuthHeaderSyntaxError(
    `Malformed OAuth Authorization header: ${problem} at character ${position}. ` +
      'Send `OAuth name="percent-encoded value", …` as RFC 5849 §3.5.1 describes.',
  );
}

/**
 * Parses an `Authorization: OAuth …` header value (RFC 5849 §3.5.1) into its decoded parameters,
 * `realm` included. Whitespace (including folded lines) around names, `=` and commas is accepted;
 * anything else that is not `name="value"` pairs separated by commas, a repeated parameter, or a broken
 * percent-escape throws {@link OAuthHeaderSyntaxError}.
 *
 * @example
 * ```ts
 * parseAuthorizationHeader('OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_signature="a%2Fb%3D"');
 * // { realm: 'Photos', oauth_consumer_key: 'dpf43f3p2l4k3l03', oauth_signature: 'a/b=' }
 * ```
 */
export function parseAuthorizationHeader(value: string): Record<string, string> {
  let position = 0;
  const skipWhitespace = (): void => {
    while (position < value.length && WHITESPACE.test(value.charAt(position))) position++;
  };

  skipWhitespace();
  const scheme = value.slice(position, position + 5);
  if (scheme.toLowerCase() !== 'oauth') {
    throw new OAuthHeaderSyntaxError(
      'The Authorization header does not use the OAuth scheme; send `Authorization: OAuth …`.',
    );
  }
  position += 5;
  if (position < value.length && !WHITESPACE.test(value.charAt(position))) {
    throw headerSyntaxError('expected whitespace after "OAuth"', position);
  }

  const params = new Map<string, string>();
  for (;;) {
    // Empty list elements (`a="1", , b="2"`) are allowed by RFC 9110 §5.6.1.
    skipWhitespace();
    while (value.charAt(position) === ',') {
      position++;
      skipWhitespace();
    }
    if (position >= value.length) break;

    const nameStart = position;
    while (position < value.length && TOKEN_CHAR.test(value.charAt(position))) position++;
    if (position === nameStart) throw headerSyntaxError('expected a parameter name', position);
    const rawName = value.slice(nameStart, position);
    skipWhitespace();
    if (value.charAt(position) !== '=') {
      throw headerSyntaxError('expected "=" after a parameter name', position);
    }
    position++;
    skipWhitespace();
    if (value.charAt(position) !== '"') throw headerSyntaxError('expected a quoted value', position);
    position++;

    let rawValue = '';
    for (;;) {
      if (position >= value.length) throw headerSyntaxError('unterminated quoted value', position);
      const char = value.charAt(position);
      const code = char.charCodeAt(0);
      if (char === '"') break;
      if ((code < 0x20 && char !== '\t') || code === 0x7f) {
        throw headerSyntaxError('control character in a value', position);
      }
      // Values are percent-encoded ASCII (§3.6); raw non-ASCII would be read differently by each server.
      if (code > 0x7f) {
        throw headerSyntaxError('non-ASCII character in a value (percent-encode it)', position);
      }
      if (char === '\\') {
        // quoted-pair (RFC 9110 §5.6.4): the next character stands for itself.
        position++;
        if (position >= value.length) throw headerSyntaxError('unterminated quoted value', position);
      }
      rawValue += value.charAt(position);
      position++;
    }
    position++;

    const name = strictPercentDecode(rawName);
    if (name === undefined) throw headerSyntaxError('invalid percent-encoding in a name', nameStart);
    // realm is an RFC 2617 quoted-string, not a percent-encoded value.
    const decoded = name === 'realm' ? rawValue : strictPercentDecode(rawValue);
    if (decoded === undefined) throw headerSyntaxError('invalid percent-encoding in a value', nameStart);
    if (params.has(name)) throw headerSyntaxError('repeated parameter', nameStart);
    params.set(name, decoded);

    skipWhitespace();
    if (position < value.length && value.charAt(position) !== ',') {
      throw headerSyntaxError('expected "," between parameters', position);
    }
  }
  // fromEntries defines own properties, so a parameter named `__proto__` cannot touch the prototype.
  return Object.fromEntries(params);
}

/**
 * Builds an `Authorization` header value from protocol parameters (RFC 5849 §3.5.1): `realm` first as a
 * quoted string, then every other parameter percent-encoded, in the given order.
 *
 * @example
 * ```ts
 * buildAuthorizationHeader({ realm: 'Example', oauth_consumer_key: 'key', oauth_signature: 'a/b=' });
 * // 'OAuth realm="Example", oauth_consumer_key="key", oauth_signature="a%2Fb%3D"'
 * ```
 */
export function buildAuthorizationHeader(params: OAuthParameters): string {
  const parts: string[] = [];
  if (params.realm !== undefined) {
    parts.push(`realm="${params.realm.replace(/["\\]/g, '\\$&')}"`);
  }
  for (const [name, value] of Object.entries(params)) {
    if (name !== 'realm') parts.push(`${percentEncode(name)}="${percentEncode(value)}"`);
  }
  return parts.length === 0 ? 'OAuth' : `OAuth ${parts.join(', ')}`;
}
