// Password-based encryption of PKCS#12 bags: the PKCS#12 PBE schemes (RFC 7292 appendix C, the "-legacy"
// algorithms) and PBES2 with PBKDF2 (RFC 8018, what OpenSSL 3 writes by default). node-forge's own PKCS#12
// code hashes one password string for both schemes; OpenSSL uses UTF-16 for the first and UTF-8 for the
// second, so non-ASCII passwords need the two encodings kept apart, which is why this lives here.
import forge from 'node-forge';
import { randomBinary, utf8ToBinary } from './binary.js';
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
import { digestForHmacOid, type MessageDigest, pbkdf2, pkcs12Kdf } from './digests.js';
import { P12UnsupportedFormatError } from './errors.js';
import type { KeyDerivationBudget } from './key-derivation-budget.js';
import { OID } from './oids.js';

/** One way of turning the user's password into the bytes each scheme hashes. */
export interface PasswordEncoding {
  /** Text whose UTF-16 code units feed the PKCS#12 KDF, or `null` for "no password at all". */
  readonly pkcs12: string | null;
  /** Binary string fed to PBKDF2 (UTF-8 bytes). */
  readonly pbkdf2: string;
}

/**
 * Encodings to try, most likely first: the standard one (UTF-16 / UTF-8); for non-ASCII passwords the one of
 * OpenSSL < 1.1 (each UTF-8 byte taken as a character); for the empty password, "no password" (some tools
 * write no terminating zero).
 */
export function passwordEncodings(password: string): PasswordEncoding[] {
  const utf8 = utf8ToBinary(password);
  const encodings: PasswordEncoding[] = [{ pkcs12: password, pbkdf2: utf8 }];
  if (utf8 !== password) encodings.push({ pkcs12: utf8, pbkdf2: utf8 });
  if (password === '') encodings.push({ pkcs12: null, pbkdf2: '' });
  return encodings;
}

interface CipherSpec {
  readonly keyLength: number;
  readonly blockSize: number;
  createDecipher(key: string, iv: string): Decipher;
}

interface Decipher {
  update(input: forge.util.ByteStringBuffer): void;
  finish(pad: (blockSize: number, buffer: forge.util.ByteStringBuffer, decrypt: boolean) => boolean): boolean;
  output: forge.util.ByteStringBuffer;
}

// Padding is kept by the cipher (the pad callback returns true) and checked by `removePadding`, the same way
// for every cipher.
function blockCipher(algorithm: 'AES-CBC' | '3DES-CBC' | 'DES-CBC', keyLength: number): CipherSpec {
  const blockSize = algorithm === 'AES-CBC' ? 16 : 8;
  return {
    keyLength,
    blockSize,
    createDecipher(key, iv) {
      const decipher = forge.cipher.createDecipher(algorithm, key);
      decipher.start({ iv });
      return decipher as unknown as Decipher;
    },
  };
}

function rc2Cipher(keyLength: number): CipherSpec {
  return {
    keyLength,
    blockSize: 8,
    createDecipher(key, iv) {
      const decipher = forge.rc2.createDecryptionCipher(key, keyLength * 8);
      decipher.start(iv);
      return decipher as unknown as Decipher;
    },
  };
}

function twoKeyTripleDes(): CipherSpec {
  const inner = blockCipher('3DES-CBC', 24);
  // Two-key 3DES is three-key 3DES with K3 = K1.
  return {
    ...inner,
    keyLength: 16,
    createDecipher: (key, iv) => inner.createDecipher(key + key.slice(0, 8), iv),
  };
}

const PKCS12_PBE_CIPHERS: Record<string, CipherSpec> = {
  [OID.pbeWithSHAAnd3KeyTripleDESCBC]: blockCipher('3DES-CBC', 24),
  [OID.pbeWithSHAAnd2KeyTripleDESCBC]: twoKeyTripleDes(),
  [OID.pbeWithSHAAnd128BitRC2CBC]: rc2Cipher(16),
  [OID.pbeWithSHAAnd40BitRC2CBC]: rc2Cipher(5),
};

const PBES2_CIPHERS: Record<string, CipherSpec> = {
  [OID.aes128CBC]: blockCipher('AES-CBC', 16),
  [OID.aes192CBC]: blockCipher('AES-CBC', 24),
  [OID.aes256CBC]: blockCipher('AES-CBC', 32),
  [OID.desEDE3CBC]: blockCipher('3DES-CBC', 24),
  [OID.desCBC]: blockCipher('DES-CBC', 8),
};

const ALGORITHM_NAMES: Record<string, string> = {
  [OID.pbeWithSHAAnd128BitRC4]: 'RC4-128 encryption',
  [OID.pbeWithSHAAnd40BitRC4]: 'RC4-40 encryption',
  '1.2.840.113549.1.5.3': 'PBES1 (MD5 and DES) encryption',
  '1.2.840.113549.1.5.10': 'PBES1 (SHA-1 and DES) encryption',
};

function runDecipher(spec: CipherSpec, key: string, iv: string, ciphertext: string): string | undefined {
  if (ciphertext.length === 0 || ciphertext.length % spec.blockSize !== 0) {
    throw new MalformedDerError('an encrypted block has a length that no block cipher produces');
  }
  const decipher = spec.createDecipher(key, iv);
  decipher.update(forge.util.createBuffer(ciphertext));
  decipher.finish(() => true);
  return removePadding(decipher.output.getBytes(), spec.blockSize);
}

/** Strips PKCS#7 padding; `undefined` when it is not well-formed (the usual sign of a wrong key). */
export function removePadding(plaintext: string, blockSize: number): string | undefined {
  const count = plaintext.charCodeAt(plaintext.length - 1);
  if (!(count >= 1 && count <= blockSize && count <= plaintext.length)) return undefined;
  for (let index = plaintext.length - count; index < plaintext.length; index++) {
    if (plaintext.charCodeAt(index) !== count) return undefined;
  }
  return plaintext.slice(0, plaintext.length - count);
}

interface Pbkdf2Parameters {
  salt: string;
  iterations: number;
  keyLength: number | undefined;
  createDigest: () => MessageDigest;
}

/** Reads PBKDF2-params (RFC 8018 A.2). Shared with PBMAC1. */
export function readPbkdf2Parameters(node: Asn1 | undefined, what: string): Pbkdf2Parameters {
  const { oid, parameters } = readAlgorithmIdentifier(node, what);
  if (oid !== OID.pbkdf2) throw new P12UnsupportedFormatError(`the key derivation function ${oid}`);
  const fields = readSequence(parameters, `${what} parameters`, 2);
  const salt = readOctets(fields[0], `${what} salt`);
  const iterations = readSmallInteger(fields[1], `${what} iteration count`);
  let keyLength: number | undefined;
  let prfNode: Asn1 | undefined;
  for (const field of fields.slice(2)) {
    if (field.type === forge.asn1.Type.INTEGER) keyLength = readSmallInteger(field, `${what} key length`);
    else prfNode = field;
  }
  const prfOid = prfNode ? readAlgorithmIdentifier(prfNode, `${what} PRF`).oid : OID.hmacWithSHA1;
  const createDigest = digestForHmacOid(prfOid);
  if (!createDigest) throw new P12UnsupportedFormatError(`the PBKDF2 pseudo-random function ${prfOid}`);
  return { salt, iterations, keyLength, createDigest };
}

/**
 * Decrypts `ciphertext` encrypted under the AlgorithmIdentifier `algorithm`.
 * Returns `undefined` when the padding is wrong, which almost always means a wrong password.
 */
export function decryptWithPassword(
  algorithm: Asn1 | undefined,
  ciphertext: string,
  password: PasswordEncoding,
  budget: KeyDerivationBudget,
): string | undefined {
  const { oid, parameters } = readAlgorithmIdentifier(algorithm, 'the encryption algorithm');

  const pkcs12Cipher = PKCS12_PBE_CIPHERS[oid];
  if (pkcs12Cipher) {
    const [saltNode, iterationsNode] = readSequence(parameters, 'the PBE parameters', 2);
    const salt = readOctets(saltNode, 'the PBE salt');
    const iterations = readSmallInteger(iterationsNode, 'the PBE iteration count');
    // The key and the IV are two derivations.
    const what = 'an encryption';
    const key = budget.pkcs12Kdf(what, password.pkcs12, salt, 1, iterations, pkcs12Cipher.keyLength);
    const iv = budget.pkcs12Kdf(what, password.pkcs12, salt, 2, iterations, 8);
    return runDecipher(pkcs12Cipher, key, iv, ciphertext);
  }

  if (oid === OID.pbes2) {
    const [kdfNode, schemeNode] = readSequence(parameters, 'the PBES2 parameters', 2);
    const kdf = readPbkdf2Parameters(kdfNode, 'the PBES2 key derivation');
    const scheme = readAlgorithmIdentifier(schemeNode, 'the PBES2 encryption scheme');
    const cipher = PBES2_CIPHERS[scheme.oid];
    if (!cipher) throw new P12UnsupportedFormatError(`the PBES2 encryption scheme ${scheme.oid}`);
    // An absurd key length is refused as too costly before it is found not to fit the cipher.
    budget.assertWithinLimits('an encryption', kdf.iterations, kdf.keyLength ?? cipher.keyLength);
    if (kdf.keyLength !== undefined && kdf.keyLength !== cipher.keyLength) {
      throw new MalformedDerError('the PBES2 key length does not fit its cipher');
    }
    const iv = readOctets(scheme.parameters, 'the PBES2 IV');
    if (iv.length !== cipher.blockSize) throw new MalformedDerError('the PBES2 IV has the wrong length');
    const key = budget.pbkdf2(
      'an encryption',
      password.pbkdf2,
      kdf.salt,
      kdf.iterations,
      cipher.keyLength,
      kdf.createDigest,
    );
    return runDecipher(cipher, key, iv, ciphertext);
  }

  throw new P12UnsupportedFormatError(ALGORITHM_NAMES[oid] ?? `the encryption algorithm ${oid}`);
}

/** Encryption schemes `createP12` can write. */
export type EncryptionScheme = '3des' | 'aes256';

/**
 * Encrypts with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC: the OpenSSL 3 default) or with
 * pbeWithSHAAnd3-KeyTripleDES-CBC (the legacy scheme every reader supports).
 */
export function encryptWithPassword(
  plaintext: string,
  password: string,
  scheme: EncryptionScheme,
  iterations: number,
): { algorithm: Asn1; ciphertext: string } {
  const salt = randomBinary(scheme === 'aes256' ? 16 : 8);
  let algorithmName: 'AES-CBC' | '3DES-CBC';
  let key: string;
  let iv: string;
  let algorithm: Asn1;
  if (scheme === 'aes256') {
    algorithmName = 'AES-CBC';
    iv = randomBinary(16);
    key = pbkdf2(utf8ToBinary(password), salt, iterations, 32, () => forge.md.sha256.create());
    const kdf = algorithmIdentifier(
      OID.pbkdf2,
      sequence([octetString(salt), integer(iterations), algorithmIdentifier(OID.hmacWithSHA256)]),
    );
    const encryptionScheme = algorithmIdentifier(OID.aes256CBC, octetString(iv));
    algorithm = algorithmIdentifier(OID.pbes2, sequence([kdf, encryptionScheme]));
  } else {
    algorithmName = '3DES-CBC';
    key = pkcs12Kdf(password, salt, 1, iterations, 24);
    iv = pkcs12Kdf(password, salt, 2, iterations, 8);
    algorithm = algorithmIdentifier(
      OID.pbeWithSHAAnd3KeyTripleDESCBC,
      sequence([octetString(salt), integer(iterations)]),
    );
  }
  const cipher = forge.cipher.createCipher(algorithmName, key);
  cipher.start({ iv });
  cipher.update(forge.util.createBuffer(plaintext));
  cipher.finish();
  return { algorithm, ciphertext: cipher.output.getBytes() };
}
