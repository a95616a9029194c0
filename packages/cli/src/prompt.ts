/**
 * Passwords and confirmations: from a file, from stdin, or asked on the terminal (echo off for secrets).
 * Password values never reach a message: errors name the file or the prompt, not what was read.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ConfigError, InterruptedError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

/**
 * Reads a password file: its whole content, without one trailing newline (`echo pw > file` adds one).
 *
 * @throws {ConfigError} the file cannot be read.
 *
 * @example
 * ```ts
 * const password = await readPasswordFile('./client.pass');
 * ```
 */
export async function readPasswordFile(file: string): Promise<string> {
  try {
    return stripOneNewline(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the password file ${file} (${errorCode(error)})`);
  }
}

/**
 * Reads stdin to its end.
 *
 * @example
 * ```ts
 * const body = await readAllStdin(io);
 * ```
 */
export async function readAllStdin(io: Pick<CliIo, 'stdin'>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Asks for a secret on the terminal without echoing it. Ctrl-C or end of input rejects with
 * {@link InterruptedError}.
 *
 * @example
 * ```ts
 * const password = await promptSecret(io, 'Password for client.p12: ');
 * ```
 */
export async function promptSecret(io: Pick<CliIo, 'stdin' | 'stderr'>, question: string): Promise<string> {
  io.stderr.write(question);
  // readline echoes what is typed to its output: a sink that drops everything keeps the secret off screen.
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const lines = createInterface({ input: io.stdin, output: sink, terminal: true });
  try {
    return await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      lines.once('SIGINT', () => reject(new InterruptedError()));
      lines.once('close', () => reject(new InterruptedError()));
    });
  } finally {
    lines.close();
    io.stderr.write('\n');
  }
}

/**
 * Asks a yes/no question on the terminal; only `y` or `yes` (any case) is a yes.
 *
 * @example
 * ```ts
 * if (!(await confirm(io, 'Delete certificate 42? [y/N] '))) return;
 * ```
 */
export async function confirm(io: Pick<CliIo, 'stdin' | 'stderr'>, question: string): Promise<boolean> {
  const lines = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  io.stderr.write(question);
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      lines.once('SIGINT', () => reject(new InterruptedError()));
      lines.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    lines.close();
  }
}

/** Where a p12 password comes from, as the commands' options say. */
export interface PasswordSources {
  passwordFile?: string | undefined;
  passwordStdin?: boolean | undefined;
}

/**
 * The password of a p12 file: `--password-file`, else `--password-stdin`, else a prompt when stdin is a
 * terminal. Without any of them it is a usage error (a script must say where the password is).
 *
 * @throws {UsageError} no source and no terminal, or both sources at once.
 *
 * @example
 * ```ts
 * const password = await resolvePassword({ passwordFile: values['password-file'] }, io, 'client.p12', ['p12', 'inspect']);
 * ```
 */
export async function resolvePassword(
  sources: PasswordSources,
  io: Pick<CliIo, 'stdin' | 'stderr' | 'isTTY'>,
  fileLabel: string,
  command: readonly string[],
): Promise<string> {
  if (sources.passwordFile !== undefined && sources.passwordStdin) {
    throw new UsageError('use either --password-file or --password-stdin, not both', command);
  }
  if (sources.passwordFile !== undefined) return readPasswordFile(sources.passwordFile);
  if (sources.passwordStdin) return stripOneNewline(Buffer.from(await readAllStdin(io)).toString('utf8'));
  if (io.isTTY.stdin) return promptSecret(io, `Password for ${fileLabel}: `);
  throw new UsageError(
    `no password for ${fileLabel}: pass --password-file <path> or --password-stdin (stdin is not a terminal)`,
    command,
  );
}

function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'error';
}
