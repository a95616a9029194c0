/**
 * `mtls-gateway serve` as its own process, measured from outside — shared by the soak (`bench/soak.ts`) and
 * the performance benchmark (`bench/performance.ts`).
 *
 * - {@link startServe}: the built `dist/bin.js` or the sources (tsx), free loopback ports, resolves once both
 *   listeners and the development admin token were printed.
 * - {@link stopServe}: SIGTERM (the graceful stop), SIGKILL after a bound.
 * - {@link runAdminCommand}: an admin command (`credentials add`, …) on the same data directory — with the
 *   embedded PGlite only one process may open it, so run these before `serve` starts.
 * - {@link processStatus}, {@link openFds}, {@link cpuTimeMs}: `/proc` readings of any pid (Linux).
 * - {@link metric}: one series of the operator `/metrics` text.
 * - {@link createCertificates}, {@link activateMapping}: seeding through the API.
 *
 * Nothing here listens anywhere but 127.0.0.1.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The reference-server package (`packages/reference-server/`). */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Where `serve` runs from: the built `dist/` or the TypeScript sources through tsx. */
export type ServeFrom = 'dist' | 'sources';

export interface ServeEntry {
  from: ServeFrom;
  /** Arguments of `node` before the command (`serve`, `credentials add`, …). */
  nodeArgs: string[];
  /** For `dist`: how many files under `src/` are newer than `dist/bin.js` (then dist may be stale). */
  newerSources?: number;
}

/** How many non-test `.ts` files under `directory` were modified after `than` (ms since the epoch). */
function countNewer(directory: string, than: number): number {
  let count = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    if (statSync(path.join(entry.parentPath, entry.name)).mtimeMs > than) count += 1;
  }
  return count;
}

/**
 * How to start the `mtls-gateway` command: `auto` takes the built `dist/bin.js` when it exists, else the
 * sources (as `bench:soak` and the adversarial tests do).
 */
export function serveEntry(choice: ServeFrom | 'auto' = 'auto'): ServeEntry {
  const distBin = path.join(packageRoot, 'dist', 'bin.js');
  let distTime: number | undefined;
  try {
    distTime = statSync(distBin).mtimeMs;
  } catch {
    distTime = undefined;
  }
  if (choice === 'dist' || (choice === 'auto' && distTime !== undefined)) {
    if (distTime === undefined) throw new Error(`${distBin} does not exist: run "pnpm build" first.`);
    return {
      from: 'dist',
      nodeArgs: [distBin],
      newerSources: countNewer(path.join(packageRoot, 'src'), distTime),
    };
  }
  return {
    from: 'sources',
    nodeArgs: ['--import', 'tsx', '--conditions=@mtls-gateway/source', 'src/bin.ts'],
  };
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  apiUrl: string;
  opsUrl: string;
  /** The development admin token `serve` printed (every account, every permission). */
  token: string;
  from: ServeFrom;
  /** The last 64 KiB of its stderr (or of its log file). */
  stderr: () => string;
}

export interface StartServeOptions {
  /** Added to `PATH`, `PORT=0`, `MTLS_OPS_PORT=0` and `LOG_LEVEL=warn` (which it may override). */
  env: Record<string, string>;
  from?: ServeFrom | 'auto';
  /** Node flags before the entry (`--cpu-prof`, …). */
  nodeFlags?: string[];
  /**
   * Send stderr (the logs) to this file instead of a pipe: at `LOG_LEVEL=info` a pipe would make the caller
   * read every log line, on the cores the server needs.
   */
  logFile?: string;
  /** Start-up deadline. Default 90 s. */
  timeoutMs?: number;
}

/** `mtls-gateway serve` on free loopback ports; resolves once it printed both listeners and the token. */
export async function startServe(options: StartServeOptions): Promise<ServeProcess> {
  const entry = serveEntry(options.from);
  const logFd = options.logFile ? openSync(options.logFile, 'w') : undefined;
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...entry.nodeArgs, 'serve'], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', MTLS_OPS_PORT: '0', LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd);
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  });
  child.stdout?.resume();
  const logFile = options.logFile;
  const stderr = logFile ? () => tail(logFile, 64 * 1024) : () => output;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    // The start-up lines are at the beginning of a log file that may grow fast afterwards.
    const text = logFile ? head(logFile, 64 * 1024) : output;
    const api = /mtls-gateway listening on (http:\/\/\S+) /.exec(text);
    const ops = /operator listener \(.*\) on (http:\/\/\S+)/.exec(text);
    const token = /\n {2}(mtls_\S+)\n/.exec(text);
    if (api?.[1] && ops?.[1] && token?.[1] && child.pid !== undefined) {
      return {
        child,
        pid: child.pid,
        apiUrl: api[1],
        opsUrl: ops[1],
        token: token[1],
        from: entry.from,
        stderr,
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function head(file: string, bytes: number): string {
  try {
    return readFileSync(file).subarray(0, bytes).toString('utf8');
  } catch {
    return '';
  }
}

function tail(file: string, bytes: number): string {
  try {
    const content = readFileSync(file);
    return content.subarray(Math.max(0, content.length - bytes)).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Stops a child process gracefully (SIGTERM; SIGKILL after `killAfterMs`) and resolves with its exit code
 * (`null` when it was killed). For `serve`, SIGTERM lets in-flight requests finish, then it exits (and a
 * `--cpu-prof` profile gets written).
 */
export async function stopServe(
  serve: { child: ChildProcess },
  killAfterMs = 15_000,
): Promise<number | null> {
  const { child } = serve;
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(killer);
  return child.exitCode;
}

const run = promisify(execFile);

/**
 * Runs an admin command of `mtls-gateway` (e.g. `credentials add --account * --permissions …`) with the
 * given environment and resolves with its stdout. With the embedded PGlite, run it while `serve` is stopped.
 */
export async function runAdminCommand(
  args: string[],
  env: Record<string, string>,
  from: ServeFrom | 'auto' = 'auto',
): Promise<string> {
  const entry = serveEntry(from);
  const { stdout } = await run(process.execPath, [...entry.nodeArgs, ...args], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    timeout: 120_000,
  });
  return stdout;
}

// ---------------------------------------------------------------------------------------------------------
// Readings from outside

/** `VmRSS` and `VmHWM` (peak) of a process, in KiB, from `/proc/<pid>/status`. */
export async function processStatus(pid: number): Promise<{ rssKiB: number; peakKiB: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return {
    rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN),
    peakKiB: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN),
  };
}

/** Open file descriptors of a process (`/proc/<pid>/fd`). */
export async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** CPU time (user + system) a process has used so far, in milliseconds (`/proc/<pid>/stat`). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ; 100 on every Linux Node supports. */
const CLOCK_TICKS = 100;

/** The value of an unlabelled series (or the sum over label sets matching `filter`) in Prometheus text. */
export function metric(text: string, name: string, filter?: (labels: string) => boolean): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (filter && !filter(match[2] ?? '')) continue;
    total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

/** The operator listener's `/metrics` text. */
export async function fetchMetrics(serve: { opsUrl: string }, timeoutMs = 30_000): Promise<string> {
  const response = await fetch(`${serve.opsUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  return response.text();
}

// ---------------------------------------------------------------------------------------------------------
// Seeding through the API

export interface CertificateUpload {
  name: string;
  p12: Buffer;
  password: string;
}

/** `POST /mtls/account/{account}/certificates` (JSON, at most 100 files); resolves with the new ids. */
export async function createCertificates(
  serve: { apiUrl: string; token: string },
  account: string,
  uploads: readonly CertificateUpload[],
): Promise<number[]> {
  const response = await fetch(`${serve.apiUrl}/mtls/account/${account}/certificates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      uploads.map((upload) => ({
        name: upload.name,
        p12: upload.p12.toString('base64'),
        password: upload.password,
      })),
    ),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`creating certificates: ${response.status} ${text}`);
  const saved = (JSON.parse(text) as { successfulySavedCertificates: { id: number }[] })
    .successfulySavedCertificates;
  return saved.map((certificate) => certificate.id);
}

/** `POST /mtls/account/{account}/certificates/activate/{id}`: maps the certificate to a service and URL. */
export async function activateMapping(
  serve: { apiUrl: string; token: string },
  account: string,
  certificateId: number,
  target: { serviceName: string; url: string },
): Promise<void> {
  const response = await fetch(
    `${serve.apiUrl}/mtls/account/${account}/certificates/activate/${certificateId}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${serve.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(target),
      signal: AbortSignal.timeout(60_000),
    },
  );
  const text = await response.text();
  if (response.status !== 201) throw new Error(`activating a mapping: ${response.status} ${text}`);
}
