import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_P12_TIMEOUT_MS, defaultP12WorkerThreads } from '../certificates/p12-worker-pool.js';
import { parseEgressAllowlist } from '../egress/egress-policy.js';

/**
 * The reference server's configuration: environment variables (DESIGN §5) and an optional config file with
 * the same keys (`--config <file>` or `MTLS_CONFIG_FILE`, JSON or YAML); the environment wins.
 */

/** HashiCorp Vault settings (`VAULT_*`). */
export interface VaultConfig {
  address: string;
  /** Secret: never logged. */
  token: string;
  mount: string | undefined;
  namespace: string | undefined;
}

/** Limits of multipart bodies (certificate files, the p12 test). */
export interface MultipartLimits {
  /** Largest file part in bytes (`MTLS_MULTIPART_FILE_LIMIT`, default 1 MiB: a PKCS#12 is a few KiB). */
  fileSizeBytes: number;
  /** Largest non-file part in bytes (`MTLS_MULTIPART_FIELD_LIMIT`, default = the body limit). */
  fieldSizeBytes: number;
  /**
   * Most file parts of any multipart body (default 2). A backstop: the certificate forms and the p12 test read
   * every part as a stream with limits of their own (part count, per-part caps, the body limit in all).
   */
  files: number;
  /** Most non-file parts (default 10). */
  fields: number;
  /** Most parts overall (default 20). */
  parts: number;
}

/** Timeouts of calls to upstream (forwarded) servers. */
export interface UpstreamTimeouts {
  /** TCP + TLS connect (`MTLS_UPSTREAM_CONNECT_TIMEOUT_MS`, default 10 000). */
  connectMs: number;
  /** Whole exchange (`MTLS_UPSTREAM_TIMEOUT_MS`, default 60 000). */
  totalMs: number;
}

/** The worker threads opening uploaded PKCS#12 files, off the event loop. */
export interface P12WorkerLimits {
  /** Threads (`MTLS_P12_WORKERS`, default 2, or 1 on a single-CPU machine). */
  threads: number;
  /** Deadline of one file (`MTLS_P12_TIMEOUT_MS`, default 5 000); past it: 400 `p12_too_costly`. */
  timeoutMs: number;
}

/** Timeouts of incoming requests (the slow-client guard; see "Limits and timeouts" in the README). */
export interface RequestTimeouts {
  /** Request line and headers complete within this (`MTLS_HEADERS_TIMEOUT_MS`, default 30 000). */
  headersMs: number;
  /** Grace period for a body to start (`MTLS_BODY_TIMEOUT_MS`, default 20 000). */
  bodyStartMs: number;
  /** Then the body arrives at least this fast on average (`MTLS_BODY_MIN_RATE`, bytes/s, default 500). */
  bodyMinBytesPerSecond: number;
}

/** The operator listener serving `/healthz`, `/readyz` and `/metrics` without credentials. */
export interface OpsListener {
  /** `MTLS_OPS_PORT`, default 9464 (the Prometheus exporter port of OpenTelemetry; 9090 is Prometheus's own; 0 = any free port). */
  port: number;
  /** `MTLS_OPS_HOST`, default 127.0.0.1. */
  host: string;
}

/**
 * The typed configuration.
 *
 * @example
 * ```ts
 * const config = loadConfig({ env: process.env });
 * config.port; // 8080
 * ```
 */
export interface GatewayConfig {
  /** `PORT`, default 8080 (0 = any free port). */
  port: number;
  /** `HOST`, default 127.0.0.1. */
  host: string;
  /** `DATABASE_URL`; unset → embedded PGlite in `dataDir`. Secret (may carry a password). */
  databaseUrl: string | undefined;
  /** `MTLS_DATA_DIR`, default `./data`, resolved to an absolute path. */
  dataDir: string;
  /** `MTLS_MASTER_KEY` (base64, 32 bytes). Secret. Unset → generated key file in `dataDir`. */
  masterKey: string | undefined;
  /** Vault, when `VAULT_ADDR` is set; else the embedded secret store. */
  vault: VaultConfig | undefined;
  /**
   * `MTLS_EGRESS_ALLOW`: `host:port` (`*.domain:port`), IPs (`[v6]:port` with a port) or CIDRs exempt from
   * the SSRF guard. A host needs its port; an allowed host still never reaches a link-local/metadata address.
   */
  egressAllow: string[];
  /** `MTLS_UPSTREAM_CA_FILE`: extra PEM CA bundle for upstream servers. */
  upstreamCaFile: string | undefined;
  /** `MTLS_CONSOLE_DIR`: a console build served at `/console/` instead of the installed package's `dist/`. */
  consoleDir: string | undefined;
  /** `MTLS_RATE_LIMIT_RPS`, default 10; 0 turns the limit off. Per replica. */
  rateLimitRps: number;
  /** `MTLS_JWT_SECRET`: HS256 secret of Bearer JWTs. Secret. */
  jwtSecret: string | undefined;
  /** `MTLS_JWKS_URL`: `https:`/`http:` URL or `file:` path of a JWKS verifying Bearer JWTs. */
  jwksUrl: string | undefined;
  /** `MTLS_JWT_ISSUER`: the `iss` every JWT must carry; required when JWTs are on (secret or JWKS set). */
  jwtIssuer: string | undefined;
  /** `MTLS_JWT_AUDIENCE`: an `aud` every JWT must carry; required when JWTs are on. */
  jwtAudience: string | undefined;
  /** `MTLS_JWT_MAX_LIFETIME_SECONDS`: longest accepted `exp - iat` of a JWT, default 3600. */
  jwtMaxLifetimeSeconds: number;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LogLevel;
  /**
   * `MTLS_ACCESS_LOG`, `on` (default) or `off`: one `info` line per answered request (method, redacted URL,
   * status, time). Off, only problems (4xx at `info`, 5xx at `error`) and the server's own events are logged.
   */
  accessLog: boolean;
  /** `MTLS_BODY_LIMIT`: largest request body in bytes (default 10 MiB). */
  bodyLimitBytes: number;
  multipart: MultipartLimits;
  upstreamTimeouts: UpstreamTimeouts;
  p12Workers: P12WorkerLimits;
  requestTimeouts: RequestTimeouts;
  /** The operator listener; `undefined` when `MTLS_OPS_PORT=off`. */
  ops: OpsListener | undefined;
  /**
   * `MTLS_SHUTDOWN_TIMEOUT_MS`, default 30 000: how long `serve` lets in-flight requests finish after the
   * first SIGTERM/SIGINT before it closes every connection and exits with code 1.
   */
  shutdownTimeoutMs: number;
  /**
   * `MTLS_TRUST_PROXY`: `false` (default), `true`, a hop count, or comma-separated addresses/CIDRs of trusted
   * proxies. Only then are `X-Forwarded-For/-Proto/-Host` believed (client IP, OAuth base string URL).
   */
  trustProxy: boolean | number | string[];
  /** `NODE_ENV === 'production'`. */
  production: boolean;
  /** The config file that was read, if any. */
  configFile: string | undefined;
}

/** pino levels. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The keys a config file (and the environment) may set. */
export const CONFIG_KEYS = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'MTLS_DATA_DIR',
  'MTLS_MASTER_KEY',
  'VAULT_ADDR',
  'VAULT_TOKEN',
  'VAULT_MOUNT',
  'VAULT_NAMESPACE',
  'MTLS_EGRESS_ALLOW',
  'MTLS_UPSTREAM_CA_FILE',
  'MTLS_CONSOLE_DIR',
  'MTLS_RATE_LIMIT_RPS',
  'MTLS_JWT_SECRET',
  'MTLS_JWKS_URL',
  'MTLS_JWT_ISSUER',
  'MTLS_JWT_AUDIENCE',
  'MTLS_JWT_MAX_LIFETIME_SECONDS',
  'LOG_LEVEL',
  'MTLS_ACCESS_LOG',
  'MTLS_BODY_LIMIT',
  'MTLS_MULTIPART_FILE_LIMIT',
  'MTLS_MULTIPART_FIELD_LIMIT',
  'MTLS_UPSTREAM_CONNECT_TIMEOUT_MS',
  'MTLS_UPSTREAM_TIMEOUT_MS',
  'MTLS_P12_WORKERS',
  'MTLS_P12_TIMEOUT_MS',
  'MTLS_TRUST_PROXY',
  'MTLS_HEADERS_TIMEOUT_MS',
  'MTLS_BODY_TIMEOUT_MS',
  'MTLS_BODY_MIN_RATE',
  'MTLS_OPS_PORT',
  'MTLS_OPS_HOST',
  'MTLS_SHUTDOWN_TIMEOUT_MS',
  'NODE_ENV',
] as const;

/** One key of {@link CONFIG_KEYS}. */
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Keys whose values are secrets: their values never appear in error messages. */
const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set([
  'MTLS_MASTER_KEY',
  'VAULT_TOKEN',
  'MTLS_JWT_SECRET',
  'DATABASE_URL',
]);

/**
 * The configuration is invalid. `problems` lists one message per variable, each naming it.
 *
 * @example
 * ```ts
 * try { loadConfig({ env }); } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.message); // MTLS_RATE_LIMIT_RPS must be …
 * }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';

  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The environment (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** A config file (`--config`); else `MTLS_CONFIG_FILE` of `env`. */
  configFile?: string | undefined;
  /** Base directory of relative paths (default `process.cwd()`). */
  cwd?: string;
}

const MIB = 1024 * 1024;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads a config file: a JSON or YAML mapping of {@link CONFIG_KEYS} to scalar values.
 *
 * @throws {ConfigError} when unreadable, not a mapping, or with an unknown key (typos are caught).
 */
export function readConfigFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `Config file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    ]);
  }
  let parsed: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both.
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([
      `Config file ${file} is not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`,
    ]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`Config file ${file} must hold a mapping of variable names to values.`]);
  }
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      problems.push(`Config file ${file}: unknown key ${key}. Known keys: ${CONFIG_KEYS.join(', ')}.`);
      continue;
    }
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number')) {
      values[key] = value.join(',');
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      values[key] = String(value);
    } else {
      problems.push(`Config file ${file}: ${key} must be a string, number or boolean.`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

/**
 * Loads and validates the configuration. Every problem is reported at once, each naming its variable; secret
 * values are never echoed.
 *
 * @throws {ConfigError}
 * @example
 * ```ts
 * const config = loadConfig({ env: process.env, configFile: args.config });
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFileSetting = options.configFile ?? nonEmpty(env.MTLS_CONFIG_FILE);
  const configFile = configFileSetting ? path.resolve(cwd, configFileSetting) : undefined;
  const fromFile = configFile ? readConfigFile(configFile) : {};

  const problems: string[] = [];
  const get = (key: ConfigKey): string | undefined => nonEmpty(env[key]) ?? nonEmpty(fromFile[key]);
  const shown = (key: ConfigKey, value: string) => (SECRET_KEYS.has(key) ? '(value hidden)' : `"${value}"`);

  const integer = (key: ConfigKey, fallback: number, min: number, max: number, what: string): number => {
    const raw = get(key);
    if (raw === undefined) return fallback;
    const trimmed = raw.trim();
    const value = /^[0-9]+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${key} must be ${what}, got ${shown(key, raw)}.`);
      return fallback;
    }
    return value;
  };

  const port = integer('PORT', 8080, 0, 65535, 'an integer from 0 to 65535');
  const host = get('HOST') ?? '127.0.0.1';
  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined) {
    let protocol: string | undefined;
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// connection URL (value hidden).');
    }
  }
  const dataDir = path.resolve(cwd, get('MTLS_DATA_DIR') ?? './data');
  const masterKey = get('MTLS_MASTER_KEY');
  if (masterKey !== undefined) {
    const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(masterKey.trim())
      ? Buffer.from(masterKey.trim(), 'base64')
      : undefined;
    if (decoded?.length !== 32) {
      problems.push(
        'MTLS_MASTER_KEY must be 32 bytes encoded in base64 (generate one with: openssl rand -base64 32).',
      );
    }
  }

  const vaultAddress = get('VAULT_ADDR');
  const vaultToken = get('VAULT_TOKEN');
  let vault: VaultConfig | undefined;
  if (vaultAddress !== undefined) {
    if (!isHttpUrl(vaultAddress)) problems.push(`VAULT_ADDR must be an http(s) URL, got "${vaultAddress}".`);
    if (vaultToken === undefined) problems.push('VAULT_TOKEN must be set when VAULT_ADDR is set.');
    vault = {
      address: vaultAddress,
      token: vaultToken ?? '',
      mount: get('VAULT_MOUNT'),
      namespace: get('VAULT_NAMESPACE'),
    };
  } else if (
    vaultToken !== undefined ||
    get('VAULT_MOUNT') !== undefined ||
    get('VAULT_NAMESPACE') !== undefined
  ) {
    problems.push('VAULT_ADDR must be set when VAULT_TOKEN, VAULT_MOUNT or VAULT_NAMESPACE is set.');
  }

  const egressAllow = (get('MTLS_EGRESS_ALLOW') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of egressAllow) {
    // The policy's own parser, entry by entry, so every bad entry is named (a host needs its port).
    try {
      parseEgressAllowlist([entry]);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const upstreamCaFileSetting = get('MTLS_UPSTREAM_CA_FILE');
  const upstreamCaFile = upstreamCaFileSetting ? path.resolve(cwd, upstreamCaFileSetting) : undefined;
  const consoleDirSetting = get('MTLS_CONSOLE_DIR');
  const consoleDir = consoleDirSetting ? path.resolve(cwd, consoleDirSetting) : undefined;

  const rateLimitRps = integer('MTLS_RATE_LIMIT_RPS', 10, 0, 1_000_000, 'a non-negative integer');

  const jwtSecret = get('MTLS_JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < 32) {
    problems.push('MTLS_JWT_SECRET must be at least 32 bytes long (HS256 needs a 256-bit secret).');
  }
  const jwksUrl = get('MTLS_JWKS_URL');
  if (jwksUrl !== undefined && !isHttpUrl(jwksUrl) && !jwksUrl.startsWith('file:')) {
    problems.push(`MTLS_JWKS_URL must be an http(s) URL or a file: path, got "${jwksUrl}".`);
  }
  const jwtIssuer = get('MTLS_JWT_ISSUER')?.trim();
  const jwtAudience = get('MTLS_JWT_AUDIENCE')?.trim();
  if (jwtSecret !== undefined || jwksUrl !== undefined) {
    // Without them a token minted by the same issuer for another application would be accepted.
    if (jwtIssuer === undefined) {
      problems.push(
        'MTLS_JWT_ISSUER must be set when MTLS_JWT_SECRET or MTLS_JWKS_URL is set (the `iss` of accepted JWTs).',
      );
    }
    if (jwtAudience === undefined) {
      problems.push(
        'MTLS_JWT_AUDIENCE must be set when MTLS_JWT_SECRET or MTLS_JWKS_URL is set (the `aud` of accepted JWTs).',
      );
    }
  }
  const jwtMaxLifetimeSeconds = integer(
    'MTLS_JWT_MAX_LIFETIME_SECONDS',
    3600,
    1,
    31_536_000,
    'a positive number of seconds (at most one year)',
  );

  const logLevelSetting = (get('LOG_LEVEL') ?? 'info').toLowerCase();
  let logLevel: LogLevel = 'info';
  if ((LOG_LEVELS as readonly string[]).includes(logLevelSetting)) logLevel = logLevelSetting as LogLevel;
  else problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${get('LOG_LEVEL')}".`);
  const accessLogSetting = (get('MTLS_ACCESS_LOG') ?? 'on').toLowerCase();
  const accessLog = accessLogSetting !== 'off';
  if (accessLogSetting !== 'on' && accessLogSetting !== 'off') {
    problems.push(`MTLS_ACCESS_LOG must be on or off, got "${get('MTLS_ACCESS_LOG')}".`);
  }

  const bodyLimitBytes = integer('MTLS_BODY_LIMIT', 10 * MIB, 1, 1024 * MIB, 'a positive number of bytes');
  const multipart: MultipartLimits = {
    fileSizeBytes: integer('MTLS_MULTIPART_FILE_LIMIT', MIB, 1, 1024 * MIB, 'a positive number of bytes'),
    fieldSizeBytes: integer(
      'MTLS_MULTIPART_FIELD_LIMIT',
      bodyLimitBytes,
      1,
      1024 * MIB,
      'a positive number of bytes',
    ),
    // The p12 test may send its `body` part as a file too.
    files: 2,
    fields: 10,
    parts: 20,
  };
  const upstreamTimeouts: UpstreamTimeouts = {
    connectMs: integer(
      'MTLS_UPSTREAM_CONNECT_TIMEOUT_MS',
      10_000,
      1,
      3_600_000,
      'a positive number of milliseconds',
    ),
    totalMs: integer('MTLS_UPSTREAM_TIMEOUT_MS', 60_000, 1, 3_600_000, 'a positive number of milliseconds'),
  };
  const p12Workers: P12WorkerLimits = {
    threads: integer('MTLS_P12_WORKERS', defaultP12WorkerThreads(), 1, 64, 'an integer from 1 to 64'),
    timeoutMs: integer(
      'MTLS_P12_TIMEOUT_MS',
      DEFAULT_P12_TIMEOUT_MS,
      1,
      600_000,
      'a positive number of milliseconds (at most 600000)',
    ),
  };

  const requestTimeouts: RequestTimeouts = {
    headersMs: integer('MTLS_HEADERS_TIMEOUT_MS', 30_000, 1, 3_600_000, 'a positive number of milliseconds'),
    bodyStartMs: integer('MTLS_BODY_TIMEOUT_MS', 20_000, 1, 3_600_000, 'a positive number of milliseconds'),
    bodyMinBytesPerSecond: integer(
      'MTLS_BODY_MIN_RATE',
      500,
      1,
      1024 * MIB,
      'a positive number of bytes per second',
    ),
  };
  const opsPortSetting = get('MTLS_OPS_PORT')?.trim().toLowerCase();
  const ops: OpsListener | undefined =
    opsPortSetting === 'off'
      ? undefined
      : {
          port: integer('MTLS_OPS_PORT', 9464, 0, 65535, 'an integer from 0 to 65535, or off'),
          host: get('MTLS_OPS_HOST') ?? '127.0.0.1',
        };

  const shutdownTimeoutMs = integer(
    'MTLS_SHUTDOWN_TIMEOUT_MS',
    30_000,
    1,
    3_600_000,
    'a positive number of milliseconds',
  );

  const trustProxy = parseTrustProxy(get('MTLS_TRUST_PROXY'), problems);
  const nodeEnv = get('NODE_ENV');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    databaseUrl,
    dataDir,
    masterKey,
    vault,
    egressAllow,
    upstreamCaFile,
    consoleDir,
    rateLimitRps,
    jwtSecret,
    jwksUrl,
    jwtIssuer,
    jwtAudience,
    jwtMaxLifetimeSeconds,
    logLevel,
    accessLog,
    bodyLimitBytes,
    multipart,
    upstreamTimeouts,
    p12Workers,
    requestTimeouts,
    ops,
    shutdownTimeoutMs,
    trustProxy,
    production: nodeEnv === 'production',
    configFile,
  };
}

function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined) return false;
  const value = raw.trim().toLowerCase();
  if (value === 'false' || value === '0' || value === 'no') return false;
  if (value === 'true' || value === 'yes') return true;
  if (/^[0-9]+$/.test(value)) return Number(value);
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length > 0 && entries.every((entry) => /^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(entry)))
    return entries;
  problems.push(
    `MTLS_TRUST_PROXY must be true, false, a hop count or comma-separated proxy addresses/CIDRs, got "${raw}".`,
  );
  return false;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
