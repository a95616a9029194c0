import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../storage/database.js';
import { DatabaseUnavailableError, UniqueViolationError } from '../storage/errors.js';
import { generateRandomId } from '../storage/ids.js';

/** Every static token starts with this, so it is told apart from a JWT at a glance (and by secret scanners). */
export const API_TOKEN_PREFIX = 'mtls_';

/** Most active tokens kept in memory by one store (the oldest entry makes room). */
const MAX_CACHED_TOKENS = 10_000;

/** A static token as listed (no token, no hash). */
export interface ApiTokenInfo {
  id: number;
  accounts: string[];
  permissions: string[];
  description: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** A token that may be used now. */
export interface ActiveApiToken {
  id: number;
  accounts: string[];
  permissions: string[];
}

interface TokenRow {
  id: number;
  accounts: string[];
  permissions: string[];
  description: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** SHA-256 of a token: tokens carry 256 random bits, so a fast hash is enough (no password hashing needed). */
export function hashApiToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** How long a token verified before a database outage stays usable during it (the certificate cache's 5 min). */
export const STALE_IF_UNAVAILABLE_MS = 5 * 60_000;

/**
 * Static Bearer tokens (`mtls-gateway tokens create`) in `api_tokens`, stored as SHA-256 hashes only: the
 * token itself is shown once, at creation.
 *
 * @example
 * ```ts
 * const tokens = new ApiTokenStore(db);
 * const { token } = await tokens.create({ accounts: ['*'], permissions: ['MTLS_READ_INTERNAL'] });
 * await tokens.findActive(token); // { id, accounts: ['*'], permissions: [...] }
 * ```
 */
export class ApiTokenStore {
  // Active tokens by hash, for `cacheTtlMs`: a database round trip per request was most of the gateway's
  // overhead. A token revoked or expired elsewhere is refused on every replica within that time; a token
  // revoked through this store, at once. Only hits are kept, so unknown tokens cannot fill it.
  readonly #active = new Map<
    string,
    { token: ActiveApiToken; verifiedAt: number; cachedUntil: number; expiresAt: number }
  >();
  readonly #cacheTtlMs: number;
  readonly #now: () => number;
  // Bumped by every revoke, so a lookup that raced with one does not cache what it read before it.
  #revocations = 0;

  constructor(
    readonly db: Queryable,
    options: { cacheTtlMs?: number; now?: () => number } = {},
  ) {
    this.#cacheTtlMs = options.cacheTtlMs ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** Creates a token (`mtls_` + 32 random bytes, base64url). */
  async create(options: {
    accounts: readonly string[];
    permissions: readonly string[];
    description?: string | undefined;
    expiresAt?: Date | undefined;
  }): Promise<{ id: number; token: string }> {
    for (;;) {
      const id = generateRandomId();
      const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      try {
        await this.db.query(
          `INSERT INTO api_tokens (id, token_sha256, accounts, permissions, description, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            id,
            hashApiToken(token),
            [...options.accounts],
            [...options.permissions],
            options.description ?? null,
            options.expiresAt ?? null,
          ],
        );
        return { id, token };
      } catch (error) {
        // An id collision (1 in 2^53): draw again.
        if (error instanceof UniqueViolationError && error.constraint === 'api_tokens_pkey') continue;
        throw error;
      }
    }
  }

  /** Every token, newest first, without secrets. */
  async list(): Promise<ApiTokenInfo[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT id, accounts, permissions, description, created_at, expires_at, revoked_at
       FROM api_tokens ORDER BY created_at DESC, id`,
    );
    return rows.map((row) => ({
      id: row.id,
      accounts: row.accounts,
      permissions: row.permissions,
      description: row.description,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
    }));
  }

  /** Revokes a token by id; `false` when no such unrevoked token exists. */
  async revoke(id: number): Promise<boolean> {
    try {
      const { rowCount } = await this.db.query(
        'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
        [id],
      );
      return rowCount > 0;
    } finally {
      // Also when the statement failed: it may have committed before the connection broke.
      this.#revocations += 1;
      for (const [key, entry] of this.#active) if (entry.token.id === id) this.#active.delete(key);
    }
  }

  /**
   * The token's scope when it exists, is not revoked and not expired; else `undefined`. The lookup is by hash,
   * so the database never sees (or compares) the token itself.
   */
  async findActive(token: string): Promise<ActiveApiToken | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const hash = hashApiToken(token);
    const key = hash.toString('base64');
    const now = this.#now();
    const cached = this.#active.get(key);
    if (cached && now < cached.cachedUntil && now < cached.expiresAt) return cached.token;

    const revocations = this.#revocations;
    let rows: TokenRow[];
    try {
      ({ rows } = await this.db.query<TokenRow>(
        `SELECT id, accounts, permissions, expires_at FROM api_tokens
         WHERE token_sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [hash],
      ));
    } catch (error) {
      // Stale if unavailable: while the database is unreachable nobody can revoke a token either, so a token
      // verified shortly before keeps working (forwarding survives a database outage).
      // Re-read: a revoke through this store may have dropped the entry while the query ran.
      const fresh =
        cached &&
        this.#active.get(key) === cached &&
        now < cached.expiresAt &&
        now - cached.verifiedAt <= STALE_IF_UNAVAILABLE_MS;
      if (error instanceof DatabaseUnavailableError && fresh) return cached.token;
      throw error;
    }
    this.#active.delete(key);
    const row = rows[0];
    if (!row) return undefined;
    const active = { id: row.id, accounts: row.accounts, permissions: row.permissions };
    if (this.#cacheTtlMs > 0 && revocations === this.#revocations) {
      if (this.#active.size >= MAX_CACHED_TOKENS)
        this.#active.delete(this.#active.keys().next().value as string);
      const expiresAt = row.expires_at?.getTime() ?? Number.POSITIVE_INFINITY;
      this.#active.set(key, {
        token: active,
        verifiedAt: now,
        cachedUntil: now + this.#cacheTtlMs,
        expiresAt,
      });
    }
    return active;
  }
}
