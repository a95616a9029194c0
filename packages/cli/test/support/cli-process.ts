/**
 * Runs `mtls` as its own process from the TypeScript sources (tsx, the `@mtls-gateway/source` condition), the
 * way a user runs it, and keeps a transcript of everything it printed so tests can check no secret ever
 * appeared. HOME and XDG_CONFIG_HOME point into a temporary directory: a developer's own profile file is
 * never read.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The cli package (`packages/cli/`). */
export const cliRoot = fileURLToPath(new URL('../..', import.meta.url));

/** What one run printed and how it ended. */
export interface CliRun {
  args: readonly string[];
  code: number | null;
  stdout: Buffer;
  /** `stdout` as UTF-8. */
  out: string;
  err: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Added to `PATH`, `HOME` and `XDG_CONFIG_HOME`. */
  env?: Record<string, string>;
  /** Written to stdin, then closed (stdin is closed and empty otherwise: never a terminal). */
  stdin?: string | Uint8Array;
  timeoutMs?: number;
}

/** Every run of this process, for the secret checks. */
export const transcript: CliRun[] = [];

/**
 * Spawns `node --import tsx --conditions=@mtls-gateway/source src/bin.ts <args>` in the cli package.
 *
 * @example
 * ```ts
 * const run = await runCli(['certs', 'list', '--json'], { env: { MTLS_GATEWAY_URL: url, ... } });
 * expect(run.code).toBe(0);
 * ```
 */
export function runCli(args: readonly string[], home: string, options: RunCliOptions = {}): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mtls-gateway/source', 'src/bin.ts', ...args],
    {
      cwd: cliRoot,
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: `${home}/.config`, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout);
      const run: CliRun = {
        args,
        code,
        stdout: out,
        out: out.toString('utf8'),
        err: Buffer.concat(stderr).toString('utf8'),
      };
      transcript.push(run);
      resolve(run);
    });
  });
}

/**
 * Runs that printed `secret` anywhere (stdout, stderr), for `expect(…).toEqual([])`.
 *
 * @example
 * ```ts
 * expect(runsShowing(token)).toEqual([]);
 * ```
 */
export function runsShowing(secret: string): string[] {
  return transcript
    .filter((run) => run.out.includes(secret) || run.err.includes(secret))
    .map((run) => run.args.join(' '));
}
