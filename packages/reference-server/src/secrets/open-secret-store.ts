import type { Database } from '../storage/database.js';
import { EmbeddedSecretStore } from './embedded.js';
import { Keyring, type MasterKey } from './master-key.js';
import type { SecretStore } from './secret-store.js';
import { VaultSecretStore, type VaultSecretStoreOptions } from './vault.js';

/** Options of {@link openSecretStore}. */
export interface OpenSecretStoreOptions {
  /** The migrated server database (the embedded store keeps its blobs there). */
  db: Database;
  /** The master key, loaded (and checked against the database) by the caller: `loadCheckedMasterKey`. */
  masterKey: MasterKey;
  /** HashiCorp Vault KV v2 (`VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_MOUNT`, `VAULT_NAMESPACE`); unset → embedded. */
  vault?: VaultSecretStoreOptions | undefined;
}

/** The secret store chosen by the configuration, and the master keyring (which also seals OAuth secrets). */
export interface OpenedSecretStore {
  store: SecretStore;
  /**
   * The master keys (current + previous) sealing OAuth consumer secrets. A function: with the embedded
   * store it reads the store's keyring, so a rotation made by this process is seen at once.
   */
  keyring: () => Keyring;
}

/**
 * Picks the secret store of the configuration (DESIGN §5): HashiCorp Vault KV v2 when `vault` is given,
 * else the embedded store (AES-256-GCM under the master key, blobs in the database). The master key is
 * needed in both cases, because OAuth consumer secrets are sealed with it.
 *
 * @example
 * ```ts
 * const masterKey = await loadCheckedMasterKey(db, { masterKey: config.masterKey, dataDir, certificateSecrets: !config.vault });
 * const { store, keyring } = openSecretStore({ db, masterKey, vault: config.vault });
 * await store.health();
 * ```
 */
export function openSecretStore(options: OpenSecretStoreOptions): OpenedSecretStore {
  if (options.vault) {
    const store = new VaultSecretStore(options.vault);
    const fixed = new Keyring(options.masterKey);
    return { store, keyring: () => fixed };
  }
  const embedded = new EmbeddedSecretStore({ db: options.db, masterKey: options.masterKey });
  return { store: embedded, keyring: () => embedded.keyring };
}
