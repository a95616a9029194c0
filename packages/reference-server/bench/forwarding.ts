/**
 * Forwarding benchmark: throughput and latency through the gateway next to a direct keep-alive mTLS client
 * against the same loopback upstream, in the same run; then RSS while 100 MiB stream through the gateway in
 * each direction.
 *
 * Run (from the repository root; it is a vitest file because the repository has no TypeScript runner, and
 * only this config includes it, so `pnpm test` never runs it):
 *
 *   npx vitest run --config packages/reference-server/bench/vitest.config.ts
 *
 * Knobs (environment): BENCH_REQUESTS (default 5000), BENCH_CONCURRENCY (default 32), BENCH_STREAM_MIB
 * (default 100), BENCH_DATABASE_URL (PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test; default PGlite).
 * Rows: through the gateway (HTTP, Bearer authentication, validation, forwarding), the forwarding engine
 * alone (`forwardRequest`, no HTTP front), and a direct undici client presenting the same certificate. Everything listens on 127.0.0.1 and runs in this one process (client, gateway, upstream),
 * so the figures compare the two paths rather than measure absolute capacity. The gateway runs on an
 * embedded database (PGlite) and authenticates every request with a Bearer API token, as in production.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { Pool } from 'undici';
import { expect, it } from 'vitest';
import { createTestCA, toPkcs12 } from '../../../test/support/pki.js';
import { createForwarding } from '../src/forwarding/forwarding-routes.js';
import { startTestApp, testConfig } from '../src/http/testing/test-app.js';
import { migrate } from '../src/storage/migrations.js';
import { openDatabase } from '../src/storage/open-database.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const STREAM_MIB = Number(process.env.BENCH_STREAM_MIB ?? 100);
const MIB = 1024 * 1024;
const ACCOUNT = 'bench';
/** PostgreSQL to run the gateway on (a throw-away schema is created); default: embedded PGlite. */
const DATABASE_URL = process.env.BENCH_DATABASE_URL || undefined;

interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** `total` requests from `concurrency` workers; latency of each, whole answer read. */
async function load(total: number, concurrency: number, send: () => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next += 1;
        const t0 = performance.now();
        await send();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: total / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** Generated chunks, never held together: `size` bytes in 64 KiB pieces. */
function generatedBody(size: number): Readable {
  const chunk = randomBytes(64 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) {
        this.push(null);
        return;
      }
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      this.push(piece);
    },
  });
}

/** Samples RSS while `work` runs: before, peak and after, in MiB. */
async function rssDuring(
  work: () => Promise<void>,
): Promise<{ before: number; peak: number; after: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  const after = process.memoryUsage().rss;
  peak = Math.max(peak, after);
  return { before: before / MIB, peak: peak / MIB, after: after / MIB };
}

/** An mTLS upstream that answers `/ping`, discards `/sink` bodies and streams `/source?bytes=N`. */
async function startUpstream(options: {
  certPem: string;
  keyPem: string;
  ca: string;
}): Promise<{ server: Server; url: string }> {
  const chunk = randomBytes(64 * 1024);
  const server = createServer(
    {
      cert: options.certPem,
      key: options.keyPem,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      const url = new URL(request.url ?? '/', 'https://upstream');
      if (url.pathname === '/sink') {
        let bytes = 0;
        request.on('data', (data: Buffer) => {
          bytes += data.length;
        });
        request.on('end', () => response.end(JSON.stringify({ bytes })));
        return;
      }
      if (url.pathname === '/source') {
        let left = Number(url.searchParams.get('bytes') ?? 0);
        response.setHeader('content-length', String(left));
        const pump = () => {
          while (left > 0) {
            const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
            left -= piece.length;
            if (!response.write(piece)) {
              response.once('drain', pump);
              return;
            }
          }
          response.end();
        };
        pump();
        return;
      }
      request.resume();
      response.setHeader('content-type', 'text/plain');
      response.end('pong');
    },
  );
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `https://127.0.0.1:${port}` };
}

const format = (value: number, digits = 2) => value.toFixed(digits).padStart(10);

it('forwarding benchmark', async () => {
  const ca = createTestCA({ commonName: 'Bench CA' });
  const serverCertificate = ca.issue({ commonName: 'localhost', kind: 'server' });
  const clientCertificate = ca.issue({ commonName: 'bench-tenant', kind: 'client' });
  const upstream = await startUpstream({
    ...serverCertificate,
    certPem: serverCertificate.chainPem,
    ca: ca.certPem,
  });

  const workDirectory = await mkdtemp(path.join(tmpdir(), 'mtls-bench-'));
  const caFile = path.join(workDirectory, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({
    databaseUrl: DATABASE_URL,
    dataDir: path.join(workDirectory, 'db'),
    schema: DATABASE_URL ? schema : undefined,
  });
  await migrate(db);
  const { config, cleanup } = await testConfig({
    egressAllow: ['127.0.0.1'],
    upstreamCaFile: caFile,
    bodyLimitBytes: (STREAM_MIB + 1) * MIB,
  });
  const forwarding = createForwarding();
  const gateway = await startTestApp({ db, config, routes: [forwarding.routes], logLevel: 'silent' });

  const gatewayPool = new Pool(gateway.url, { connections: CONCURRENCY });
  const directPool = new Pool(upstream.url, {
    connections: CONCURRENCY,
    connect: {
      secureContext: tls.createSecureContext({
        key: clientCertificate.keyPem,
        cert: clientCertificate.chainPem,
        ca: ca.certPem,
      }),
    },
  });
  try {
    const { certificates, mappings } = gateway.context;
    const saved = await certificates.create(ACCOUNT, [
      { name: 'bench', p12: toPkcs12(clientCertificate, 'bench'), password: 'bench' },
    ]);
    const certificateId = saved.successfulySavedCertificates[0]?.id as number;
    await mappings.activate(ACCOUNT, certificateId, { serviceName: 'WEBHOOKS', url: `${upstream.url}/*` });
    const { token } = await gateway.context.auth.tokens.create({
      accounts: [ACCOUNT],
      permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
    });
    const gatewayHeaders = (target: string) => ({
      authorization: `Bearer ${token}`,
      'LP-forward-url': target,
      'LP-service-name': 'WEBHOOKS',
    });

    const throughGateway = async () => {
      const response = await gatewayPool.request({
        path: `/mtls/account/${ACCOUNT}`,
        method: 'GET',
        headers: gatewayHeaders(`${upstream.url}/ping`),
      });
      const body = await response.body.text();
      if (response.statusCode !== 200 || body !== 'pong')
        throw new Error(`gateway answered ${response.statusCode}: ${body}`);
    };
    const direct = async () => {
      const response = await directPool.request({ path: '/ping', method: 'GET' });
      const body = await response.body.text();
      if (response.statusCode !== 200 || body !== 'pong')
        throw new Error(`upstream answered ${response.statusCode}`);
    };

    // The forwarding engine alone, without the HTTP front (Fastify, authentication, validation).
    const engine = forwarding.engine;
    if (!engine) throw new Error('The forwarding routes were not registered.');
    const engineOnly = async () => {
      const answer = await engine.forwardRequest({
        accountId: ACCOUNT,
        method: 'GET',
        targetUrl: `${upstream.url}/ping`,
        serviceName: 'WEBHOOKS',
        stopIfCertificateNotFound: true,
        headers: [],
        body: null,
      });
      for await (const _chunk of answer.body) {
        // read the whole answer
      }
    };

    // Warm up every path (connections, TLS sessions, JIT, certificate cache).
    for (const path of [throughGateway, engineOnly, direct])
      await load(Math.min(500, REQUESTS), CONCURRENCY, path);
    const viaGateway = await load(REQUESTS, CONCURRENCY, throughGateway);
    const viaEngine = await load(REQUESTS, CONCURRENCY, engineOnly);
    const viaDirect = await load(REQUESTS, CONCURRENCY, direct);

    const streamBytes = STREAM_MIB * MIB;
    const upload = await rssDuring(async () => {
      const response = await gatewayPool.request({
        path: `/mtls/account/${ACCOUNT}`,
        method: 'POST',
        headers: {
          ...gatewayHeaders(`${upstream.url}/sink`),
          'content-type': 'application/octet-stream',
          'content-length': String(streamBytes),
        },
        body: generatedBody(streamBytes),
      });
      const received = JSON.parse(await response.body.text()) as { bytes: number };
      expect(response.statusCode).toBe(200);
      expect(received.bytes).toBe(streamBytes);
    });
    const download = await rssDuring(async () => {
      const response = await gatewayPool.request({
        path: `/mtls/account/${ACCOUNT}`,
        method: 'GET',
        headers: gatewayHeaders(`${upstream.url}/source?bytes=${streamBytes}`),
      });
      let bytes = 0;
      for await (const chunk of response.body) bytes += (chunk as Buffer).length;
      expect(response.statusCode).toBe(200);
      expect(bytes).toBe(streamBytes);
    });

    const lines = [
      '',
      `Forwarding benchmark — ${REQUESTS} GET requests, concurrency ${CONCURRENCY}, Node ${process.version}, all on 127.0.0.1 in one process`,
      '',
      '  path                          req/s     p50 ms     p99 ms',
      `  through the gateway      ${format(viaGateway.requestsPerSecond, 0)} ${format(viaGateway.p50Ms)} ${format(viaGateway.p99Ms)}`,
      `  engine only (no HTTP)    ${format(viaEngine.requestsPerSecond, 0)} ${format(viaEngine.p50Ms)} ${format(viaEngine.p99Ms)}`,
      `  direct mTLS (undici)     ${format(viaDirect.requestsPerSecond, 0)} ${format(viaDirect.p50Ms)} ${format(viaDirect.p99Ms)}`,
      `  gateway / direct         ${format(viaGateway.requestsPerSecond / viaDirect.requestsPerSecond, 2)}`,
      '',
      `Streaming ${STREAM_MIB} MiB through the gateway (RSS of the whole process, MiB)`,
      '',
      '  direction                    before       peak      after     growth',
      `  upload (client → remote) ${format(upload.before, 1)} ${format(upload.peak, 1)} ${format(upload.after, 1)} ${format(upload.peak - upload.before, 1)}`,
      `  download (remote → client)${format(download.before, 1)} ${format(download.peak, 1)} ${format(download.after, 1)} ${format(download.peak - download.before, 1)}`,
      '',
    ];
    console.log(lines.join('\n'));
    // A buffered body would grow RSS by at least the body size; streaming stays far below it.
    expect(upload.peak - upload.before).toBeLessThan(STREAM_MIB / 2);
    expect(download.peak - download.before).toBeLessThan(STREAM_MIB / 2);
  } finally {
    await gatewayPool.close();
    await directPool.close();
    await gateway.close();
    await cleanup();
    if (DATABASE_URL) await db.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await db.close();
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
    upstream.server.closeAllConnections();
    await rm(workDirectory, { recursive: true, force: true });
  }
});
