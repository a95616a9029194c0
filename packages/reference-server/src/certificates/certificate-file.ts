import {
  assertCertificateCurrent,
  P12CorruptError,
  P12Error,
  type ParsedP12,
  parseP12,
} from '@mtls-gateway/sdk/p12';
import type { InputError } from '../http/errors.js';
import type { SecretMaterial } from '../secrets/secret-store.js';
import { CertificateFileRejectedError } from './errors.js';

/**
 * Turns the `p12` of a JSON body into bytes: an array of byte values (as documented) or a base64 string
 * (DESIGN §2). The spec's schema has already checked the shape; this re-checks so the function is safe alone.
 *
 * @throws {P12CorruptError} when the value is neither.
 * @example
 * ```ts
 * decodeP12Bytes([48, 130, 9]); // Uint8Array [48, 130, 9]
 * decodeP12Bytes('MIIJqQ=='); // the same bytes as base64
 * ```
 */
export function decodeP12Bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') {
    const compact = value.replace(/[\r\n]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
      throw new P12CorruptError('the p12 string is not standard base64');
    }
    return new Uint8Array(Buffer.from(compact, 'base64'));
  }
  if (Array.isArray(value) && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    return Uint8Array.from(value as number[]);
  }
  throw new P12CorruptError('p12 must be an array of byte values (0–255) or a base64 string');
}

/** A PKCS#12 file as bytes, as an array of byte values, or as base64 text. */
export type P12Input = Uint8Array | readonly number[] | string;

/** What the server keeps of an opened PKCS#12: the secret material and the certificate's public facts. */
export interface OpenedCertificateFile {
  /** Key, certificate and chain: goes to the secret store only. Never log it. */
  material: SecretMaterial;
  notBefore: Date;
  notAfter: Date;
  subject: string;
  issuer: string;
  serialNumber: string;
  fingerprintSha256: string;
}

/** One file of a create or update request. */
export interface CertificateFileInput {
  /** The PKCS#12 file: bytes, or a JSON body's `p12` (byte values or base64), see {@link decodeP12Bytes}. */
  p12: P12Input;
  /** The PKCS#12 password; used to open the file, never stored. */
  password: string;
}

/** How {@link openCertificateFiles} checks and labels the files. */
export interface OpenCertificateFilesOptions {
  /** Accept files outside their validity period (`allowExpired=true`). */
  allowExpired?: boolean | undefined;
  /** The instant validity is checked for. Default: now. */
  now?: Date | undefined;
  /** Where item `index` sits in the request, for `errors[].name`. Default `/<index>/p12`. */
  pointer?: ((index: number) => string) | undefined;
  /** Location of the items in the request. Default `body`. */
  describeItem?: ((index: number) => string) | undefined;
}

function toOpened(parsed: ParsedP12): OpenedCertificateFile {
  return {
    material: {
      privateKeyPem: parsed.privateKeyPem,
      certificatePem: parsed.certificatePem,
      chainPem: [...parsed.chainPem],
    },
    notBefore: parsed.notBefore,
    notAfter: parsed.notAfter,
    subject: parsed.subject,
    issuer: parsed.issuer,
    serialNumber: parsed.serialNumber,
    fingerprintSha256: parsed.fingerprintSha256,
  };
}

/**
 * Opens every file of a request before anything is stored: one unusable file refuses the whole request.
 * Expired and not-yet-valid certificates are refused unless `allowExpired`.
 *
 * @throws {CertificateFileRejectedError} with the `p12_*` code of the first refused item and one entry per
 *   refused item in `errors`.
 * @example
 * ```ts
 * const [opened] = openCertificateFiles([{ p12: bytes, password: 'changeit' }]);
 * opened.fingerprintSha256; // 'AB:CD:…'
 * ```
 */
export function openCertificateFiles(
  files: readonly CertificateFileInput[],
  options: OpenCertificateFilesOptions = {},
): OpenedCertificateFile[] {
  const now = options.now ?? new Date();
  const pointer = options.pointer ?? ((index: number) => `/${index}/p12`);
  const describeItem = options.describeItem ?? ((index: number) => `Item ${index}`);
  const opened: OpenedCertificateFile[] = [];
  const refused: Array<{ index: number; error: P12Error }> = [];
  files.forEach((file, index) => {
    try {
      const parsed = parseP12(decodeP12Bytes(file.p12), file.password, { now });
      if (!options.allowExpired) assertCertificateCurrent(parsed, now);
      opened.push(toOpened(parsed));
    } catch (error) {
      if (!(error instanceof P12Error)) throw error;
      refused.push({ index, error });
    }
  });
  const [first] = refused;
  if (first) {
    const errors: InputError[] = refused.map(({ index, error }) => ({
      location: 'body',
      name: pointer(index),
      message: `${error.code}: ${error.message}`,
    }));
    const more = refused.length > 1 ? ` (${refused.length - 1} more refused in errors)` : '';
    throw new CertificateFileRejectedError(
      first.error.code,
      `${describeItem(first.index)}: ${first.error.message}${more} Nothing was stored.`,
      errors,
    );
  }
  return opened;
}
