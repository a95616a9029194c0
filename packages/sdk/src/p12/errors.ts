import type { ProblemCode } from '@mtls-gateway/contract';

/**
 * Stable codes of every PKCS#12 failure. Each code a server answers with is a `p12_*` problem code of the
 * spec's catalogue (the reference server sends them verbatim), so the type is taken from there: a p12 code
 * added to or removed from the spec changes it. `p12_invalid_input` is the one exception, on purpose: only
 * `createP12` raises it, on the client, for its own arguments, so it is never sent and not in the catalogue.
 *
 * @example
 * ```ts
 * const retryable: P12ErrorCode[] = ['p12_wrong_password'];
 * if (error instanceof P12Error && retryable.includes(error.code)) askForThePasswordAgain();
 * ```
 */
export type P12ErrorCode = Extract<ProblemCode, `p12_${string}`> | 'p12_invalid_input';

/**
 * Base class of every error thrown by the PKCS#12 tools. Catch this one to handle them all, then switch on
 * `code`. Messages never contain the password or any key material.
 *
 * @example
 * ```ts
 * try {
 *   parseP12(bytes, password);
 * } catch (error) {
 *   if (error instanceof P12Error) console.log(error.code, error.status, error.message);
 *   else throw error;
 * }
 * ```
 */
export abstract class P12Error extends Error {
  override readonly name: string = 'P12Error';
  /** Stable machine-readable code, e.g. `p12_wrong_password`. */
  abstract readonly code: P12ErrorCode;
  /** HTTP status a server answers with when an uploaded file fails this way (the client sent bad input). */
  readonly status: number = 400;

  /** JSON form without the stack or the cause (which may come from a lower layer). */
  toJSON(): { name: string; code: P12ErrorCode; status: number; message: string } {
    return { name: this.name, code: this.code, status: this.status, message: this.message };
  }
}

/**
 * The password does not open the file (its integrity check or decryption failed).
 *
 * @example
 * ```ts
 * expect(() => parseP12(bytes, 'not-the-password')).toThrow(P12WrongPasswordError);
 * ```
 */
export class P12WrongPasswordError extends P12Error {
  override readonly name = 'P12WrongPasswordError';
  readonly code = 'p12_wrong_password';
  constructor() {
    super(
      'The password does not open this PKCS#12 file (or the file was altered). ' +
        'Check the password used when the file was exported and try again.',
    );
  }
}

/**
 * The bytes are not a PKCS#12 file, or the file is truncated or damaged.
 *
 * @example
 * ```ts
 * expect(() => parseP12(new Uint8Array([1, 2, 3]), 'pw')).toThrow(P12CorruptError);
 * ```
 */
export class P12CorruptError extends P12Error {
  override readonly name = 'P12CorruptError';
  readonly code = 'p12_corrupt';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `This is not a readable PKCS#12 (.p12/.pfx) file: ${detail}. ` +
        'Upload the binary file itself (not a PEM or base64 text of it) and export it again if it was damaged.',
      options,
    );
  }
}

/**
 * The file is PKCS#12 but uses a feature or algorithm these tools do not implement
 * (public-key integrity mode, envelopedData, RC4, an unknown cipher or MAC).
 *
 * @example
 * ```ts
 * if (error instanceof P12UnsupportedFormatError) console.log('re-export with: openssl pkcs12 -export …');
 * ```
 */
export class P12UnsupportedFormatError extends P12Error {
  override readonly name = 'P12UnsupportedFormatError';
  readonly code = 'p12_unsupported_format';
  constructor(detail: string) {
    super(
      `This PKCS#12 file uses ${detail}, which is not supported. ` +
        'Export it again with AES-256 or 3DES encryption and a password MAC ' +
        '(for example `openssl pkcs12 -export -in cert.pem -inkey key.pem -out client.p12`).',
    );
  }
}

/**
 * Opening the file would take more work than a client identity needs, so it is refused before that work is
 * done: a key derivation asks for more iterations or a longer key than allowed, or the derivations of the
 * file add up to more than the per-file budget (see `ParseP12Options`). The reference server also answers
 * with this code when opening a file runs past its deadline.
 *
 * @example
 * ```ts
 * expect(() => parseP12(bytes, 'pw', { maxIterations: 1000 })).toThrow(P12TooCostlyError);
 * ```
 */
export class P12TooCostlyError extends P12Error {
  override readonly name = 'P12TooCostlyError';
  readonly code = 'p12_too_costly';
  constructor(detail: string) {
    super(
      `Opening this PKCS#12 file would take too much work: ${detail}. ` +
        'Export it again with the usual settings (for example `openssl pkcs12 -export -in cert.pem ' +
        '-inkey key.pem -out client.p12`, which uses 2,048 iterations).',
    );
  }
}

/**
 * The file holds no private key (for example it was exported with `-nokeys`).
 *
 * @example
 * ```ts
 * expect(() => parseP12(certificateOnlyBytes, 'pw')).toThrow(P12NoPrivateKeyError);
 * ```
 */
export class P12NoPrivateKeyError extends P12Error {
  override readonly name = 'P12NoPrivateKeyError';
  readonly code = 'p12_no_private_key';
  constructor() {
    super(
      'The PKCS#12 file holds no private key. Export it again including the private key of the client certificate.',
    );
  }
}

/**
 * The file holds more than one private key, so the client identity is ambiguous.
 *
 * @example
 * ```ts
 * expect(() => parseP12(twoKeysBytes, 'pw')).toThrow(P12MultipleKeysError);
 * ```
 */
export class P12MultipleKeysError extends P12Error {
  override readonly name = 'P12MultipleKeysError';
  readonly code = 'p12_multiple_keys';
  constructor(readonly keyCount: number) {
    super(
      `The PKCS#12 file holds ${keyCount} private keys; exactly one is expected. ` +
        'Export a file with a single client certificate and its key.',
    );
  }
}

/**
 * The file holds a private key but no certificate at all.
 *
 * @example
 * ```ts
 * expect(() => parseP12(keyOnlyBytes, 'pw')).toThrow(P12NoCertificateError);
 * ```
 */
export class P12NoCertificateError extends P12Error {
  override readonly name = 'P12NoCertificateError';
  readonly code = 'p12_no_certificate';
  constructor() {
    super(
      'The PKCS#12 file holds no certificate. Export it again including the client certificate of the private key.',
    );
  }
}

/**
 * No certificate in the file (or given to `createP12`) belongs to the private key.
 *
 * @example
 * ```ts
 * expect(() => parseP12(wrongCertificateBytes, 'pw')).toThrow(P12KeyMismatchError);
 * ```
 */
export class P12KeyMismatchError extends P12Error {
  override readonly name = 'P12KeyMismatchError';
  readonly code = 'p12_key_mismatch';
  constructor() {
    super(
      'The private key does not match any certificate in the PKCS#12 file. ' +
        'Export the client certificate together with its own private key.',
    );
  }
}

/**
 * The private key uses an algorithm these tools cannot check (only RSA, RSA-PSS, EC and Ed25519 are supported),
 * or an EC key lacks the public key needed to match it with its certificate.
 *
 * @example
 * ```ts
 * expect(() => parseP12(ed448Bytes, 'pw')).toThrow(P12UnsupportedKeyError);
 * ```
 */
export class P12UnsupportedKeyError extends P12Error {
  override readonly name = 'P12UnsupportedKeyError';
  readonly code = 'p12_unsupported_key';
  constructor(detail: string) {
    super(`${detail} Use an RSA, EC (with its public key) or Ed25519 client key.`);
  }
}

/**
 * The certificate's validity period has ended.
 *
 * @example
 * ```ts
 * if (certificateValidity(parsed) === 'expired') throw new P12ExpiredError(parsed.notAfter);
 * ```
 */
export class P12ExpiredError extends P12Error {
  override readonly name = 'P12ExpiredError';
  readonly code = 'p12_expired';
  constructor(readonly notAfter: Date) {
    super(`The certificate expired on ${notAfter.toISOString()}. Renew it and upload the new PKCS#12 file.`);
  }
}

/**
 * The certificate's validity period has not started yet.
 *
 * @example
 * ```ts
 * if (certificateValidity(parsed) === 'not_yet_valid') throw new P12NotYetValidError(parsed.notBefore);
 * ```
 */
export class P12NotYetValidError extends P12Error {
  override readonly name = 'P12NotYetValidError';
  readonly code = 'p12_not_yet_valid';
  constructor(readonly notBefore: Date) {
    super(
      `The certificate is not valid before ${notBefore.toISOString()}. ` +
        'Upload it once it is valid, or check the clock of the machine that issued it.',
    );
  }
}

/**
 * An argument of `createP12` is unusable (a PEM block is missing or malformed, or the key is encrypted).
 *
 * @example
 * ```ts
 * expect(() => createP12({ certificatePem: 'nope', privateKeyPem, password: 'pw' })).toThrow(P12InvalidInputError);
 * ```
 */
export class P12InvalidInputError extends P12Error {
  override readonly name = 'P12InvalidInputError';
  readonly code = 'p12_invalid_input';
  constructor(detail: string) {
    super(detail);
  }
}
