import { isProblemCode, PROBLEM_CATALOGUE } from '@mtls-gateway/contract';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, ValidationError } from '../errors.js';
import {
  P12CorruptError,
  type P12Error,
  type P12ErrorCode,
  P12ExpiredError,
  P12InvalidInputError,
  P12KeyMismatchError,
  P12MultipleKeysError,
  P12NoCertificateError,
  P12NoPrivateKeyError,
  P12NotYetValidError,
  P12TooCostlyError,
  P12UnsupportedFormatError,
  P12UnsupportedKeyError,
  P12WrongPasswordError,
} from './errors.js';

/** One error of each code; the type makes it exhaustive (a new p12 code of the spec needs a class here). */
const ERROR_OF_CODE: { [Code in P12ErrorCode]: () => P12Error & { readonly code: Code } } = {
  p12_wrong_password: () => new P12WrongPasswordError(),
  p12_corrupt: () => new P12CorruptError('truncated'),
  p12_unsupported_format: () => new P12UnsupportedFormatError('RC4'),
  p12_too_costly: () => new P12TooCostlyError('too many iterations'),
  p12_no_private_key: () => new P12NoPrivateKeyError(),
  p12_multiple_keys: () => new P12MultipleKeysError(2),
  p12_no_certificate: () => new P12NoCertificateError(),
  p12_key_mismatch: () => new P12KeyMismatchError(),
  p12_unsupported_key: () => new P12UnsupportedKeyError('Ed448 keys are not supported.'),
  p12_expired: () => new P12ExpiredError(new Date(0)),
  p12_not_yet_valid: () => new P12NotYetValidError(new Date(0)),
  p12_invalid_input: () => new P12InvalidInputError('certificatePem holds no "CERTIFICATE" PEM block.'),
};

const SERVER_CODES = Object.keys(PROBLEM_CATALOGUE).filter((code) => code.startsWith('p12_'));

describe('P12ErrorCode and the problem catalogue', () => {
  it('has a class for every p12 code of the catalogue, and only p12_invalid_input besides', () => {
    expect(Object.keys(ERROR_OF_CODE).sort()).toEqual([...SERVER_CODES, 'p12_invalid_input'].sort());
  });

  it.each(SERVER_CODES)('%s: the error carries the code and the status of the catalogue', (code) => {
    const error = ERROR_OF_CODE[code as P12ErrorCode]();
    expect(error.code).toBe(code);
    expect(isProblemCode(error.code)).toBe(true);
    expect(error.status).toBe(PROBLEM_CATALOGUE[code as keyof typeof PROBLEM_CATALOGUE].status);
    expect(error.toJSON()).toEqual({ name: error.name, code, status: error.status, message: error.message });
    // What the gateway answers with this code is a ValidationError on the client.
    expect(errorFromResponse(error.status, new Headers(), { ...error.toJSON(), title: 'x' })).toBeInstanceOf(
      ValidationError,
    );
  });

  it('keeps p12_invalid_input client-side: createP12 raises it, no server sends it', () => {
    expect(ERROR_OF_CODE.p12_invalid_input().code).toBe('p12_invalid_input');
    expect(isProblemCode('p12_invalid_input')).toBe(false);
  });
});
