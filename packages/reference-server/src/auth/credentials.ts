import { randomBytes } from 'node:crypto';
import type { Keyring } from '../secrets/master-key.js';
import { openConsumerSecret, sealConsumerSecret } from '../secrets/sealed-box.js';
import type { Queryable } from '../storage/database.js';
import { ACCOUNT_ID_PATTERN, ALL_ACCOUNTS } from './principal.js';
import { VerifiedCache } from './verified-cache.js';

/** Most active credentials kept in memory by one store (the oldest entry makes room). */
const MAX_CACHED_CREDENTIALS = 10_000;

/**
 * A credential's scope is invalid (unknown permission, malformed account id).
 *
 * @example
 * ```ts
 * try { validateScope(['le 1'], ['MTLS_READ_INTERNAL'], known); }
 * catch (error) { if (error instanceof InvalidScopeError) console.error(error.message); }
 * ```
 */
export class InvalidScopeError extends Error {
  override readonly name = 'InvalidScopeError';
  readonly code = 'invalid_scope';
}

/**
 * Checks the accounts and permissions of a new credential: at least one of each, account ids as the spec's
 * `AccountId` or `*`, permissions among `knownPermissions`.
 *
 * @throws {InvalidScopeError}
 */
export function validateScope(
  accounts: readonly string[],
  permissions: readonly string[],
  knownPermissions: readonly string[],
): void {
  if (accounts.length === 0)
    throw new InvalidScopeError('Give at least one account id, or * for every account.');
  for (const account of accounts) {
    if (account !== ALL_ACCOUNTS && !ACCOUNT_ID_PATTERN.test(account)) {
      throw new InvalidScopeError(
        `"${account}" is not an account id (letters, digits, "_" and "-", at most 64) or * for every account.`,
      );
    }
  }
  if (permissions.length === 0) {
    throw new InvalidScopeError(`Give at least one permission: ${knownPermissions.join(', ')}.`);
  }
  for (const permission of permissions) {
    if (!knownPermissions.includes(permission)) {
      throw new InvalidScopeError(
        `Unknown permission "${permission}". Known permissions: ${knownPermissions.join(', ')}.`,
      );
    }
  }
}

/** An OAuth credential as listed (no secret). */
export interface OAuthCredentialInfo {
  consumerKey: string;
  accounts: string[];
  permissions: string[];
  description: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A usable credential, with its decrypted secret (for signature verification only). */
export interface ActiveOAuthCredential {
  consumerKey: string;
  consumerSecret: string;
  accounts: string[];
  permissions: string[];
}

/** What {@link OAuthCredentialStore.create} answers — the only time the secret is shown. */
export interface NewOAuthCredential {
  consumerKey: string;
  consumerSecret: string;
}

interface CredentialRow {
  consumer_key: string;
  consumer_secret_encrypted: Buffer;
  accounts: string[];
  permissions: string[];
  description: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** Options of {@link OAuthCredentialStore}. */
export interface OAuthCredentialStoreOptions {
  /** How long a credential found active is used without asking the database, in milliseconds. Default 1 000. */
  cacheTtlMs?: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/**
 * OAuth 1.0a consumers in `oauth_credentials`. The server recomputes HMAC signatures, so it needs the secret
 * itself: it is sealed with the master key (AES-256-GCM, bound to the consumer key), never stored in clear.
 *
 * @example
 * ```ts
 * const store = new OAuthCredentialStore(db, () => keyring);
 * const { consumerKey, consumerSecret } = await store.create({ accounts: ['le1606809'], permissions: ['MTLS_READ_INTERNAL'] });
 * await store.findActive(consumerKey); // { consumerKey, consumerSecret, accounts: ['le1606809'], permissions: [...] }
 * ```
 */
export class OAuthCredentialStore {
  // Active credentials (secret decrypted) by consumer key: a query and an AES-GCM open per request were most
  // of the OAuth overhead (see VerifiedCache: 1 s by default, revocations through this store at once).
  readonly #active: VerifiedCache<ActiveOAuthCredential>;

  constructor(
    readonly db: Queryable,
    readonly keyring: () => Keyring,
    options: OAuthCredentialStoreOptions = {},
  ) {
    this.#active = new VerifiedCache({
      ttlMs: options.cacheTtlMs ?? 1_000,
      maxEntries: MAX_CACHED_CREDENTIALS,
      now: options.now,
    });
  }

  /** Creates a credential with a random key (`ck_` + 24 hex) and secret (32 random bytes, base64url). */
  async create(options: {
    accounts: readonly string[];
    permissions: readonly string[];
    description?: string | undefined;
  }): Promise<NewOAuthCredential> {
    const consumerKey = `ck_${randomBytes(12).toString('hex')}`;
    const consumerSecret = randomBytes(32).toString('base64url');
    const sealed = sealConsumerSecret(this.keyring().current, consumerKey, consumerSecret);
    await this.db.query(
      `INSERT INTO oauth_credentials (consumer_key, consumer_secret_encrypted, accounts, permissions, description)
       VALUES ($1, $2, $3, $4, $5)`,
      [consumerKey, sealed, [...options.accounts], [...options.permissions], options.description ?? null],
    );
    return { consumerKey, consumerSecret };
  }

  /** Every credential, newest first, without secrets. */
  async list(): Promise<OAuthCredentialInfo[]> {
    const { rows } = await this.db.query<CredentialRow>(
      `SELECT consumer_key, accounts, permissions, description, created_at, revoked_at
       FROM oauth_credentials ORDER BY created_at DESC, consumer_key`,
    );
    return rows.map((row) => ({
      consumerKey: row.consumer_key,
      accounts: row.accounts,
      permissions: row.permissions,
      description: row.description,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    }));
  }

  /**
   * Revokes a credential; `false` when no such (unrevoked) credential exists. Refused at once by this store,
   * and by every other replica within its cache TTL (one second by default).
   */
  async revoke(consumerKey: string): Promise<boolean> {
    try {
      const { rowCount } = await this.db.query(
        'UPDATE oauth_credentials SET revoked_at = now() WHERE consumer_key = $1 AND revoked_at IS NULL',
        [consumerKey],
      );
      return rowCount > 0;
    } finally {
      // Also when the statement failed: it may have committed before the connection broke.
      this.#active.revoke((key) => key === consumerKey);
    }
  }

  /** The credential with its decrypted secret, or `undefined` when unknown or revoked. */
  async findActive(consumerKey: string): Promise<ActiveOAuthCredential | undefined> {
    return this.#active.get(consumerKey, async () => {
      const { rows } = await this.db.query<CredentialRow>(
        `SELECT consumer_key, consumer_secret_encrypted, accounts, permissions
         FROM oauth_credentials WHERE consumer_key = $1 AND revoked_at IS NULL`,
        [consumerKey],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        value: {
          consumerKey: row.consumer_key,
          consumerSecret: openConsumerSecret(this.keyring(), row.consumer_key, row.consumer_secret_encrypted),
          accounts: row.accounts,
          permissions: row.permissions,
        },
      };
    });
  }
}
