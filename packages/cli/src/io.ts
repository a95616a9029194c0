/**
 * What the CLI reads from and writes to, injectable so that `main` runs in tests without a process.
 */
import { homedir } from 'node:os';

/** A stream the CLI writes to (stdout, stderr): `process.stdout` or any `Writable`. */
export type CliWritable = NodeJS.WritableStream;

/**
 * The CLI's surroundings: its streams, environment and whether each stream is a terminal.
 *
 * @example
 * ```ts
 * const io: CliIo = {
 *   stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env,
 *   isTTY: { stdin: false, stdout: false, stderr: false },
 * };
 * ```
 */
export interface CliIo {
  stdout: CliWritable;
  stderr: CliWritable;
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether each stream is a terminal: prompts need stdin (and stderr), colours need stdout. */
  isTTY: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** The home directory for `~/.config/mtls/config.json`; default `os.homedir()`. */
  homeDir?: string | undefined;
}

/**
 * The io of the running process.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: {
      stdin: process.stdin.isTTY === true,
      stdout: process.stdout.isTTY === true,
      stderr: process.stderr.isTTY === true,
    },
    homeDir: homedir(),
  };
}
