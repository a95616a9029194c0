/**
 * The `mtls-mock` command: `mtls-mock --port 4010 [--host 127.0.0.1] [--seed file.json]`. Node-only.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type RunningMockServer, startMockServer } from './standalone.js';
import { createMockState, type MockSeed } from './state.js';

/**
 * The parsed command line of `mtls-mock`.
 *
 * @example
 * ```ts
 * const options: MockCliOptions = parseMockCliArguments(['--port', '4010', '--seed', 'seed.json']);
 * ```
 */
export interface MockCliOptions {
  port: number;
  host: string;
  /** Path of a JSON {@link MockSeed}. */
  seedFile: string | undefined;
  help: boolean;
}

/**
 * Thrown for a command line `mtls-mock` cannot use; the message says what to fix.
 *
 * @example
 * ```ts
 * try { parseMockCliArguments(['--port', 'x']); } catch (error) { if (error instanceof MockCliUsageError) console.error(error.message); }
 * ```
 */
export class MockCliUsageError extends Error {
  override readonly name = 'MockCliUsageError';
}

/**
 * The help text of `mtls-mock`.
 *
 * @example
 * ```ts
 * console.log(MOCK_CLI_USAGE);
 * ```
 */
export const MOCK_CLI_USAGE = `Usage: mtls-mock [--port 4010] [--host 127.0.0.1] [--seed seed.json]

Serves a stateful mock of the mTLS Gateway API over HTTP (every operation of the spec).
  --port   port to listen on (default 4010; 0 picks a free port)
  --host   address to listen on (default 127.0.0.1)
  --seed   JSON file with {"idSeed", "certificates": [...], "mappings": [...]} to start with
  --help   show this text
`;

/**
 * Parses the arguments of `mtls-mock`.
 *
 * @throws {MockCliUsageError} for an unknown option or an invalid port.
 * @example
 * ```ts
 * parseMockCliArguments(['--port', '0']).port; // 0
 * ```
 */
export function parseMockCliArguments(argv: readonly string[]): MockCliOptions {
  let values: { port?: string; host?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new MockCliUsageError(`${(error as Error).message}\n\n${MOCK_CLI_USAGE}`);
  }
  const port = values.port === undefined ? 4010 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new MockCliUsageError(`--port must be an integer from 0 to 65535, not "${values.port}".`);
  }
  return { port, host: values.host ?? '127.0.0.1', seedFile: values.seed, help: values.help === true };
}

/**
 * Reads a seed file (JSON {@link MockSeed}).
 *
 * @throws {MockCliUsageError} when it cannot be read or is not a JSON object.
 * @example
 * ```ts
 * const seed = await readSeedFile('seed.json');
 * ```
 */
export async function readSeedFile(path: string): Promise<MockSeed> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    // JSON.parse's message quotes the text around the error, which may be a password or a file: not printed.
    const why = error instanceof SyntaxError ? 'it is not valid JSON' : (error as Error).message;
    throw new MockCliUsageError(`Cannot read the seed file ${path}: ${why}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MockCliUsageError(
      `The seed file ${path} must hold a JSON object ({"certificates": [...], ...}).`,
    );
  }
  return parsed as MockSeed;
}

/**
 * Runs `mtls-mock` with `argv` (without the node and script paths): starts the server and prints its URL.
 * Returns the running server (or `undefined` after `--help`).
 *
 * @example
 * ```ts
 * const mock = await runMockCli(['--port', '0'], { log: () => {} });
 * await mock?.close();
 * ```
 */
export async function runMockCli(
  argv: readonly string[],
  io: { log: (line: string) => void } = { log: (line) => console.log(line) },
): Promise<RunningMockServer | undefined> {
  const options = parseMockCliArguments(argv);
  if (options.help) {
    io.log(MOCK_CLI_USAGE);
    return undefined;
  }
  const seed = options.seedFile === undefined ? {} : await readSeedFile(options.seedFile);
  let state: ReturnType<typeof createMockState>;
  try {
    state = createMockState(seed);
  } catch (error) {
    throw new MockCliUsageError(`The seed is not usable: ${(error as Error).message}`);
  }
  const server = await startMockServer({ port: options.port, host: options.host, state });
  io.log(`mtls-mock listening on ${server.url}`);
  return server;
}
