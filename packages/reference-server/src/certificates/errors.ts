import type { P12ErrorCode } from '@mtls-gateway/sdk/p12';
import { GatewayError, type GatewayErrorOptions, type InputError } from '../http/errors.js';

const titles: Record<P12ErrorCode, string> = {
  p12_wrong_password: 'Wrong PKCS#12 password',
  p12_corrupt: 'Corrupt PKCS#12 file',
  p12_unsupported_format: 'Unsupported PKCS#12 format',
  p12_too_costly: 'PKCS#12 file too costly to open',
  p12_no_private_key: 'No private key in the PKCS#12 file',
  p12_multiple_keys: 'Several private keys in the PKCS#12 file',
  p12_no_certificate: 'No certificate for the key in the PKCS#12 file',
  p12_key_mismatch: 'Certificate and key do not match',
  p12_unsupported_key: 'Unsupported key type',
  p12_expired: 'Certificate expired',
  p12_not_yet_valid: 'Certificate not yet valid',
  p12_invalid_input: 'Unusable PKCS#12 input',
};

/**
 * An uploaded PKCS#12 file is unusable (400 with its `p12_*` code; the files after it are not opened).
 * `errors` names the refused item: `/<index>/p12` for JSON arrays, `/p12` for a single JSON body, `file` for a
 * multipart upload. Nothing was stored.
 *
 * @example
 * ```ts
 * throw new CertificateFileRejectedError('p12_wrong_password', 'Item 0 ("Cert1"): the password does not open the file.', [
 *   { location: 'body', name: '/0/p12', message: 'p12_wrong_password: the password does not open the file' },
 * ]);
 * ```
 */
export class CertificateFileRejectedError extends GatewayError {
  readonly status = 400;
  readonly title: string;

  constructor(
    readonly code: P12ErrorCode,
    detail: string,
    /** Each refused item. */
    errors: InputError[] = [],
    options?: GatewayErrorOptions,
  ) {
    super(detail, { ...options, errors });
    this.title = titles[code];
  }
}
