import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { type DestinationStream, pino } from 'pino';
import { buildApp } from '../app.js';
import { InvalidScopeError, validateScope } from '../auth/credentials.js';
import { ConfigError, type GatewayConfig, loadConfig } from '../config/config.js';
import type { GatewayRoutePlugin } from '../http/context.js';
import { GatewaySpec } from '../http/openapi.js';
import { startOpsListener } from '../operations/ops-listener.js';
import { loadCheckedMasterKey, rotateMasterKey } from '../secrets/embedded.js';
import { SecretStoreError } from '../secrets/errors.js';
import { Keyring, loadMasterKey, MASTER_KEY_FILE, MasterKey } from '../secrets/master-key.js';
import { createAuthenticator } from '../services.js';
import type { Database } from '../storage/database.js';
import { StorageError } from '../storage/errors.js';
import { migrate } from '../storage/migrations.js';
import { openDatabase } from '../storage/open-database.js';
import { parseDuration } from './duration.js';
import { createDefaultRoutePlugins } from './route-plugins.js';

/** Something text can be written to (`process.stdout`, a test buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * Where a CLI run reads and writes. Only the value a command was asked for goes to `stdout`; messages, logs
 * and warnings go to `stderr`.
 */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  /** The environment (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Base of relative paths (default `process.cwd()`). */
  cwd?: string;
  /**
   * `serve` stops gracefully when this is aborted: in-flight requests get up to `MTLS_SHUTDOWN_TIMEOUT_MS`
   * to finish (see {@link FORCED_CLOSE_GRACE_MS} for what follows).
   */
  signal?: AbortSignal;
  /** Aborted while `serve` drains (a second signal): every connection is closed at once, exit code 1. */
  forceStop?: AbortSignal;
  /** Route modules `serve` registers (default {@link createDefaultRoutePlugins}). */
  routes?: readonly GatewayRoutePlugin[];
  /** Called once `serve` listens, with its base URL. */
  onListening?: (url: string) => void;
}

/** A command-line mistake: exit code 2 and the usage hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage';
}

/** Description of the token `serve` creates once in development; its presence is the "already shown" marker. */
export const DEVELOPMENT_TOKEN_DESCRIPTION = 'development admin token (created by mtls-gateway serve)';

/** The text of `mtls-gateway --help`. */
export const HELP = `Usage: mtls-gateway [command] [options]

Commands:
  serve                         Run the gateway (default). Migrates the database first.
  migrate                       Apply database migrations.
  credentials add --account <id|*> --permissions <P,…> [--description <text>]
                                Create an OAuth 1.0a consumer; prints {"consumerKey","consumerSecret"}.
  credentials list              List OAuth consumers as JSON (no secrets).
  credentials revoke <consumerKey>
                                Revoke an OAuth consumer.
  tokens create --account <id|*> --permissions <P,…> [--expires-in <30d|12h|…>] [--description <text>]
                                Create a static Bearer token; prints the token.
  tokens list                   List static tokens as JSON (no tokens).
  tokens revoke <id>            Revoke a static token.
  master-key rotate             Re-encrypt every secret with a new master key. With a key file, the file is
                                replaced (the old one kept as master.key.<id>.old) and the new key id printed;
                                with MTLS_MASTER_KEY, the new key is printed: set it and restart every server.
  help                          Show this help.

Options:
  --config <file>               JSON or YAML file with the same keys as the environment (env wins).
                                Also MTLS_CONFIG_FILE.
  --account <id>                Repeatable, or comma-separated. * means every account.
  --permissions <P,…>           MTLS_READ_INTERNAL and/or MTLS_WRITE_INTERNAL.
  -h, --help                    Show this help.

Configuration comes from the environment (PORT, HOST, DATABASE_URL, MTLS_DATA_DIR, MTLS_MASTER_KEY,
VAULT_ADDR/VAULT_TOKEN/VAULT_MOUNT/VAULT_NAMESPACE, MTLS_EGRESS_ALLOW, MTLS_UPSTREAM_CA_FILE,
MTLS_RATE_LIMIT_RPS, MTLS_JWT_SECRET, MTLS_JWKS_URL, MTLS_JWT_ISSUER, MTLS_JWT_AUDIENCE, LOG_LEVEL,
MTLS_BODY_LIMIT, MTLS_HEADERS_TIMEOUT_MS, MTLS_BODY_TIMEOUT_MS, MTLS_BODY_MIN_RATE, MTLS_P12_WORKERS,
MTLS_P12_TIMEOUT_MS, MTLS_OPS_PORT, MTLS_OPS_HOST, MTLS_TRUST_PROXY, …). See the server README.
`;

const commandOptions = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  account: { type: 'string', multiple: true },
  permissions: { type: 'string' },
  description: { type: 'string' },
  'expires-in': { type: 'string' },
} as const;

type ParsedValues = {
  config?: string | undefined;
  help?: boolean | undefined;
  account?: string[] | undefined;
  permissions?: string | undefined;
  description?: string | undefined;
  'expires-in'?: string | undefined;
};

const allowedOptions: Record<string, ReadonlyArray<keyof ParsedValues>> = {
  serve: ['config', 'help'],
  migrate: ['config', 'help'],
  'credentials add': ['config', 'help', 'account', 'permissions', 'description'],
  'credentials list': ['config', 'help'],
  'credentials revoke': ['config', 'help'],
  'tokens create': ['config', 'help', 'account', 'permissions', 'description', 'expires-in'],
  'tokens list': ['config', 'help'],
  'tokens revoke': ['config', 'help'],
  'master-key rotate': ['config', 'help'],
  help: ['help'],
};

const positionalCount: Record<string, number> = { 'credentials revoke': 1, 'tokens revoke': 1 };

function splitList(values: readonly string[] | string | undefined): string[] {
  return [values ?? []]
    .flat()
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

interface Invocation {
  command: string;
  values: ParsedValues;
  positionals: string[];
}

function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: { values: ParsedValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: commandOptions,
      allowPositionals: true,
      strict: true,
    }) as {
      values: ParsedValues;
      positionals: string[];
    };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [first, second, ...rest] = parsed.positionals;
  let command: string;
  let positionals: string[];
  if (first === undefined) {
    command = parsed.values.help ? 'help' : 'serve';
    positionals = [];
  } else if (first === 'credentials' || first === 'tokens' || first === 'master-key') {
    if (second === undefined) throw new UsageError(`"${first}" needs a subcommand.`);
    command = `${first} ${second}`;
    positionals = rest;
  } else {
    command = first;
    positionals = second === undefined ? rest : [second, ...rest];
  }
  const allowed = allowedOptions[command];
  if (!allowed) throw new UsageError(`Unknown command "${command}".`);
  for (const option of Object.keys(parsed.values) as Array<keyof ParsedValues>) {
    if (!allowed.includes(option)) throw new UsageError(`"${command}" does not take --${option}.`);
  }
  const expected = positionalCount[command] ?? 0;
  if (!parsed.values.help && positionals.length !== expected) {
    throw new UsageError(
      expected === 0
        ? `"${command}" takes no arguments.`
        : `"${command}" takes exactly ${expected} argument.`,
    );
  }
  return { command, values: parsed.values, positionals };
}

/**
 * Runs the `mtls-gateway` command line and resolves with the exit code (0 success, 1 failure, 2 usage).
 * `serve` resolves once the server has stopped (when `io.signal` is aborted).
 *
 * @example
 * ```ts
 * const code = await runCli(['tokens', 'create', '--account', '*', '--permissions', 'MTLS_READ_INTERNAL'], {
 *   stdout: process.stdout, stderr: process.stderr,
 * });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (error) {
    io.stderr.write(`mtls-gateway: ${(error as Error).message}\nRun "mtls-gateway --help" for usage.\n`);
    return 2;
  }
  if (invocation.command === 'help' || invocation.values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  try {
    const config = loadConfig({
      env: io.env ?? process.env,
      configFile: invocation.values.config,
      ...(io.cwd ? { cwd: io.cwd } : {}),
    });
    if (invocation.command === 'serve') return await serve(config, io);
    return await runAdminCommand(invocation, config, io);
  } catch (error) {
    io.stderr.write(`mtls-gateway: ${describeFailure(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

function describeFailure(error: unknown): string {
  if (
    error instanceof ConfigError ||
    error instanceof UsageError ||
    error instanceof InvalidScopeError ||
    error instanceof StorageError ||
    error instanceof SecretStoreError
  ) {
    return error.message;
  }
  // Unexpected: the message only (stack traces can carry values); the class helps a bug report.
  return `unexpected ${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? String(error)}`;
}

async function withDatabase<T>(config: GatewayConfig, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    return await work(db);
  } finally {
    await db.close();
  }
}

async function runAdminCommand(invocation: Invocation, config: GatewayConfig, io: CliIo): Promise<number> {
  const { command, values, positionals } = invocation;
  const warn = (message: string) => io.stderr.write(`${message}\n`);
  const spec = GatewaySpec.load();

  if (command === 'migrate') {
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrate(db);
      warn(applied.length > 0 ? `Applied migrations ${applied.join(', ')}.` : 'The database is up to date.');
    } finally {
      await db.close();
    }
    return 0;
  }

  if (command === 'master-key rotate') return rotate(config, io);

  return withDatabase(config, async (db) => {
    const masterKey = await loadCheckedMasterKey(db, {
      masterKey: config.masterKey,
      dataDir: config.dataDir,
      certificateSecrets: !config.vault,
      warn,
    });
    const keyring = new Keyring(masterKey);
    const auth = createAuthenticator(config, { db, keyring: () => keyring, spec });

    switch (command) {
      case 'credentials add':
      case 'tokens create': {
        const accounts = splitList(values.account);
        const permissions = splitList(values.permissions);
        validateScope(accounts, permissions, spec.permissions);
        if (command === 'credentials add') {
          const created = await auth.credentials.create({
            accounts,
            permissions,
            description: values.description,
          });
          io.stdout.write(`${JSON.stringify(created)}\n`);
          return 0;
        }
        let expiresAt: Date | undefined;
        if (values['expires-in'] !== undefined) {
          const ms = parseDuration(values['expires-in']);
          if (ms === undefined) {
            throw new UsageError(
              `--expires-in must look like 30d, 12h, 90m, 3600s or 2w, got "${values['expires-in']}".`,
            );
          }
          expiresAt = new Date(Date.now() + ms);
        }
        const { id, token } = await auth.tokens.create({
          accounts,
          permissions,
          description: values.description,
          expiresAt,
        });
        warn(`Created token ${id}${expiresAt ? `, expiring ${expiresAt.toISOString()}` : ' (no expiry)'}.`);
        io.stdout.write(`${token}\n`);
        return 0;
      }
      case 'credentials list':
        io.stdout.write(`${JSON.stringify(await auth.credentials.list(), null, 2)}\n`);
        return 0;
      case 'tokens list':
        io.stdout.write(`${JSON.stringify(await auth.tokens.list(), null, 2)}\n`);
        return 0;
      case 'credentials revoke': {
        const consumerKey = positionals[0] as string;
        if (!(await auth.credentials.revoke(consumerKey))) {
          warn(`No active OAuth consumer "${consumerKey}". See "mtls-gateway credentials list".`);
          return 1;
        }
        warn(`Revoked ${consumerKey}; every server refuses it from now on.`);
        return 0;
      }
      case 'tokens revoke': {
        const text = positionals[0] as string;
        const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : Number.NaN;
        if (!Number.isSafeInteger(id) || !(await auth.tokens.revoke(id))) {
          warn(`No active token with id "${text}". See "mtls-gateway tokens list".`);
          return 1;
        }
        warn(`Revoked token ${id}.`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  });
}

/** Writes a file that did not exist, mode 0600, flushed to disk. */
async function writePrivateFile(file: string, content: string): Promise<void> {
  const handle = await open(file, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function rotate(config: GatewayConfig, io: CliIo): Promise<number> {
  const warn = (message: string) => io.stderr.write(`${message}\n`);
  return withDatabase(config, async (db) => {
    const current = await loadMasterKey({ masterKey: config.masterKey, dataDir: config.dataDir, warn });
    const next = MasterKey.generate();

    if (config.masterKey) {
      // Printed before the re-encryption commits: if the process dies afterwards the key is not lost.
      io.stdout.write(`${next.exportBase64()}\n`);
      const result = await rotateMasterKey(db, new Keyring(current), next).catch((error: unknown) => {
        warn(
          'The rotation failed and changed nothing: keep the current MTLS_MASTER_KEY and ignore the printed key.',
        );
        throw error;
      });
      warn(
        `Re-encrypted ${result.secretBlobs} certificate secrets and ${result.oauthCredentials} consumer secrets ` +
          `with key ${next.id}. Set MTLS_MASTER_KEY to the printed key and restart every server now: servers ` +
          'still running with the old key cannot decrypt anything.',
      );
      return 0;
    }

    const keyFile = path.resolve(config.dataDir, MASTER_KEY_FILE);
    const pendingFile = `${keyFile}.${next.id}.new`;
    const oldFile = `${keyFile}.${current.id}.old`;
    await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
    // The new key reaches the disk before any secret is encrypted with it.
    await writePrivateFile(pendingFile, `${next.exportBase64()}\n`);
    let result: Awaited<ReturnType<typeof rotateMasterKey>>;
    try {
      result = await rotateMasterKey(db, new Keyring(current), next);
    } catch (error) {
      await unlink(pendingFile).catch(() => undefined);
      warn('The rotation failed and changed nothing; the current key file stays in use.');
      throw error;
    }
    // Keep the old key (a backup that can still open old database backups), then swap the new one in.
    await link(keyFile, oldFile).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await rename(pendingFile, keyFile);
    io.stdout.write(`${next.id}\n`);
    warn(
      `Re-encrypted ${result.secretBlobs} certificate secrets and ${result.oauthCredentials} consumer secrets. ` +
        `${keyFile} now holds key ${next.id}; the old key is kept in ${oldFile}. Restart the server.`,
    );
    return 0;
  });
}

async function ensureDevelopmentToken(
  app: Awaited<ReturnType<typeof buildApp>>,
  baseUrl: string,
  io: CliIo,
): Promise<void> {
  const { db, auth, spec } = app.gateway;
  const { rowCount } = await db.query('SELECT 1 FROM api_tokens WHERE description = $1 LIMIT 1', [
    DEVELOPMENT_TOKEN_DESCRIPTION,
  ]);
  if (rowCount > 0) return;
  const { token } = await auth.tokens.create({
    accounts: ['*'],
    permissions: [...spec.permissions],
    description: DEVELOPMENT_TOKEN_DESCRIPTION,
  });
  io.stderr.write(
    `\nDevelopment admin token (NODE_ENV is not "production"; shown this once, stored hashed in the ` +
      `database as "${DEVELOPMENT_TOKEN_DESCRIPTION}" — revoke it with "mtls-gateway tokens revoke <id>"):\n\n` +
      `  ${token}\n\nTry:\n  curl -H "Authorization: Bearer ${token}" ${baseUrl}/mtls/account/le1606809/certificates\n\n`,
  );
}

async function serve(config: GatewayConfig, io: CliIo): Promise<number> {
  // The process's own standard error: written without blocking the event loop on every line (lines that
  // arrive during a write go out together with the next one). pino writes what is left when the process
  // exits, and serve writes it when it returns.
  const logDestination =
    io.stderr === process.stderr ? pino.destination({ dest: 2, sync: false }) : undefined;
  try {
    return await serveWith(config, io, logDestination ?? (io.stderr as DestinationStream));
  } finally {
    try {
      logDestination?.flushSync();
    } catch {
      // Standard error is gone (closed pipe): nothing left to tell.
    }
  }
}

async function serveWith(config: GatewayConfig, io: CliIo, logStream: DestinationStream): Promise<number> {
  const app = await buildApp(config, { routes: io.routes ?? createDefaultRoutePlugins(), logStream });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const baseUrl = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
  try {
    if (!config.production) await ensureDevelopmentToken(app, baseUrl, io);
  } catch (error) {
    app.log.warn({ err: error }, 'Could not create the development admin token');
  }
  let ops: FastifyInstance | undefined;
  let draining = false;
  if (config.ops) {
    try {
      ops = await startOpsListener(app.gateway, config.ops, { draining: () => draining });
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  io.stderr.write(`mtls-gateway listening on ${baseUrl} (API reference: ${baseUrl}/docs)\n`);
  if (ops) io.stderr.write(`operator listener (/healthz, /readyz, /metrics) on ${listenerUrl(ops)}\n`);
  io.onListening?.(baseUrl);

  await new Promise<void>((resolve) => {
    if (!io.signal) return; // Runs until the process ends.
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  draining = true;
  return shutDown(app, ops, config.shutdownTimeoutMs, io.forceStop);
}

/**
 * After a forced stop (the drain bound passed, or a second signal): how long closing what is left (forwarding
 * pools, worker threads, the database) may take before `serve` gives up on it and returns anyway.
 */
export const FORCED_CLOSE_GRACE_MS = 5_000;

type Settled = 'closed' | 'failed' | 'timeout' | 'forced';

/** `promise` settled, the time passed, or `force` was aborted, whichever comes first. */
function settleWithin(promise: Promise<unknown>, ms: number, force?: AbortSignal): Promise<Settled> {
  return new Promise<Settled>((resolve) => {
    const finish = (outcome: Settled) => {
      clearTimeout(timer);
      force?.removeEventListener('abort', onForce);
      resolve(outcome);
    };
    const onForce = () => finish('forced');
    const timer = setTimeout(() => finish('timeout'), ms);
    if (force?.aborted) return finish('forced');
    force?.addEventListener('abort', onForce, { once: true });
    promise.then(
      () => finish('closed'),
      () => finish('failed'),
    );
  });
}

/**
 * The graceful stop of `serve`: refuse new work, let requests in flight finish within `timeoutMs`, then (or on
 * `force`) close every connection; close the pools, workers and database; 0 when nothing was cut short.
 */
async function shutDown(
  app: FastifyInstance,
  ops: FastifyInstance | undefined,
  timeoutMs: number,
  force: AbortSignal | undefined,
): Promise<number> {
  const waiting = app.requestsInFlight;
  app.log.info(
    { shutdownTimeoutMs: timeoutMs, inFlight: waiting },
    `Shutting down, waiting up to ${timeoutMs} ms for ${waiting} request${waiting === 1 ? '' : 's'}`,
  );
  // Fastify's close: stop listening, close idle keep-alive connections, wait for the busy ones (Node closes
  // each once its answer is sent), then run the onClose hooks (forwarding pools, worker threads, database).
  const closing = app.close();
  const drained = await settleWithin(closing, timeoutMs, force);
  if (drained === 'failed') app.log.error('Shutting down: closing the server failed');
  if (drained === 'timeout' || drained === 'forced') {
    app.log.warn(
      { inFlight: app.requestsInFlight },
      drained === 'forced'
        ? `Second signal: closing every connection now (${app.requestsInFlight} requests still in flight)`
        : `Shutdown timeout of ${timeoutMs} ms passed: closing every connection now ` +
            `(${app.requestsInFlight} requests still in flight)`,
    );
    app.server.closeAllConnections();
    // Connections gone, handlers see their caller leave (forwards abort their upstream call); the onClose
    // hooks then run. Writes cut short leave pending rows, never Available ones (the sweep removes them).
    if ((await settleWithin(closing, FORCED_CLOSE_GRACE_MS)) === 'timeout') {
      app.log.error(
        `Shutting down: resources still closing after ${FORCED_CLOSE_GRACE_MS} ms; closing the database`,
      );
      await settleWithin(app.gateway.db.close(), FORCED_CLOSE_GRACE_MS);
    }
  }
  if (ops) {
    const opsClosing = ops.close();
    if ((await settleWithin(opsClosing, 1_000)) === 'timeout') {
      ops.server.closeAllConnections();
      await settleWithin(opsClosing, 1_000);
    }
  }
  app.log.info(drained === 'closed' ? 'Stopped' : 'Stopped, cutting requests short');
  return drained === 'closed' ? 0 : 1;
}

function listenerUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (typeof address !== 'object' || !address) return String(address);
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
