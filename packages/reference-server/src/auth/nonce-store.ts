import type { Queryable } from '../storage/database.js';

/** Options of {@link NonceStore}. */
export interface NonceStoreOptions {
  /** How often (at most) expired nonces are deleted, in milliseconds. Default 60 000. */
  purgeIntervalMs?: number;
  /** Most nonces sent in one statement. Default 500. */
  maxBatchSize?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Receives purge failures (they never fail a request). */
  onPurgeError?: (error: unknown) => void;
}

interface Waiter {
  resolve: (isNew: boolean) => void;
  reject: (error: unknown) => void;
}

/** One row of a batch, with every caller that asked for it (the first one owns it). */
interface PendingNonce {
  key: string;
  consumerKey: string;
  nonce: string;
  timestamp: number;
  expiresAt: string;
  waiters: Waiter[];
}

interface InsertedRow {
  consumer_key: string;
  nonce: string;
  timestamp: number | bigint;
}

/** Identity of a nonce (the table's primary key); JSON so no separator can make two keys collide. */
function nonceKey(consumerKey: string, nonce: string, timestamp: number | bigint): string {
  return JSON.stringify([consumerKey, nonce, String(timestamp)]);
}

// Arrays as parameters: pg and PGlite both serialize JS arrays for `$n::type[]`; expiries go as ISO text, read
// the same whatever the session time zone. WITH ORDINALITY … ORDER BY keeps the sorted order of #flush.
const INSERT_BATCH = `INSERT INTO oauth_nonces (consumer_key, nonce, "timestamp", expires_at)
  SELECT consumer_key, nonce, ts, expires_at
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[])
    WITH ORDINALITY AS batch (consumer_key, nonce, ts, expires_at, position)
  ORDER BY position
  ON CONFLICT DO NOTHING
  RETURNING consumer_key, nonce, "timestamp"`;

/**
 * OAuth 1.0a nonces in the database (`oauth_nonces`), so a nonce is accepted once across every replica
 * sharing it: the primary key (consumer key, nonce, timestamp) makes a second insert a no-op.
 *
 * Concurrent calls are gathered into one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING`
 * (one statement in flight at a time; calls arriving meanwhile form the next batch): a returned row is a new
 * nonce, a missing one a replay. The same nonce twice in one batch is settled in memory first — the first
 * caller owns the row, the others get `false` — since `RETURNING` names a row only once.
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
  readonly #maxBatchSize: number;
  readonly #now: () => number;
  readonly #onPurgeError: (error: unknown) => void;
  #lastPurge = 0;
  /** Batches waiting to be sent, oldest first; the last one takes new calls until it is full. */
  readonly #batches: Map<string, PendingNonce>[] = [];
  /** A flush is scheduled or its statement is in flight. */
  #flushing = false;

  constructor(
    readonly db: Queryable,
    options: NonceStoreOptions = {},
  ) {
    this.#purgeIntervalMs = options.purgeIntervalMs ?? 60_000;
    this.#maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
    this.#now = options.now ?? Date.now;
    this.#onPurgeError = options.onPurgeError ?? (() => undefined);
  }

  /**
   * Records a nonce until `expiresAt`. Answers `false` when this consumer already used this nonce with this
   * timestamp (a replay). Expired nonces are purged now and then on the way.
   *
   * @throws {TypeError} for values the table cannot hold (checked before batching, so one bad call cannot
   *   fail the statement of others).
   * @throws the storage error of the batch's statement (e.g. `DatabaseUnavailableError`).
   */
  async remember(consumerKey: string, nonce: string, timestamp: number, expiresAt: Date): Promise<boolean> {
    if (consumerKey.includes('\0') || nonce.includes('\0')) {
      throw new TypeError('An OAuth consumer key or nonce cannot contain NUL characters.');
    }
    if (!Number.isSafeInteger(timestamp)) throw new TypeError('An OAuth timestamp must be an integer.');
    if (Number.isNaN(expiresAt.getTime())) throw new TypeError('The nonce expiry is not a valid date.');
    await this.#purgeWhenDue();
    return new Promise<boolean>((resolve, reject) => {
      let batch = this.#batches.at(-1);
      if (!batch || batch.size >= this.#maxBatchSize) {
        batch = new Map();
        this.#batches.push(batch);
      }
      const key = nonceKey(consumerKey, nonce, timestamp);
      const pending = batch.get(key);
      if (pending) pending.waiters.push({ resolve, reject });
      else {
        batch.set(key, {
          key,
          consumerKey,
          nonce,
          timestamp,
          expiresAt: expiresAt.toISOString(),
          waiters: [{ resolve, reject }],
        });
      }
      this.#scheduleFlush();
    });
  }

  /** Deletes nonces past their expiry; answers how many. */
  async purgeExpired(): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM oauth_nonces WHERE expires_at < $1', [
      new Date(this.#now()),
    ]);
    return rowCount;
  }

  #scheduleFlush(): void {
    if (this.#flushing || this.#batches.length === 0) return;
    this.#flushing = true;
    // setImmediate, not a microtask: requests read in the same I/O turn join the batch.
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    const batch = this.#batches.shift();
    try {
      // Sorted, so concurrent statements of several replicas take their row locks in one order: two
      // overlapping batches in different orders deadlock on PostgreSQL (40P01).
      if (batch) await this.#insert([...batch.values()].sort((a, b) => (a.key < b.key ? -1 : 1)));
    } finally {
      this.#flushing = false;
      this.#scheduleFlush();
    }
  }

  async #insert(pending: PendingNonce[]): Promise<void> {
    let inserted: Set<string>;
    try {
      const { rows } = await this.db.query<InsertedRow>(INSERT_BATCH, [
        pending.map((entry) => entry.consumerKey),
        pending.map((entry) => entry.nonce),
        pending.map((entry) => entry.timestamp),
        pending.map((entry) => entry.expiresAt),
      ]);
      inserted = new Set(rows.map((row) => nonceKey(row.consumer_key, row.nonce, row.timestamp)));
    } catch (error) {
      // Every caller of the batch fails alike (a 503 upstream): none of them may count as new.
      for (const entry of pending) for (const waiter of entry.waiters) waiter.reject(error);
      return;
    }
    for (const entry of pending) {
      const isNew = inserted.has(entry.key);
      const [owner, ...duplicates] = entry.waiters;
      owner?.resolve(isNew);
      for (const duplicate of duplicates) duplicate.resolve(false);
    }
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
