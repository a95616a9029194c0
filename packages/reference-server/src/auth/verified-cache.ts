import { DatabaseUnavailableError } from '../storage/errors.js';

/** How long a credential verified before a database outage stays usable during it (the certificate cache's 5 min). */
export const STALE_IF_UNAVAILABLE_MS = 5 * 60_000;

/** What a lookup in the database found: the value, and when it stops being valid by itself (expiry). */
export interface Verified<V> {
  value: V;
  /** Epoch milliseconds; default never. */
  expiresAt?: number | undefined;
}

interface Entry<V> {
  value: V;
  verifiedAt: number;
  cachedUntil: number;
  expiresAt: number;
}

/** Options of {@link VerifiedCache}. */
export interface VerifiedCacheOptions {
  /** How long a verified value is used without asking the database. 0 turns the cache off. */
  ttlMs: number;
  /** Most entries (the oldest makes room). */
  maxEntries: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Credentials found valid in the database (static tokens, OAuth consumers), kept for `ttlMs`: a database round
 * trip per request was most of the gateway's overhead. A credential revoked elsewhere is refused on every
 * replica within that time; one revoked through this process ({@link revoke}), at once — also when a lookup
 * was in flight meanwhile. Only hits are kept, so unknown credentials cannot fill it. While the database is
 * unreachable nobody can revoke anything either, so a value verified in the last {@link STALE_IF_UNAVAILABLE_MS}
 * is used then (forwarding survives a database outage).
 *
 * @example
 * ```ts
 * const cache = new VerifiedCache<ActiveApiToken>({ ttlMs: 1_000, maxEntries: 10_000 });
 * const token = await cache.get(hash, async () => (row ? { value: row, expiresAt } : undefined));
 * cache.revoke((_key, token) => token.id === id);
 * ```
 */
export class VerifiedCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  // Bumped by every revoke, so a lookup that raced with one does not cache what it read before it.
  #revocations = 0;

  constructor(options: VerifiedCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The value of `key`: from memory while fresh, else what `verify` reads from the database (`undefined`:
   * unknown, revoked or expired).
   *
   * @throws what `verify` throws — but a {@link DatabaseUnavailableError} only when no recent entry can answer.
   */
  async get(key: string, verify: () => Promise<Verified<V> | undefined>): Promise<V | undefined> {
    const now = this.#now();
    const cached = this.#entries.get(key);
    if (cached && now < cached.cachedUntil && now < cached.expiresAt) return cached.value;

    const revocations = this.#revocations;
    let verified: Verified<V> | undefined;
    try {
      verified = await verify();
    } catch (error) {
      // Re-read: a revoke may have dropped the entry while the query ran.
      const stale =
        cached &&
        this.#entries.get(key) === cached &&
        now < cached.expiresAt &&
        now - cached.verifiedAt <= STALE_IF_UNAVAILABLE_MS;
      if (error instanceof DatabaseUnavailableError && stale) return cached.value;
      throw error;
    }
    this.#entries.delete(key);
    if (!verified) return undefined;
    if (this.#ttlMs > 0 && revocations === this.#revocations) {
      if (this.#entries.size >= this.#maxEntries) {
        this.#entries.delete(this.#entries.keys().next().value as string);
      }
      this.#entries.set(key, {
        value: verified.value,
        verifiedAt: now,
        cachedUntil: now + this.#ttlMs,
        expiresAt: verified.expiresAt ?? Number.POSITIVE_INFINITY,
      });
    }
    return verified.value;
  }

  /** Forgets the entries `revoked` selects; a lookup in flight now will not cache what it read. */
  revoke(revoked: (key: string, value: V) => boolean): void {
    this.#revocations += 1;
    for (const [key, entry] of this.#entries) if (revoked(key, entry.value)) this.#entries.delete(key);
  }
}
