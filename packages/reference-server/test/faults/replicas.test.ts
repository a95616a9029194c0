import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { TEST_DATABASE_URL } from '../../src/storage/testing/test-databases.js';
import { ACCOUNT, createTestPki, type TestPki } from '../adversarial/hardening-fixture.js';

// Issue "Faults and scale-out", point 3: three `mtls-gateway serve` processes on one PostgreSQL database (one
// master key) behind a round-robin TCP balancer. Under continuous forwarding load a certificate is replaced
// and then its mapping deleted; every replica must use the new state within 1 s of the change's answer. A
// request counts as "after the change" by when it was SENT: none sent later than answer + 1 s may see the
// old state. Each forward uses its own connection, so the balancer spreads them and tells which replica
// served it. Loopback only.

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const REPLICAS = 3;
const LOAD_LOOPS = 6;
const GOAL_MS = 1_000;
const SERVE_ARGS = ['--import', 'tsx', '--conditions=@mtls-gateway/source', 'src/bin.ts'];

const databaseName = `mtls_replicas_${randomBytes(6).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${databaseName}`;
  return url.toString();
})();

interface ServeProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
}

let baseEnv: NodeJS.ProcessEnv;
let pki: TestPki;
let upstream: TestTlsServer;
let replicas: ServeProcess[] = [];
let balancer: RoundRobinBalancer;
let token: string;

/** `mtls-gateway serve` from the sources; resolves once it listens. */
async function startServe(): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...SERVE_ARGS, 'serve'], {
    cwd: packageRoot,
    env: baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stderr?.on('data', append);
  child.stdout?.on('data', append);
  const deadline = Date.now() + 90_000;
  for (;;) {
    const api = /mtls-gateway listening on (http:\/\/\S+) /.exec(output);
    if (api?.[1]) return { child, port: Number(new URL(api[1]).port), output: () => output };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServe(serve: ServeProcess): Promise<void> {
  if (serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  const exited = once(serve.child, 'exit');
  serve.child.kill('SIGTERM');
  const timer = setTimeout(() => serve.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A round-robin TCP balancer: each new connection goes to the next replica; remembers which, by client port. */
interface RoundRobinBalancer {
  port: number;
  /** Replica index of the connection whose client (local) port is `port`, while it is open. */
  replicaOf(clientPort: number): number | undefined;
  close(): Promise<void>;
}

async function startBalancer(targetPorts: readonly number[]): Promise<RoundRobinBalancer> {
  const sockets = new Set<Socket>();
  const byClientPort = new Map<number, number>();
  let next = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    const index = next;
    next = (next + 1) % targetPorts.length;
    byClientPort.set(client.remotePort ?? -1, index);
    track(client);
    const target = connect(targetPorts[index] as number, '127.0.0.1');
    track(target);
    client.pipe(target).pipe(client);
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    replicaOf: (clientPort) => byClientPort.get(clientPort),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** One forward through the balancer. */
interface Sample {
  replica: number;
  sentAt: number;
  endedAt: number;
  status: number;
  code: string | null;
  /** CN of the client certificate the upstream saw (200 answers). */
  peer: string | undefined;
  body: string;
}

/** One request on a fresh connection (`Connection: close`), so the balancer spreads them. */
function forwardOnce(): Promise<Sample> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    let replica = -1;
    const fail = (error: unknown) =>
      resolve({
        replica,
        sentAt,
        endedAt: performance.now(),
        status: 0,
        code: null,
        peer: undefined,
        body: String(error),
      });
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: balancer.port,
        path: `/mtls/account/${ACCOUNT}`,
        method: 'GET',
        agent: false,
        headers: {
          connection: 'close',
          authorization: `Bearer ${token}`,
          'LP-forward-url': `${upstream.url}/hook`,
          'LP-service-name': 'WEBHOOKS',
          'LP-stop-if-certificate-not-found': 'true',
        },
        timeout: 15_000,
      },
      (response) => {
        replica = balancer.replicaOf(request.socket?.localPort ?? -1) ?? -1;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let peer: string | undefined;
          if (response.statusCode === 200) {
            try {
              peer = (JSON.parse(body) as { peerCommonName?: string }).peerCommonName;
            } catch {
              peer = undefined;
            }
          }
          const code = response.headers['lp-gateway-error'];
          resolve({
            replica,
            sentAt,
            endedAt: performance.now(),
            status: response.statusCode ?? 0,
            code: typeof code === 'string' ? code : null,
            peer,
            body,
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', fail);
    request.end();
  });
}

/** Several loops forwarding back to back until stopped. */
function startLoad(loops: number) {
  const samples: Sample[] = [];
  let running = true;
  const done = Promise.all(
    Array.from({ length: loops }, async () => {
      while (running) {
        samples.push(await forwardOnce());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }),
  );
  return {
    samples,
    async stop() {
      running = false;
      await done;
    },
  };
}

async function api(port: number, method: string, pathname: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/**
 * Per replica: the time from the change's answer to the first request SENT after which every answer of
 * that replica shows the new state (≤ 0: already new before the answer), and the last old-state request.
 */
function propagation(
  samples: readonly Sample[],
  answeredAt: number,
  isOld: (sample: Sample) => boolean,
): Array<{ replica: number; lagMs: number; lastOldSentMs: number | null; after: number }> {
  return Array.from({ length: REPLICAS }, (_, replica) => {
    const mine = samples.filter((sample) => sample.replica === replica).sort((a, b) => a.sentAt - b.sentAt);
    let lastOld = -1;
    mine.forEach((sample, index) => {
      if (isOld(sample)) lastOld = index;
    });
    const firstNew = mine[lastOld + 1];
    const lastOldSample = lastOld >= 0 ? mine[lastOld] : undefined;
    return {
      replica,
      lagMs: firstNew ? firstNew.sentAt - answeredAt : Number.POSITIVE_INFINITY,
      lastOldSentMs: lastOldSample ? lastOldSample.sentAt - answeredAt : null,
      after: mine.filter((sample) => sample.sentAt > answeredAt + GOAL_MS).length,
    };
  });
}

function report(label: string, rows: ReturnType<typeof propagation>): number {
  const worst = Math.max(0, ...rows.map((row) => row.lagMs));
  const perReplica = rows
    .map(
      (row) =>
        `replica ${row.replica}: ${Math.max(0, row.lagMs).toFixed(0)} ms (last old-state request sent at ${
          row.lastOldSentMs === null ? 'n/a' : `${row.lastOldSentMs.toFixed(0)} ms`
        }, ${row.after} requests checked after the goal)`,
    )
    .join('; ');
  console.log(`replicas: ${label}: max ${worst.toFixed(0)} ms (goal < ${GOAL_MS} ms) — ${perReplica}`);
  return worst;
}

function summary(samples: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const key = `r${sample.replica} ${sample.status}${sample.code ? ` ${sample.code}` : ''}${sample.peer ? ` ${sample.peer}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort()
    .map(([key, count]) => `${key}: ${count}`)
    .join(', ');
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three replicas on one PostgreSQL behind a round-robin balancer', () => {
  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${databaseName}`);
    pki = await createTestPki();
    upstream = await startTlsServer({
      ...pki.serverCert,
      ca: pki.p12s.ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    baseEnv = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      MTLS_MASTER_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
      MTLS_OPS_PORT: '0',
      MTLS_RATE_LIMIT_RPS: '0',
      MTLS_EGRESS_ALLOW: '127.0.0.1',
      MTLS_UPSTREAM_CA_FILE: pki.caFile,
      LOG_LEVEL: 'warn',
    };
    const started = await Promise.allSettled(Array.from({ length: REPLICAS }, () => startServe()));
    replicas = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const created = await run(
      process.execPath,
      [
        ...SERVE_ARGS,
        'tokens',
        'create',
        '--account',
        ACCOUNT,
        '--permissions',
        'MTLS_READ_INTERNAL,MTLS_WRITE_INTERNAL',
      ],
      { cwd: packageRoot, env: baseEnv },
    );
    token = created.stdout.trim();
    expect(token).toMatch(/^\S+$/);
    balancer = await startBalancer(replicas.map((replica) => replica.port));
  }, 120_000);

  afterAll(async () => {
    await balancer?.close();
    await Promise.all(replicas.map((replica) => stopServe(replica)));
    await upstream?.close();
    await pki?.cleanup();
    await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => undefined);
  }, 60_000);

  it('a replaced certificate and a deleted mapping are used by every replica within 1 s, under load', async () => {
    const v1 = pki.p12s.valid('tenant-v1', { keyIndex: 0 });
    const v2 = pki.p12s.valid('tenant-v2', { keyIndex: 1 });
    const created = await api(replicas[0]?.port as number, 'POST', `/mtls/account/${ACCOUNT}/certificates`, [
      { name: 'tenant', p12: v1.bytes.toString('base64'), password: v1.password },
    ]);
    expect(created.status, created.text).toBe(201);
    const certificateId = (created.json as { successfulySavedCertificates: Array<{ id: number }> })
      .successfulySavedCertificates[0]?.id as number;
    const mapped = await api(
      replicas[1]?.port as number,
      'POST',
      `/mtls/account/${ACCOUNT}/certificates/activate/${certificateId}`,
      { serviceName: 'WEBHOOKS', url: `${upstream.url}/hook` },
    );
    expect(mapped.status, mapped.text).toBe(201);
    const mappingId = (mapped.json as { id: number }).id;

    const warmStart = performance.now();
    const load = startLoad(LOAD_LOOPS);
    try {
      // Warm up: every replica forwards with tenant-v1 (its caches and pools are filled).
      while (performance.now() - warmStart < 20_000) {
        const recent = load.samples.filter((sample) => sample.sentAt > warmStart);
        const ready = Array.from({ length: REPLICAS }, (_, replica) =>
          recent.filter((sample) => sample.replica === replica && sample.peer === 'tenant-v1'),
        );
        if (ready.every((list) => list.length >= 10)) break;
        await sleep(100);
      }
      await sleep(500);
      const warm = load.samples.slice();
      expect(
        warm.every((sample) => sample.peer === 'tenant-v1'),
        summary(warm),
      ).toBe(true);

      // 1. Rotate: replace the certificate (tenant-v2) through replica 2.
      const rotateSentAt = performance.now();
      const replaced = await api(
        replicas[2]?.port as number,
        'PUT',
        `/mtls/account/${ACCOUNT}/certificates/${certificateId}`,
        { p12: v2.bytes.toString('base64'), password: v2.password },
      );
      const rotatedAt = performance.now();
      expect(replaced.status, replaced.text).toBe(200);
      await sleep(GOAL_MS + 1_500);

      // 2. Delete the mapping through replica 0.
      const deleteSentAt = performance.now();
      const deleted = await api(
        replicas[0]?.port as number,
        'DELETE',
        `/mtls/account/${ACCOUNT}/mappings/${mappingId}`,
      );
      const deletedAt = performance.now();
      expect(deleted.status, deleted.text).toBe(200);
      await sleep(GOAL_MS + 1_500);
      await load.stop();

      const all = load.samples;
      console.log(
        `replicas: ${all.length} forwards (${summary(all)}); PUT took ${(rotatedAt - rotateSentAt).toFixed(0)} ms, DELETE ${(deletedAt - deleteSentAt).toFixed(0)} ms`,
      );
      expect(
        all.every((sample) => sample.replica >= 0),
        'the balancer knows every connection',
      ).toBe(true);

      // Rotation window: every answer is a 200 with tenant-v1 or tenant-v2, never an error.
      const rotation = all.filter((sample) => sample.sentAt >= warmStart && sample.sentAt < deleteSentAt);
      const badRotation = rotation.filter(
        (sample) => sample.status !== 200 || (sample.peer !== 'tenant-v1' && sample.peer !== 'tenant-v2'),
      );
      expect(badRotation.slice(0, 5), summary(rotation)).toEqual([]);
      const rotationRows = propagation(rotation, rotatedAt, (sample) => sample.peer === 'tenant-v1');
      const rotationWorst = report('certificate replaced → every replica presents tenant-v2', rotationRows);
      const staleV1 = rotation.filter(
        (sample) => sample.peer === 'tenant-v1' && sample.sentAt > rotatedAt + GOAL_MS,
      );
      expect(staleV1.map((sample) => [sample.replica, Math.round(sample.sentAt - rotatedAt)])).toEqual([]);
      for (const row of rotationRows) expect(row.after, `replica ${row.replica} checked`).toBeGreaterThan(5);
      expect(rotationWorst).toBeLessThan(GOAL_MS);

      // Deletion window: 200 with tenant-v2, or 400 certificate_not_found.
      const removal = all.filter((sample) => sample.sentAt >= rotatedAt + GOAL_MS);
      const badRemoval = removal.filter(
        (sample) =>
          !(sample.status === 200 && sample.peer === 'tenant-v2') &&
          !(sample.status === 400 && sample.code === 'certificate_not_found'),
      );
      expect(
        badRemoval.slice(0, 5).map((sample) => ({ ...sample, body: sample.body.slice(0, 300) })),
        summary(removal),
      ).toEqual([]);
      const removalRows = propagation(removal, deletedAt, (sample) => sample.status === 200);
      const removalWorst = report(
        'mapping deleted → every replica refuses with certificate_not_found',
        removalRows,
      );
      const staleForwards = removal.filter(
        (sample) => sample.status === 200 && sample.sentAt > deletedAt + GOAL_MS,
      );
      expect(staleForwards.map((sample) => [sample.replica, Math.round(sample.sentAt - deletedAt)])).toEqual(
        [],
      );
      for (const row of removalRows) expect(row.after, `replica ${row.replica} checked`).toBeGreaterThan(5);
      expect(removalWorst).toBeLessThan(GOAL_MS);

      for (const replica of replicas) expect(replica.child.exitCode, replica.output()).toBeNull();
    } finally {
      await load.stop();
    }
  }, 90_000);
});
