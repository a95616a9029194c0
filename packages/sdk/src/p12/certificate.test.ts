import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBinary } from './binary.js';
import { escapeAttributeValue, formatName, formatSerialNumber, readCertificate } from './certificate.js';
import { OpenSslWorkspace } from './testing/openssl-workspace.js';

let workspace: OpenSslWorkspace;

beforeAll(() => {
  workspace = new OpenSslWorkspace();
  workspace.generateKey('key.pem', 'rsa');
});

afterAll(() => workspace?.remove());

function der(file: string): string {
  return bytesToBinary(new X509Certificate(workspace.readText(file)).raw);
}

describe('readCertificate', () => {
  it.each([
    [
      'special characters that need escaping',
      '/C=CH/L=Zürich/O=Acme, Inc./OU=#hash/CN=a\\+b "c"; <d>\\\\e /emailAddress=x@y.z',
    ],
    ['a multi-valued RDN and domain components', '/DC=com/DC=example/O=Acme/CN=client+UID=42'],
    ['a leading space', '/O=Acme/CN= padded'],
  ])('formats names with %s exactly as openssl -nameopt RFC2253', (_name, subject) => {
    workspace.openssl(
      'req',
      '-x509',
      '-utf8',
      '-multivalue-rdn',
      '-key',
      'key.pem',
      '-subj',
      subject,
      '-days',
      '1',
      '-out',
      'c.pem',
    );
    const details = readCertificate(der('c.pem'));
    const view = workspace.view('c.pem');
    expect(details.subject).toBe(view.subject);
    expect(details.issuer).toBe(view.issuer);
  });

  it.each([
    ['5', '05'],
    ['0x80ff', '80FF'],
    ['-5', '-05'],
    [`0x00${'ff'.repeat(20)}`, 'FF'.repeat(20)],
  ])('formats serial number %s as openssl -serial does', (serial, expected) => {
    workspace.openssl(
      'req',
      '-x509',
      '-key',
      'key.pem',
      '-subj',
      '/CN=s',
      '-set_serial',
      serial,
      '-days',
      '1',
      '-out',
      's.pem',
    );
    expect(workspace.view('s.pem').serialNumber).toBe(expected);
    expect(readCertificate(der('s.pem')).serialNumber).toBe(expected);
  });

  it('reads UTCTime and GeneralizedTime validity dates', () => {
    workspace.openssl(
      'req',
      '-x509',
      '-key',
      'key.pem',
      '-subj',
      '/CN=long',
      '-days',
      '36500',
      '-out',
      'long.pem',
    );
    const details = readCertificate(der('long.pem'));
    expect(details.notAfter.getUTCFullYear()).toBeGreaterThanOrEqual(2100); // past 2049: GeneralizedTime
    expect(details.notAfter).toEqual(workspace.view('long.pem').notAfter);
    expect(details.notBefore).toEqual(workspace.view('long.pem').notBefore);
  });

  it('throws MalformedDerError for bytes that are not a certificate', () => {
    expect(() => readCertificate('\x30\x03\x02\x01\x01')).toThrow(/certificate/);
    expect(() => readCertificate('')).toThrow(/empty/);
  });
});

describe('formatName', () => {
  const { asn1 } = forge;
  const attribute = (oid: string, type: number, value: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
        asn1.create(asn1.Class.UNIVERSAL, type, false, value),
      ]),
    ]);

  it('writes unknown attribute types as dotted OIDs with the DER value in hex, and decodes BMPString', () => {
    const name = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      attribute('1.2.3.4', asn1.Type.UTF8, 'foo'),
      attribute('2.5.4.3', asn1.Type.BMPSTRING, 'Zoë'),
    ]);
    expect(formatName(name)).toBe('CN=Zoë,1.2.3.4=#0C03666F6F');
  });
});

describe('escapeAttributeValue', () => {
  it('escapes per RFC 4514 and leaves other characters readable', () => {
    expect(escapeAttributeValue('#a,b+c"d\\e<f>g;h ')).toBe('\\#a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h\\ ');
    expect(escapeAttributeValue(' x#y')).toBe('\\ x#y');
    expect(escapeAttributeValue('nul\0tab\t')).toBe('nul\\00tab\\09');
    expect(escapeAttributeValue('Zürich')).toBe('Zürich');
  });
});

describe('formatSerialNumber', () => {
  it('drops sign padding and keeps an even number of digits', () => {
    expect(formatSerialNumber('\x00')).toBe('00');
    expect(formatSerialNumber('\x00\x80')).toBe('80');
    expect(formatSerialNumber('\x01\x02')).toBe('0102');
    expect(formatSerialNumber('\xff')).toBe('-01');
  });
});
