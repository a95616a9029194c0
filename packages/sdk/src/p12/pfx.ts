// The PKCS#12 container (RFC 7292): PFX → AuthenticatedSafe → SafeContents → SafeBags. Decoding collects the
// keys and certificates whatever their layout; encoding writes the layout OpenSSL writes.
import { bytesToBinary } from './binary.js';
import {
  type Asn1,
  bmpString,
  explicit,
  implicitOctets,
  integer,
  MalformedDerError,
  octetString,
  oid,
  parseDer,
  readExplicit,
  readOctets,
  readOid,
  readSequence,
  readSet,
  readSmallInteger,
  sequence,
  set,
  toDer,
} from './der.js';
import { P12UnsupportedFormatError, P12WrongPasswordError } from './errors.js';
import type { KeyDerivationBudget } from './key-derivation-budget.js';
import { createMacData, verifyMac } from './mac.js';
import { OID } from './oids.js';
import {
  decryptWithPassword,
  type EncryptionScheme,
  encryptWithPassword,
  type PasswordEncoding,
  passwordEncodings,
} from './password-based-encryption.js';

/** Attributes PKCS#12 tools attach to bags. */
export interface BagAttributes {
  /** Links a key to its certificate (OpenSSL: SHA-1 of the certificate). */
  readonly localKeyId?: string;
  readonly friendlyName?: string;
}

export interface KeyEntry extends BagAttributes {
  /** PKCS#8 PrivateKeyInfo DER. */
  readonly pkcs8Der: string;
}

export interface CertificateEntry extends BagAttributes {
  /** X.509 certificate DER. */
  readonly der: string;
}

/** Everything found in a PKCS#12 file, in file order. */
export interface PfxContents {
  readonly keys: KeyEntry[];
  readonly certificates: CertificateEntry[];
}

/** Nested safeContentsBags deeper than this are refused (no real tool nests at all). */
const MAX_BAG_NESTING = 8;

/** Decrypts bags, settling on the first password encoding that works (the one the MAC confirmed, if any). */
class BagDecrypter {
  constructor(
    private encodings: PasswordEncoding[],
    private readonly passwordConfirmedByMac: boolean,
    private readonly budget: KeyDerivationBudget,
  ) {}

  decrypt(algorithm: Asn1 | undefined, ciphertext: string, what: string): { der: string; node: Asn1 } {
    for (const encoding of this.encodings) {
      const plaintext = decryptWithPassword(algorithm, ciphertext, encoding, this.budget);
      if (plaintext === undefined) continue;
      let node: Asn1;
      try {
        node = parseDer(plaintext, what);
      } catch {
        continue;
      }
      this.encodings = [encoding];
      return { der: plaintext, node };
    }
    if (this.passwordConfirmedByMac) {
      throw new MalformedDerError(
        `${what} cannot be decrypted although the password passed the integrity check`,
      );
    }
    throw new P12WrongPasswordError();
  }
}

/**
 * Opens a PKCS#12 file: checks the MAC (when present) and decrypts every bag.
 * Throws `MalformedDerError` for damaged structure and `P12Error`s for the rest.
 */
export function decodePfx(bytes: Uint8Array, password: string, budget: KeyDerivationBudget): PfxContents {
  let authSafeContent: string;
  let macData: Asn1 | undefined;
  try {
    const pfx = readSequence(parseDer(bytesToBinary(bytes), 'the file', true), 'the file', 2);
    const version = readSmallInteger(pfx[0], 'the version');
    const [contentType, content] = readSequence(pfx[1], 'the authenticated safe', 1);
    const type = readOid(contentType, 'the content type');
    if (type === OID.signedData) {
      throw new P12UnsupportedFormatError(
        'public-key integrity mode (a signature instead of a password MAC)',
      );
    }
    if (type !== OID.data) throw new MalformedDerError(`its content type ${type} is not PKCS#7 data`);
    if (version !== 3) throw new P12UnsupportedFormatError(`version ${version} of the format (expected 3)`);
    authSafeContent = readOctets(
      readExplicit(content, 0, 'the authenticated safe'),
      'the authenticated safe',
    );
    macData = pfx[2];
  } catch (error) {
    if (error instanceof MalformedDerError) {
      throw new MalformedDerError(`it does not have the structure of a PKCS#12 file (${error.message})`, {
        cause: error,
      });
    }
    throw error;
  }

  let encodings = passwordEncodings(password);
  if (macData) {
    const verified = verifyMac(macData, authSafeContent, encodings, budget);
    if (!verified) throw new P12WrongPasswordError();
    encodings = [verified, ...encodings.filter((encoding) => encoding !== verified)];
  }
  const decrypter = new BagDecrypter(encodings, macData !== undefined, budget);

  const contents: PfxContents = { keys: [], certificates: [] };
  const authSafe = readSequence(
    parseDer(authSafeContent, 'the authenticated safe'),
    'the authenticated safe',
  );
  for (const contentInfo of authSafe) {
    const [typeNode, wrapper] = readSequence(contentInfo, 'a content info', 1);
    const type = readOid(typeNode, 'a content type');
    if (type === OID.data) {
      const safeContents = readOctets(readExplicit(wrapper, 0, 'a data content'), 'a data content');
      readSafeContents(parseDer(safeContents, 'a safe contents'), decrypter, contents, 0);
    } else if (type === OID.encryptedData) {
      // EncryptedData: version, EncryptedContentInfo { contentType, algorithm, [0] IMPLICIT content }.
      const [, encryptedContentInfo] = readSequence(
        readExplicit(wrapper, 0, 'encrypted data'),
        'encrypted data',
        2,
      );
      const [, algorithm, encryptedContent] = readSequence(
        encryptedContentInfo,
        'an encrypted content info',
        2,
      );
      if (!encryptedContent) continue;
      const ciphertext = readOctets(encryptedContent, 'an encrypted content', 0);
      const { node } = decrypter.decrypt(algorithm, ciphertext, 'a decrypted safe contents');
      readSafeContents(node, decrypter, contents, 0);
    } else if (type === OID.envelopedData) {
      throw new P12UnsupportedFormatError('public-key privacy mode (envelopedData)');
    } else {
      throw new MalformedDerError(`it holds an unknown content type ${type}`);
    }
  }
  return contents;
}

function readSafeContents(node: Asn1, decrypter: BagDecrypter, contents: PfxContents, depth: number): void {
  if (depth > MAX_BAG_NESTING) throw new MalformedDerError('its safe contents are nested too deeply');
  for (const bag of readSequence(node, 'a safe contents')) {
    const [idNode, valueWrapper, attributesNode] = readSequence(bag, 'a safe bag', 2);
    const bagId = readOid(idNode, 'a bag type');
    const value = readExplicit(valueWrapper, 0, 'a bag value');
    const attributes = attributesNode ? readAttributes(attributesNode) : {};
    switch (bagId) {
      case OID.keyBag:
        contents.keys.push({ ...attributes, pkcs8Der: toDer(value) });
        break;
      case OID.pkcs8ShroudedKeyBag: {
        const [algorithm, encrypted] = readSequence(value, 'an encrypted private key', 2);
        const ciphertext = readOctets(encrypted, 'an encrypted private key');
        const { der } = decrypter.decrypt(algorithm, ciphertext, 'a decrypted private key');
        contents.keys.push({ ...attributes, pkcs8Der: der });
        break;
      }
      case OID.certBag: {
        const [certificateType, certificateValue] = readSequence(value, 'a certificate bag', 2);
        // Only X.509 certificates exist in practice; SDSI certificates are skipped.
        if (readOid(certificateType, 'a certificate type') !== OID.x509Certificate) break;
        const der = readOctets(readExplicit(certificateValue, 0, 'a certificate'), 'a certificate');
        contents.certificates.push({ ...attributes, der });
        break;
      }
      case OID.safeContentsBag:
        readSafeContents(value, decrypter, contents, depth + 1);
        break;
      default:
        // CRL and secret bags carry nothing a client identity needs.
        break;
    }
  }
}

function readAttributes(node: Asn1): BagAttributes {
  let localKeyId: string | undefined;
  let friendlyName: string | undefined;
  for (const attribute of readSet(node, 'the bag attributes')) {
    const [typeNode, valuesNode] = readSequence(attribute, 'a bag attribute', 2);
    const type = readOid(typeNode, 'a bag attribute type');
    const [first] = readSet(valuesNode, 'a bag attribute value');
    if (type === OID.localKeyId && first) localKeyId = readOctets(first, 'a local key id');
    if (type === OID.friendlyName && typeof first?.value === 'string') {
      // node-forge already decodes BMPString values to text.
      friendlyName = first.value;
    }
  }
  return {
    ...(localKeyId === undefined ? {} : { localKeyId }),
    ...(friendlyName === undefined ? {} : { friendlyName }),
  };
}

// ---- encoding ---------------------------------------------------------------------------------------------

/** One bag to write. Keys are written shrouded (encrypted PKCS#8) unless `shrouded` is false. */
export type BagToWrite =
  | ({ readonly kind: 'key'; readonly shrouded?: boolean } & KeyEntry)
  | ({ readonly kind: 'certificate' } & CertificateEntry);

/** One SafeContents to write; `encrypted` wraps it in EncryptedData, as OpenSSL does with certificates. */
export interface SafeToWrite {
  readonly encrypted: boolean;
  readonly bags: readonly BagToWrite[];
}

export interface EncodePfxOptions {
  readonly password: string;
  readonly scheme: EncryptionScheme;
  readonly safes: readonly SafeToWrite[];
  /** MAC digest; `false` writes a file without MAC (`openssl pkcs12 -nomac`). */
  readonly mac: 'sha1' | 'sha256' | false;
  readonly iterations: number;
}

/** Writes a PFX and returns its DER. */
export function encodePfx(options: EncodePfxOptions): string {
  const { password, scheme, iterations } = options;
  const contentInfos = options.safes.map((safe) => {
    const safeContents = toDer(
      sequence(safe.bags.map((bag) => encodeBag(bag, password, scheme, iterations))),
    );
    if (!safe.encrypted) return sequence([oid(OID.data), explicit(0, octetString(safeContents))]);
    const { algorithm, ciphertext } = encryptWithPassword(safeContents, password, scheme, iterations);
    const encryptedData = sequence([
      integer(0),
      sequence([oid(OID.data), algorithm, implicitOctets(0, ciphertext)]),
    ]);
    return sequence([oid(OID.encryptedData), explicit(0, encryptedData)]);
  });
  const authSafe = toDer(sequence(contentInfos));
  const pfx = [integer(3), sequence([oid(OID.data), explicit(0, octetString(authSafe))])];
  if (options.mac) pfx.push(createMacData(authSafe, password, options.mac, iterations));
  return toDer(sequence(pfx));
}

function encodeBag(bag: BagToWrite, password: string, scheme: EncryptionScheme, iterations: number): Asn1 {
  const attributes: Asn1[] = [];
  if (bag.friendlyName !== undefined) {
    attributes.push(sequence([oid(OID.friendlyName), set([bmpString(bag.friendlyName)])]));
  }
  if (bag.localKeyId !== undefined) {
    attributes.push(sequence([oid(OID.localKeyId), set([octetString(bag.localKeyId)])]));
  }
  let bagId: string;
  let value: Asn1;
  if (bag.kind === 'certificate') {
    bagId = OID.certBag;
    value = sequence([oid(OID.x509Certificate), explicit(0, octetString(bag.der))]);
  } else if (bag.shrouded === false) {
    bagId = OID.keyBag;
    value = parseDer(bag.pkcs8Der, 'the private key');
  } else {
    bagId = OID.pkcs8ShroudedKeyBag;
    const { algorithm, ciphertext } = encryptWithPassword(bag.pkcs8Der, password, scheme, iterations);
    value = sequence([algorithm, octetString(ciphertext)]);
  }
  const fields = [oid(bagId), explicit(0, value)];
  if (attributes.length > 0) fields.push(set(attributes));
  return sequence(fields);
}
