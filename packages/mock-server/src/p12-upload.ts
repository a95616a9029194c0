/**
 * Reads uploaded PKCS#12 files with the SDK's own PKCS#12 tools, so a wrong password, a file without a key or
 * an expired certificate is refused with the same `p12_*` code, detail and `errors` as the reference server.
 */
import { assertCertificateCurrent, P12CorruptError, P12Error, parseP12 } from '@mtls-gateway/sdk/p12';
import { type InputError, MockProblem } from './problems.js';

/**
 * What the mock keeps of an uploaded certificate. The private key is never kept: the mock never makes a TLS
 * connection, it only tells its `upstream` which certificate would have been presented.
 *
 * @example
 * ```ts
 * const [details]: CertificateDetails[] = openUploadedFiles([{ p12: bytes, password: 'changeit' }], options);
 * details?.subject; // 'CN=tenant-42'
 * ```
 */
export interface CertificateDetails {
  subject: string;
  issuer: string;
  /** Uppercase hex. */
  serialNumber: string;
  /** Colon-separated uppercase hex of the DER's SHA-256. */
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
  /** The client certificate, PEM (public). */
  certificatePem: string;
}

/**
 * A PKCS#12 file as bytes, as the documented array of byte values, or as base64 text.
 *
 * @example
 * ```ts
 * const input: P12Input = [48, 130, 9, 169];
 * ```
 */
export type P12Input = Uint8Array | readonly number[] | string;

/**
 * Turns a `p12` (bytes, byte values or base64) into bytes.
 *
 * @throws {P12CorruptError} when a string is not base64.
 * @example
 * ```ts
 * p12BytesOf([48, 130]); // Uint8Array [48, 130]
 * p12BytesOf('MII='); // Uint8Array [48, 130]
 * ```
 */
export function p12BytesOf(p12: P12Input): Uint8Array {
  if (p12 instanceof Uint8Array) return p12;
  if (typeof p12 !== 'string') return Uint8Array.from(p12);
  const compact = p12.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
    throw new P12CorruptError('the p12 string is not standard base64');
  try {
    return Uint8Array.from(atob(compact), (char) => char.charCodeAt(0));
  } catch (error) {
    throw new P12CorruptError('the p12 string is not standard base64', { cause: error });
  }
}

/**
 * How {@link openUploadedFiles} checks and names the files of one request.
 *
 * @example
 * ```ts
 * const options: OpenFilesOptions = { allowExpired: false, now: new Date(), pointer: () => 'file', describeItem: () => 'The file of "Cert1"' };
 * ```
 */
export interface OpenFilesOptions {
  /** Accept certificates outside their validity period (`allowExpired=true`). */
  allowExpired: boolean;
  now: Date;
  /** Where item `index` sits in the request (`errors[].name`): `/0/p12`, `/p12` or `file`. */
  pointer: (index: number) => string;
  /** How item `index` is named in the detail: `Item 0`, `The file of certificate 42`, … */
  describeItem: (index: number) => string;
}

/**
 * Opens every file of a request before anything is stored, as the gateway does: the password opens it, it
 * holds exactly one private key and the certificate of that key, and (unless `allowExpired`) the certificate
 * is valid now. One unusable file refuses the whole request.
 *
 * @throws {MockProblem} 400 with the `p12_*` code of the first refused item, one `errors` entry per refused item.
 * @example
 * ```ts
 * const [details] = openUploadedFiles([{ p12: bytes, password }], { allowExpired: false, now: new Date(), pointer: (i) => `/${i}/p12`, describeItem: (i) => `Item ${i}` });
 * ```
 */
export function openUploadedFiles(
  files: ReadonlyArray<{ p12: P12Input; password: string }>,
  options: OpenFilesOptions,
): CertificateDetails[] {
  const opened: CertificateDetails[] = [];
  const refused: Array<{ index: number; error: P12Error }> = [];
  files.forEach((file, index) => {
    try {
      const parsed = parseP12(p12BytesOf(file.p12), file.password, { now: options.now });
      if (!options.allowExpired) assertCertificateCurrent(parsed, options.now);
      opened.push({
        subject: parsed.subject,
        issuer: parsed.issuer,
        serialNumber: parsed.serialNumber,
        fingerprintSha256: parsed.fingerprintSha256,
        notBefore: parsed.notBefore,
        notAfter: parsed.notAfter,
        certificatePem: parsed.certificatePem,
      });
    } catch (error) {
      if (!(error instanceof P12Error)) throw error;
      refused.push({ index, error });
    }
  });
  const [first] = refused;
  if (first) {
    const errors: InputError[] = refused.map(({ index, error }) => ({
      location: 'body',
      name: options.pointer(index),
      message: `${error.code}: ${error.message}`,
    }));
    const more = refused.length > 1 ? ` (${refused.length - 1} more refused in errors)` : '';
    throw new MockProblem(
      first.error.code,
      `${options.describeItem(first.index)}: ${first.error.message}${more} Nothing was stored.`,
      { errors },
    );
  }
  return opened;
}
