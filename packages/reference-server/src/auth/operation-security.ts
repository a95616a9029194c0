/**
 * What authentication and authorization read of an operation: its security requirements. The spec index
 * (`http/openapi.ts`) describes operations with these types; auth needs nothing else from it.
 */

/**
 * The auth scheme kinds the gateway verifies.
 *
 * @example
 * ```ts
 * const kind: AuthSchemeKind = 'oauth1';
 * ```
 */
export type AuthSchemeKind = 'oauth1' | 'bearer';

/**
 * One alternative of an operation's `security`: scheme name → required scopes (permissions).
 *
 * @example
 * ```ts
 * const requirement: SecurityRequirement = { OAuth1: ['MTLS_READ_INTERNAL'] };
 * ```
 */
export type SecurityRequirement = Record<string, string[]>;

/**
 * An operation as authentication sees it (a `SpecOperation` of the spec index fits).
 *
 * @example
 * ```ts
 * const operation: SecuredOperation = { method: 'GET', path: '/mtls/account/{accountId}/certificates', security: [{ OAuth1: ['MTLS_READ_INTERNAL'] }] };
 * ```
 */
export interface SecuredOperation {
  /** Upper-case HTTP method (for messages). */
  method: string;
  /** OpenAPI path template (for messages). */
  path: string;
  /** The effective security alternatives. `[]` = public. */
  security: readonly SecurityRequirement[];
}

/**
 * How the security schemes of the document are verified: scheme name → kind.
 *
 * @example
 * ```ts
 * const schemes: SecuritySchemes = { schemeKinds: new Map([['OAuth1', 'oauth1'], ['BearerAuth', 'bearer']]) };
 * ```
 */
export interface SecuritySchemes {
  readonly schemeKinds: ReadonlyMap<string, AuthSchemeKind>;
}
