import type { Logger } from 'pino';
import { UnauthorizedError } from '../errors.js';
import type { Keyring } from '../secrets/master-key.js';
import type { Queryable } from '../storage/database.js';
import { API_TOKEN_PREFIX, ApiTokenStore } from './api-tokens.js';
import { OAuthCredentialStore } from './credentials.js';
import { JwtVerifier } from './jwt.js';
import { NonceStore } from './nonce-store.js';
import { OAuth1Verifier } from './oauth1-verifier.js';
import type { AuthSchemeKind, SecuredOperation, SecuritySchemes } from './operation-security.js';
import { authorizeOperation, type Principal } from './principal.js';

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  db: Queryable;
  /** The master keys sealing OAuth consumer secrets (a function, so a rotated keyring is picked up). */
  keyring: () => Keyring;
  /** The kind of each security scheme of the spec (`GatewaySpec` fits). */
  spec: SecuritySchemes;
  /** `MTLS_JWT_SECRET`. */
  jwtSecret?: string | undefined;
  /** `MTLS_JWKS_URL`. */
  jwksUrl?: string | undefined;
  /** `MTLS_JWT_ISSUER`: required `iss` of JWTs (mandatory with `jwtSecret` or `jwksUrl`). */
  jwtIssuer?: string | undefined;
  /** `MTLS_JWT_AUDIENCE`: required `aud` of JWTs (mandatory with `jwtSecret` or `jwksUrl`). */
  jwtAudience?: string | undefined;
  /** `MTLS_JWT_MAX_LIFETIME_SECONDS`: longest accepted `exp - iat` (default 3600). */
  jwtMaxLifetimeSeconds?: number | undefined;
  /** OAuth timestamp window in seconds (default 300). */
  timestampWindowSeconds?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  logger?: Logger | undefined;
}

/** A request as authentication sees it. */
export interface RequestToAuthenticate {
  method: string;
  /** Absolute URL as the client called it. */
  url: string;
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
  /** An `application/x-www-form-urlencoded` body, if any (OAuth signs its parameters). */
  formBody?: string | undefined;
  /**
   * The request has a form body that is not read yet: an OAuth request gets every check but the signature
   * and the nonce ({@link OAuth1Verifier.precheck}); authenticate again once the body is read.
   */
  formBodyPending?: boolean | undefined;
}

/**
 * Authenticates requests (OAuth 1.0a, Bearer JWT, static API tokens) and authorizes them against the
 * operation's security requirements in the spec. Also owns the credential and token stores the CLI manages.
 *
 * @example
 * ```ts
 * const auth = new Authenticator({ db, keyring: () => keyring, spec: GatewaySpec.load() });
 * const principal = await auth.authenticate(operation, { method, url, authorization });
 * auth.authorize(principal, operation, accountId);
 * ```
 */
export class Authenticator {
  readonly credentials: OAuthCredentialStore;
  readonly tokens: ApiTokenStore;
  readonly nonces: NonceStore;
  readonly oauth1: OAuth1Verifier;
  readonly jwt: JwtVerifier;
  readonly spec: SecuritySchemes;

  constructor(options: AuthenticatorOptions) {
    this.spec = options.spec;
    // The caches keep the real clock (1 s TTL): `now` may be a frozen test clock, which would keep entries forever.
    this.credentials = new OAuthCredentialStore(options.db, options.keyring);
    this.tokens = new ApiTokenStore(options.db);
    this.nonces = new NonceStore(options.db, {
      ...(options.now ? { now: options.now } : {}),
      onPurgeError: (error) => options.logger?.warn({ err: error }, 'Purging expired OAuth nonces failed'),
    });
    this.oauth1 = new OAuth1Verifier({
      credentials: this.credentials,
      nonces: this.nonces,
      ...(options.timestampWindowSeconds === undefined
        ? {}
        : { timestampWindowSeconds: options.timestampWindowSeconds }),
      ...(options.now ? { now: options.now } : {}),
    });
    this.jwt = new JwtVerifier({
      secret: options.jwtSecret,
      jwksUrl: options.jwksUrl,
      issuer: options.jwtIssuer,
      audience: options.jwtAudience,
      maxLifetimeSeconds: options.jwtMaxLifetimeSeconds,
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /** The scheme kinds an operation accepts (empty for a public operation). */
  acceptedSchemes(operation: SecuredOperation): Set<AuthSchemeKind> {
    const kinds = new Set<AuthSchemeKind>();
    for (const requirement of operation.security) {
      const names = Object.keys(requirement);
      const kind =
        names.length === 1 && names[0] !== undefined ? this.spec.schemeKinds.get(names[0]) : undefined;
      if (kind) kinds.add(kind);
    }
    return kinds;
  }

  /**
   * Establishes who sent the request, with a scheme the operation accepts.
   *
   * @throws {UnauthorizedError} missing, unsupported or invalid credentials.
   * @throws {InvalidRequestError} a malformed OAuth header.
   */
  async authenticate(operation: SecuredOperation, request: RequestToAuthenticate): Promise<Principal> {
    const accepted = this.acceptedSchemes(operation);
    const header = request.authorization?.trim();
    if (!header) {
      throw new UnauthorizedError(
        'Send an OAuth 1.0a signature or a Bearer token in the Authorization header.',
      );
    }
    const scheme = header.split(/[ \t]/, 1)[0]?.toLowerCase();
    if (scheme === 'oauth' && accepted.has('oauth1')) {
      if (request.formBodyPending) return this.oauth1.precheck(header);
      return this.oauth1.verify({
        method: request.method,
        url: request.url,
        authorization: header,
        formBody: request.formBody,
      });
    }
    if (scheme === 'bearer' && accepted.has('bearer')) {
      const token = header.slice(6).trim();
      if (!token) throw new UnauthorizedError('The Bearer token is empty.');
      if (token.startsWith(API_TOKEN_PREFIX)) {
        const found = await this.tokens.findActive(token);
        if (!found) {
          throw new UnauthorizedError(
            'The API token is unknown, revoked or expired. Create a new one with `mtls-gateway tokens create`.',
          );
        }
        return {
          scheme: 'bearer',
          credentialKind: 'api-token',
          subject: String(found.id),
          accounts: found.accounts,
          permissions: found.permissions,
        };
      }
      return this.jwt.verify(token);
    }
    throw new UnauthorizedError(
      `Unsupported Authorization scheme. ${operation.method} ${operation.path} accepts ${[...accepted]
        .map((kind) => (kind === 'oauth1' ? 'OAuth (1.0a signature)' : 'Bearer'))
        .join(' or ')}.`,
    );
  }

  /**
   * Checks the principal's permissions (from the operation's security requirement) and account scope.
   * @throws {ForbiddenError}
   */
  authorize(principal: Principal, operation: SecuredOperation, accountId: string | undefined): void {
    authorizeOperation(principal, operation, this.spec.schemeKinds, accountId);
  }
}
