import { InvalidSecretRefError, SecretDecryptionError } from './errors.js';

/**
 * The decrypted key and chain of one certificate. The PKCS#12 password is never stored: the p12 is opened
 * at upload and only its parts are kept.
 */
export interface SecretMaterial {
  /** PKCS#8 (or PKCS#1 / SEC1) private key, PEM. */
  privateKeyPem: string;
  /** The client (leaf) certificate, PEM. */
  certificatePem: string;
  /** Intermediate certificates, PEM each, leaf-most first. May be empty. */
  chainPem: string[];
}

/**
 * Who a secret belongs to. The embedded store binds it into the ciphertext (AAD), Vault stores and checks
 * it, so a secret can never be read on behalf of another account or certificate.
 */
export interface SecretContext {
  accountId: string;
  certificateId: string;
}

/**
 * A certificate secret the store holds, as {@link SecretStore.listCertificateSecrets} lists it.
 *
 * @example
 * ```ts
 * const stored: StoredSecret = { ref: 'accounts/le1/certificates/42/v1-0a1b2c3d4e5f', context: { accountId: 'le1', certificateId: '42' } };
 * ```
 */
export interface StoredSecret {
  ref: string;
  context: SecretContext;
}

/** Which page {@link SecretStore.listCertificateSecrets} returns. */
export interface ListCertificateSecretsOptions {
  /** Only secrets last written before this time. */
  writtenBefore: Date;
  /** Only refs after this one, in ref order (the last ref of the previous page). */
  after?: string | undefined;
  /** Most secrets in the page. */
  limit: number;
}

/** Which implementation serves a {@link SecretStore}. */
export type SecretStoreKind = 'embedded' | 'vault';

/**
 * Where certificate key material lives. Key material never sits in the database in clear.
 *
 * @example
 * ```ts
 * const ref = certificateSecretRef({ accountId: 'le1606809', certificateId: '3515906310', version: 1 });
 * await store.put(ref, material, { accountId: 'le1606809', certificateId: '3515906310' });
 * const again = await store.get(ref, { accountId: 'le1606809', certificateId: '3515906310' });
 * ```
 */
export interface SecretStore {
  readonly kind: SecretStoreKind;
  /**
   * Stores (or replaces) the material at `ref`.
   * @throws {SecretStoreUnavailableError} when the store cannot be reached.
   */
  put(ref: string, material: SecretMaterial, context: SecretContext): Promise<void>;
  /**
   * Reads the material at `ref`; `undefined` when nothing is stored there.
   * @throws {SecretDecryptionError} when the secret belongs to another context, was tampered with, or was
   *   encrypted with a key that is not configured.
   * @throws {SecretStoreUnavailableError} when the store cannot be reached.
   */
  get(ref: string, context: SecretContext): Promise<SecretMaterial | undefined>;
  /** Removes the material at `ref` (every version of it). Removing a missing ref is not an error. */
  delete(ref: string, context: SecretContext): Promise<void>;
  /** Resolves when the store is usable; throws a {@link SecretStoreError} saying what to fix otherwise. */
  health(): Promise<void>;
  /**
   * One page of the certificate secrets (refs `accounts/<id>/certificates/…`) last written before
   * `writtenBefore`, in ref order, so the certificate sweep can remove the ones no certificate points to.
   * Absent when the store cannot list what it holds (Vault): such orphans are then never found, and never
   * presented either, since no certificate references them.
   * @throws {SecretStoreUnavailableError} when the store cannot be reached.
   */
  listCertificateSecrets?: ((options: ListCertificateSecretsOptions) => Promise<StoredSecret[]>) | undefined;
}

const segmentPattern = /^[A-Za-z0-9._~-]+$/;

/**
 * Checks a ref: 1–512 characters, `/`-separated segments of `A–Z a–z 0–9 . _ ~ -`, no empty, `.` or `..`
 * segment. Refs become Vault paths, so anything that could escape the prefix is refused.
 */
export function assertValidSecretRef(ref: string): void {
  const segments = ref.split('/');
  const valid =
    ref.length > 0 &&
    ref.length <= 512 &&
    segments.every((segment) => segmentPattern.test(segment) && segment !== '.' && segment !== '..');
  if (!valid) {
    throw new InvalidSecretRefError(
      `Invalid secret ref "${ref.slice(0, 80)}". Use "/"-separated segments of letters, digits, ".", "_", ` +
        '"~" or "-" (no empty, "." or ".." segment), at most 512 characters.',
    );
  }
}

/**
 * The ref of one version of a certificate's key material: `accounts/<accountId>/certificates/<id>/v<version>`.
 * A new version gets a new ref, so the old secret stays readable until the row points to the new one.
 */
export function certificateSecretRef(parts: {
  accountId: string;
  certificateId: string | number;
  version: number;
}): string {
  const ref = `accounts/${parts.accountId}/certificates/${parts.certificateId}/v${parts.version}`;
  assertValidSecretRef(ref);
  return ref;
}

/** True when `value` has the shape of {@link SecretMaterial}. */
export function isSecretMaterial(value: unknown): value is SecretMaterial {
  const candidate = value as Partial<SecretMaterial> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.privateKeyPem === 'string' &&
    typeof candidate.certificatePem === 'string' &&
    Array.isArray(candidate.chainPem) &&
    candidate.chainPem.every((pem) => typeof pem === 'string')
  );
}

/** Copies the three fields, dropping anything else a caller may have attached. */
export function pickSecretMaterial(material: SecretMaterial): SecretMaterial {
  if (!isSecretMaterial(material)) {
    throw new TypeError(
      'Secret material needs privateKeyPem, certificatePem (strings) and chainPem (string[]).',
    );
  }
  return {
    privateKeyPem: material.privateKeyPem,
    certificatePem: material.certificatePem,
    chainPem: [...material.chainPem],
  };
}

/** Validates material read back from a store. */
export function decodeSecretMaterial(value: unknown, ref: string): SecretMaterial {
  if (isSecretMaterial(value)) return pickSecretMaterial(value);
  throw new SecretDecryptionError(
    `The secret at "${ref}" is not certificate material written by mtls-gateway. ` +
      'Re-upload the certificate to replace it.',
  );
}
