/**
 * Type tests of the error codes, checked by `tsc -p tsconfig.json` (never run). Each `@ts-expect-error` line
 * must stay an error.
 */
import type { ProblemCode } from '@mtls-gateway/contract';
import type { ClientErrorCode, MtlsGatewayErrorCode } from './errors.js';
import { type ErrorHandlers, type ErrorOfCode, matchError } from './match-error.js';
import type { P12ErrorCode } from './p12/errors.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// Every problem code of the spec, and every client-side code, is an error code; any other string is accepted.
export type ProblemCodesAreErrorCodes = Expect<ProblemCode extends MtlsGatewayErrorCode ? true : false>;
export type ClientCodesAreErrorCodes = Expect<ClientErrorCode extends MtlsGatewayErrorCode ? true : false>;
export const newerGatewayCode: MtlsGatewayErrorCode = 'a_code_of_a_newer_gateway';

// The client-side codes are the SDK's own: none of them is sent by the gateway.
export type ClientCodesAreNotProblemCodes = Expect<Equal<Extract<ClientErrorCode, ProblemCode>, never>>;
// @ts-expect-error a client-side code is not a problem code
export const notSent: ProblemCode = 'connection_failed';

// Every p12 code a server sends is in the catalogue, and every p12 code of the catalogue is a P12ErrorCode.
export type SentP12CodesAreProblemCodes = Expect<
  Exclude<P12ErrorCode, 'p12_invalid_input'> extends ProblemCode ? true : false
>;
export type CatalogueP12CodesAreP12ErrorCodes = Expect<
  Extract<ProblemCode, `p12_${string}`> extends P12ErrorCode ? true : false
>;
// p12_invalid_input is client-side only (createP12's arguments): not a problem code.
export type InvalidInputIsClientSide = Expect<
  Equal<Extract<P12ErrorCode, ProblemCode>, Exclude<P12ErrorCode, 'p12_invalid_input'>>
>;
// @ts-expect-error p12_invalid_input is never sent by a server
export const neverSent: ProblemCode = 'p12_invalid_input';

// matchError: the handler object is checked for exhaustiveness over the codes.

const handleAll = {
  invalid_request: () => 1,
  certificate_not_found: () => 1,
  p12_wrong_password: () => 1,
  p12_corrupt: () => 1,
  p12_unsupported_format: () => 1,
  p12_too_costly: () => 1,
  p12_no_private_key: () => 1,
  p12_multiple_keys: () => 1,
  p12_no_certificate: () => 1,
  p12_key_mismatch: () => 1,
  p12_unsupported_key: () => 1,
  p12_expired: () => 1,
  p12_not_yet_valid: () => 1,
  unauthorized: () => 1,
  forbidden: () => 1,
  destination_blocked: () => 1,
  not_found: () => 1,
  route_not_found: () => 1,
  method_not_allowed: () => 1,
  request_timeout: () => 1,
  name_conflict: () => 1,
  mapping_conflict: () => 1,
  payload_too_large: () => 1,
  unsupported_media_type: () => 1,
  transport_failure: (error) => error.errorFromTransport?.length ?? 0,
  rate_limited: (error) => error.retryAfterSeconds ?? 0,
  headers_too_large: () => 1,
  internal_error: () => 1,
  bad_gateway: () => 1,
  unavailable: () => 1,
  unexpected_status: () => 1,
  invalid_response: () => 1,
  connection_failed: () => 1,
  timeout: () => 1,
  aborted: () => 1,
  invalid_argument: () => 1,
  discovery_failed: () => 1,
  hook_failed: () => 1,
  auth_misconfigured: () => 1,
  auth_request_unsignable: () => 1,
} satisfies ErrorHandlers<number>;

export function everyCodeHandled(error: unknown): number {
  return matchError(error, handleAll);
}

export function restGoesToTheDefault(error: unknown): string {
  return matchError(error, {
    not_found: (notFound) => notFound.code,
    destination_blocked: (blocked) => blocked.name,
    auth_misconfigured: (auth) => auth.code,
    _: () => 'other',
  });
}

export function aMissingCaseDoesNotCompile(error: unknown): number {
  const { unavailable: _unavailable, ...allButOne } = handleAll;
  // @ts-expect-error `unavailable` has no handler and there is no `_`
  return matchError(error, allButOne);
}

export function aMisspeltCodeDoesNotCompile(error: unknown): number {
  // @ts-expect-error `not_fuond` is not a code
  return matchError(error, { not_fuond: () => 1, _: () => 0 });
}

export function handlersGetTheClassOfTheirCode(error: unknown): void {
  matchError(error, {
    rate_limited: (limited) => limited.retryAfterSeconds,
    // @ts-expect-error a NotFoundError has no retryAfterSeconds
    not_found: (notFound) => notFound.retryAfterSeconds,
    // @ts-expect-error `_` gets any error, even one that is not the SDK's: narrow it first
    _: (other) => other.code,
  });
}

export function aMismatchedCodeDoesNotCompile(error: unknown): void {
  matchError(error, {
    // @ts-expect-error the handler of `timeout` is not a handler of `not_found`
    timeout: (timedOut: ErrorOfCode<'not_found'>) => timedOut,
    _: () => undefined,
  });
}
