/**
 * Secret stores of the reference server: where certificate key material lives (never in the database in
 * clear). `embedded` (AES-256-GCM under a master key, blobs in the database) or HashiCorp Vault KV v2.
 *
 * @example
 * ```ts
 * import { certificateSecretRef, openSecretStore } from './secrets/index.js';
 * const { store } = openSecretStore({ db, masterKey: await loadMasterKey({ masterKey: undefined, dataDir: './data' }) });
 * const ref = certificateSecretRef({ accountId, certificateId, version: 1 });
 * await store.put(ref, material, { accountId, certificateId: String(certificateId) });
 * ```
 */
export type { EmbeddedSecretStoreOptions, MasterKeyRotationResult } from './embedded.js';
export { EmbeddedSecretStore, rotateMasterKey } from './embedded.js';
export {
  InsecureMasterKeyFileError,
  InvalidMasterKeyError,
  InvalidSecretRefError,
  SecretDecryptionError,
  SecretStoreConfigError,
  SecretStoreError,
  SecretStoreUnavailableError,
} from './errors.js';
export type { LoadMasterKeyOptions } from './master-key.js';
export { Keyring, loadMasterKey, MASTER_KEY_FILE, MasterKey } from './master-key.js';
export type { OpenedSecretStore, OpenSecretStoreOptions } from './open-secret-store.js';
export { openSecretStore } from './open-secret-store.js';
export { openConsumerSecret, sealConsumerSecret } from './sealed-box.js';
export type {
  ListCertificateSecretsOptions,
  SecretContext,
  SecretMaterial,
  SecretStore,
  SecretStoreKind,
  StoredSecret,
} from './secret-store.js';
export { assertValidSecretRef, certificateSecretRef } from './secret-store.js';
export type { VaultSecretStoreOptions } from './vault.js';
export { VaultSecretStore } from './vault.js';
