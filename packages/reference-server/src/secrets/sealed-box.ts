import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretDecryptionError } from './errors.js';
import type { Keyring, MasterKey } from './master-key.js';

/** One AES-256-GCM encryption: which key, the random 96-bit IV, the ciphertext and the 128-bit tag. */
export interface SealedBox {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 8;
const FORMAT_VERSION = 1;

/**
 * Encrypts `plaintext` with AES-256-GCM under a fresh random IV. `aad` (authenticated, not encrypted)
 * binds the ciphertext to its owner: opening it with another `aad` fails.
 */
export function seal(key: MasterKey, plaintext: Uint8Array, aad: string): SealedBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.keyObject, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { keyId: key.id, iv, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Decrypts a {@link SealedBox} with the key of its key id. `what` names the secret in error messages.
 * @throws {SecretDecryptionError} unknown key id, wrong `aad`, or modified IV / ciphertext / tag.
 */
export function unseal(keyring: Keyring, box: SealedBox, aad: string, what: string): Buffer {
  const key = keyring.find(box.keyId);
  if (!key) {
    throw new SecretDecryptionError(
      `${what} was encrypted with master key ${box.keyId}, which is not configured (configured: ` +
        `${keyring.keyIds.join(', ')}). Start with the master key it was written with, or supply that key ` +
        'as a previous key.',
    );
  }
  try {
    if (box.iv.length !== IV_BYTES || box.tag.length !== TAG_BYTES) throw new Error('malformed');
    const decipher = createDecipheriv('aes-256-gcm', key.keyObject, box.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(box.tag);
    return Buffer.concat([decipher.update(box.ciphertext), decipher.final()]);
  } catch {
    throw new SecretDecryptionError(
      `${what} failed authentication: it was modified, or it belongs to another account, certificate or ref. ` +
        'Re-upload the certificate to store it again.',
    );
  }
}

/** Packs a box into one byte string: version (1) | key id (8) | IV (12) | tag (16) | ciphertext. */
export function encodeSealedBox(box: SealedBox): Buffer {
  return Buffer.concat([
    Buffer.from([FORMAT_VERSION]),
    Buffer.from(box.keyId, 'hex'),
    box.iv,
    box.tag,
    box.ciphertext,
  ]);
}

/** Unpacks {@link encodeSealedBox}. @throws {SecretDecryptionError} when the bytes are not a sealed box. */
export function decodeSealedBox(bytes: Uint8Array, what: string): SealedBox {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = 1 + KEY_ID_BYTES + IV_BYTES + TAG_BYTES;
  if (buffer.length < headerLength || buffer[0] !== FORMAT_VERSION) {
    throw new SecretDecryptionError(`${what} is not a sealed value written by mtls-gateway.`);
  }
  const keyIdEnd = 1 + KEY_ID_BYTES;
  const ivEnd = keyIdEnd + IV_BYTES;
  const keyId = buffer.subarray(1, keyIdEnd).toString('hex');
  const iv = Buffer.from(buffer.subarray(keyIdEnd, ivEnd));
  const tag = Buffer.from(buffer.subarray(ivEnd, headerLength));
  const offset = headerLength;
  return { keyId, iv, tag, ciphertext: Buffer.from(buffer.subarray(offset)) };
}

function consumerSecretAad(consumerKey: string): string {
  return `oauth_credentials/${encodeURIComponent(consumerKey)}`;
}

/**
 * Encrypts an OAuth consumer secret for `oauth_credentials.consumer_secret_encrypted`. The server needs the
 * secret itself to verify HMAC signatures, so it is sealed with the master key rather than hashed.
 *
 * @example
 * ```ts
 * const sealed = sealConsumerSecret(keyring.current, consumerKey, consumerSecret);
 * await db.query('INSERT INTO oauth_credentials (consumer_key, consumer_secret_encrypted, …) VALUES ($1, $2, …)', [consumerKey, sealed, …]);
 * ```
 */
export function sealConsumerSecret(key: MasterKey, consumerKey: string, consumerSecret: string): Buffer {
  return encodeSealedBox(seal(key, Buffer.from(consumerSecret, 'utf8'), consumerSecretAad(consumerKey)));
}

/** Decrypts {@link sealConsumerSecret}. @throws {SecretDecryptionError} */
export function openConsumerSecret(keyring: Keyring, consumerKey: string, sealed: Uint8Array): string {
  const what = `The consumer secret of "${consumerKey}"`;
  const plaintext = unseal(keyring, decodeSealedBox(sealed, what), consumerSecretAad(consumerKey), what);
  const secret = plaintext.toString('utf8');
  plaintext.fill(0);
  return secret;
}

/** Re-encrypts a sealed consumer secret with `key` (master key rotation). */
export function resealConsumerSecret(
  keyring: Keyring,
  key: MasterKey,
  consumerKey: string,
  sealed: Uint8Array,
): Buffer {
  return sealConsumerSecret(key, consumerKey, openConsumerSecret(keyring, consumerKey, sealed));
}
