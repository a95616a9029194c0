import { P12CorruptError, P12Error, type ParsedP12 } from '@mtls-gateway/sdk/p12';
import type { SecretMaterial } from '../secrets/secret-store.js';
import { CertificateFileRejectedError } from './errors.js';
import { inProcessP12Opener, type OpenP12Result, type P12Opener } from './p12-worker-pool.js';

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
  /**
   * Where the files are opened: the app's `P12WorkerPool` (`context.p12Workers`). Default: on this thread
   * ({@link inProcessP12Opener}, for tests and tools).
   */
  opener?: P12Opener | undefined;
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
 * Opens every file of a request, one after another, before anything is stored: the first unusable file
 * refuses the whole request, and the files after it are not opened at all (no work after a refusal).
 * Expired and not-yet-valid certificates are refused unless `allowExpired`.
 *
 * @throws {CertificateFileRejectedError} with the `p12_*` code of the refused item, named in `errors`.
 * @throws {P12WorkersUnavailableError} when the opener's queue is full (503 `unavailable`).
 * @example
 * ```ts
 * const [opened] = await openCertificateFiles([{ p12: bytes, password: 'changeit' }], { opener: context.p12Workers });
 * opened.fingerprintSha256; // 'AB:CD:…'
 * ```
 */
export async function openCertificateFiles(
  files: readonly CertificateFileInput[],
  options: OpenCertificateFilesOptions = {},
): Promise<OpenedCertificateFile[]> {
  const now = options.now ?? new Date();
  const pointer = options.pointer ?? ((index: number) => `/${index}/p12`);
  const describeItem = options.describeItem ?? ((index: number) => `Item ${index}`);
  const opener = options.opener ?? inProcessP12Opener;
  const opened: OpenedCertificateFile[] = [];
  for (const [index, file] of files.entries()) {
    let result: OpenP12Result;
    try {
      const bytes = decodeP12Bytes(file.p12);
      result = await opener.open({
        bytes,
        password: file.password,
        now,
        allowExpired: options.allowExpired === true,
      });
    } catch (error) {
      if (!(error instanceof P12Error)) throw error;
      result = { ok: false, code: error.code, message: error.message };
    }
    if (!result.ok) {
      const unchecked = files.length - index - 1;
      const rest =
        unchecked === 0
          ? ''
          : unchecked === 1
            ? ' The item after it was not checked.'
            : ` The ${unchecked} items after it were not checked.`;
      throw new CertificateFileRejectedError(
        result.code,
        `${describeItem(index)}: ${result.message}${rest} Nothing was stored.`,
        [{ location: 'body', name: pointer(index), message: `${result.code}: ${result.message}` }],
      );
    }
    opened.push(toOpened(result.parsed));
  }
  return opened;
}
