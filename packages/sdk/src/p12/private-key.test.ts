import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesToBinary } from './binary.js';
import { readSubjectPublicKeyInfo, type SubjectPublicKey } from './certificate.js';
import { parseDer } from './der.js';
import { P12UnsupportedKeyError } from './errors.js';
import { privateKeyToPkcs8, readPrivateKey, sameEcPoint } from './private-key.js';
import { generateKey } from './testing/openssl-workspace.js';

function pkcs8Of(pem: string): string {
  return bytesToBinary(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
}

/** The public key Node.js derives from a private key, in the form a certificate carries it. */
function publicKeyOf(pem: string): SubjectPublicKey {
  const spki = bytesToBinary(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
  return readSubjectPublicKeyInfo(parseDer(spki, 'a public key'));
}

describe('readPrivateKey', () => {
  it.each([
    ['rsa', 'RSA'],
    ['ec', 'EC'],
    ['ed25519', 'Ed25519'],
  ] as const)('pairs a %s key with its own public key and no other', (type, algorithm) => {
    const keyPem = generateKey(type);
    const otherPem = generateKey(type);
    const key = readPrivateKey(pkcs8Of(keyPem));
    expect(key.algorithm).toBe(algorithm);
    expect(key.matches(publicKeyOf(keyPem))).toBe(true);
    expect(key.matches(publicKeyOf(otherPem))).toBe(false);
    expect(key.matches(publicKeyOf(generateKey(type === 'rsa' ? 'ec' : 'rsa')))).toBe(false);
  });

  it('refuses Ed448 keys as unsupported, naming the algorithm', () => {
    expect(() => readPrivateKey(pkcs8Of(generateKey('ed448')))).toThrow(/Ed448/);
    expect(() => readPrivateKey(pkcs8Of(generateKey('ed448')))).toThrow(P12UnsupportedKeyError);
  });
});

describe('privateKeyToPkcs8', () => {
  it('wraps PKCS#1 and SEC 1 keys into the PKCS#8 Node.js would write', () => {
    for (const [type, label, format] of [
      ['rsa', 'RSA PRIVATE KEY', 'pkcs1'],
      ['ec', 'EC PRIVATE KEY', 'sec1'],
    ] as const) {
      const pem = generateKey(type);
      const der = bytesToBinary(createPrivateKey(pem).export({ type: format, format: 'der' }));
      const wrapped = privateKeyToPkcs8(label, der) ?? '';
      const reexported = createPrivateKey({
        key: Buffer.from(wrapped, 'binary'),
        format: 'der',
        type: 'pkcs8',
      });
      expect(bytesToBinary(reexported.export({ type: 'pkcs8', format: 'der' }))).toBe(pkcs8Of(pem));
    }
    expect(privateKeyToPkcs8('DSA PRIVATE KEY', '\x30\x00')).toBeUndefined();
  });
});

describe('sameEcPoint', () => {
  const x = 'X'.repeat(32);
  const evenY = `${'Y'.repeat(31)}\x02`;
  const oddY = `${'Y'.repeat(31)}\x03`;

  it('matches a point with its compressed form only when the parity of y agrees', () => {
    expect(sameEcPoint(`\x04${x}${evenY}`, `\x04${x}${evenY}`)).toBe(true);
    expect(sameEcPoint(`\x02${x}`, `\x04${x}${evenY}`)).toBe(true);
    expect(sameEcPoint(`\x04${x}${oddY}`, `\x03${x}`)).toBe(true);
    expect(sameEcPoint(`\x03${x}`, `\x04${x}${evenY}`)).toBe(false);
    expect(sameEcPoint(`\x02${'Z'.repeat(32)}`, `\x04${x}${evenY}`)).toBe(false);
    expect(sameEcPoint(`\x04${x}${evenY}`, `\x04${x}${oddY}`)).toBe(false);
  });
});
