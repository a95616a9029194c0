/**
 * PKCS#12 (.p12/.pfx) tools of the mTLS Gateway SDK: open a client-certificate file and check it the way the
 * gateway does, or build one. Pure JavaScript on node-forge: works in Node.js, browsers and edge runtimes;
 * bytes in and out are `Uint8Array`.
 *
 * @example
 * ```ts
 * import { assertCertificateCurrent, parseP12, P12Error } from '@mtls-gateway/sdk/p12';
 *
 * try {
 *   const identity = parseP12(bytes, password);
 *   assertCertificateCurrent(identity);
 *   console.log(`${identity.subject} valid until ${identity.notAfter.toISOString()}`);
 * } catch (error) {
 *   if (error instanceof P12Error) console.error(error.code, error.message);
 *   else throw error;
 * }
 * ```
 *
 * @module
 */

export type { CreateP12Options } from './create-p12.js';
export { createP12 } from './create-p12.js';
export type { P12ErrorCode } from './errors.js';
export {
  P12CorruptError,
  P12Error,
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
export type { CertificateValidity, ParsedP12, ParseP12Options } from './parse-p12.js';
export { assertCertificateCurrent, certificateValidity, parseP12 } from './parse-p12.js';
export type { KeyAlgorithm } from './private-key.js';
