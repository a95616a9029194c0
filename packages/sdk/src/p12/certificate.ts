// Reads the X.509 fields the gateway shows, straight from the DER. node-forge's certificate parser only
// accepts RSA keys; certificate chains often hold EC certificates, so this reads any key type.
import forge from 'node-forge';
import { binaryToBytes, binaryToHex } from './binary.js';
import {
  type Asn1,
  hasContextTag,
  MalformedDerError,
  parseDer,
  readAlgorithmIdentifier,
  readBitString,
  readIntegerBytes,
  readOid,
  readSequence,
  readSet,
  toDer,
} from './der.js';
import { sha256 } from './digests.js';

/** The SubjectPublicKeyInfo of a certificate. */
export interface SubjectPublicKey {
  readonly algorithmOid: string;
  /** DER of the algorithm parameters (the curve of an EC key), when present and not NULL. */
  readonly parametersDer: string | undefined;
  /** Content of the subjectPublicKey BIT STRING. */
  readonly key: string;
}

/** What the PKCS#12 tools need to know about one certificate. */
export interface CertificateDetails {
  /** The certificate's DER, byte for byte as found. */
  readonly der: string;
  readonly subject: string;
  readonly issuer: string;
  /** DER of the subject and issuer Names, to link a chain without normalising strings. */
  readonly subjectDer: string;
  readonly issuerDer: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly fingerprintSha256: string;
  readonly publicKey: SubjectPublicKey;
}

/** Parses one DER certificate; throws `MalformedDerError` when it is not one. */
export function readCertificate(der: string): CertificateDetails {
  const [tbs] = readSequence(parseDer(der, 'a certificate'), 'a certificate', 3);
  const tbsFields = readSequence(tbs, 'the certificate body', 6);
  const fields = hasContextTag(tbsFields[0], 0) ? tbsFields.slice(1) : tbsFields;
  const [serialNode, , issuerNode, validityNode, subjectNode, publicKeyNode] = fields;
  const [notBeforeNode, notAfterNode] = readSequence(validityNode, 'the certificate validity', 2);
  if (!issuerNode || !subjectNode) throw new MalformedDerError('the certificate names are missing');
  return {
    der,
    subject: formatName(subjectNode),
    issuer: formatName(issuerNode),
    subjectDer: toDer(subjectNode),
    issuerDer: toDer(issuerNode),
    serialNumber: formatSerialNumber(readIntegerBytes(serialNode, 'the certificate serial number')),
    notBefore: readTime(notBeforeNode, 'notBefore'),
    notAfter: readTime(notAfterNode, 'notAfter'),
    fingerprintSha256: binaryToHex(sha256(der), ':'),
    publicKey: readSubjectPublicKeyInfo(publicKeyNode),
  };
}

/** Reads a SubjectPublicKeyInfo (the public key of a certificate). */
export function readSubjectPublicKeyInfo(node: Asn1 | undefined): SubjectPublicKey {
  const [algorithmNode, keyNode] = readSequence(node, 'the certificate public key', 2);
  const algorithm = readAlgorithmIdentifier(algorithmNode, 'the certificate public key algorithm');
  return {
    algorithmOid: algorithm.oid,
    parametersDer: algorithm.parameters ? toDer(algorithm.parameters) : undefined,
    key: readBitString(keyNode, 'the certificate public key'),
  };
}

function readTime(node: Asn1 | undefined, what: string): Date {
  const { Type } = forge.asn1;
  let date: Date | undefined;
  try {
    if (node?.type === Type.UTCTIME && typeof node.value === 'string')
      date = forge.asn1.utcTimeToDate(node.value);
    if (node?.type === Type.GENERALIZEDTIME && typeof node.value === 'string') {
      date = forge.asn1.generalizedTimeToDate(node.value);
    }
  } catch {
    date = undefined;
  }
  if (!date || Number.isNaN(date.getTime()))
    throw new MalformedDerError(`the certificate ${what} date is invalid`);
  return date;
}

/** Uppercase hex of the serial number as OpenSSL prints it (`openssl x509 -serial`): no sign padding. */
export function formatSerialNumber(integerBytes: string): string {
  const hex = binaryToHex(integerBytes);
  let value = BigInt(`0x${hex}`);
  const negative = (integerBytes.charCodeAt(0) & 0x80) !== 0;
  if (negative) value = (1n << BigInt(integerBytes.length * 8)) - value;
  let digits = value.toString(16).toUpperCase();
  if (digits.length % 2 === 1) digits = `0${digits}`;
  return negative ? `-${digits}` : digits;
}

// Short names as RFC 4514 defines them and as `openssl -nameopt RFC2253` prints the others.
const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * RFC 4514 string of a Name: most specific RDN first, `,` between RDNs, `+` inside one, special characters
 * escaped, unknown attribute types as dotted OIDs with `#hex` values. Non-ASCII text stays readable UTF-8.
 */
export function formatName(name: Asn1): string {
  const rdns = readSequence(name, 'a distinguished name');
  return rdns
    .map((rdn) =>
      readSet(rdn, 'a relative distinguished name')
        .map((attribute) => {
          const [typeNode, valueNode] = readSequence(attribute, 'a name attribute', 2);
          const type = readOid(typeNode, 'a name attribute type');
          const name = ATTRIBUTE_NAMES[type];
          const text = valueNode ? decodeDirectoryString(valueNode) : undefined;
          if (name && text !== undefined) return `${name}=${escapeAttributeValue(text)}`;
          return `${name ?? type}=#${binaryToHex(valueNode ? toDer(valueNode) : '')}`;
        })
        // OpenSSL reverses the attributes inside a multi-valued RDN too; RFC 4514 leaves that order free.
        .reverse()
        .join('+'),
    )
    .reverse()
    .join(',');
}

function decodeDirectoryString(node: Asn1): string | undefined {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || typeof node.value !== 'string') return undefined;
  const value = node.value;
  switch (node.type as number) {
    case 12: // UTF8String
      return new TextDecoder().decode(binaryToBytes(value));
    case 30: // BMPString: node-forge has already decoded it to text
      return value;
    case 28: {
      // UniversalString (UTF-32BE)
      const codePoints: number[] = [];
      for (let index = 0; index + 3 < value.length; index += 4) {
        codePoints.push(
          ((value.charCodeAt(index) << 24) |
            (value.charCodeAt(index + 1) << 16) |
            (value.charCodeAt(index + 2) << 8) |
            value.charCodeAt(index + 3)) >>>
            0,
        );
      }
      return String.fromCodePoint(...codePoints.filter((codePoint) => codePoint <= 0x10ffff));
    }
    case 18: // NumericString
    case 19: // PrintableString
    case 20: // TeletexString, read as Latin-1 like OpenSSL does
    case 22: // IA5String
    case 26: // VisibleString
      return value;
    default:
      return undefined;
  }
}

/** Escapes an attribute value per RFC 4514 §2.4 (and control characters as `\XX`, as OpenSSL does). */
export function escapeAttributeValue(value: string): string {
  let escaped = '';
  for (let index = 0; index < value.length; index++) {
    const char = value.charAt(index);
    const code = value.charCodeAt(index);
    if ('"+,;<>\\'.includes(char)) escaped += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) escaped += `\\${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else if ((char === '#' || char === ' ') && index === 0) escaped += `\\${char}`;
    else if (char === ' ' && index === value.length - 1) escaped += '\\ ';
    else escaped += char;
  }
  return escaped;
}
