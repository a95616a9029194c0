import { binaryToBytes, decodePemBlocks } from './binary.js';
import { type CertificateDetails, readCertificate } from './certificate.js';
import { MalformedDerError } from './der.js';
import { sha1 } from './digests.js';
import { P12Error, P12InvalidInputError, P12KeyMismatchError } from './errors.js';
import { encodePfx } from './pfx.js';
import { privateKeyToPkcs8, readPrivateKey } from './private-key.js';

/**
 * Options of {@link createP12}.
 *
 * @example
 * ```ts
 * const options: CreateP12Options = { certificatePem, privateKeyPem, password: 'secret', algorithm: '3des' };
 * const legacyP12 = createP12(options);
 * ```
 */
export interface CreateP12Options {
  /** The client certificate, PEM. Further certificates in the same text are added to the chain. */
  readonly certificatePem: string;
  /** Its unencrypted private key, PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC 1 (`EC PRIVATE KEY`). */
  readonly privateKeyPem: string;
  /** Issuer certificates, PEM; each string may hold several. */
  readonly chainPem?: string | readonly string[];
  /** Password of the file; `''` is allowed (OpenSSL's `-passout pass:`). */
  readonly password: string;
  /** Alias shown by keystores (`openssl pkcs12 -name`). */
  readonly friendlyName?: string;
  /**
   * `'aes256'` (default): AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256 MAC, what OpenSSL 3 writes.
   * `'3des'`: pbeWithSHAAnd3-KeyTripleDES-CBC with a SHA-1 MAC, for old readers (Java 8, Windows < 2019).
   */
  readonly algorithm?: '3des' | 'aes256';
}

/** Iterations OpenSSL uses for both the encryption and the MAC. */
const ITERATIONS = 2048;

/**
 * Builds a PKCS#12 file from PEM certificate, key and chain, laid out as `openssl pkcs12 -export` does
 * (encrypted certificate bag, shrouded key bag, `localKeyId` linking both). Checks the key belongs to the
 * certificate first. Uses node-forge and Web Crypto randomness only, so it works outside Node.js too.
 *
 * @throws {P12InvalidInputError} `p12_invalid_input`: a PEM argument is missing, malformed or encrypted
 * @throws {P12KeyMismatchError} `p12_key_mismatch`
 * @throws {P12UnsupportedKeyError} `p12_unsupported_key`
 *
 * @example
 * ```ts
 * import { createP12, parseP12 } from '@mtls-gateway/sdk/p12';
 *
 * const p12 = createP12({ certificatePem, privateKeyPem, chainPem: [intermediatePem], password: 'secret' });
 * await fs.writeFile('client.p12', p12);
 * parseP12(p12, 'secret').subject; // 'CN=client,O=Acme'
 * ```
 */
export function createP12(options: CreateP12Options): Uint8Array {
  if (typeof options.password !== 'string')
    throw new TypeError('createP12 expects the password as a string.');
  try {
    return buildP12(options);
  } catch (error) {
    if (error instanceof P12Error) throw error;
    if (error instanceof MalformedDerError) {
      throw new P12InvalidInputError(`A PEM argument of createP12 is not usable: ${error.message}.`);
    }
    throw error;
  }
}

function buildP12(options: CreateP12Options): Uint8Array {
  const [certificate, ...certificatesAfterLeaf] = readCertificates(options.certificatePem, 'certificatePem');
  if (!certificate) throw new P12InvalidInputError('certificatePem holds no "CERTIFICATE" PEM block.');
  const chainTexts = typeof options.chainPem === 'string' ? [options.chainPem] : (options.chainPem ?? []);
  const chain = [
    ...certificatesAfterLeaf,
    ...chainTexts.flatMap((text) => readCertificates(text, 'chainPem')),
  ];

  const key = readPrivateKey(readPrivateKeyPem(options.privateKeyPem));
  if (!key.matches(certificate.publicKey)) throw new P12KeyMismatchError();

  const algorithm = options.algorithm ?? 'aes256';
  if (algorithm !== 'aes256' && algorithm !== '3des') {
    throw new P12InvalidInputError(`algorithm must be 'aes256' or '3des', not '${String(algorithm)}'.`);
  }
  const attributes = {
    localKeyId: sha1(certificate.der),
    ...(options.friendlyName === undefined ? {} : { friendlyName: options.friendlyName }),
  };
  const der = encodePfx({
    password: options.password,
    scheme: algorithm,
    iterations: ITERATIONS,
    mac: algorithm === '3des' ? 'sha1' : 'sha256',
    safes: [
      {
        encrypted: true,
        bags: [
          { kind: 'certificate', der: certificate.der, ...attributes },
          ...chain.map((issuer) => ({ kind: 'certificate' as const, der: issuer.der })),
        ],
      },
      { encrypted: false, bags: [{ kind: 'key', pkcs8Der: key.der, ...attributes }] },
    ],
  });
  return binaryToBytes(der);
}

function readCertificates(text: string, argument: string): CertificateDetails[] {
  if (typeof text !== 'string') throw new P12InvalidInputError(`${argument} must be a PEM string.`);
  return decodePemBlocks(text)
    .filter((block) => block === undefined || block.label === 'CERTIFICATE')
    .map((block) => {
      if (!block) throw new P12InvalidInputError(`${argument} holds a PEM block whose base64 is damaged.`);
      return readCertificate(block.der);
    });
}

function readPrivateKeyPem(text: string): string {
  if (typeof text !== 'string') throw new P12InvalidInputError('privateKeyPem must be a PEM string.');
  const block = decodePemBlocks(text).find((candidate) => candidate?.label.endsWith('PRIVATE KEY') ?? true);
  if (!block) throw new P12InvalidInputError('privateKeyPem holds no readable "PRIVATE KEY" PEM block.');
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.hasHeaders) {
    throw new P12InvalidInputError(
      'privateKeyPem is encrypted; decrypt it first (for example `openssl pkey -in key.pem -out plain.pem`).',
    );
  }
  const pkcs8 = privateKeyToPkcs8(block.label, block.der);
  if (pkcs8 === undefined) {
    throw new P12InvalidInputError(
      `privateKeyPem holds a "${block.label}" block, which is not a supported key form.`,
    );
  }
  return pkcs8;
}
