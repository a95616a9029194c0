/**
 * Errors of the secret stores. One class per kind and a stable `code`; no HTTP status: the HTTP layer maps
 * them (`http/problem.ts`: an unreachable store is `unavailable`, anything else `internal_error`).
 * No message ever contains key material, a master key or a Vault token.
 */
export abstract class SecretStoreError extends Error {
  override readonly name: string = 'SecretStoreError';
  /** Stable machine-readable code, e.g. `secret_store_unavailable`. */
  abstract readonly code: string;
}

/**
 * A stored secret cannot be opened: it was tampered with, it is bound to another account / certificate /
 * ref, it was encrypted with a key that is not configured, or it is not a secret this server wrote.
 */
export class SecretDecryptionError extends SecretStoreError {
  override readonly name = 'SecretDecryptionError';
  readonly code = 'secret_decryption_failed';
}

/** The secret store cannot be used right now: unreachable, sealed, timed out, or access denied. */
export class SecretStoreUnavailableError extends SecretStoreError {
  override readonly name = 'SecretStoreUnavailableError';
  readonly code = 'secret_store_unavailable';
}

/** `MTLS_MASTER_KEY` (or the key file) does not hold a base64-encoded 32-byte key. */
export class InvalidMasterKeyError extends SecretStoreError {
  override readonly name = 'InvalidMasterKeyError';
  readonly code = 'invalid_master_key';
}

/**
 * The configured master key (`MTLS_MASTER_KEY` or the key file) is not the key that sealed the secrets stored
 * in the database — e.g. a restored backup started with another key, or the key file was lost. The server
 * refuses to start rather than report every certificate unavailable.
 */
export class MasterKeyMismatchError extends SecretStoreError {
  override readonly name = 'MasterKeyMismatchError';
  readonly code = 'master_key_mismatch';
}

/** The master key file can be read by other users; the server refuses to use it. */
export class InsecureMasterKeyFileError extends SecretStoreError {
  override readonly name = 'InsecureMasterKeyFileError';
  readonly code = 'insecure_master_key_file';
}

/** A secret ref is empty, too long, absolute, or contains characters or segments that are not allowed. */
export class InvalidSecretRefError extends SecretStoreError {
  override readonly name = 'InvalidSecretRefError';
  readonly code = 'invalid_secret_ref';
}

/** The secret store configuration is unusable (e.g. `VAULT_ADDR` is not a URL, `VAULT_TOKEN` missing). */
export class SecretStoreConfigError extends SecretStoreError {
  override readonly name = 'SecretStoreConfigError';
  readonly code = 'invalid_secret_store_config';
}
