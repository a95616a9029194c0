import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pbmac1KeyLengthBomb } from '../../../sdk/src/p12/testing/hostile-p12.js';

// The hardening findings as the issue found them: against `mtls-gateway serve` running as its own process
// with the embedded defaults (PGlite, generated key), with Node's fetch and raw sockets. Loopback only.

const ACCOUNT = 'le1606809';
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

interface ServeProcess {
  child: ChildProcess;
  apiUrl: string;
  opsUrl: string;
  token: string;
  stderr: () => string;
}

/** `mtls-gateway serve` from the sources (tsx), on free ports; resolves once it printed both listeners. */
async function startServe(dataDir: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mtls-gateway/source', 'src/bin.ts', 'serve'],
    {
      cwd: packageRoot,
      env: {
        PATH: process.env.PATH ?? '',
        MTLS_DATA_DIR: dataDir,
        PORT: '0',
        MTLS_OPS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const api = /mtls-gateway listening on (http:\/\/\S+) /.exec(output);
    const ops = /operator listener \(.*\) on (http:\/\/\S+)/.exec(output);
    const token = /\n {2}(mtls_\S+)\n/.exec(output);
    if (api?.[1] && ops?.[1] && token?.[1]) {
      return { child, apiUrl: api[1], opsUrl: ops[1], token: token[1], stderr: () => output };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function* paced(count: number, size: number, delayMs: number): AsyncGenerator<Buffer> {
  for (let index = 0; index < count; index++) {
    yield Buffer.alloc(size);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/** Polls /healthz while `work` runs; resolves with the worst latency seen (ms) and the work's result. */
async function watchHealth<T>(url: string, work: Promise<T>): Promise<{ worstMs: number; result: T }> {
  let done = false;
  let worstMs = 0;
  const finish = async () => {
    done = true;
    await polling;
  };
  const polling = (async () => {
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      worstMs = Math.max(worstMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    const result = await work;
    await finish();
    return { result, worstMs };
  } finally {
    await finish();
  }
}

describe('mtls-gateway serve as a process', () => {
  let dataDir: string;
  let serve: ServeProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-serve-'));
    serve = await startServe(dataDir);
  }, 90_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await once(serve.child, 'exit');
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a 161-byte PBMAC1 file with a 512 MiB key gets 400 p12_too_costly and the process lives (finding 1)', async () => {
    const file = pbmac1KeyLengthBomb();
    expect(file.length).toBeLessThan(400);
    const readOnly = serve.token; // the development token; a read-only one is tested in-process
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(file)]), 'bomb.p12');
    form.set('password', '');
    const { worstMs, result: response } = await watchHealth(
      serve.apiUrl,
      fetch(`${serve.apiUrl}/mtls/account/${ACCOUNT}/p12-test/multipart`, {
        method: 'POST',
        headers: { authorization: `Bearer ${readOnly}`, 'LP-forward-url': 'https://127.0.0.1:9/' },
        body: form,
      }),
    );
    console.log(
      `serve process: /healthz worst latency while the PBMAC1 bomb was opened: ${worstMs.toFixed(1)} ms`,
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('lp-gateway-error')).toBe('p12_too_costly');
    await response.arrayBuffer();
    expect(serve.child.exitCode).toBeNull();
    expect((await fetch(`${serve.apiUrl}/healthz`)).status).toBe(200);
  }, 60_000);

  it("Node's fetch uploading without a credential gets 401, never EPIPE (finding 3)", async () => {
    const outcomes: Record<string, number> = {};
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const response = await fetch(`${serve.apiUrl}/mtls/account/${ACCOUNT}`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', 'lp-forward-url': 'https://127.0.0.1:9/' },
          body: Readable.toWeb(Readable.from(paced(32, 64 * 1024, 2))) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        await response.arrayBuffer();
        outcomes[response.status] = (outcomes[response.status] ?? 0) + 1;
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code ?? 'error';
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
    }
    expect(outcomes).toEqual({ 401: 10 });
  }, 60_000);

  it('a control byte in a header gets a problem, not a Fastify JSON error (finding 12)', async () => {
    const socket = connect(Number(new URL(serve.apiUrl).port), '127.0.0.1');
    await once(socket, 'connect');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    const closed = once(socket, 'close');
    socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nLP-authorization-override: Bearer \x01x\r\n\r\n`);
    await closed;
    const answer = Buffer.concat(chunks).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('LP-gateway-error: invalid_request');
  });

  it('/metrics and /readyz are on the operator listener; the API port wants a credential (finding 6)', async () => {
    expect((await fetch(`${serve.apiUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${serve.apiUrl}/readyz`)).status).toBe(401);
    expect((await fetch(`${serve.apiUrl}/healthz`)).status).toBe(200);
    const metrics = await fetch(`${serve.opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('mtls_http_requests_total');
    expect((await fetch(`${serve.opsUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${serve.opsUrl}/mtls/account/${ACCOUNT}/certificates`)).status).toBe(404);
  });
});
