/**
 * Load from another process: `wrk` when installed (a Lua script sets method, headers and body), else
 * autocannon in a child Node process (`autocannon-runner.ts`). Both keep `connections` keep-alive
 * connections busy for `durationS` seconds and report requests per second, p50/p99 latency, socket errors
 * and answers that were not 2xx.
 *
 * Per-request headers (OAuth 1.0a signatures, each nonce single-use) come from a file of pre-signed
 * `Authorization` values, one a line: each request takes the next line, and no line is used twice while the
 * file lasts. Past its end the lines would be reused — the gateway refuses a replayed nonce (401), so an
 * exhausted file shows up as non-2xx answers, never as a flattering figure ({@link LoadResult.exhausted}).
 */
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from './serve-process.js';

const run = promisify(execFile);

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadSpec {
  /** `http://127.0.0.1:<port>` (or https for the direct row). */
  origin: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** Request body, the same for every request. */
  body?: Buffer | undefined;
  connections: number;
  durationS: number;
  /** A file of `Authorization` values, one a line, each sent once (see the module comment). */
  authorizationFile?: { file: string; count: number } | undefined;
  /**
   * Make this header's value distinct on every request by appending `?n=<counter>` (e.g. `LP-forward-url`:
   * every forward then has a URL of its own, as real traffic with ids in the query has).
   */
  distinctHeader?: string | undefined;
  /** Per-request timeout. Default 10 s. */
  timeoutS?: number | undefined;
}

export interface LoadResult {
  tool: LoadTool;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors and timeouts (no answer). */
  errors: number;
  /** Answers with a status other than 2xx (wrk: ≥ 400). */
  non2xx: number;
  /** More requests were sent than the authorization file had lines (their nonces were replays). */
  exhausted: boolean;
}

/** `wrk` when it is on the PATH (or `BENCH_LOAD=autocannon` says otherwise), else autocannon. */
export async function chooseLoadTool(): Promise<{ tool: LoadTool; version: string }> {
  const wanted = process.env.BENCH_LOAD;
  if (wanted !== 'autocannon') {
    try {
      // `wrk --version` prints its banner and exits 1.
      const output = await run('wrk', ['--version']).catch((error: { stdout?: string; code?: unknown }) => {
        if (typeof error.stdout === 'string' && error.stdout.includes('wrk')) return { stdout: error.stdout };
        throw error;
      });
      return { tool: 'wrk', version: /wrk (\S+)/.exec(output.stdout)?.[1] ?? '?' };
    } catch (error) {
      if (wanted === 'wrk')
        throw new Error(`BENCH_LOAD=wrk but wrk does not run: ${(error as Error).message}`);
    }
  }
  try {
    const { stdout } = await run(
      process.execPath,
      ['-e', 'console.log(require("autocannon/package.json").version)'],
      { cwd: packageRoot },
    );
    return { tool: 'autocannon', version: stdout.trim() };
  } catch {
    throw new Error(
      'No load generator: install wrk (Debian: apt-get install -y wrk) or run pnpm install (autocannon).',
    );
  }
}

const luaString = (value: string) => `"${value.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;

/** The wrk script: static request, optional body, optional one-line-per-request `Authorization` file. */
function wrkScript(spec: LoadSpec): string {
  const lines = [
    `wrk.method = ${luaString(spec.method)}`,
    `wrk.path = ${luaString(spec.path)}`,
    ...Object.entries(spec.headers).map(
      ([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`,
    ),
  ];
  if (spec.body) {
    lines.push(`wrk.body = string.rep("b", ${spec.body.length})`);
    if (!spec.body.every((byte) => byte === 0x62)) throw new Error('wrk bodies are runs of "b"');
  }
  if (spec.authorizationFile && spec.distinctHeader) throw new Error('one per-request variation at a time');
  if (spec.distinctHeader) {
    lines.push(
      'sent = 0',
      `local name = ${luaString(spec.distinctHeader)}`,
      'local base = wrk.headers[name]',
      'request = function()',
      '  sent = sent + 1',
      '  wrk.headers[name] = base .. "?n=" .. sent',
      '  return wrk.format()',
      'end',
    );
  }
  if (spec.authorizationFile) {
    lines.push(
      'local prepared = {}',
      'local count = 0',
      'local next_index = 0',
      'sent = 0',
      'init = function(args)',
      `  for line in io.lines(${luaString(spec.authorizationFile.file)}) do`,
      '    count = count + 1',
      '    local headers = {}',
      '    for name, value in pairs(wrk.headers) do headers[name] = value end',
      '    headers["Authorization"] = line',
      '    prepared[count] = wrk.format(nil, nil, headers)',
      '  end',
      'end',
      'request = function()',
      '  next_index = next_index + 1',
      '  sent = sent + 1',
      '  if next_index > count then next_index = 1 end',
      '  return prepared[next_index]',
      'end',
    );
  }
  lines.push(
    'local threads = {}',
    'setup = function(thread) table.insert(threads, thread) end',
    'done = function(summary, latency, requests)',
    '  local sent = 0',
    '  for _, thread in ipairs(threads) do sent = sent + (thread:get("sent") or 0) end',
    '  local e = summary.errors',
    '  io.write(string.format(\'WRKJSON {"requests":%d,"duration":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p99":%d,"sent":%d}\\n\',',
    '    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(99), sent))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

async function runWrk(spec: LoadSpec, workDirectory: string, label: string): Promise<LoadResult> {
  const script = path.join(workDirectory, `${label}.lua`);
  await writeFile(script, wrkScript(spec));
  const { stdout } = await run(
    'wrk',
    [
      '-t1',
      `-c${spec.connections}`,
      `-d${spec.durationS}s`,
      `--timeout`,
      `${spec.timeoutS ?? 10}s`,
      '-s',
      script,
      `${spec.origin}${spec.path}`,
    ],
    { maxBuffer: 16 * 1024 * 1024, timeout: (spec.durationS + 60) * 1000 },
  );
  const json = /^WRKJSON (.*)$/m.exec(stdout)?.[1];
  if (!json) throw new Error(`wrk printed no result:\n${stdout}`);
  const raw = JSON.parse(json) as Record<string, number>;
  const value = (name: string) => raw[name] ?? 0;
  const seconds = value('duration') / 1e6;
  return {
    tool: 'wrk',
    requests: value('requests'),
    seconds,
    requestsPerSecond: value('requests') / seconds,
    p50Ms: value('p50') / 1000,
    p99Ms: value('p99') / 1000,
    errors: value('connect') + value('read') + value('write') + value('timeout'),
    non2xx: value('status'),
    exhausted: spec.authorizationFile !== undefined && value('sent') > spec.authorizationFile.count,
  };
}

/** What `autocannon-runner.ts` reads from its first argument (a JSON file). */
export interface AutocannonJob {
  url: string;
  method: string;
  headers: Record<string, string>;
  bodyLength?: number;
  connections: number;
  durationS: number;
  timeoutS: number;
  authorizationFile?: string;
  distinctHeader?: string;
}

async function runAutocannon(spec: LoadSpec, workDirectory: string, label: string): Promise<LoadResult> {
  const jobFile = path.join(workDirectory, `${label}.autocannon.json`);
  const job: AutocannonJob = {
    url: `${spec.origin}${spec.path}`,
    method: spec.method,
    headers: spec.headers,
    ...(spec.body ? { bodyLength: spec.body.length } : {}),
    connections: spec.connections,
    durationS: spec.durationS,
    timeoutS: spec.timeoutS ?? 10,
    ...(spec.authorizationFile ? { authorizationFile: spec.authorizationFile.file } : {}),
    ...(spec.distinctHeader ? { distinctHeader: spec.distinctHeader } : {}),
  };
  await writeFile(jobFile, JSON.stringify(job));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(packageRoot, 'bench/support/autocannon-runner.ts'), jobFile],
    { cwd: packageRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => resolve(exitCode)),
  );
  const json = /^ACJSON (.*)$/m.exec(stdout)?.[1];
  if (code !== 0 || !json) throw new Error(`autocannon runner failed (exit ${code}):\n${stdout}`);
  const raw = JSON.parse(json) as {
    requests: number;
    seconds: number;
    p50: number;
    p99: number;
    errors: number;
    non2xx: number;
    sent: number;
  };
  return {
    tool: 'autocannon',
    requests: raw.requests,
    seconds: raw.seconds,
    requestsPerSecond: raw.requests / raw.seconds,
    p50Ms: raw.p50,
    p99Ms: raw.p99,
    errors: raw.errors,
    non2xx: raw.non2xx,
    exhausted: spec.authorizationFile !== undefined && raw.sent > spec.authorizationFile.count,
  };
}

/** Runs one load and resolves with its figures; `label` names the files it leaves in `workDirectory`. */
export function runLoad(
  tool: LoadTool,
  spec: LoadSpec,
  workDirectory: string,
  label: string,
): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(spec, workDirectory, label) : runAutocannon(spec, workDirectory, label);
}

/** A request body of `size` bytes (runs of `b`, which the wrk script can rebuild without a file). */
export function bodyOf(size: number): Buffer {
  return Buffer.alloc(size, 0x62);
}
