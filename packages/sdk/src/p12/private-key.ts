// Reads a PKCS#8 private key far enough to tell which certificate it belongs to. node-forge only parses RSA
// keys, so EC and Ed25519 are read here from their ASN.1.
import forge from 'node-forge';
import { bytesToBinary } from './binary.js';
import type { SubjectPublicKey } from './certificate.js';
import {
  type Asn1,
  algorithmIdentifier,
  hasContextTag,
  integer,
  MalformedDerError,
  octetString,
  parseDer,
  readAlgorithmIdentifier,
  readBitString,
  readExplicit,
  readIntegerBytes,
  readOctets,
  readSequence,
  sequence,
  toDer,
} from './der.js';
import { P12UnsupportedKeyError } from './errors.js';
import { KEY_ALGORITHM_NAMES, OID } from './oids.js';

/**
 * Key algorithms a PKCS#12 client identity may use here.
 *
 * @example
 * ```ts
 * const algorithm: KeyAlgorithm = parseP12(bytes, password).keyAlgorithm; // 'RSA', 'EC', …
 * ```
 */
export type KeyAlgorithm = 'RSA' | 'RSA-PSS' | 'EC' | 'Ed25519';

/** A private key and the test that pairs it with a certificate. */
export interface PrivateKeyDetails {
  /** PKCS#8 PrivateKeyInfo DER. */
  readonly der: string;
  readonly algorithm: KeyAlgorithm;
  /** True when `publicKey` (a certificate's SubjectPublicKeyInfo) is this key's public half. */
  matches(publicKey: SubjectPublicKey): boolean;
}

/** Reads a PKCS#8 PrivateKeyInfo; throws `P12UnsupportedKeyError` for algorithms it cannot pair. */
export function readPrivateKey(der: string): PrivateKeyDetails {
  const fields = readSequence(parseDer(der, 'the private key'), 'the private key', 3);
  const algorithm = readAlgorithmIdentifier(fields[1], 'the private key algorithm');
  const privateKey = readOctets(fields[2], 'the private key value');
  const embeddedPublicKey = fields.slice(3).find((field) => hasContextTag(field, 1));

  switch (algorithm.oid) {
    case OID.rsaEncryption:
    case OID.rsassaPss:
      return readRsaKey(der, algorithm.oid === OID.rsaEncryption ? 'RSA' : 'RSA-PSS', privateKey);
    case OID.ecPublicKey:
      return readEcKey(der, algorithm.parameters, privateKey, embeddedPublicKey);
    case OID.ed25519:
      return readEd25519Key(der, privateKey);
    default: {
      const name = KEY_ALGORITHM_NAMES[algorithm.oid] ?? `of the algorithm ${algorithm.oid}`;
      throw new P12UnsupportedKeyError(`The private key is ${name}, which cannot be used here.`);
    }
  }
}

/** Integer content without sign padding, so equal numbers compare equal. */
function magnitude(integerBytes: string): string {
  return integerBytes.replace(/^\0+(?=[\s\S])/, '');
}

function readRsaKey(der: string, algorithm: 'RSA' | 'RSA-PSS', privateKey: string): PrivateKeyDetails {
  const [, modulus, exponent] = readSequence(
    parseDer(privateKey, 'the RSA private key'),
    'the RSA private key',
    3,
  );
  const n = magnitude(readIntegerBytes(modulus, 'the RSA modulus'));
  const e = magnitude(readIntegerBytes(exponent, 'the RSA public exponent'));
  return {
    der,
    algorithm,
    matches(publicKey) {
      if (publicKey.algorithmOid !== OID.rsaEncryption && publicKey.algorithmOid !== OID.rsassaPss)
        return false;
      try {
        const [certificateN, certificateE] = readSequence(
          parseDer(publicKey.key, 'the RSA public key'),
          'the RSA public key',
          2,
        );
        return (
          magnitude(readIntegerBytes(certificateN, 'the RSA modulus')) === n &&
          magnitude(readIntegerBytes(certificateE, 'the RSA exponent')) === e
        );
      } catch {
        return false;
      }
    },
  };
}

function readEcKey(
  der: string,
  algorithmParameters: Asn1 | undefined,
  privateKey: string,
  oneAsymmetricKeyPublicKey: Asn1 | undefined,
): PrivateKeyDetails {
  // ECPrivateKey (RFC 5915): version, privateKey, [0] EXPLICIT parameters, [1] EXPLICIT publicKey.
  const fields = readSequence(parseDer(privateKey, 'the EC private key'), 'the EC private key', 2);
  const parametersField = fields.find((field) => hasContextTag(field, 0));
  const curve = algorithmParameters ?? (parametersField && readExplicit(parametersField, 0, 'the EC curve'));
  const curveDer = curve ? toDer(curve) : undefined;
  const publicKeyField = fields.find((field) => hasContextTag(field, 1));
  let point: string | undefined;
  if (publicKeyField) {
    point = readBitString(readExplicit(publicKeyField, 1, 'the EC public key'), 'the EC public key');
  } else if (typeof oneAsymmetricKeyPublicKey?.value === 'string') {
    // PKCS#8 v2 (RFC 5958) carries it as [1] IMPLICIT BIT STRING: an unused-bits octet, then the point.
    point = oneAsymmetricKeyPublicKey.value.slice(1);
  }
  if (!point) {
    throw new P12UnsupportedKeyError(
      'The EC private key does not include its public key, so it cannot be paired with its certificate. ' +
        'Export the key again with its public key (OpenSSL includes it by default).',
    );
  }
  const publicPoint = point;
  return {
    der,
    algorithm: 'EC',
    matches(publicKey) {
      if (publicKey.algorithmOid !== OID.ecPublicKey) return false;
      if (
        curveDer !== undefined &&
        publicKey.parametersDer !== undefined &&
        curveDer !== publicKey.parametersDer
      ) {
        return false;
      }
      return sameEcPoint(publicPoint, publicKey.key);
    },
  };
}

/** Compares two SEC 1 encoded points, each compressed (02/03‖X) or uncompressed (04‖X‖Y). */
export function sameEcPoint(left: string, right: string): boolean {
  if (left === right) return true;
  const [compressed, uncompressed] = left.length < right.length ? [left, right] : [right, left];
  const prefix = compressed.charCodeAt(0);
  if ((prefix !== 2 && prefix !== 3) || uncompressed.charCodeAt(0) !== 4) return false;
  const x = compressed.slice(1);
  if (uncompressed.length !== 1 + 2 * x.length || uncompressed.slice(1, 1 + x.length) !== x) return false;
  const yIsOdd = (uncompressed.charCodeAt(uncompressed.length - 1) & 1) === 1;
  return yIsOdd === (prefix === 3);
}

function readEd25519Key(der: string, privateKey: string): PrivateKeyDetails {
  // RFC 8410: the private key is an OCTET STRING holding the 32-byte seed.
  const seed = readOctets(parseDer(privateKey, 'the Ed25519 private key'), 'the Ed25519 private key');
  if (seed.length !== 32) throw new MalformedDerError('the Ed25519 private key does not have 32 bytes');
  const publicKey = bytesToBinary(forge.pki.ed25519.generateKeyPair({ seed }).publicKey);
  return {
    der,
    algorithm: 'Ed25519',
    matches: (certificateKey) =>
      certificateKey.algorithmOid === OID.ed25519 && certificateKey.key === publicKey,
  };
}

/**
 * Converts a private-key PEM body to PKCS#8 DER: PKCS#8 (`PRIVATE KEY`) as is, PKCS#1 (`RSA PRIVATE KEY`) and
 * SEC 1 (`EC PRIVATE KEY`) wrapped. Returns `undefined` for other labels.
 */
export function privateKeyToPkcs8(label: string, der: string): string | undefined {
  if (label === 'PRIVATE KEY') return der;
  if (label === 'RSA PRIVATE KEY') {
    readSequence(parseDer(der, 'the RSA private key'), 'the RSA private key', 3);
    return toDer(sequence([integer(0), algorithmIdentifier(OID.rsaEncryption), octetString(der)]));
  }
  if (label === 'EC PRIVATE KEY') {
    const fields = readSequence(parseDer(der, 'the EC private key'), 'the EC private key', 2);
    const parameters = fields.find((field) => hasContextTag(field, 0));
    if (!parameters) throw new MalformedDerError('the EC private key does not name its curve');
    const curve = readExplicit(parameters, 0, 'the EC curve');
    return toDer(sequence([integer(0), algorithmIdentifier(OID.ecPublicKey, curve), octetString(der)]));
  }
  return undefined;
}
