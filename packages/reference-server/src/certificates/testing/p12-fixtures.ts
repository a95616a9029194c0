import { createHash } from 'node:crypto';
import forge from 'node-forge';
import {
  createTestCA,
  type TestCA,
  type TestCertificate,
  toPkcs12,
} from '../../../../../test/support/pki.js';

/**
 * Test PKCS#12 files for certificate tests: valid ones and one per way an upload can be unusable.
 * Not part of the build (`testing/` is excluded). Keys are reused between files to keep tests fast.
 */

/** A PKCS#12 file with what went into it. */
export interface P12Fixture {
  bytes: Buffer;
  password: string;
  certificate: TestCertificate;
}

/** Every secret a test must never find in storage: PEM body lines and base64 DER of a private key. */
export function privateKeyNeedles(keyPem: string): string[] {
  const body = keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const lines = keyPem.split('\n').filter((line) => line && !line.startsWith('-----'));
  const der = Buffer.from(body, 'base64');
  // The base64 body itself, a few of its 64-character lines, and raw DER fragments (a binary dump).
  return [
    body,
    ...lines.slice(1, 4),
    der.subarray(32, 96).toString('base64'),
    der.subarray(100, 140).toString('hex'),
  ];
}

function der(asn1: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Builds test files around one test CA. */
export class P12Factory {
  readonly ca: TestCA;
  readonly #keys: string[] = [];

  constructor() {
    this.ca = createTestCA();
  }

  /** A client certificate; `keyIndex` reuses one of a few keys (fast), `undefined` makes a new key. */
  issue(
    commonName: string,
    options: { validity?: 'current' | 'expired' | 'not-yet-valid'; keyIndex?: number } = {},
  ): TestCertificate {
    const keyPem = options.keyIndex === undefined ? undefined : this.#keys[options.keyIndex];
    const certificate = this.ca.issue({
      commonName,
      kind: 'client',
      validity: options.validity ?? 'current',
      ...(keyPem ? { keyPem } : {}),
    });
    if (options.keyIndex !== undefined && !keyPem) this.#keys[options.keyIndex] = certificate.keyPem;
    return certificate;
  }

  /** A valid client PKCS#12 (modern AES-256 unless `3des`). */
  valid(
    commonName: string,
    options: { password?: string; keyIndex?: number; algorithm?: 'aes256' | '3des' } = {},
  ): P12Fixture {
    const certificate = this.issue(
      commonName,
      options.keyIndex === undefined ? {} : { keyIndex: options.keyIndex },
    );
    const password = options.password ?? 'changeit';
    return {
      bytes: toPkcs12(certificate, password, { algorithm: options.algorithm ?? 'aes256' }),
      password,
      certificate,
    };
  }

  /** A file outside its validity period. */
  outOfValidity(commonName: string, validity: 'expired' | 'not-yet-valid', keyIndex = 0): P12Fixture {
    const certificate = this.issue(commonName, { validity, keyIndex });
    return { bytes: toPkcs12(certificate, 'changeit'), password: 'changeit', certificate };
  }

  /** A file with a certificate and no private key. */
  withoutKey(commonName: string, keyIndex = 0): Buffer {
    const certificate = this.issue(commonName, { keyIndex });
    return der(
      forge.pkcs12.toPkcs12Asn1(null, [forge.pki.certificateFromPem(certificate.certPem)], 'changeit'),
    );
  }

  /** A file with a private key and no certificate. */
  withoutCertificate(commonName: string, keyIndex = 0): Buffer {
    const certificate = this.issue(commonName, { keyIndex });
    return der(
      forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(certificate.keyPem), null as never, 'changeit', {
        generateLocalKeyId: false,
      }),
    );
  }

  /** A file whose key does not belong to its certificate. */
  withMismatchedKey(commonName: string): Buffer {
    const owner = this.issue(`${commonName} key`, { keyIndex: 0 });
    const other = this.issue(commonName, { keyIndex: 1 });
    return der(
      forge.pkcs12.toPkcs12Asn1(
        forge.pki.privateKeyFromPem(owner.keyPem),
        [forge.pki.certificateFromPem(other.certPem)],
        'changeit',
      ),
    );
  }
}

/** SHA-256 fingerprint of a PEM certificate in the SDK's format (uppercase hex, colons). */
export function fingerprintOf(certPem: string): string {
  const body = Buffer.from(certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return (createHash('sha256').update(body).digest('hex').toUpperCase().match(/../g) ?? []).join(':');
}
