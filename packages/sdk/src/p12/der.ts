// Small, strict readers and writers over node-forge's ASN.1 tree. Every reader names what it expected,
// so a damaged file yields a message that says where it broke.
import forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;

const { asn1 } = forge;
const { Class, Type } = asn1;

/**
 * Thrown by the readers below; the public functions turn it into `P12CorruptError` (files) or
 * `P12InvalidInputError` (PEM arguments).
 */
export class MalformedDerError extends Error {
  override readonly name = 'MalformedDerError';
}

/** Parses DER (BER lengths are tolerated); `allowTrailingBytes` mimics OpenSSL, which ignores trailing data. */
export function parseDer(binary: string, what: string, allowTrailingBytes = false): Asn1 {
  if (binary.length === 0) throw new MalformedDerError(`${what} is empty`);
  try {
    // The typings only know the boolean form of the options.
    const fromDer = asn1.fromDer as unknown as (bytes: string, options: object) => Asn1;
    return fromDer(binary, { strict: true, parseAllBytes: !allowTrailingBytes, decodeBitStrings: false });
  } catch (cause) {
    throw new MalformedDerError(`${what} is not valid DER (truncated or damaged)`, { cause });
  }
}

/** Serialises a node back to DER. */
export function toDer(node: Asn1): string {
  return asn1.toDer(node).getBytes();
}

function isUniversal(node: Asn1, type: number, constructed: boolean): boolean {
  return node.tagClass === Class.UNIVERSAL && node.type === type && node.constructed === constructed;
}

/** Children of a SEQUENCE, with at least `minimumLength` of them. */
export function readSequence(node: Asn1 | undefined, what: string, minimumLength = 0): Asn1[] {
  if (!node || !isUniversal(node, Type.SEQUENCE, true) || !Array.isArray(node.value)) {
    throw new MalformedDerError(`${what} is not a SEQUENCE`);
  }
  if (node.value.length < minimumLength) throw new MalformedDerError(`${what} is incomplete`);
  return node.value;
}

/** Children of a SET. */
export function readSet(node: Asn1 | undefined, what: string): Asn1[] {
  if (!node || !isUniversal(node, Type.SET, true) || !Array.isArray(node.value)) {
    throw new MalformedDerError(`${what} is not a SET`);
  }
  return node.value;
}

/** Dotted form of an OBJECT IDENTIFIER. */
export function readOid(node: Asn1 | undefined, what: string): string {
  if (!node || !isUniversal(node, Type.OID, false) || typeof node.value !== 'string' || node.value === '') {
    throw new MalformedDerError(`${what} is not an OBJECT IDENTIFIER`);
  }
  return asn1.derToOid(node.value);
}

/** Concatenated content of an OCTET STRING (also the BER constructed form) or of an IMPLICIT-tagged one. */
export function readOctets(node: Asn1 | undefined, what: string, implicitTag?: number): string {
  const tagMatches =
    node !== undefined &&
    (implicitTag === undefined
      ? node.tagClass === Class.UNIVERSAL && node.type === Type.OCTETSTRING
      : node.tagClass === Class.CONTEXT_SPECIFIC && node.type === implicitTag);
  if (!node || !tagMatches) throw new MalformedDerError(`${what} is not an OCTET STRING`);
  if (typeof node.value === 'string') return node.value;
  return node.value.map((part) => readOctets(part, what)).join('');
}

/** Raw content octets of an INTEGER (two's complement, big-endian). */
export function readIntegerBytes(node: Asn1 | undefined, what: string): string {
  if (
    !node ||
    !isUniversal(node, Type.INTEGER, false) ||
    typeof node.value !== 'string' ||
    node.value === ''
  ) {
    throw new MalformedDerError(`${what} is not an INTEGER`);
  }
  return node.value;
}

/** A non-negative INTEGER that fits in a JavaScript number (versions, iteration counts, key lengths). */
export function readSmallInteger(node: Asn1 | undefined, what: string): number {
  const bytes = readIntegerBytes(node, what);
  if (bytes.charCodeAt(0) & 0x80) throw new MalformedDerError(`${what} is negative`);
  const significant = bytes.replace(/^\0+/, '');
  if (significant.length > 6) throw new MalformedDerError(`${what} is too large`);
  let value = 0;
  for (let index = 0; index < significant.length; index++)
    value = value * 256 + significant.charCodeAt(index);
  return value;
}

/** Content of a BIT STRING that has no unused bits (keys, signatures). */
export function readBitString(node: Asn1 | undefined, what: string): string {
  if (!node || !isUniversal(node, Type.BITSTRING, false) || typeof node.value !== 'string') {
    throw new MalformedDerError(`${what} is not a BIT STRING`);
  }
  if (node.value.charCodeAt(0) !== 0) throw new MalformedDerError(`${what} has unused bits`);
  return node.value.slice(1);
}

/** True when the node is the context-specific tag `[tagNumber]`. */
export function hasContextTag(node: Asn1 | undefined, tagNumber: number): node is Asn1 {
  return node !== undefined && node.tagClass === Class.CONTEXT_SPECIFIC && node.type === tagNumber;
}

/** The single child of an EXPLICIT `[tagNumber]` wrapper. */
export function readExplicit(node: Asn1 | undefined, tagNumber: number, what: string): Asn1 {
  if (!hasContextTag(node, tagNumber) || !Array.isArray(node.value) || node.value.length !== 1) {
    throw new MalformedDerError(`${what} is not an explicit [${tagNumber}] value`);
  }
  return node.value[0] as Asn1;
}

/** An AlgorithmIdentifier: its OID and its parameters node (absent or NULL gives `undefined`). */
export function readAlgorithmIdentifier(
  node: Asn1 | undefined,
  what: string,
): { oid: string; parameters: Asn1 | undefined } {
  const [oidNode, parameters] = readSequence(node, what, 1);
  const oid = readOid(oidNode, `${what} algorithm`);
  const isNull = parameters !== undefined && isUniversal(parameters, Type.NULL, false);
  return { oid, parameters: isNull ? undefined : parameters };
}

// ---- writers ------------------------------------------------------------------------------------------

export function sequence(children: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, children);
}

export function set(children: Asn1[]): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.SET, true, children);
}

export function oid(dotted: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(dotted).getBytes());
}

export function octetString(binary: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, binary);
}

export function integer(value: number): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(value).getBytes());
}

export function nullValue(): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
}

/** A BMPString (UTF-16BE), the type PKCS#12 uses for friendly names; forge encodes the UTF-16 itself. */
export function bmpString(text: string): Asn1 {
  return asn1.create(Class.UNIVERSAL, Type.BMPSTRING, false, text);
}

/** `[tagNumber] EXPLICIT child`. */
export function explicit(tagNumber: number, child: Asn1): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, true, [child]);
}

/** `[tagNumber] IMPLICIT OCTET STRING`. */
export function implicitOctets(tagNumber: number, binary: string): Asn1 {
  return asn1.create(Class.CONTEXT_SPECIFIC, tagNumber, false, binary);
}

/** AlgorithmIdentifier; parameters default to NULL as the hash and HMAC OIDs expect. */
export function algorithmIdentifier(dotted: string, parameters: Asn1 = nullValue()): Asn1 {
  return sequence([oid(dotted), parameters]);
}
