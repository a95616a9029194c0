// The integrity check of PKCS#12 "password integrity mode": an HMAC over the AuthenticatedSafe keyed from the
// password, either with the PKCS#12 KDF (RFC 7292; SHA-1 in legacy files, SHA-256 in OpenSSL 3 files) or
// with PBKDF2 (PBMAC1, RFC 9579; OpenSSL ≥ 3.4 with -pbmac1_pbkdf2).
import forge from 'node-forge';
import { randomBinary } from './binary.js';
import {
  type Asn1,
  algorithmIdentifier,
  integer,
  MalformedDerError,
  octetString,
  readAlgorithmIdentifier,
  readOctets,
  readSequence,
  readSmallInteger,
  sequence,
} from './der.js';
import { digestForHmacOid, digestForOid, hmac, pkcs12Kdf } from './digests.js';
import { P12UnsupportedFormatError } from './errors.js';
import type { KeyDerivationBudget } from './key-derivation-budget.js';
import { OID } from './oids.js';
import { type PasswordEncoding, readPbkdf2Parameters } from './password-based-encryption.js';

/** Computes the expected MAC for one password encoding. */
type MacFunction = (password: PasswordEncoding) => string;

function readMacFunction(
  macData: Asn1,
  content: string,
  budget: KeyDerivationBudget,
): { expected: string; mac: MacFunction } {
  const [digestInfo, saltNode, iterationsNode] = readSequence(macData, 'the MAC data', 2);
  const [algorithmNode, digestNode] = readSequence(digestInfo, 'the MAC digest info', 2);
  const algorithm = readAlgorithmIdentifier(algorithmNode, 'the MAC algorithm');
  const expected = readOctets(digestNode, 'the MAC value');

  if (algorithm.oid === OID.pbmac1) {
    const [kdfNode, schemeNode] = readSequence(algorithm.parameters, 'the PBMAC1 parameters', 2);
    const kdf = readPbkdf2Parameters(kdfNode, 'the PBMAC1 key derivation');
    const schemeOid = readAlgorithmIdentifier(schemeNode, 'the PBMAC1 message authentication scheme').oid;
    const createDigest = digestForHmacOid(schemeOid);
    if (!createDigest) throw new P12UnsupportedFormatError(`the PBMAC1 scheme ${schemeOid}`);
    const macLength = createDigest().digestLength;
    const keyLength = kdf.keyLength ?? macLength;
    // Refused before deriving anything: first an absurd request (a 512 MiB key is "too costly"), then RFC
    // 9579's rule that the key is exactly as long as the HMAC's output.
    budget.assertWithinLimits('the MAC', kdf.iterations, keyLength);
    if (keyLength !== macLength) {
      throw new MalformedDerError(
        `the PBMAC1 key length of ${keyLength} bytes differs from the ${macLength}-byte output of its HMAC`,
      );
    }
    return {
      expected,
      mac: (password) =>
        hmac(
          createDigest,
          budget.pbkdf2('the MAC', password.pbkdf2, kdf.salt, kdf.iterations, keyLength, kdf.createDigest),
          content,
        ),
    };
  }

  const createDigest = digestForOid(algorithm.oid);
  if (!createDigest) throw new P12UnsupportedFormatError(`the MAC digest ${algorithm.oid}`);
  const salt = readOctets(saltNode, 'the MAC salt');
  const iterations = iterationsNode ? readSmallInteger(iterationsNode, 'the MAC iteration count') : 1;
  const keyLength = createDigest().digestLength;
  return {
    expected,
    mac: (password) =>
      hmac(
        createDigest,
        budget.pkcs12Kdf('the MAC', password.pkcs12, salt, 3, iterations, keyLength, createDigest),
        content,
      ),
  };
}

/**
 * Verifies the MAC of `content` (the AuthenticatedSafe octets) and returns the first password encoding that
 * reproduces it, or `undefined` when none does (wrong password, or the file was altered).
 */
export function verifyMac(
  macData: Asn1,
  content: string,
  encodings: readonly PasswordEncoding[],
  budget: KeyDerivationBudget,
): PasswordEncoding | undefined {
  const { expected, mac } = readMacFunction(macData, content, budget);
  return encodings.find((encoding) => constantTimeEqual(mac(encoding), expected));
}

function constantTimeEqual(left: string, right: string): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index++)
    difference |= left.charCodeAt(index) ^ right.charCodeAt(index);
  return difference === 0;
}

/** Builds MacData with the PKCS#12 KDF: SHA-1 (legacy readers) or SHA-256 (the OpenSSL 3 default). */
export function createMacData(
  content: string,
  password: string,
  digest: 'sha1' | 'sha256',
  iterations: number,
): Asn1 {
  const createDigest = digest === 'sha1' ? () => forge.md.sha1.create() : () => forge.md.sha256.create();
  const salt = randomBinary(8);
  const keyLength = createDigest().digestLength;
  const key = pkcs12Kdf(password, salt, 3, iterations, keyLength, createDigest);
  const value = hmac(createDigest, key, content);
  return sequence([
    sequence([algorithmIdentifier(digest === 'sha1' ? OID.sha1 : OID.sha256), octetString(value)]),
    octetString(salt),
    integer(iterations),
  ]);
}
