/**
 * `matchError`: handle the errors of a call by `code`, with a handler object the compiler checks for
 * exhaustiveness — every code has a handler, or `_` takes the rest.
 */
import type { ProblemCode } from '@mtls-gateway/contract';
import {
  type AuthConfigurationError,
  AuthError,
  type AuthErrorCode,
  type UnsignableRequestError,
} from './auth/errors.js';
import { type ClientErrorCode, type ERROR_CLASS_OF_PROBLEM_CODE, MtlsGatewayError } from './errors.js';

/**
 * The codes `matchError` tells apart: the spec's problem codes, the client's own, and the auth errors'.
 *
 * @example
 * ```ts
 * const code: MatchableErrorCode = 'auth_misconfigured';
 * ```
 */
export type MatchableErrorCode = ProblemCode | ClientErrorCode | AuthErrorCode;

/**
 * The error a handler of `code` receives: the catalogue's class for a problem code (`rate_limited` →
 * `RateLimitError`), the auth error class for an auth code, else an `MtlsGatewayError` with that code.
 *
 * @example
 * ```ts
 * const seconds = (error: ErrorOfCode<'rate_limited'>) => error.retryAfterSeconds;
 * ```
 */
export type ErrorOfCode<Code extends MatchableErrorCode> = Code extends ProblemCode
  ? InstanceType<(typeof ERROR_CLASS_OF_PROBLEM_CODE)[Code]> & { readonly code: Code }
  : Code extends AuthErrorCode
    ? Extract<AuthConfigurationError | UnsignableRequestError, { readonly code: Code }>
    : MtlsGatewayError & { readonly code: Code };

type CodeHandlers<Result> = { [Code in MatchableErrorCode]: (error: ErrorOfCode<Code>) => Result };

/**
 * The handlers of `matchError`: one per code, or some of them plus `_` for everything else (other codes,
 * codes of a newer gateway, errors that are not the SDK's). A missing code without `_`, or a misspelt code,
 * does not compile.
 *
 * @example
 * ```ts
 * const handlers: ErrorHandlers<string> = { not_found: () => 'missing', _: () => 'failed' };
 * ```
 */
export type ErrorHandlers<Result> =
  | CodeHandlers<Result>
  | (Partial<CodeHandlers<Result>> & { _: (error: unknown) => Result });

type AnyHandler = ((error: unknown) => unknown) | undefined;

/**
 * Calls the handler of the error's `code` (errors of the SDK: `MtlsGatewayError` and `AuthError`), else `_`,
 * and returns what it returns. Without `_`, an error no handler takes (a code of a newer gateway, or not an
 * error of the SDK) is thrown again. The handlers return one type (or name it: `matchError<A | B>(…)`).
 *
 * @example
 * ```ts
 * import { matchError } from '@mtls-gateway/sdk';
 *
 * const certificate = await client.certificates.get(id).catch((error: unknown) =>
 *   matchError(error, {
 *     not_found: () => undefined,
 *     rate_limited: (limited) => retryLater(limited.retryAfterSeconds),
 *     _: (other) => {
 *       throw other;
 *     },
 *   }),
 * );
 * ```
 */
export function matchError<Result>(error: unknown, handlers: ErrorHandlers<Result>): Result {
  const code = error instanceof MtlsGatewayError || error instanceof AuthError ? error.code : '_';
  const byName = handlers as unknown as Record<string, AnyHandler>;
  const handler = (Object.hasOwn(byName, code) ? byName[code] : undefined) ?? byName._;
  if (!handler) throw error;
  return handler(error) as Result;
}
