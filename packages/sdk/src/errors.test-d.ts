/**
 * Type tests of the error codes, checked by `tsc -p tsconfig.json` (never run). Each `@ts-expect-error` line
 * must stay an error.
 */
import type { ProblemCode } from '@mtls-gateway/contract';
import type { ClientErrorCode, MtlsGatewayErrorCode } from './errors.js';
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
