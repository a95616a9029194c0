// Test-only: PKCS#12 files crafted to make a reader do expensive work (the attacks of the p12 cost findings).
// They are structurally valid, so only the cost limits stop them. MACs are computed with node:crypto,
// independently of the code under test.
import { createHash, createHmac } from 'node:crypto';
import { binaryToBytes } from '../binary.js';
import {
  type Asn1,
  algorithmIdentifier,
  explicit,
  implicitOctets,
  integer,
  octetString,
  oid,
  sequence,
  toDer,
} from '../der.js';
import { OID } from '../oids.js';

/** 512 MiB: the key length of the reported 161-byte PBMAC1 file. */
export const HUGE_KEY_LENGTH = 512 * 1024 * 1024;

/** An empty SafeContents, wrapped as the single data ContentInfo of an AuthenticatedSafe. */
const EMPTY_AUTHENTICATED_SAFE = toDer(
  sequence([sequence([oid(OID.data), explicit(0, octetString(toDer(sequence([]))))])]),
);

function pfx(authenticatedSafe: string, macData?: Asn1): Uint8Array {
  const fields = [
    integer(3),
    sequence([oid(OID.data), explicit(0, octetString(authenticatedSafe))]),
    ...(macData ? [macData] : []),
  ];
  return binaryToBytes(toDer(sequence(fields)));
}

function pbkdf2Parameters(options: { iterations: number; keyLength: number; salt?: string }): Asn1 {
  return algorithmIdentifier(
    OID.pbkdf2,
    sequence([
      octetString(options.salt ?? 'salt'),
      integer(options.iterations),
      integer(options.keyLength),
      algorithmIdentifier(OID.hmacWithSHA256),
    ]),
  );
}

/**
 * The reported attack: a PBMAC1 MAC (RFC 9579) whose PBKDF2 asks, with a single iteration, for a key of
 * `keyLength` bytes (default 512 MiB). 161 bytes in all.
 */
export function pbmac1KeyLengthBomb(keyLength = HUGE_KEY_LENGTH): Uint8Array {
  const pbmac1 = algorithmIdentifier(
    OID.pbmac1,
    sequence([pbkdf2Parameters({ iterations: 1, keyLength }), algorithmIdentifier(OID.hmacWithSHA256)]),
  );
  const macData = sequence([
    sequence([pbmac1, octetString('\0'.repeat(32))]),
    // RFC 9579: the salt and iteration count of MacData are present but ignored.
    octetString('-'),
    integer(1),
  ]);
  return pfx(EMPTY_AUTHENTICATED_SAFE, macData);
}

/** A file without MAC whose only content is PBES2-encrypted with a PBKDF2 asking for `keyLength` bytes. */
export function pbes2KeyLengthBomb(keyLength = HUGE_KEY_LENGTH, iterations = 1): Uint8Array {
  const pbes2 = algorithmIdentifier(
    OID.pbes2,
    sequence([
      pbkdf2Parameters({ iterations, keyLength }),
      algorithmIdentifier(OID.aes256CBC, octetString('\0'.repeat(16))),
    ]),
  );
  const encryptedData = sequence([
    integer(0),
    sequence([oid(OID.data), pbes2, implicitOctets(0, '\0'.repeat(32))]),
  ]);
  const authenticatedSafe = toDer(sequence([sequence([oid(OID.encryptedData), explicit(0, encryptedData)])]));
  return pfx(authenticatedSafe);
}

const MAC_DIGESTS = {
  sha1: { oid: OID.sha1, blockSize: 64, length: 20 },
  sha256: { oid: OID.sha256, blockSize: 64, length: 32 },
  sha512: { oid: OID.sha512, blockSize: 128, length: 64 },
} as const;

/**
 * A file holding nothing (no key, no certificate) behind a correct PKCS#12-KDF MAC of `iterations`
 * (default 200,000: the iteration cap) with `digest` (default SHA-512, the slowest in node-forge).
 * `password: null` keys the MAC with "no password at all", so a reader given the empty password tries its
 * standard encoding first, fails, and derives a second time: the costliest legal-looking file there is.
 * Once opened, it is refused with `p12_no_private_key`.
 */
export function macCostCapFile(
  options: { digest?: keyof typeof MAC_DIGESTS; iterations?: number; password?: string | null } = {},
): Uint8Array {
  const digest = MAC_DIGESTS[options.digest ?? 'sha512'];
  const name = options.digest ?? 'sha512';
  const iterations = options.iterations ?? 200_000;
  const password = options.password === undefined ? null : options.password;
  const salt = Buffer.from('0123456789abcdef');
  const key = pkcs12MacKey(name, digest.blockSize, password, salt, iterations);
  const mac = createHmac(name, key).update(Buffer.from(EMPTY_AUTHENTICATED_SAFE, 'binary')).digest();
  const macData = sequence([
    sequence([algorithmIdentifier(digest.oid), octetString(mac.toString('binary'))]),
    octetString(salt.toString('binary')),
    integer(iterations),
  ]);
  return pfx(EMPTY_AUTHENTICATED_SAFE, macData);
}

/** RFC 7292 B.2 with ID 3 (MAC key), for a key of one digest length (so a single block). */
function pkcs12MacKey(
  digest: string,
  blockSize: number,
  password: string | null,
  salt: Buffer,
  iterations: number,
): Buffer {
  const stretch = (bytes: Buffer) =>
    bytes.length === 0
      ? bytes
      : Buffer.alloc(blockSize * Math.ceil(bytes.length / blockSize), bytes as Uint8Array);
  // BMPString of the password plus a terminating zero; "no password" is no bytes at all.
  const passwordBytes =
    password === null ? Buffer.alloc(0) : Buffer.from(`${password}\0`, 'utf16le').swap16();
  const input = Buffer.concat([Buffer.alloc(blockSize, 3), stretch(salt), stretch(passwordBytes)]);
  let block = createHash(digest).update(input).digest();
  for (let round = 1; round < iterations; round++) block = createHash(digest).update(block).digest();
  return block;
}
