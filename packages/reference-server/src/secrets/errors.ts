/**
 * Errors of the secret stores. One class per kind, a stable `code`, the HTTP status to answer with.
 * No message ever contains key material, a master key or a Vault token.
 */
export abstract class SecretStoreError extends Error {
  /** Stable machine-readable code, e.g. `secret_store_unavailable`. */
  abstract readonly code: string;
  /** HTTP status the server should answer with when this error reaches a route. */
  abstract readonly statusCode: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A stored secret cannot be opened: it was tampered with, it is bound to another account / certificate /
 * ref, it was encrypted with a key that is not configured, or it is not a secret this server wrote.
 */
export class SecretDecryptionError extends SecretStoreError {
  readonly code = 'secret_decryption_failed';
  readonly statusCode = 500;
}

/** The secret store cannot be used right now: unreachable, sealed, timed out, or access denied. */
export class SecretStoreUnavailableError extends SecretStoreError {
  readonly code = 'secret_store_unavailable';
  readonly statusCode = 503;
}

/** `MTLS_MASTER_KEY` (or the key file) does not hold a base64-encoded 32-byte key. */
export class InvalidMasterKeyError extends SecretStoreError {
  readonly code = 'invalid_master_key';
  readonly statusCode = 500;
}

/**
 * The configured master key (`MTLS_MASTER_KEY` or the key file) is not the key that sealed the secrets stored
 * in the database — e.g. a restored backup started with another key, or the key file was lost. The server
 * refuses to start rather than report every certificate unavailable.
 */
export class MasterKeyMismatchError extends SecretStoreError {
  override readonly name = 'MasterKeyMismatchError';
  readonly code = 'master_key_mismatch';
  readonly statusCode = 500;
}

/** The master key file can be read by other users; the server refuses to use it. */
export class InsecureMasterKeyFileError extends SecretStoreError {
  readonly code = 'insecure_master_key_file';
  readonly statusCode = 500;
}

/** A secret ref is empty, too long, absolute, or contains characters or segments that are not allowed. */
export class InvalidSecretRefError extends SecretStoreError {
  readonly code = 'invalid_secret_ref';
  readonly statusCode = 500;
}

/** The secret store configuration is unusable (e.g. `VAULT_ADDR` is not a URL, `VAULT_TOKEN` missing). */
export class SecretStoreConfigError extends SecretStoreError {
  readonly code = 'invalid_secret_store_config';
  readonly statusCode = 500;
}
