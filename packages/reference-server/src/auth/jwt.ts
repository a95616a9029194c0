import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { UnauthorizedError } from '../errors.js';
import { ALL_ACCOUNTS, type Principal } from './principal.js';

/** Asymmetric algorithms accepted with a JWKS (never `none`, never HS* with a public key). */
export const JWKS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Options of {@link JwtVerifier}. */
export interface JwtVerifierOptions {
  /** HS256 secret (`MTLS_JWT_SECRET`). */
  secret?: string | undefined;
  /** JWKS location (`MTLS_JWKS_URL`): an `https:`/`http:` URL, or a `file:` URL/path of a JWKS JSON file. */
  jwksUrl?: string | undefined;
  /** Required `iss` claim (`MTLS_JWT_ISSUER`); mandatory when a secret or a JWKS is set. */
  issuer?: string | undefined;
  /** Required `aud` claim (`MTLS_JWT_AUDIENCE`): one of the token's audiences; mandatory with a secret or JWKS. */
  audience?: string | undefined;
  /**
   * Longest accepted lifetime `exp - iat` in seconds (`MTLS_JWT_MAX_LIFETIME_SECONDS`). Default 3600. A token
   * without `iat`, living longer, or issued in the future (beyond the clock tolerance) is refused.
   */
  maxLifetimeSeconds?: number | undefined;
  /** Accepted clock difference for `exp`/`nbf`/`iat`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Current time in milliseconds (tests). */
  now?: () => number;
}

function parseScope(payload: JWTPayload): { accounts: string[]; permissions: string[] } | undefined {
  const accountsClaim = payload.accounts;
  const permissionsClaim = payload.permissions;
  const accounts =
    accountsClaim === ALL_ACCOUNTS
      ? [ALL_ACCOUNTS]
      : Array.isArray(accountsClaim) && accountsClaim.every((item) => typeof item === 'string')
        ? (accountsClaim as string[])
        : undefined;
  const permissions =
    Array.isArray(permissionsClaim) && permissionsClaim.every((item) => typeof item === 'string')
      ? (permissionsClaim as string[])
      : undefined;
  return accounts && permissions ? { accounts, permissions } : undefined;
}

/** Default of {@link JwtVerifierOptions.maxLifetimeSeconds} (`MTLS_JWT_MAX_LIFETIME_SECONDS`). */
export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 3600;

/**
 * Verifies Bearer JWTs: HS256 with a shared secret, or an asymmetric signature against a JWKS (remote URL,
 * cached by jose, or a local `file:`). `exp` and `iat` are required, `iss` and `aud` must be the configured
 * issuer and audience, and `exp - iat` may not exceed the maximum lifetime (a stolen token stays usable only
 * that long); the claims `accounts` (array of account ids, or `*`) and `permissions` (array) give the scope.
 *
 * @throws {TypeError} from the constructor when a secret or JWKS is given without `issuer` and `audience`.
 * @example
 * ```ts
 * const jwt = new JwtVerifier({
 *   secret: process.env.MTLS_JWT_SECRET,
 *   issuer: 'https://idp.example.com/',
 *   audience: 'mtls-gateway',
 * });
 * const principal = await jwt.verify(token);
 * ```
 */
export class JwtVerifier {
  readonly #secret: Uint8Array | undefined;
  readonly #jwksUrl: string | undefined;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #maxLifetime: number;
  readonly #clockTolerance: number;
  readonly #now: (() => number) | undefined;
  #jwks: Promise<JWTVerifyGetKey> | undefined;

  constructor(options: JwtVerifierOptions) {
    this.#secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
    this.#jwksUrl = options.jwksUrl;
    // Without them, a token issued by the same IdP for another application would be accepted here.
    if (this.configured && (!options.issuer || !options.audience)) {
      throw new TypeError(
        'JWT verification needs an issuer and an audience (MTLS_JWT_ISSUER, MTLS_JWT_AUDIENCE).',
      );
    }
    this.#issuer = options.issuer ?? '';
    this.#audience = options.audience ?? '';
    this.#maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_JWT_MAX_LIFETIME_SECONDS;
    this.#clockTolerance = options.clockToleranceSeconds ?? 30;
    this.#now = options.now;
  }

  /** True when a secret or a JWKS is configured. */
  get configured(): boolean {
    return this.#secret !== undefined || this.#jwksUrl !== undefined;
  }

  /**
   * @throws {UnauthorizedError} when the token is malformed, badly signed, expired, lacks `exp`/`iat` or its
   *   scope claims, names another issuer or audience, lives longer than the maximum lifetime, or no
   *   verification key is configured.
   */
  async verify(token: string): Promise<Principal> {
    if (!this.configured) {
      throw new UnauthorizedError(
        'This gateway verifies no JWTs (neither MTLS_JWT_SECRET nor MTLS_JWKS_URL is set). Use an API token ' +
          'from `mtls-gateway tokens create` or OAuth 1.0a.',
      );
    }
    let algorithm: string | undefined;
    try {
      algorithm = decodeProtectedHeader(token).alg;
    } catch {
      throw new UnauthorizedError('The Bearer token is neither a JWT nor an API token of this gateway.');
    }
    const useSecret = algorithm === 'HS256' && this.#secret !== undefined;
    if (!useSecret && this.#jwksUrl === undefined) {
      throw new UnauthorizedError(
        'The Bearer JWT must be signed with HS256 and the gateway’s shared secret.',
      );
    }
    let payload: JWTPayload;
    try {
      const options = {
        requiredClaims: ['exp', 'iat'],
        issuer: this.#issuer,
        audience: this.#audience,
        clockTolerance: this.#clockTolerance,
        ...(this.#now ? { currentDate: new Date(this.#now()) } : {}),
      };
      payload = useSecret
        ? (await jwtVerify(token, this.#secret as Uint8Array, { ...options, algorithms: ['HS256'] })).payload
        : (await jwtVerify(token, await this.#keySet(), { ...options, algorithms: JWKS_ALGORITHMS })).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new UnauthorizedError('The Bearer JWT has expired. Get a new one.');
      }
      if (
        error instanceof joseErrors.JWTClaimValidationFailed &&
        (error.claim === 'iss' || error.claim === 'aud')
      ) {
        throw new UnauthorizedError(
          'The Bearer JWT was not issued for this gateway: its `iss` or `aud` claim is not the one it accepts.',
        );
      }
      if (error instanceof UnauthorizedError) throw error;
      throw new UnauthorizedError(
        'The Bearer JWT does not verify (signature, algorithm, `exp`, `iat` or `nbf`). Check how it was issued.',
      );
    }
    this.#assertLifetime(payload);
    const scope = parseScope(payload);
    if (!scope) {
      throw new UnauthorizedError(
        'The Bearer JWT lacks its scope: claims `accounts` (account ids, or "*") and `permissions` (an array).',
      );
    }
    return {
      scheme: 'bearer',
      credentialKind: 'jwt',
      subject: typeof payload.sub === 'string' ? payload.sub.slice(0, 256) : 'jwt',
      accounts: scope.accounts,
      permissions: scope.permissions,
    };
  }

  /** `exp - iat` within the maximum lifetime, and `iat` not in the future (else `exp` could be anything). */
  #assertLifetime(payload: JWTPayload): void {
    const { exp, iat } = payload;
    // jose checked both are numbers (required claims).
    const nowSeconds = (this.#now?.() ?? Date.now()) / 1000;
    if (typeof exp !== 'number' || typeof iat !== 'number' || iat > nowSeconds + this.#clockTolerance) {
      throw new UnauthorizedError('The Bearer JWT has an `iat` in the future. Check how it was issued.');
    }
    if (exp - iat > this.#maxLifetime) {
      throw new UnauthorizedError(
        `The Bearer JWT lives longer than this gateway accepts (exp - iat at most ${this.#maxLifetime} ` +
          'seconds). Get a shorter-lived token.',
      );
    }
  }

  #keySet(): Promise<JWTVerifyGetKey> {
    this.#jwks ??= this.#loadKeySet().catch((error: unknown) => {
      // Retry on the next request rather than caching a failure forever.
      this.#jwks = undefined;
      throw error;
    });
    return this.#jwks;
  }

  async #loadKeySet(): Promise<JWTVerifyGetKey> {
    const location = this.#jwksUrl as string;
    if (location.startsWith('file:')) {
      const path = location.startsWith('file://') ? fileURLToPath(location) : location.slice('file:'.length);
      let keys: JSONWebKeySet;
      try {
        keys = JSON.parse(await readFile(path, 'utf8')) as JSONWebKeySet;
      } catch {
        throw new UnauthorizedError(
          'The JWKS file of MTLS_JWKS_URL cannot be read; the operator must fix it.',
        );
      }
      return createLocalJWKSet(keys);
    }
    return createRemoteJWKSet(new URL(location), { timeoutDuration: 5000 });
  }
}
