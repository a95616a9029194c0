import type { Queryable } from '../storage/database.js';

/** Options of {@link NonceStore}. */
export interface NonceStoreOptions {
  /** How often (at most) expired nonces are deleted, in milliseconds. Default 60 000. */
  purgeIntervalMs?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Receives purge failures (they never fail a request). */
  onPurgeError?: (error: unknown) => void;
}

/**
 * OAuth 1.0a nonces in the database (`oauth_nonces`), so a nonce is accepted once across every replica
 * sharing it: the primary key (consumer key, nonce, timestamp) makes a second insert a no-op.
 *
 * @example
 * ```ts
 * const nonces = new NonceStore(db);
 * await nonces.remember('ck_1', 'n-1', 1_700_000_000, new Date(...)); // true
 * await nonces.remember('ck_1', 'n-1', 1_700_000_000, new Date(...)); // false: a replay
 * ```
 */
export class NonceStore {
  readonly #purgeIntervalMs: number;
  readonly #now: () => number;
  readonly #onPurgeError: (error: unknown) => void;
  #lastPurge = 0;

  constructor(
    readonly db: Queryable,
    options: NonceStoreOptions = {},
  ) {
    this.#purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#onPurgeError = options.onPurgeError ?? (() => undefined);
  }

  /**
   * Records a nonce until `expiresAt`. Answers `false` when this consumer already used this nonce with this
   * timestamp (a replay). Expired nonces are purged now and then on the way.
   */
  async remember(consumerKey: string, nonce: string, timestamp: number, expiresAt: Date): Promise<boolean> {
    await this.#purgeWhenDue();
    // ON CONFLICT DO NOTHING rather than catching a unique violation: no error is logged by PostgreSQL, and
    // the check and the insert are one atomic statement.
    const { rowCount } = await this.db.query(
      `INSERT INTO oauth_nonces (consumer_key, nonce, "timestamp", expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [consumerKey, nonce, timestamp, expiresAt],
    );
    return rowCount === 1;
  }

  /** Deletes nonces past their expiry; answers how many. */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM oauth_nonces WHERE expires_at < $1', [
      new Date(this.#now()),
    ]);
    return rowCount;
  }

  async #purgeWhenDue(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastPurge < this.#purgeIntervalMs) return;
    this.#lastPurge = now;
    try {
      await this.purgeExpired();
    } catch (error) {
      this.#onPurgeError(error);
    }
  }
}
