import { readFileSync } from 'node:fs';
import tls, { type SecureContext } from 'node:tls';
import type { SecretMaterial } from '../secrets/secret-store.js';

/**
 * The upstream server certificate could not be trusted because `MTLS_UPSTREAM_CA_FILE` is unusable. Raised at
 * start-up, so a typo never silently turns into "every upstream fails".
 */
export class UpstreamCaFileError extends Error {
  override readonly name = 'UpstreamCaFileError';
  readonly code = 'invalid_upstream_ca_file';

  constructor(file: string, reason: string) {
    super(`MTLS_UPSTREAM_CA_FILE ${file} ${reason}. Point it to a PEM file of CA certificates.`);
  }
}

/** The `CERTIFICATE` blocks of a PEM bundle. */
function certificateBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Reads the extra CA bundle of `MTLS_UPSTREAM_CA_FILE`.
 *
 * @throws {UpstreamCaFileError} when the file cannot be read or holds no certificate.
 */
export function readUpstreamCaFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UpstreamCaFileError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const blocks = certificateBlocks(text);
  if (blocks.length === 0) throw new UpstreamCaFileError(file, 'holds no PEM certificate');
  return blocks;
}

/** The CAs Node trusts by default (bundled Mozilla roots, `NODE_EXTRA_CA_CERTS`, system store when enabled). */
function defaultCaCertificates(): readonly string[] {
  const withGetter = tls as typeof tls & { getCACertificates?: (type?: string) => string[] };
  return withGetter.getCACertificates?.('default') ?? tls.rootCertificates;
}

/**
 * How the gateway verifies upstream servers and presents client certificates: one immutable set of trusted
 * CAs (system + `MTLS_UPSTREAM_CA_FILE`), and a `SecureContext` per client certificate, built once and shared
 * by every connection of that certificate (parsing a private key per connection would dominate the cost
 * of a handshake). Server certificate verification is always on.
 *
 * @example
 * ```ts
 * const upstreamTls = UpstreamTls.fromCaFile(config.upstreamCaFile);
 * const context = upstreamTls.secureContextFor(loaded.material);
 * ```
 */
export class UpstreamTls {
  readonly #extraCa: readonly string[];
  readonly #ca: readonly string[] | undefined;
  #plainContext: SecureContext | undefined;

  /** @param extraCa PEM certificates trusted in addition to the system CAs. */
  constructor(extraCa: readonly string[] = []) {
    this.#extraCa = extraCa;
    // Without extra CAs Node's defaults apply as they are; `ca` would otherwise replace them.
    this.#ca = extraCa.length > 0 ? [...defaultCaCertificates(), ...extraCa] : undefined;
  }

  /** Trust from an optional `MTLS_UPSTREAM_CA_FILE`. */
  static fromCaFile(file: string | undefined): UpstreamTls {
    return new UpstreamTls(file ? readUpstreamCaFile(file) : []);
  }

  /** The extra CAs (for one-off contexts and tests). */
  get extraCa(): readonly string[] {
    return this.#extraCa;
  }

  /** The context of connections without a client certificate (plain TLS), shared. */
  plainContext(): SecureContext {
    this.#plainContext ??= tls.createSecureContext(this.#ca ? { ca: [...this.#ca] } : {});
    return this.#plainContext;
  }

  /**
   * A new context presenting `material` (key, certificate and its chain).
   *
   * @throws when the key does not match the certificate (Node's `ERR_OSSL_*`).
   */
  secureContextFor(material: SecretMaterial): SecureContext {
    const chain = [material.certificatePem, ...material.chainPem].join('\n');
    return tls.createSecureContext({
      key: material.privateKeyPem,
      cert: chain,
      ...(this.#ca ? { ca: [...this.#ca] } : {}),
    });
  }
}
