import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  OAuthHeaderSyntaxError,
  type OAuthSignatureMethod,
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
} from '@mtls-gateway/contract/oauth1';
import { InvalidRequestError, UnauthorizedError } from '../errors.js';
import type { OAuthCredentialStore } from './credentials.js';
import type { NonceStore } from './nonce-store.js';
import type { Principal } from './principal.js';

/** Signature methods the gateway verifies. */
export const SUPPORTED_SIGNATURE_METHODS: readonly OAuthSignatureMethod[] = ['HMAC-SHA1', 'HMAC-SHA256'];

/** Accepted distance between `oauth_timestamp` and the server clock, in seconds (±5 minutes). */
export const DEFAULT_TIMESTAMP_WINDOW_SECONDS = 300;

const REQUIRED_PARAMETERS = [
  'oauth_consumer_key',
  'oauth_signature_method',
  'oauth_signature',
  'oauth_timestamp',
  'oauth_nonce',
] as const;

const NONCE_PATTERN = /^[\x21-\x7E]{1,128}$/;
const CONSUMER_KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;

/** A request to verify, as the client signed it. */
export interface OAuth1RequestToVerify {
  method: string;
  /** The absolute URL the client called (scheme and host from `Host`, or trusted `X-Forwarded-*`). */
  url: string;
  /** The `Authorization: OAuth …` header value. */
  authorization: string;
  /** The body, when it is `application/x-www-form-urlencoded` (its parameters are signed). */
  formBody?: string | undefined;
}

/** Options of {@link OAuth1Verifier}. */
export interface OAuth1VerifierOptions {
  credentials: OAuthCredentialStore;
  nonces: NonceStore;
  /** Default ±300 s. */
  timestampWindowSeconds?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

function headerError(message: string): InvalidRequestError {
  return new InvalidRequestError(`The OAuth Authorization header is invalid: ${message}`, [
    { location: 'header', name: 'Authorization', message },
  ]);
}

const HMAC_HASH: Record<OAuthSignatureMethod, 'sha1' | 'sha256'> = {
  'HMAC-SHA1': 'sha1',
  'HMAC-SHA256': 'sha256',
};

/**
 * The two-legged HMAC signature (RFC 5849 §3.4.2, empty token secret) of a base string, base64 — what the
 * contract's `signHmac` computes, but with synchronous `node:crypto` instead of a WebCrypto key import and sign
 * per request.
 *
 * @example
 * ```ts
 * twoLeggedHmac(baseString, consumerSecret, 'HMAC-SHA256'); // equals await signHmac(baseString, consumerSecret, undefined, 'HMAC-SHA256')
 * ```
 */
export function twoLeggedHmac(
  baseString: string,
  consumerSecret: string,
  method: OAuthSignatureMethod,
): string {
  return createHmac(HMAC_HASH[method], `${percentEncode(consumerSecret)}&`)
    .update(baseString, 'utf8')
    .digest('base64');
}

/** Compares two signatures in constant time (hashing first, so unequal lengths leak nothing either). */
function signaturesMatch(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * Verifies OAuth 1.0a (RFC 5849) signed requests: the base string is rebuilt with the functions the SDK signs with
 * (method, URL, query, protocol and form parameters), signed with the consumer secret (HMAC-SHA1 or
 * HMAC-SHA256) and compared in constant time; the timestamp must be within the window and the nonce new — the
 * nonce is recorded in the database, so a replay is refused on every replica.
 *
 * Malformed headers (RFC 5849 §3.2: missing or duplicated parameter, unsupported method) are 400; bad
 * credentials, signatures, timestamps and replays are 401.
 *
 * @example
 * ```ts
 * const verifier = new OAuth1Verifier({ credentials, nonces });
 * const principal = await verifier.verify({ method: 'GET', url: 'http://127.0.0.1:8080/healthz', authorization });
 * ```
 */
export class OAuth1Verifier {
  readonly #credentials: OAuthCredentialStore;
  readonly #nonces: NonceStore;
  readonly #windowSeconds: number;
  readonly #now: () => number;

  constructor(options: OAuth1VerifierOptions) {
    this.#credentials = options.credentials;
    this.#nonces = options.nonces;
    this.#windowSeconds = options.timestampWindowSeconds ?? DEFAULT_TIMESTAMP_WINDOW_SECONDS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The checks that need no body: header syntax, timestamp window and an active consumer key; resolves with
   * the consumer's principal. The gateway runs it before reading a form body whose parameters are signed, so
   * an unknown caller cannot make it read one; {@link verify} then checks the signature and the nonce.
   *
   * @throws the same errors as {@link verify}, but never for the signature or the nonce.
   * @example
   * ```ts
   * const principal = await verifier.precheck(request.headers.authorization ?? '');
   * ```
   */
  async precheck(authorization: string): Promise<Principal> {
    const { consumerKey, credential } = await this.#precheck(authorization);
    return principalOf(consumerKey, credential);
  }

  async #precheck(authorization: string) {
    let params: Record<string, string>;
    try {
      params = parseAuthorizationHeader(authorization);
    } catch (error) {
      if (error instanceof OAuthHeaderSyntaxError) throw headerError(error.message);
      throw error;
    }
    const missing = REQUIRED_PARAMETERS.filter((name) => !params[name]);
    if (missing.length > 0) throw headerError(`missing ${missing.join(', ')}.`);
    const consumerKey = params.oauth_consumer_key as string;
    const nonce = params.oauth_nonce as string;
    const signature = params.oauth_signature as string;
    const method = params.oauth_signature_method as OAuthSignatureMethod;

    if (params.oauth_version !== undefined && params.oauth_version !== '1.0') {
      throw headerError('oauth_version must be "1.0".');
    }
    if (!SUPPORTED_SIGNATURE_METHODS.includes(method)) {
      throw headerError(`oauth_signature_method must be ${SUPPORTED_SIGNATURE_METHODS.join(' or ')}.`);
    }
    if (!NONCE_PATTERN.test(nonce))
      throw headerError('oauth_nonce must be 1 to 128 printable ASCII characters.');
    if (!CONSUMER_KEY_PATTERN.test(consumerKey)) throw headerError('oauth_consumer_key is malformed.');
    const timestampText = params.oauth_timestamp as string;
    if (!/^[0-9]{1,12}$/.test(timestampText))
      throw headerError('oauth_timestamp must be a number of seconds.');
    if (params.oauth_token) {
      throw new UnauthorizedError(
        'This gateway issues consumer keys without tokens: sign without oauth_token (two-legged OAuth 1.0a).',
      );
    }

    const timestamp = Number(timestampText);
    const nowSeconds = Math.floor(this.#now() / 1000);
    if (Math.abs(nowSeconds - timestamp) > this.#windowSeconds) {
      throw new UnauthorizedError(
        `oauth_timestamp is more than ${this.#windowSeconds} seconds away from the gateway's clock. ` +
          'Check the clock of the calling machine and sign the request again.',
      );
    }

    const credential = await this.#credentials.findActive(consumerKey);
    // Unknown, revoked and forged look the same to the caller: no hint about which consumer keys exist.
    const rejected = () =>
      new UnauthorizedError(
        'The OAuth signature does not verify, or the consumer key is unknown or revoked. Sign the exact URL ' +
          'you call (scheme, host, port, path and query) with your consumer key and secret.',
      );
    if (!credential) throw rejected();
    return { params, consumerKey, nonce, signature, method, timestamp, credential, rejected };
  }

  /**
   * @throws {InvalidRequestError} for a malformed header.
   * @throws {UnauthorizedError} for an unknown or revoked consumer, a wrong signature, a stale timestamp or a
   *   replayed nonce.
   */
  async verify(request: OAuth1RequestToVerify): Promise<Principal> {
    const { params, consumerKey, nonce, signature, method, timestamp, credential, rejected } =
      await this.#precheck(request.authorization);
    let baseString: string;
    try {
      baseString = signatureBaseString({
        method: request.method,
        url: request.url,
        oauthParams: params,
        ...(request.formBody === undefined ? {} : { formBody: request.formBody }),
      });
    } catch {
      throw rejected();
    }
    const expected = twoLeggedHmac(baseString, credential.consumerSecret, method);
    if (!signaturesMatch(expected, signature)) throw rejected();

    // Recorded only once the signature verifies: forged requests cannot fill the table or burn real nonces.
    // Kept a minute beyond the window so replicas with slightly different clocks still see it.
    const expiresAt = new Date((timestamp + this.#windowSeconds + 60) * 1000);
    if (!(await this.#nonces.remember(consumerKey, nonce, timestamp, expiresAt))) {
      throw new UnauthorizedError(
        'This oauth_nonce was already used with this timestamp (a replayed request). Sign every request anew.',
      );
    }
    return principalOf(consumerKey, credential);
  }
}

function principalOf(
  consumerKey: string,
  credential: { accounts: string[]; permissions: string[] },
): Principal {
  return {
    scheme: 'oauth1',
    credentialKind: 'oauth1',
    subject: consumerKey,
    accounts: credential.accounts,
    permissions: credential.permissions,
  };
}
