import type { Database } from '../storage/database.js';
import { EmbeddedSecretStore } from './embedded.js';
import { SecretStoreConfigError } from './errors.js';
import { Keyring, loadMasterKey } from './master-key.js';
import type { SecretStore } from './secret-store.js';
import { VaultSecretStore } from './vault.js';

/** Options of {@link openSecretStore}. */
export interface OpenSecretStoreOptions {
  /** The migrated server database (embedded blobs live there). */
  db: Database;
  /** `MTLS_DATA_DIR`, where a generated `master.key` is kept. */
  dataDir: string;
  /** Environment to read (`MTLS_MASTER_KEY`, `VAULT_*`). Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Operator warnings (never key material). */
  warn?: ((message: string) => void) | undefined;
}

/** The secret store chosen by the configuration, and the master keyring (which also seals OAuth secrets). */
export interface OpenedSecretStore {
  store: SecretStore;
  keyring: Keyring;
}

/**
 * Picks the secret store from the environment (DESIGN §5): HashiCorp Vault KV v2 when `VAULT_ADDR` is set,
 * else the embedded store. The master key is loaded in both cases, because OAuth consumer secrets are
 * sealed with it.
 *
 * @throws {SecretStoreConfigError} when `VAULT_ADDR` is set without `VAULT_TOKEN`.
 * @example
 * ```ts
 * const { store, keyring } = await openSecretStore({ db, dataDir, warn: (m) => log.warn(m) });
 * await store.health();
 * ```
 */
export async function openSecretStore(options: OpenSecretStoreOptions): Promise<OpenedSecretStore> {
  const env = options.env ?? process.env;
  const masterKeyFromEnv = Boolean(env.MTLS_MASTER_KEY?.trim());
  const masterKey = await loadMasterKey({
    masterKey: env.MTLS_MASTER_KEY,
    dataDir: options.dataDir,
    warn: options.warn,
  });
  if (!masterKeyFromEnv && options.db.kind === 'postgres') {
    options.warn?.(
      'The master key comes from a key file while the database is PostgreSQL. Replicas sharing this ' +
        'database must use the same key: set the same MTLS_MASTER_KEY on every replica.',
    );
  }
  const keyring = new Keyring(masterKey);

  if (env.VAULT_ADDR) {
    if (!env.VAULT_TOKEN) {
      throw new SecretStoreConfigError(
        'VAULT_ADDR is set but VAULT_TOKEN is not. Set VAULT_TOKEN, or unset VAULT_ADDR to use the embedded store.',
      );
    }
    const store = new VaultSecretStore({
      address: env.VAULT_ADDR,
      token: env.VAULT_TOKEN,
      mount: env.VAULT_MOUNT || undefined,
      namespace: env.VAULT_NAMESPACE || undefined,
    });
    return { store, keyring };
  }
  return { store: new EmbeddedSecretStore({ db: options.db, masterKey }), keyring };
}
