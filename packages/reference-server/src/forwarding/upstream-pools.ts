import type { Dispatcher } from 'undici';

/** What a pool is dedicated to: one account, one certificate version (or none), one origin. */
export interface UpstreamPoolKey {
  accountId: string;
  /** The presented certificate; `undefined` for plain TLS. */
  certificate?: { id: number; version: number } | undefined;
  /** `scheme://host:port` of the target. */
  origin: string;
}

/** A pool as {@link UpstreamPools} needs it (undici's `Pool`). */
export type UpstreamPool = Dispatcher & {
  readonly stats?: { readonly running: number; readonly pending: number };
};

/** Options of {@link UpstreamPools}. */
export interface UpstreamPoolsOptions {
  /** Most pools kept; the least recently used is closed beyond it. Default 256. */
  maxPools?: number | undefined;
  /** A pool unused for this long is closed by {@link UpstreamPools.closeIdle}. Default 60 s. */
  idleTimeoutMs?: number | undefined;
  /** Called after a pool was created or closed (metrics). */
  onSizeChange?: ((size: number) => void) | undefined;
}

interface PoolEntry {
  key: UpstreamPoolKey;
  pool: UpstreamPool;
  lastUsedAt: number;
}

/** The map key: certificate id AND version, so a new version never reuses a connection of the old one. */
export function poolKeyString(key: UpstreamPoolKey): string {
  const certificate = key.certificate ? `${key.certificate.id}:${key.certificate.version}` : 'none';
  return `${key.accountId}\u0000${certificate}\u0000${key.origin}`;
}

/**
 * Keep-alive connection pools of upstream calls, one per (account, certificate id + version, origin) — never
 * shared between certificates or accounts, since a TLS connection (and its resumable session) carries the
 * client certificate it was opened with. Bounded (LRU), idle pools closed, and every pool of a certificate
 * closed the moment the certificate changes. Closing is graceful: requests in flight finish, new ones go to a
 * new pool.
 *
 * @example
 * ```ts
 * const pools = new UpstreamPools({ maxPools: 256 });
 * const key = { accountId, certificate: { id, version }, origin };
 * const pool = pools.acquire(key, () => new Pool(origin, { connect: connectorFor(certificate) }));
 * pools.closeCertificate(id); // after an update or delete
 * ```
 */
export class UpstreamPools {
  readonly #entries = new Map<string, PoolEntry>();
  readonly #maxPools: number;
  readonly #idleTimeoutMs: number;
  readonly #onSizeChange: (size: number) => void;
  #closed = false;

  constructor(options: UpstreamPoolsOptions) {
    this.#maxPools = Math.max(1, options.maxPools ?? 256);
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.#onSizeChange = options.onSizeChange ?? (() => undefined);
  }

  /** Whether a pool exists for `key` (tests, diagnostics). */
  has(key: UpstreamPoolKey): boolean {
    return this.#entries.has(poolKeyString(key));
  }

  /** Open pools. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The pool of `key`, made by `createPool` when missing (its connector carries the key's certificate and
   * the SSRF guard); marks it most recently used.
   */
  acquire(key: UpstreamPoolKey, createPool: () => UpstreamPool): UpstreamPool {
    if (this.#closed) throw new Error('The upstream pools are closed.');
    const id = poolKeyString(key);
    const existing = this.#entries.get(id);
    if (existing) {
      existing.lastUsedAt = performance.now();
      this.#entries.delete(id);
      this.#entries.set(id, existing);
      return existing.pool;
    }
    const entry: PoolEntry = { key, pool: createPool(), lastUsedAt: performance.now() };
    this.#entries.set(id, entry);
    // A newer version of a certificate exists: pools of older versions must serve nothing more.
    const created = key.certificate;
    if (created) {
      for (const [otherId, other] of [...this.#entries]) {
        const certificate = other.key.certificate;
        if (certificate?.id === created.id && certificate.version < created.version) this.#retire(otherId);
      }
    }
    while (this.#entries.size > this.#maxPools) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#retire(oldest.value);
    }
    this.#onSizeChange(this.#entries.size);
    return entry.pool;
  }

  #retire(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    // Graceful: requests already dispatched to it complete; it accepts no new ones.
    entry.pool.close().catch(() => undefined);
  }

  /**
   * Closes every pool of a certificate (all versions, or all but `keepVersion`). Returns how many were
   * closed.
   */
  closeCertificate(certificateId: number, keepVersion?: number): number {
    let closed = 0;
    for (const [id, entry] of [...this.#entries]) {
      const certificate = entry.key.certificate;
      if (certificate?.id === certificateId && certificate.version !== keepVersion) {
        this.#retire(id);
        closed += 1;
      }
    }
    if (closed > 0) this.#onSizeChange(this.#entries.size);
    return closed;
  }

  /** Closes pools unused for longer than the idle timeout and not serving anything. */
  closeIdle(now = performance.now()): number {
    let closed = 0;
    for (const [id, entry] of [...this.#entries]) {
      const busy = (entry.pool.stats?.running ?? 0) + (entry.pool.stats?.pending ?? 0) > 0;
      if (!busy && now - entry.lastUsedAt >= this.#idleTimeoutMs) {
        this.#retire(id);
        closed += 1;
      }
    }
    if (closed > 0) this.#onSizeChange(this.#entries.size);
    return closed;
  }

  /** Destroys every pool (connections included) and refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#entries.values()].map((entry) => entry.pool);
    this.#entries.clear();
    this.#onSizeChange(0);
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}
