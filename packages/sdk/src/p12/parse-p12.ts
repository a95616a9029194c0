import { encodePem } from './binary.js';
import { type CertificateDetails, readCertificate } from './certificate.js';
import { MalformedDerError } from './der.js';
import {
  P12CorruptError,
  P12Error,
  P12ExpiredError,
  P12KeyMismatchError,
  P12MultipleKeysError,
  P12NoCertificateError,
  P12NoPrivateKeyError,
  P12NotYetValidError,
} from './errors.js';
import { KeyDerivationBudget } from './key-derivation-budget.js';
import { decodePfx } from './pfx.js';
import { type KeyAlgorithm, readPrivateKey } from './private-key.js';

/**
 * Where the certificate stands relative to its validity period.
 *
 * @example
 * ```ts
 * const validity: CertificateValidity = certificateValidity(parsed, new Date('2030-01-01'));
 * ```
 */
export type CertificateValidity = 'valid' | 'expired' | 'not_yet_valid';

/**
 * Options of {@link parseP12}.
 *
 * @example
 * ```ts
 * const options: ParseP12Options = { now: new Date('2030-01-01'), maxIterations: 50_000 };
 * parseP12(bytes, password, options).validity; // 'expired' if it ends before 2030
 * ```
 */
export interface ParseP12Options {
  /** The instant `validity` is computed for; defaults to now. */
  readonly now?: Date;
  /**
   * Highest iteration count accepted for one key derivation (default 200,000; OpenSSL writes 2,048, Java
   * 10,000). Files above it are refused with `p12_too_costly` rather than blocking the caller: node-forge
   * derives about 130,000 PBKDF2-SHA256 iterations per second.
   */
  readonly maxIterations?: number;
  /**
   * Total key-derivation work the whole file may cost, in digest computations (default five times
   * `maxIterations`). PBKDF2 costs `iterations × ceil(keyLength / hLen)` HMACs, the PKCS#12 KDF
   * `iterations × ceil(length / hLen)` hashes; every MAC attempt and every decrypted bag counts. Over it, the
   * file is refused with `p12_too_costly` before the derivation that would exceed it runs.
   */
  readonly maxKeyDerivationWork?: number;
}

/**
 * The client identity held by a PKCS#12 file. It contains the private key in clear: do not log it.
 *
 * @example
 * ```ts
 * const { certificatePem, privateKeyPem, chainPem }: ParsedP12 = parseP12(bytes, password);
 * tls.connect({ host, port, cert: [certificatePem, ...chainPem].join(''), key: privateKeyPem });
 * ```
 */
export interface ParsedP12 {
  /** The client certificate (the one the private key belongs to), PEM. */
  readonly certificatePem: string;
  /** The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). Keep it secret. */
  readonly privateKeyPem: string;
  /** The other certificates, PEM: the issuer of the client certificate first, then its issuer, and so on; certificates outside that path come last. */
  readonly chainPem: string[];
  /** Subject of the client certificate, RFC 4514 form: `CN=client,O=Acme`. */
  readonly subject: string;
  /** Issuer of the client certificate, RFC 4514 form. */
  readonly issuer: string;
  /** Serial number, uppercase hex as `openssl x509 -serial` prints it. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the certificate DER, uppercase hex with colons, as `openssl x509 -fingerprint -sha256`. */
  readonly fingerprintSha256: string;
  /** Always true: a key without its certificate is an error. */
  readonly keyMatchesCertificate: true;
  readonly keyAlgorithm: KeyAlgorithm;
  /** The friendly name (alias) of the key or certificate, when the file has one. */
  readonly friendlyName: string | undefined;
  /** Validity at `options.now` (default: the time of parsing). */
  readonly validity: CertificateValidity;
}

const DEFAULT_MAX_ITERATIONS = 200_000;
/** Default total work of a file, in derivations at the iteration cap: room for a MAC and four bags. */
const DEFAULT_WORK_PER_MAX_ITERATIONS = 5;

/**
 * Opens a PKCS#12 (.p12/.pfx) file and returns its client certificate, private key and chain.
 *
 * The password is checked against the file's MAC (when it has one); the file must hold exactly one private
 * key and a certificate of that key. Reads the files OpenSSL 3 writes by default (AES-256-CBC, PBKDF2,
 * SHA-256 MAC), legacy ones (3DES/RC2, SHA-1 MAC), files without MAC or encryption, and PBMAC1 files.
 * Runs on node-forge only, so it works in browsers and edge runtimes as well as Node.js. A file with neither
 * MAC nor encryption (`-nomac -keypbe NONE -certpbe NONE`) has nothing to check the password against and
 * opens with any password. A MAC-protected file that was altered is reported as a wrong password: the MAC
 * cannot tell the two apart.
 *
 * @throws {P12WrongPasswordError} `p12_wrong_password`
 * @throws {P12CorruptError} `p12_corrupt`: not PKCS#12, truncated or damaged
 * @throws {P12UnsupportedFormatError} `p12_unsupported_format`
 * @throws {P12TooCostlyError} `p12_too_costly`: opening it would take more key-derivation work than allowed
 * @throws {P12NoPrivateKeyError} `p12_no_private_key`
 * @throws {P12MultipleKeysError} `p12_multiple_keys`
 * @throws {P12UnsupportedKeyError} `p12_unsupported_key`
 * @throws {P12NoCertificateError} `p12_no_certificate`
 * @throws {P12KeyMismatchError} `p12_key_mismatch`
 *
 * @example
 * ```ts
 * import { parseP12 } from '@mtls-gateway/sdk/p12';
 *
 * const parsed = parseP12(new Uint8Array(await file.arrayBuffer()), 'secret');
 * console.log(parsed.subject, parsed.notAfter, parsed.fingerprintSha256);
 * // parsed.certificatePem + parsed.privateKeyPem can be handed to a TLS client.
 * ```
 */
export function parseP12(bytes: Uint8Array, password: string, options: ParseP12Options = {}): ParsedP12 {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError('parseP12 expects the file contents as a Uint8Array.');
  if (typeof password !== 'string') throw new TypeError('parseP12 expects the password as a string.');
  for (const limit of ['maxIterations', 'maxKeyDerivationWork'] as const) {
    const value = options[limit];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0))
      throw new TypeError(`parseP12 expects options.${limit} to be a positive integer.`);
  }
  try {
    return identityOf(bytes, password, options);
  } catch (error) {
    if (error instanceof P12Error) throw error;
    if (error instanceof MalformedDerError) throw new P12CorruptError(error.message, { cause: error });
    throw new P12CorruptError('it could not be decoded', { cause: error });
  }
}

function identityOf(bytes: Uint8Array, password: string, options: ParseP12Options): ParsedP12 {
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const budget = new KeyDerivationBudget(
    maxIterations,
    options.maxKeyDerivationWork ?? maxIterations * DEFAULT_WORK_PER_MAX_ITERATIONS,
  );
  const contents = decodePfx(bytes, password, budget);

  const keys = uniqueBy(contents.keys, (key) => key.pkcs8Der);
  const [keyEntry] = keys;
  if (!keyEntry) throw new P12NoPrivateKeyError();
  if (keys.length > 1) throw new P12MultipleKeysError(keys.length);
  const key = readPrivateKey(keyEntry.pkcs8Der);

  const certificates = uniqueBy(contents.certificates, (certificate) => certificate.der).map((entry) => ({
    entry,
    details: readCertificate(entry.der),
  }));
  if (certificates.length === 0) throw new P12NoCertificateError();

  const matching = certificates.filter(({ details }) => key.matches(details.publicKey));
  const leaf =
    matching.find(
      ({ entry }) => keyEntry.localKeyId !== undefined && entry.localKeyId === keyEntry.localKeyId,
    ) ?? matching[0];
  if (!leaf) throw new P12KeyMismatchError();

  const others = certificates.filter((certificate) => certificate !== leaf).map(({ details }) => details);
  const { details } = leaf;
  const parsed = {
    certificatePem: encodePem('CERTIFICATE', details.der),
    privateKeyPem: encodePem('PRIVATE KEY', key.der),
    chainPem: orderChain(details, others).map((certificate) => encodePem('CERTIFICATE', certificate.der)),
    subject: details.subject,
    issuer: details.issuer,
    serialNumber: details.serialNumber,
    notBefore: details.notBefore,
    notAfter: details.notAfter,
    fingerprintSha256: details.fingerprintSha256,
    keyMatchesCertificate: true as const,
    keyAlgorithm: key.algorithm,
    friendlyName: keyEntry.friendlyName ?? leaf.entry.friendlyName,
  };
  return { ...parsed, validity: certificateValidity(parsed, options.now) };
}

function uniqueBy<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Walks from the leaf to its issuer, then that one's issuer…; certificates off that path keep file order. */
function orderChain(leaf: CertificateDetails, others: readonly CertificateDetails[]): CertificateDetails[] {
  const remaining = [...others];
  const chain: CertificateDetails[] = [];
  let current = leaf;
  while (current.issuerDer !== current.subjectDer) {
    const issuedBy = (candidate: CertificateDetails) =>
      candidate.subjectDer === current.issuerDer || candidate.subject === current.issuer;
    const index = remaining.findIndex(issuedBy);
    const issuer = remaining[index];
    if (!issuer) break;
    remaining.splice(index, 1);
    chain.push(issuer);
    current = issuer;
  }
  return [...chain, ...remaining];
}

/**
 * Tells whether a certificate is inside its validity period at `now` (both ends inclusive, as X.509 says).
 *
 * @example
 * ```ts
 * const parsed = parseP12(bytes, password);
 * if (certificateValidity(parsed) !== 'valid') console.warn('refusing', parsed.subject);
 * ```
 */
export function certificateValidity(
  certificate: { readonly notBefore: Date; readonly notAfter: Date },
  now: Date = new Date(),
): CertificateValidity {
  if (now.getTime() < certificate.notBefore.getTime()) return 'not_yet_valid';
  if (now.getTime() > certificate.notAfter.getTime()) return 'expired';
  return 'valid';
}

/**
 * Throws `P12ExpiredError` (`p12_expired`) or `P12NotYetValidError` (`p12_not_yet_valid`) when the
 * certificate is outside its validity period at `now`; the server uses it to refuse such uploads.
 *
 * @example
 * ```ts
 * const parsed = parseP12(bytes, password);
 * assertCertificateCurrent(parsed); // throws for an expired certificate
 * ```
 */
export function assertCertificateCurrent(
  certificate: { readonly notBefore: Date; readonly notAfter: Date },
  now: Date = new Date(),
): void {
  const validity = certificateValidity(certificate, now);
  if (validity === 'expired') throw new P12ExpiredError(certificate.notAfter);
  if (validity === 'not_yet_valid') throw new P12NotYetValidError(certificate.notBefore);
}
