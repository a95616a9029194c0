import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { AuthSchemeKind, SecuredOperation } from './operation-security.js';

/** Grants every account (the LPA role) when found in a credential's accounts. */
export const ALL_ACCOUNTS = '*';

/** Account ids a credential may be scoped to: the spec's `AccountId` pattern, or `*`. */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Who made a request, as established by authentication.
 *
 * @example
 * ```ts
 * const principal: Principal = {
 *   scheme: 'oauth1', credentialKind: 'oauth1', subject: 'ck_123',
 *   accounts: ['le1606809'], permissions: ['MTLS_READ_INTERNAL'],
 * };
 * ```
 */
export interface Principal {
  /** The security scheme kind that authenticated the request. */
  scheme: AuthSchemeKind;
  /** The credential type: an OAuth consumer, a JWT, or a static API token. */
  credentialKind: 'oauth1' | 'jwt' | 'api-token';
  /** Consumer key, JWT `sub`, or API token id — never a secret. */
  subject: string;
  /** Accounts the credential is scoped to; `*` means every account. */
  accounts: readonly string[];
  /** Permissions held, e.g. `MTLS_READ_INTERNAL`. */
  permissions: readonly string[];
}

/** True when the principal may act on `accountId`. */
export function coversAccount(principal: Principal, accountId: string): boolean {
  return principal.accounts.includes(ALL_ACCOUNTS) || principal.accounts.includes(accountId);
}

/**
 * Checks that `principal` may call `operation` on `accountId`: one of the operation's security alternatives
 * names the principal's scheme alone and all of that alternative's scopes are held (the permissions come
 * from the spec, not from a table here), and the credential is scoped to the account.
 *
 * @throws {UnauthorizedError} when the operation does not accept the principal's scheme at all.
 * @throws {ForbiddenError} when a permission is missing or the account is another one.
 * @example
 * ```ts
 * authorizeOperation(principal, spec.operation('createCertificates'), schemeKinds, 'le1606809');
 * ```
 */
export function authorizeOperation(
  principal: Principal,
  operation: SecuredOperation,
  schemeKinds: ReadonlyMap<string, AuthSchemeKind>,
  accountId: string | undefined,
): void {
  if (operation.security.length === 0) return;
  const alternatives = operation.security.filter((requirement) => {
    const schemes = Object.keys(requirement);
    return (
      schemes.length === 1 && schemes[0] !== undefined && schemeKinds.get(schemes[0]) === principal.scheme
    );
  });
  if (alternatives.length === 0) {
    throw new UnauthorizedError(
      `${operation.method} ${operation.path} does not accept ${principal.scheme === 'oauth1' ? 'OAuth 1.0a' : 'Bearer'} credentials.`,
    );
  }
  const satisfied = alternatives.some((requirement) =>
    Object.values(requirement).every((scopes) =>
      scopes.every((scope) => principal.permissions.includes(scope)),
    ),
  );
  if (!satisfied) {
    const needed = [...new Set(Object.values(alternatives[0] ?? {}).flat())];
    throw new ForbiddenError(
      `This operation needs the permission ${needed.join(' and ')}${accountId ? ` on account ${accountId}` : ''}. ` +
        'Use a credential that holds it.',
    );
  }
  if (accountId !== undefined && !coversAccount(principal, accountId)) {
    throw new ForbiddenError(
      `This credential is not scoped to account ${accountId}. Use a credential issued for that account.`,
    );
  }
}
