// Test-only: adds a PBMAC1 integrity check (RFC 9579, written by OpenSSL ≥ 3.4 with -pbmac1_pbkdf2) to a
// PKCS#12 file made without MAC. The MAC is computed with node:crypto, independently of the code under test.
import { createHmac, pbkdf2Sync } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;

export function addPbmac1(fileWithoutMac: Uint8Array, password: string, iterations = 2048): Uint8Array {
  const pfx = asn1.fromDer(Buffer.from(fileWithoutMac).toString('binary'));
  // PFX → authSafe ContentInfo → [0] → OCTET STRING: the content the MAC covers.
  const children = (node: forge.asn1.Asn1 | undefined) => (node?.value ?? []) as forge.asn1.Asn1[];
  const octetString = children(children(children(pfx)[1])[1])[0];
  const content = Buffer.from(String(octetString?.value ?? ''), 'binary');
  const salt = Buffer.from('0123456789abcdef');
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const mac = createHmac('sha256', key).update(content).digest();

  const { Class, Type } = asn1;
  const sequence = (children: forge.asn1.Asn1[]) =>
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, children);
  const oid = (dotted: string) =>
    asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
  const octets = (bytes: Buffer) =>
    asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString('binary'));
  const integer = (value: number) =>
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(value).getBytes());
  const hmacWithSha256 = sequence([
    oid('1.2.840.113549.2.9'),
    asn1.create(Class.UNIVERSAL, Type.NULL, false, ''),
  ]);

  const pbkdf2Parameters = sequence([octets(salt), integer(iterations), integer(32), hmacWithSha256]);
  const pbmac1 = sequence([
    oid('1.2.840.113549.1.5.14'),
    sequence([sequence([oid('1.2.840.113549.1.5.12'), pbkdf2Parameters]), hmacWithSha256]),
  ]);
  // RFC 9579: macSalt and iterations of MacData are present but ignored.
  const macData = sequence([sequence([pbmac1, octets(mac)]), octets(Buffer.from('ignored!')), integer(1)]);
  (pfx.value as forge.asn1.Asn1[]).push(macData);
  return new Uint8Array(Buffer.from(asn1.toDer(pfx).getBytes(), 'binary'));
}
