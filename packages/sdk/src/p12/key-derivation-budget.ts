// Bounds the key-derivation work one file may cause. The file names every cost itself (iteration counts, key
// lengths, number of bags), and node-forge derives about 130,000 PBKDF2-HMAC-SHA256 iterations per second on
// the caller's thread, so a crafted file of a few bytes could otherwise ask for hours of work or gigabytes
// of key. Every derivation made while reading a file goes through this class, which refuses before working.
import { MalformedDerError } from './der.js';
import { type MessageDigest, pbkdf2, pkcs12Kdf } from './digests.js';
import { P12TooCostlyError } from './errors.js';

/** Longest key a supported scheme derives: the 64-byte key of an HMAC-SHA-512 MAC. */
export const MAX_DERIVED_KEY_BYTES = 64;

/**
 * The work budget of one file. Work is counted in digest computations: PBKDF2 costs
 * `iterations × ceil(keyLength / hLen)` HMACs, the PKCS#12 KDF `iterations × ceil(length / hLen)` hashes.
 */
export class KeyDerivationBudget {
  #remaining: number;

  /**
   * @param maxIterations highest iteration count of one derivation.
   * @param maxWork total work of every derivation of the file (each MAC attempt, each decrypted bag).
   */
  constructor(
    readonly maxIterations: number,
    readonly maxWork: number,
  ) {
    this.#remaining = maxWork;
  }

  /**
   * Throws when one derivation of `iterations` and `keyLength` bytes is over the per-derivation limits.
   * Spends nothing: lets a reader refuse an absurd request before checking anything else about it.
   *
   * @throws {P12TooCostlyError} over the iteration cap or the key length cap.
   * @throws {MalformedDerError} for a zero iteration count or key length.
   */
  assertWithinLimits(what: string, iterations: number, keyLength: number): void {
    if (iterations < 1) throw new MalformedDerError(`${what} iteration count is zero`);
    if (keyLength < 1) throw new MalformedDerError(`${what} key length is zero`);
    if (iterations > this.maxIterations) {
      throw new P12TooCostlyError(
        `${what} asks for ${iterations} iterations (the limit is ${this.maxIterations})`,
      );
    }
    if (keyLength > MAX_DERIVED_KEY_BYTES) {
      throw new P12TooCostlyError(
        `${what} asks for a key of ${keyLength} bytes (no supported scheme needs more than ${MAX_DERIVED_KEY_BYTES})`,
      );
    }
  }

  /**
   * Records one derivation of `keyLength` bytes with a digest of `hashLength` bytes; throws, before any
   * work is done, when it is over a limit.
   *
   * @throws {P12TooCostlyError} over a per-derivation limit or the remaining budget of the file.
   * @throws {MalformedDerError} for a zero iteration count or key length.
   */
  charge(what: string, iterations: number, keyLength: number, hashLength: number): void {
    this.assertWithinLimits(what, iterations, keyLength);
    const work = iterations * Math.ceil(keyLength / hashLength);
    if (work > this.#remaining) {
      throw new P12TooCostlyError(
        `its key derivations add up to more than a client identity needs (the limit is ${this.maxWork} digest computations per file)`,
      );
    }
    this.#remaining -= work;
  }

  /** PBKDF2 (RFC 8018) after charging for it. `password` is a binary string (UTF-8 bytes). */
  pbkdf2(
    what: string,
    password: string,
    salt: string,
    iterations: number,
    keyLength: number,
    createDigest: () => MessageDigest,
  ): string {
    this.charge(what, iterations, keyLength, createDigest().digestLength);
    return pbkdf2(password, salt, iterations, keyLength, createDigest);
  }

  /** The PKCS#12 KDF (RFC 7292 appendix B) after charging for it; see {@link pkcs12Kdf}. */
  pkcs12Kdf(
    what: string,
    password: string | null,
    salt: string,
    purpose: 1 | 2 | 3,
    iterations: number,
    length: number,
    createDigest?: () => MessageDigest,
  ): string {
    const hashLength = createDigest ? createDigest().digestLength : 20;
    this.charge(what, iterations, length, hashLength);
    return pkcs12Kdf(password, salt, purpose, iterations, length, createDigest);
  }
}
