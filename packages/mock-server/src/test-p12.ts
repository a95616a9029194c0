/**
 * Throw-away PKCS#12 files for tests of code that uploads certificates to the mock. Pure JavaScript
 * (node-forge), so it works in browsers too. The certificates are self-signed and useless for real TLS.
 */
import forge from 'node-forge';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Options of {@link createTestP12}.
 *
 * @example
 * ```ts
 * const options: TestP12Options = { commonName: 'tenant-42', password: 'changeit', validity: 'expired' };
 * ```
 */
export interface TestP12Options {
  /** Subject common name (default `mock-client`). */
  commonName?: string;
  /** Password of the file (default `changeit`). */
  password?: string;
  /** `current` (default): valid from a day ago for a year; `expired` / `not-yet-valid`: a window in the past / future. */
  validity?: 'current' | 'expired' | 'not-yet-valid';
  /** Explicit validity, overriding `validity`. */
  notBefore?: Date;
  notAfter?: Date;
  /** Leave the private key out (the gateway refuses such a file with `p12_no_private_key`). */
  withoutPrivateKey?: boolean;
}

let cachedKeys: forge.pki.rsa.KeyPair | undefined;
let serialCounter = 0;

/** One RSA key pair per process: key generation is the slow part, and the mock never uses the key. */
function keyPair(): forge.pki.rsa.KeyPair {
  cachedKeys ??= forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  return cachedKeys;
}

/**
 * Creates a PKCS#12 file holding a self-signed client certificate and its key (AES-256, as OpenSSL 3 writes).
 * The first call generates an RSA key (fast in Node.js, a second or two in browsers); later calls reuse it.
 *
 * @example
 * ```ts
 * import { createTestP12 } from '@mtls-gateway/mock-server';
 *
 * const p12 = createTestP12({ commonName: 'tenant-42', password: 'changeit' });
 * await client.certificates.create([{ name: 'Cert1', p12, password: 'changeit' }]);
 * ```
 */
export function createTestP12(options: TestP12Options = {}): Uint8Array<ArrayBuffer> {
  const keys = keyPair();
  const now = Date.now();
  const windows = {
    current: [now - DAY_MS, now + 365 * DAY_MS],
    expired: [now - 60 * DAY_MS, now - 30 * DAY_MS],
    'not-yet-valid': [now + 30 * DAY_MS, now + 60 * DAY_MS],
  } as const;
  const [from, to] = windows[options.validity ?? 'current'];
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  serialCounter += 1;
  certificate.serialNumber = `01${serialCounter.toString(16).padStart(8, '0')}`;
  certificate.validity.notBefore = options.notBefore ?? new Date(from);
  certificate.validity.notAfter = options.notAfter ?? new Date(to);
  const name = [{ shortName: 'CN', value: options.commonName ?? 'mock-client' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([{ name: 'extKeyUsage', clientAuth: true }]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    options.withoutPrivateKey ? null : keys.privateKey,
    [certificate],
    options.password ?? 'changeit',
    { algorithm: 'aes256', friendlyName: options.commonName ?? 'mock-client' },
  );
  return Uint8Array.from(forge.asn1.toDer(asn1).getBytes(), (char) => char.charCodeAt(0));
}
