import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import { pino } from 'pino';

/**
 * Keys (compared case-insensitively) whose values are secrets wherever they appear in a log object: request
 * headers that carry credentials, passwords, PKCS#12 files, private keys, consumer secrets and tokens.
 */
export const SENSITIVE_LOG_KEYS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'lp-authorization-override',
  'cookie',
  'set-cookie',
  'x-vault-token',
  'password',
  'passphrase',
  'p12',
  'pfx',
  'privateKey',
  'privateKeyPem',
  'private_key',
  'apiKey',
  'api_key',
  'consumerSecret',
  'consumer_secret',
  'consumer_secret_encrypted',
  'tokenSecret',
  'token_secret',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiToken',
  'masterKey',
  'jwtSecret',
  'vaultToken',
  'databaseUrl',
  'connectionString',
  'oauth_signature',
];

const sensitiveKeys = new Set(SENSITIVE_LOG_KEYS.map((key) => key.toLowerCase()));

/** Value that replaces a redacted secret. */
export const REDACTED = '[redacted]';

/** Deepest level {@link scrubSecrets} looks into. */
const SCRUB_DEPTH = 8;

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * A copy of `value` with the values of {@link SENSITIVE_LOG_KEYS} replaced by `[redacted]` at any depth (up
 * to 8 levels) in plain objects and arrays. Unchanged branches are shared, not copied. Class instances
 * (errors, requests, buffers) are left to their serializers: log plain data, or use the `req`/`res`/`err`
 * keys, whose serializers keep only safe fields.
 *
 * @example
 * ```ts
 * scrubSecrets({ headers: { authorization: 'Bearer x', accept: '*\/*' } });
 * // { headers: { authorization: '[redacted]', accept: '*\/*' } }
 * ```
 */
export function scrubSecrets<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > SCRUB_DEPTH || !isPlainContainer(value)) {
    return value;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const scrubbed = scrubSecrets(item, depth + 1);
      if (scrubbed !== item) {
        copy ??= [...value];
        copy[index] = scrubbed;
      }
    });
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const scrubbed = sensitiveKeys.has(key.toLowerCase()) ? REDACTED : scrubSecrets(item, depth + 1);
    if (scrubbed !== item) {
      copy ??= { ...record };
      copy[key] = scrubbed;
    }
  }
  return (copy ?? value) as T;
}

const sensitiveQueryName = /token|secret|password|signature|key|auth|session/i;

/**
 * The URL with the values of query parameters that look secret (`token`, `*secret*`, `password`,
 * `oauth_signature`, `api_key`, …) replaced, for logs.
 *
 * @example
 * ```ts
 * redactUrl('/x?access_token=abc&page=2'); // '/x?access_token=[redacted]&page=2'
 * ```
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      if (separator < 0) return pair;
      let name = pair.slice(0, separator);
      try {
        name = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      return sensitiveQueryName.test(name) ? `${pair.slice(0, separator)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

interface SerializableRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** pino level (`LOG_LEVEL`). Default `info`. */
  level?: string;
  /** Where log lines go. Default: standard error (standard output is for values a command prints). */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/**
 * The server's logger: pino JSON lines with secrets redacted ({@link SENSITIVE_LOG_KEYS} at any depth of plain
 * data, see {@link scrubSecrets}; secret-looking query parameters in logged URLs; request objects reduced to
 * method, URL, host and address).
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'info' });
 * logger.info({ headers: request.headers }, 'received'); // authorization → "[redacted]"
 * ```
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    // A scrubber rather than pino's `redact` paths: secrets are found at any depth, and it costs a few
    // microseconds per line where a hundred wildcard paths cost a couple of hundred.
    formatters: { log: (object) => scrubSecrets(object) },
    serializers: {
      req(request: SerializableRequest) {
        return {
          method: request.method,
          url: typeof request.url === 'string' ? redactUrl(request.url) : undefined,
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
      res(reply: { statusCode?: number }) {
        return { statusCode: reply.statusCode };
      },
      err: pino.stdSerializers.err,
    },
  };
  return pino(config, (options.destination as DestinationStream | undefined) ?? pino.destination(2));
}
