import { randomBytes } from 'node:crypto';
import { MAX_RANDOM_ID } from './migrations.js';

/**
 * A random positive integer in [1, 2^53 - 1]: safe as a JSON number and not guessable, used for
 * certificate, mapping and token ids (DESIGN §2). Collisions are possible in theory (1 in 2^53 per pair):
 * insert with the id and retry with a new one on a primary-key {@link UniqueViolationError}.
 *
 * @example
 * ```ts
 * const id = generateRandomId(); // e.g. 3515906310412345
 * ```
 */
export function generateRandomId(): number {
  for (;;) {
    // The top 53 bits of a 64-bit random value; 0 is the only value to reject.
    const id = Number(randomBytes(8).readBigUInt64BE() >> 11n);
    if (id > 0 && id <= MAX_RANDOM_ID) return id;
  }
}
