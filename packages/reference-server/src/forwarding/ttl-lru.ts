/**
 * A bounded map whose entries also expire: least recently used entries go first when it is full, and an
 * entry past its deadline is never returned. Holds decrypted key material, so it must stay small and
 * short-lived (DESIGN §3: keys in memory only, bounded).
 *
 * @example
 * ```ts
 * const cache = new TtlLru<string, number>({ maxEntries: 2, ttlMs: 1000 });
 * cache.set('a', 1);
 * cache.get('a'); // 1 (now the most recently used)
 * ```
 */
export class TtlLru<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries: number; ttlMs: number; now?: () => number }) {
    this.#maxEntries = Math.max(1, options.maxEntries);
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, when present and not expired; refreshes its recency. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for the TTL, or until `notAfterMs` (same clock as `now`) when that is sooner. */
  set(key: K, value: V, notAfterMs?: number): void {
    const expiresAt = Math.min(this.#now() + this.#ttlMs, notAfterMs ?? Number.POSITIVE_INFINITY);
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Removes every entry whose key matches. */
  deleteWhere(predicate: (key: K) => boolean): void {
    for (const key of [...this.#entries.keys()]) if (predicate(key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
