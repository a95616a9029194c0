import { type FileVerdict, openUploadedFiles, type P12Input } from '@mtls-gateway/contract';
import { P12Error, type P12ErrorCode, type ParsedP12 } from '@mtls-gateway/sdk/p12';
import { CertificateFileRejectedError, type P12ProblemCode } from '../errors.js';
import type { SecretMaterial } from '../secrets/secret-store.js';
import { inProcessP12Opener, type OpenP12Result, type P12Opener } from './p12-worker-pool.js';

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
  /** The PKCS#12 file: bytes, or a JSON body's `p12` (byte values or base64; `decodeP12Input` of the contract). */
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
 * The problem code of a refused file. `p12_invalid_input` is the SDK's code for unusable createP12 arguments:
 * opening a file never raises it, and the server never sends it.
 */
function refusalCode(code: P12ErrorCode): P12ProblemCode {
  return code === 'p12_invalid_input' ? 'p12_corrupt' : code;
}

/**
 * Opens every file of a request by the contract's rule (`openUploadedFiles`), in the app's worker pool: one
 * after another, before anything is stored; the first unusable file refuses the whole request, and the files
 * after it are not opened at all (no work after a refusal).
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
  const opener = options.opener ?? inProcessP12Opener;
  const allowExpired = options.allowExpired === true;
  const result = await openUploadedFiles(
    files,
    async (bytes, password): Promise<FileVerdict<OpenedCertificateFile, P12ProblemCode>> => {
      let opened: OpenP12Result;
      try {
        opened = await opener.open({ bytes, password, now, allowExpired });
      } catch (error) {
        if (!(error instanceof P12Error)) throw error;
        opened = { ok: false, code: error.code, message: error.message };
      }
      return opened.ok
        ? { ok: true, value: toOpened(opened.parsed) }
        : { ok: false, code: refusalCode(opened.code), message: opened.message };
    },
    {
      pointer: options.pointer ?? ((index) => `/${index}/p12`),
      describeItem: options.describeItem ?? ((index) => `Item ${index}`),
    },
  );
  if (result.ok) return result.opened;
  const { code, detail, errors } = result.refusal;
  throw new CertificateFileRejectedError(code, detail, errors);
}
