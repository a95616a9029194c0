/**
 * Starts a Prism mock of the spec (stateless: answers from the spec's examples or schemas) on a free port and
 * waits until it answers. Node-only. Prism (`@stoplight/prism-cli`) is not a dependency of this package:
 * install it where you use this (the monorepo has it at the root).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bundled spec (JSON) shipped with this package: what Prism serves by default.
 *
 * @example
 * ```ts
 * spawnSync('prism', ['mock', BUNDLED_SPEC_PATH]);
 * ```
 */
export const BUNDLED_SPEC_PATH = fileURLToPath(import.meta.resolve('@mtls-gateway/contract/mtls.json'));

/**
 * Options of {@link startPrismMock}.
 *
 * @example
 * ```ts
 * const options: PrismMockOptions = { dynamic: true, timeoutMs: 60_000 };
 * ```
 */
export interface PrismMockOptions {
  /** The OpenAPI document to serve (default: {@link BUNDLED_SPEC_PATH}). */
  specPath?: string;
  /** Port (default: a free one). */
  port?: number;
  /** Address (default `127.0.0.1`). */
  host?: string;
  /** `--dynamic`: answers generated from the schemas instead of the examples. */
  dynamic?: boolean;
  /** How long to wait for Prism to answer (default 60 s). */
  timeoutMs?: number;
  /** Path of Prism's CLI script (default: resolved from `@stoplight/prism-cli`). */
  prismCliPath?: string;
}

/**
 * A running Prism mock.
 *
 * @example
 * ```ts
 * const prism: RunningPrismMock = await startPrismMock();
 * await fetch(`${prism.url}/healthz`);
 * await prism.close();
 * ```
 */
export interface RunningPrismMock {
  url: string;
  port: number;
  /** Prism's output so far (for diagnosing a failed start). */
  readonly output: string;
  close(): Promise<void>;
}

/**
 * Thrown when Prism cannot be found, exits, or does not answer in time; the message carries Prism's output.
 *
 * @example
 * ```ts
 * await startPrismMock().catch((error) => { if (error instanceof PrismStartError) console.error(error.message); });
 * ```
 */
export class PrismStartError extends Error {
  override readonly name = 'PrismStartError';
  readonly code = 'mock_prism_start_failed';
}

/**
 * A port nobody listens on right now (the OS picks it; another process could take it before you do).
 *
 * @example
 * ```ts
 * const port = await findFreePort();
 * ```
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Prism's CLI script, found through Node's module resolution from this file.
 *
 * @throws {PrismStartError} when `@stoplight/prism-cli` is not installed.
 * @example
 * ```ts
 * spawn(process.execPath, [resolvePrismCli(), 'mock', BUNDLED_SPEC_PATH]);
 * ```
 */
export function resolvePrismCli(): string {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve('@stoplight/prism-cli/package.json');
  } catch {
    throw new PrismStartError(
      'Prism is not installed: add @stoplight/prism-cli as a dev dependency (`pnpm add -D @stoplight/prism-cli`).',
    );
  }
  const manifest = require(manifestPath) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.prism;
  if (!bin) throw new PrismStartError('@stoplight/prism-cli does not declare a `prism` executable.');
  return join(dirname(manifestPath), bin);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Spawns `prism mock <spec> --host 127.0.0.1 --port <free port>` and resolves once `GET /healthz` answers.
 * Prism serves the spec's examples (or, with `dynamic`, data generated from the schemas); it keeps no state.
 *
 * @throws {PrismStartError} when Prism is not installed, exits, or does not answer within `timeoutMs`.
 * @example
 * ```ts
 * import { startPrismMock } from '@mtls-gateway/mock-server/node';
 *
 * const prism = await startPrismMock();
 * const response = await fetch(`${prism.url}/mtls/account/le1606809/certificates`, {
 *   headers: { Authorization: 'Bearer anything' },
 * });
 * await prism.close();
 * ```
 */
export async function startPrismMock(options: PrismMockOptions = {}): Promise<RunningPrismMock> {
  const args = ['mock', options.specPath ?? BUNDLED_SPEC_PATH];
  if (options.dynamic) args.push('--dynamic');
  return startPrism(args, options);
}

/**
 * Options of {@link startPrismProxy}.
 *
 * @example
 * ```ts
 * const options: PrismProxyOptions = { errors: true, timeoutMs: 90_000 };
 * ```
 */
export interface PrismProxyOptions extends Omit<PrismMockOptions, 'dynamic'> {
  /** `--errors`: answer invalid requests itself and report answers off the spec in `sl-violations` (default true). */
  errors?: boolean;
}

/**
 * Spawns `prism proxy <spec> <upstreamUrl> --errors` on a free loopback port and resolves once `GET /healthz`
 * answers through it: every request and answer between a client and a real gateway is checked against the
 * spec, and an answer off the spec carries an `sl-violations` header.
 *
 * @throws {PrismStartError} when Prism is not installed, exits, or does not answer within `timeoutMs`.
 * @example
 * ```ts
 * const proxy = await startPrismProxy('http://127.0.0.1:8080');
 * const response = await fetch(`${proxy.url}/healthz`);
 * response.headers.get('sl-violations'); // null when the answer conforms
 * await proxy.close();
 * ```
 */
export async function startPrismProxy(
  upstreamUrl: string,
  options: PrismProxyOptions = {},
): Promise<RunningPrismMock> {
  const args = ['proxy', options.specPath ?? BUNDLED_SPEC_PATH, upstreamUrl];
  if (options.errors ?? true) args.push('--errors');
  return startPrism(args, options);
}

/** Spawns Prism with `args` (its command first) and waits until `GET /healthz` answers through it. */
async function startPrism(args: string[], options: PrismMockOptions): Promise<RunningPrismMock> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await findFreePort(host));
  const cli = options.prismCliPath ?? resolvePrismCli();
  const child = spawn(process.execPath, [cli, ...args, '--host', host, '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep the tail only: Prism logs every request.
    output = `${output}${chunk.toString('utf8')}`.slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new PrismStartError(`Prism exited before answering:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop(child);
      throw new PrismStartError(`Prism did not answer on ${url} in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    port,
    get output() {
      return output;
    },
    close: () => stop(child),
  };
}
