/**
 * nginx (Debian's package) for the performance benchmark: the mTLS upstream every path calls, and nginx as an
 * mTLS-originating reverse proxy — the yardstick the gateway is compared with. Each instance is one process
 * (`master_process off`, no daemon) with its configuration, logs and temporary files in its own directory,
 * listening on 127.0.0.1 only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import path from 'node:path';

/** The nginx binary (Debian's `nginx`/`nginx-light`), when installed; `BENCH_NGINX` overrides it. */
export function findNginx(): string | undefined {
  return [process.env.BENCH_NGINX, '/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => {
    if (!candidate) return false;
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is free again once this resolves). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1', () => {
        probe.destroy();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
    });
    if (up) return;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`nothing listens on 127.0.0.1:${port} (process exit code ${child.exitCode})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface NginxInstance {
  child: ChildProcess;
  pid: number;
  directory: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with `http` (the body of the `http { … }` block) in `directory`; resolves once every port of
 * `ports` accepts connections.
 */
export async function startNginx(options: {
  binary: string;
  directory: string;
  http: string;
  ports: number[];
  workerConnections?: number;
}): Promise<NginxInstance> {
  const { directory } = options;
  await mkdir(directory, { recursive: true });
  const config = path.join(directory, 'nginx.conf');
  await writeFile(
    config,
    `daemon off;
master_process off;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections ${options.workerConnections ?? 4096}; }
http {
  client_body_temp_path ${directory}/body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
${options.http}
}
`,
  );
  const child = spawn(options.binary, ['-p', directory, '-c', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8 * 1024);
  });
  try {
    for (const port of options.ports) await waitForPort(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start (${(error as Error).message}):\n${stderr}`);
  }
  return {
    child,
    pid: child.pid as number,
    directory,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM'); // fast shutdown
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
