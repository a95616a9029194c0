/**
 * Test material of the contract suite: client certificates as PKCS#12 files (issued by one throw-away CA,
 * all sharing one RSA key so issuing stays fast), unique names and URLs.
 */
import { randomBytes } from 'node:crypto';
import { createTestCA, type TestCA, type TestValidity, toPkcs12 } from '../../support/pki.js';

/** A PKCS#12 file and what it holds. */
export interface ClientP12 {
  bytes: Uint8Array;
  password: string;
  commonName: string;
}

export interface ContractFixtures {
  /** The CA that issues the client certificates (upstreams that want them trust it). */
  readonly clientCa: TestCA;
  /** A new client certificate as a PKCS#12 file, protected by `password`. */
  p12(options?: { commonName?: string; validity?: TestValidity }): ClientP12;
  /** A name nobody used before in this run: `contract-<label>-<random>`. */
  uniqueName(label: string): string;
}

export const P12_PASSWORD = 'contract-secret';

/** Fixtures with their own CA. */
export function createFixtures(): ContractFixtures {
  const clientCa = createTestCA({ commonName: 'Contract Client CA' });
  const shared = clientCa.issue({ commonName: 'contract-key-holder', kind: 'client' });
  return {
    clientCa,
    p12(options = {}) {
      const commonName = options.commonName ?? `contract-${randomBytes(4).toString('hex')}`;
      const certificate = clientCa.issue({
        commonName,
        kind: 'client',
        keyPem: shared.keyPem,
        ...(options.validity ? { validity: options.validity } : {}),
      });
      return {
        bytes: new Uint8Array(toPkcs12(certificate, P12_PASSWORD)),
        password: P12_PASSWORD,
        commonName,
      };
    },
    uniqueName: (label) => `contract-${label}-${randomBytes(4).toString('hex')}`,
  };
}
