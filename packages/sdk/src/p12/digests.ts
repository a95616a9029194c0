import forge from 'node-forge';
import { OID } from './oids.js';

export type MessageDigest = forge.md.MessageDigest;

/** Digest factories by digest OID (the MAC of PKCS#12 names a digest, the KDF runs on it). */
const DIGEST_BY_OID: Record<string, () => MessageDigest> = {
  [OID.md5]: () => forge.md.md5.create(),
  [OID.sha1]: () => forge.md.sha1.create(),
  [OID.sha256]: () => forge.md.sha256.create(),
  [OID.sha384]: () => forge.md.sha384.create(),
  [OID.sha512]: () => forge.md.sha512.create(),
};

/** Digest factories by HMAC OID (the PRF of PBKDF2 and the MAC scheme of PBMAC1). */
const DIGEST_BY_HMAC_OID: Record<string, () => MessageDigest> = {
  [OID.hmacWithSHA1]: () => forge.md.sha1.create(),
  [OID.hmacWithSHA256]: () => forge.md.sha256.create(),
  [OID.hmacWithSHA384]: () => forge.md.sha384.create(),
  [OID.hmacWithSHA512]: () => forge.md.sha512.create(),
};

export function digestForOid(oid: string): (() => MessageDigest) | undefined {
  return DIGEST_BY_OID[oid];
}

export function digestForHmacOid(oid: string): (() => MessageDigest) | undefined {
  return DIGEST_BY_HMAC_OID[oid];
}

/** SHA-1 of a binary string (PKCS#12 `localKeyId`). */
export function sha1(binary: string): string {
  return forge.md.sha1.create().update(binary).digest().getBytes();
}

/** SHA-256 of a binary string (certificate fingerprints). */
export function sha256(binary: string): string {
  return forge.md.sha256.create().update(binary).digest().getBytes();
}

/** HMAC of `message` under `key` with a fresh digest. */
export function hmac(createDigest: () => MessageDigest, key: string, message: string): string {
  const mac = forge.hmac.create();
  mac.start(createDigest(), key);
  mac.update(message);
  return mac.digest().getBytes();
}

/** PBKDF2 (RFC 8018) with an HMAC of the given digest; `password` is a binary string (UTF-8 bytes). */
export function pbkdf2(
  password: string,
  salt: string,
  iterations: number,
  keyLength: number,
  createDigest: () => MessageDigest,
): string {
  return forge.pkcs5.pbkdf2(password, salt, iterations, keyLength, createDigest());
}

/**
 * The PKCS#12 key derivation function (RFC 7292 appendix B). `password` is the text whose UTF-16 code units
 * (plus a terminating zero) are hashed, or `null` for "no password" (no bytes at all).
 * `purpose` is 1 for a key, 2 for an IV, 3 for a MAC key.
 */
export function pkcs12Kdf(
  password: string | null,
  salt: string,
  purpose: 1 | 2 | 3,
  iterations: number,
  length: number,
  createDigest: () => MessageDigest = () => forge.md.sha1.create(),
): string {
  const derive = forge.pkcs12.generateKey as (
    password: string | null,
    salt: forge.util.ByteStringBuffer,
    id: number,
    iter: number,
    n: number,
    md?: MessageDigest,
  ) => forge.util.ByteStringBuffer;
  return derive(
    password,
    forge.util.createBuffer(salt),
    purpose,
    iterations,
    length,
    createDigest(),
  ).getBytes();
}
