/**
 * How the services of one app are built — once, by the composition root (`createGatewayContext`), which hands
 * them to the routes; the admin commands of the CLI build their authenticator the same way.
 */
import type { Logger } from 'pino';
import { Authenticator } from './auth/authenticator.js';
import type { SecuritySchemes } from './auth/operation-security.js';
import { CertificateService } from './certificates/certificate-service.js';
import type { P12Opener } from './certificates/p12-worker-pool.js';
import type { GatewayConfig } from './config/config.js';
import { MappingService } from './mappings/mapping-service.js';
import type { Keyring } from './secrets/master-key.js';
import type { SecretStore } from './secrets/secret-store.js';
import { ChangeLog } from './storage/change-log.js';
import type { Database } from './storage/database.js';

/**
 * The services of one app.
 *
 * @example
 * ```ts
 * const { certificates, mappings } = createGatewayServices({ config, db, secrets, keyring, spec, logger, p12Opener });
 * ```
 */
export interface GatewayServices {
  /** Authentication, authorization, and the credential / token stores. */
  auth: Authenticator;
  /** The change log of this app: services record changes, forwarding hears of them once committed. */
  changes: ChangeLog;
  certificates: CertificateService;
  mappings: MappingService;
}

/** What {@link createAuthenticator} needs besides the configuration. */
export interface AuthenticatorDependencies {
  db: Database;
  /** The master keys sealing OAuth consumer secrets. */
  keyring: () => Keyring;
  /** The security schemes of the spec (`GatewaySpec` fits). */
  spec: SecuritySchemes;
  logger?: Logger | undefined;
}

/** What {@link createGatewayServices} needs. */
export interface GatewayServicesDependencies extends AuthenticatorDependencies {
  config: GatewayConfig;
  secrets: SecretStore;
  logger: Logger;
  /** Where uploaded PKCS#12 files are opened (the app's worker pool). */
  p12Opener: P12Opener;
  /** Age after which a `pending` create counts as abandoned. Default 10 minutes. */
  pendingTimeoutMs?: number | undefined;
}

/**
 * The authenticator of the configuration: OAuth 1.0a, static API tokens, and Bearer JWTs when
 * `MTLS_JWT_SECRET` or `MTLS_JWKS_URL` is set.
 *
 * @example
 * ```ts
 * const auth = createAuthenticator(config, { db, keyring: () => keyring, spec: GatewaySpec.load() });
 * ```
 */
export function createAuthenticator(
  config: GatewayConfig,
  dependencies: AuthenticatorDependencies,
): Authenticator {
  return new Authenticator({
    db: dependencies.db,
    keyring: dependencies.keyring,
    spec: dependencies.spec,
    jwtSecret: config.jwtSecret,
    jwksUrl: config.jwksUrl,
    jwtIssuer: config.jwtIssuer,
    jwtAudience: config.jwtAudience,
    jwtMaxLifetimeSeconds: config.jwtMaxLifetimeSeconds,
    logger: dependencies.logger,
  });
}

/**
 * Builds the services of one app, each once: the change log they share, certificates, mappings and the
 * authenticator.
 *
 * @example
 * ```ts
 * const services = createGatewayServices({ config, db, secrets, keyring, spec, logger, p12Opener: p12Workers });
 * await services.certificates.list('le1606809');
 * ```
 */
export function createGatewayServices(dependencies: GatewayServicesDependencies): GatewayServices {
  const { config, db, secrets, logger } = dependencies;
  const changes = new ChangeLog();
  const certificates = new CertificateService({
    db,
    secrets,
    changes,
    logger,
    pendingTimeoutMs: dependencies.pendingTimeoutMs,
    p12Opener: dependencies.p12Opener,
  });
  const mappings = new MappingService({ db, certificates, changes });
  const auth = createAuthenticator(config, dependencies);
  return { auth, changes, certificates, mappings };
}
