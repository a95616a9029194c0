/**
 * Reads uploaded PKCS#12 files with the SDK's own PKCS#12 tools, so a wrong password, a file without a key or
 * an expired certificate is refused with the same `p12_*` code, detail and `errors` as the reference server.
 */
import {
  type FileVerdict,
  isProblemCode,
  openUploadedFilesSync,
  type P12Input,
  type UploadNaming,
} from '@mtls-gateway/contract';
import { assertCertificateCurrent, P12Error, type ParsedP12, parseP12 } from '@mtls-gateway/sdk/p12';
import { MockProblem } from './problems.js';

export type { P12Input };

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
export type CertificateDetails = Pick<
  ParsedP12,
  'subject' | 'issuer' | 'serialNumber' | 'fingerprintSha256' | 'notBefore' | 'notAfter' | 'certificatePem'
>;

/**
 * How {@link openUploadedFiles} checks and names the files of one request.
 *
 * @example
 * ```ts
 * const options: OpenFilesOptions = { allowExpired: false, now: new Date(), pointer: () => 'file', describeItem: () => 'The file of "Cert1"' };
 * ```
 */
export interface OpenFilesOptions extends UploadNaming {
  /** Accept certificates outside their validity period (`allowExpired=true`). */
  allowExpired: boolean;
  now: Date;
}

/**
 * Opens every file of a request before anything is stored, by the gateway's rule (`openUploadedFilesSync` of
 * the contract): the password opens it, it holds exactly one private key and the certificate of that key,
 * and (unless `allowExpired`) the certificate is valid now. The first unusable file refuses the request.
 *
 * @throws {MockProblem} 400 with the `p12_*` code of the refused item, named in `errors`.
 * @example
 * ```ts
 * const [details] = openUploadedFiles([{ p12: bytes, password }], { allowExpired: false, now: new Date(), pointer: (i) => `/${i}/p12`, describeItem: (i) => `Item ${i}` });
 * ```
 */
export function openUploadedFiles(
  files: ReadonlyArray<{ p12: P12Input; password: string }>,
  options: OpenFilesOptions,
): CertificateDetails[] {
  const result = openUploadedFilesSync(
    files,
    (bytes, password): FileVerdict<CertificateDetails> => {
      try {
        const parsed = parseP12(bytes, password, { now: options.now });
        if (!options.allowExpired) assertCertificateCurrent(parsed, options.now);
        return {
          ok: true,
          value: {
            subject: parsed.subject,
            issuer: parsed.issuer,
            serialNumber: parsed.serialNumber,
            fingerprintSha256: parsed.fingerprintSha256,
            notBefore: parsed.notBefore,
            notAfter: parsed.notAfter,
            certificatePem: parsed.certificatePem,
          },
        };
      } catch (error) {
        if (!(error instanceof P12Error)) throw error;
        return {
          ok: false,
          code: isProblemCode(error.code) ? error.code : 'p12_corrupt',
          message: error.message,
        };
      }
    },
    options,
  );
  if (result.ok) return result.opened;
  throw new MockProblem(result.refusal.code, result.refusal.detail, { errors: result.refusal.errors });
}
