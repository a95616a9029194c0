import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../storage/database.js';
import { UniqueViolationError } from '../storage/errors.js';
import { generateRandomId } from '../storage/ids.js';
import { VerifiedCache } from './verified-cache.js';

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
  // Active tokens by hash (see VerifiedCache: 1 s by default, revocations through this store at once).
  readonly #active: VerifiedCache<ActiveApiToken>;

  constructor(
    readonly db: Queryable,
    options: { cacheTtlMs?: number; now?: () => number } = {},
  ) {
    this.#active = new VerifiedCache({
      ttlMs: options.cacheTtlMs ?? 1_000,
      maxEntries: MAX_CACHED_TOKENS,
      now: options.now,
    });
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
      this.#active.revoke((_hash, token) => token.id === id);
    }
  }

  /**
   * The token's scope when it exists, is not revoked and not expired; else `undefined`. The lookup is by hash,
   * so the database never sees (or compares) the token itself.
   */
  async findActive(token: string): Promise<ActiveApiToken | undefined> {
    if (!token.startsWith(API_TOKEN_PREFIX)) return undefined;
    const hash = hashApiToken(token);
    return this.#active.get(hash.toString('base64'), async () => {
      const { rows } = await this.db.query<TokenRow>(
        `SELECT id, accounts, permissions, expires_at FROM api_tokens
         WHERE token_sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [hash],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        value: { id: row.id, accounts: row.accounts, permissions: row.permissions },
        expiresAt: row.expires_at?.getTime(),
      };
    });
  }
}
