/**
 * Soak benchmark: `mtls-gateway serve` as its own process under mixed traffic for minutes, measured from
 * outside (RSS and open file descriptors from /proc, heap, event-loop delay, active resources and pools from
 * the operator `/metrics`), one row per interval. Fails when any request got a 5xx (or an unexpected
 * status, or no answer), or when RSS or file descriptors keep growing after warm-up (see {@link leakVerdict}).
 *
 * Run from the repository root (Linux: it reads /proc):
 *
 *   pnpm bench:soak                                   # 10 minutes, a row per minute
 *   SOAK_MINUTES=1 pnpm bench:soak                    # the short (CI) form, a row every 10 s
 *
 * Knobs (environment): SOAK_MINUTES (default 10), SOAK_INTERVAL_SECONDS (default: a sixth of the run,
 * between 5 and 60), SOAK_WARMUP_SECONDS (default: a quarter of the run, rounded up to whole intervals),
 * SOAK_CONCURRENCY (request loops, default 8), SOAK_RSS_MARGIN (allowed RSS growth of the leak rule, default 0.2). Everything listens on 127.0.0.1; the loops stop at the end of
 * the run by themselves and every request has a 30 s deadline.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createTestCA, startTlsServer, type TestTlsServer, toPkcs12 } from '../../../test/support/pki.js';
import {
  activateMapping,
  createCertificates,
  fetchMetrics,
  metric,
  openFds,
  processStatus,
  type ServeProcess,
  startServe,
  stopServe,
} from './support/serve-process.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const DURATION_MS = Math.max(10_000, MINUTES * 60_000);
const INTERVAL_MS =
  Number(process.env.SOAK_INTERVAL_SECONDS ?? Math.min(60, Math.max(5, DURATION_MS / 6_000))) * 1000;
const WARMUP_MS =
  Math.ceil((Number(process.env.SOAK_WARMUP_SECONDS ?? DURATION_MS / 4_000) * 1000) / INTERVAL_MS) *
  INTERVAL_MS;
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const REQUEST_TIMEOUT_MS = 30_000;

/** Leak rule margins: the median of the last third may exceed the first sample after warm-up by this much. */
// A one-minute run sees warm-up growth (JIT, PGlite buffers) that a ten-minute one has left behind, so the
// short CI form may pass a wider margin (SOAK_RSS_MARGIN) than the default.
const RSS_MARGIN = Number(process.env.SOAK_RSS_MARGIN ?? 0.2);
const FD_MARGIN = 10;
/** …and a leak also needs the last this-many steps to be non-decreasing (steady growth, not noise). */
const MONOTONIC_STEPS = 3;

const ACCOUNT = 'soak';
const SERVICE = 'WEBHOOKS';
const PASSWORD = 'soak-password';
const MIB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Sampling

interface Sample {
  elapsedS: number;
  requests: number;
  fiveXx: number;
  rssMiB: number;
  fds: number;
  heapMiB: number | undefined;
  resources: number | undefined;
  pools: number | undefined;
  loopP99Ms: number | undefined;
  server5xx: number | undefined;
}

async function takeSample(serve: ServeProcess, elapsedS: number, stats: TrafficStats): Promise<Sample> {
  const { rssKiB } = await processStatus(serve.pid);
  const fds = await openFds(serve.pid);
  const text = await fetchMetrics(serve, REQUEST_TIMEOUT_MS);
  const heap = metric(text, 'nodejs_heap_size_used_bytes');
  const loop = metric(text, 'nodejs_eventloop_lag_p99_seconds');
  return {
    elapsedS,
    requests: stats.requests,
    fiveXx: stats.fiveXx,
    rssMiB: rssKiB / 1024,
    fds,
    heapMiB: heap === undefined ? undefined : heap / MIB,
    resources: metric(text, 'nodejs_active_resources_total'),
    pools: metric(text, 'mtls_upstream_pools'),
    loopP99Ms: loop === undefined ? undefined : loop * 1000,
    server5xx: metric(text, 'mtls_http_requests_total', (labels) => /status="5\d\d"/.test(labels)) ?? 0,
  };
}

const COLUMNS = [
  'elapsed',
  'requests',
  '5xx',
  'RSS MiB',
  'fds',
  'heap MiB',
  'resources',
  'pools',
  'loop p99 ms',
];

function formatRow(sample: Sample, label?: string): string {
  const fixed = (value: number | undefined, digits = 1) =>
    value === undefined ? 'n/a' : value.toFixed(digits);
  const cells = [
    label ?? `${sample.elapsedS.toFixed(0)} s`,
    String(sample.requests),
    String(sample.fiveXx),
    fixed(sample.rssMiB),
    String(sample.fds),
    fixed(sample.heapMiB),
    fixed(sample.resources, 0),
    fixed(sample.pools, 0),
    fixed(sample.loopP99Ms),
  ];
  return cells.map((cell) => cell.padStart(11)).join(' ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * The leak rule for one series of samples taken after warm-up (the first is the baseline): a leak is the
 * median of the last third above `limit(baseline)` AND the last {@link MONOTONIC_STEPS} steps never going
 * down. Growth that levels off (caches, pools, JIT, PGlite buffers filling up) or noise is not a leak.
 */
export function leakVerdict(
  values: number[],
  limit: (baseline: number) => number,
): { leak: boolean; baseline: number; lastThirdMedian: number; limit: number; monotonic: boolean } {
  const baseline = values[0] ?? Number.NaN;
  const lastThird = values.slice(-Math.max(1, Math.ceil(values.length / 3)));
  const lastThirdMedian = median(lastThird);
  const tail = values.slice(-(MONOTONIC_STEPS + 1));
  const monotonic =
    tail.length === MONOTONIC_STEPS + 1 &&
    tail.every((value, index) => index === 0 || value >= (tail[index - 1] as number)) &&
    (tail.at(-1) as number) > (tail[0] as number);
  const bound = limit(baseline);
  return { leak: lastThirdMedian > bound && monotonic, baseline, lastThirdMedian, limit: bound, monotonic };
}

// ---------------------------------------------------------------------------------------------------------
// Traffic

interface TrafficStats {
  requests: number;
  fiveXx: number;
  /** Answers other than the expected one (4xx included), and requests that got no answer. */
  unexpected: number;
  byAction: Map<string, number>;
  firstProblems: string[];
}

interface Fixture {
  serve: ServeProcess;
  upstream: TestTlsServer;
  /** The mapped certificate, rotated between two files with the same common name. */
  mappedId: number;
  rotationFiles: Buffer[];
  uploadFile: Buffer;
  uploadCommonName: string;
  clientCommonName: string;
}

/** `mismatch`: the status was right but the answer was not (e.g. the wrong client certificate). */
type Outcome = { status: number; detail?: string; mismatch?: string };

function auth(fixture: Fixture, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${fixture.serve.token}`, ...extra };
}

const api = (fixture: Fixture, suffix: string) => `${fixture.serve.apiUrl}/mtls/account/${ACCOUNT}${suffix}`;

async function call(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: response.status, text: await response.text() };
}

/** The common name the upstream saw (it answers `{"cn": …}`), checked against the expectation. */
function seen(answer: { status: number; text: string }, expected: string | null): Outcome {
  if (answer.status !== 200) return { status: answer.status, detail: answer.text.slice(0, 200) };
  const cn = (JSON.parse(answer.text) as { cn: string | null }).cn;
  return cn === expected
    ? { status: 200 }
    : { status: 200, mismatch: `upstream saw client certificate ${cn}` };
}

/** Writes `request` on a raw socket and returns the status of the first answer line (5 s at most). */
function rawStatus(fixture: Fixture, request: string): Promise<Outcome> {
  const { hostname, port } = new URL(fixture.serve.apiUrl);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    const finish = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ status: 0, detail: 'no answer within 5 s' }), 5_000);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(data);
      if (status?.[1]) finish({ status: Number(status[1]) });
    });
    socket.on('error', (error) => finish({ status: 0, detail: `socket error ${error.message}` }));
    socket.on('close', () =>
      finish({ status: 0, detail: `closed without an answer: ${JSON.stringify(data)}` }),
    );
  });
}

function fileForm(fields: Record<string, string | Blob>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.set(name, value);
    else form.set(name, value, name === 'file' ? 'client.p12' : undefined);
  }
  return form;
}

const p12Blob = (bytes: Buffer) => new Blob([new Uint8Array(bytes)], { type: 'application/x-pkcs12' });

/** Uploads a certificate (JSON or multipart) and deletes it again: 201 then 200. */
async function uploadAndDelete(fixture: Fixture, loop: number, byFile: boolean): Promise<Outcome> {
  const name = `soak-${loop}-${byFile ? 'file' : 'json'}`;
  const created = byFile
    ? await call(api(fixture, '/certificates/byFile'), {
        method: 'POST',
        headers: auth(fixture),
        body: fileForm({
          file: p12Blob(fixture.uploadFile),
          certificate: new Blob([JSON.stringify({ name, password: PASSWORD })], { type: 'application/json' }),
        }),
      })
    : await call(api(fixture, '/certificates'), {
        method: 'POST',
        headers: auth(fixture, { 'content-type': 'application/json' }),
        body: JSON.stringify([{ name, p12: fixture.uploadFile.toString('base64'), password: PASSWORD }]),
      });
  if (created.status !== 201) return { status: created.status, detail: created.text.slice(0, 200) };
  const id = (JSON.parse(created.text) as { successfulySavedCertificates: { id: number }[] })
    .successfulySavedCertificates[0]?.id;
  const deleted = await call(api(fixture, `/certificates/${id}`), {
    method: 'DELETE',
    headers: auth(fixture),
  });
  return deleted.status === 200
    ? { status: 201 }
    : { status: deleted.status, detail: deleted.text.slice(0, 200) };
}

let hostileTurn = 0;

/** One hostile input in turn; each has its expected 4xx. */
async function hostile(fixture: Fixture): Promise<{ outcome: Outcome; expected: number; kind: string }> {
  const { host } = new URL(fixture.serve.apiUrl);
  switch (hostileTurn++ % 4) {
    case 0: {
      const answer = await call(api(fixture, '/certificates'), {
        method: 'POST',
        headers: auth(fixture, { 'content-type': 'application/json' }),
        body: JSON.stringify([
          { name: 'garbage', p12: Buffer.from('not a pkcs12 file').toString('base64'), password: 'x' },
        ]),
      });
      return {
        outcome: { status: answer.status, detail: answer.text.slice(0, 200) },
        expected: 400,
        kind: 'invalid p12',
      };
    }
    case 1: {
      const answer = await call(api(fixture, '/certificates'), {
        headers: { authorization: 'Bearer mtls_not-a-real-token-0000000000000000' },
      });
      return {
        outcome: { status: answer.status, detail: answer.text.slice(0, 200) },
        expected: 401,
        kind: 'wrong token',
      };
    }
    case 2: {
      // Declares 11 MiB (over the 10 MiB limit) and sends a few bytes: 413 before the body is read.
      const outcome = await rawStatus(
        fixture,
        `POST /mtls/account/${ACCOUNT}/certificates HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${fixture.serve.token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${11 * MIB}\r\n\r\n[{"name":`,
      );
      return { outcome, expected: 413, kind: 'oversize body' };
    }
    default: {
      const outcome = await rawStatus(
        fixture,
        `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nBad Header Name: x\r\n\r\n`,
      );
      return { outcome, expected: 400, kind: 'malformed header' };
    }
  }
}

const MIX = [
  'forward-cert',
  'forward-plain',
  'list',
  'forward-cert-post',
  'upload-json',
  'forward-cert',
  'p12-test',
  'forward-plain',
  'upload-file',
  'rotate',
  'forward-cert',
  'hostile',
] as const;

async function runAction(fixture: Fixture, loop: number, action: (typeof MIX)[number], step: number) {
  const mapped = `${fixture.upstream.url}/mapped/${loop}/${step}?q=${step}`;
  const forwardHeaders = (target: string) =>
    auth(fixture, { 'LP-forward-url': target, 'LP-service-name': SERVICE });
  switch (action) {
    case 'forward-cert':
      return {
        outcome: seen(
          await call(api(fixture, ''), { headers: forwardHeaders(mapped) }),
          fixture.clientCommonName,
        ),
        expected: 200,
      };
    case 'forward-cert-post':
      return {
        outcome: seen(
          await call(api(fixture, ''), {
            method: 'POST',
            headers: { ...forwardHeaders(mapped), 'content-type': 'application/json' },
            body: JSON.stringify({ loop, step, padding: 'x'.repeat(4096) }),
          }),
          fixture.clientCommonName,
        ),
        expected: 200,
      };
    case 'forward-plain':
      return {
        outcome: seen(
          await call(api(fixture, ''), {
            headers: forwardHeaders(`${fixture.upstream.url}/plain/${loop}/${step}`),
          }),
          null,
        ),
        expected: 200,
      };
    case 'list': {
      const answer = await call(api(fixture, '/certificates'), { headers: auth(fixture) });
      return { outcome: { status: answer.status, detail: answer.text.slice(0, 200) }, expected: 200 };
    }
    case 'upload-json':
      return { outcome: await uploadAndDelete(fixture, loop, false), expected: 201 };
    case 'upload-file':
      return { outcome: await uploadAndDelete(fixture, loop, true), expected: 201 };
    case 'p12-test':
      return {
        outcome: seen(
          await call(api(fixture, '/p12-test/multipart'), {
            method: 'POST',
            headers: auth(fixture, { 'LP-forward-url': `${fixture.upstream.url}/p12-test/${loop}` }),
            body: fileForm({
              file: p12Blob(fixture.uploadFile),
              password: PASSWORD,
              body: '{"hello":"soak"}',
            }),
          }),
          fixture.uploadCommonName,
        ),
        expected: 200,
      };
    case 'rotate': {
      // One loop rotates (concurrent replacements of one certificate would race on purpose-built 409s).
      if (loop !== 0) return runAction(fixture, loop, 'forward-cert', step);
      const file = fixture.rotationFiles[step % fixture.rotationFiles.length] as Buffer;
      const answer = await call(api(fixture, `/certificates/${fixture.mappedId}`), {
        method: 'PUT',
        headers: auth(fixture, { 'content-type': 'application/json' }),
        body: JSON.stringify({ p12: file.toString('base64'), password: PASSWORD }),
      });
      return { outcome: { status: answer.status, detail: answer.text.slice(0, 200) }, expected: 200 };
    }
    case 'hostile': {
      const { outcome, expected, kind } = await hostile(fixture);
      return { outcome: { ...outcome, detail: `${kind}: ${outcome.detail ?? ''}` }, expected };
    }
  }
}

async function trafficLoop(
  fixture: Fixture,
  loop: number,
  stopAt: number,
  stats: TrafficStats,
): Promise<void> {
  for (let step = 0; Date.now() < stopAt; step++) {
    const action = MIX[(step + loop * 5) % MIX.length] as (typeof MIX)[number];
    let outcome: Outcome;
    let expected = 0;
    try {
      ({ outcome, expected } = await runAction(fixture, loop, action, step));
    } catch (error) {
      outcome = { status: 0, detail: `no answer: ${(error as Error).message}` };
    }
    stats.requests += 1;
    stats.byAction.set(action, (stats.byAction.get(action) ?? 0) + 1);
    if (outcome.status >= 500) stats.fiveXx += 1;
    if (outcome.status !== expected || outcome.mismatch !== undefined) {
      stats.unexpected += 1;
      if (stats.firstProblems.length < 10) {
        stats.firstProblems.push(
          `${action}: ${outcome.status} (expected ${expected}) ${outcome.mismatch ?? outcome.detail ?? ''}`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------

it(`soak: ${MINUTES} min of mixed traffic against mtls-gateway serve, a row every ${INTERVAL_MS / 1000} s`, async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-soak-'));
  const ca = createTestCA({ commonName: 'Soak CA' });
  const upstreamCert = ca.issue({ commonName: 'localhost', kind: 'server' });
  const caFile = path.join(dataDir, 'upstream-ca.pem');
  await writeFile(caFile, ca.certPem);
  const clientCommonName = 'soak-client';
  const rotationFiles = [0, 1].map((index) =>
    toPkcs12(ca.issue({ commonName: clientCommonName, kind: 'client' }), PASSWORD, {
      friendlyName: `rotation-${index}`,
    }),
  );
  const uploadCommonName = 'soak-upload';
  const uploadFile = toPkcs12(ca.issue({ commonName: uploadCommonName, kind: 'client' }), PASSWORD);
  const upstream = await startTlsServer(
    { chainPem: upstreamCert.chainPem, keyPem: upstreamCert.keyPem, ca: ca.certPem, requestCert: true },
    (_request, response, recorded) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ cn: recorded.authorized ? (recorded.peerCommonName ?? null) : null }));
    },
  );
  let serve: ServeProcess | undefined;
  try {
    // From the sources, as it always did: the soak checks the code as it is, not a possibly stale build.
    serve = await startServe({
      from: 'sources',
      env: {
        MTLS_DATA_DIR: path.join(dataDir, 'data'),
        MTLS_RATE_LIMIT_RPS: '0',
        MTLS_EGRESS_ALLOW: '127.0.0.1',
        MTLS_UPSTREAM_CA_FILE: caFile,
      },
    });
    const [mappedId] = (await createCertificates(serve, ACCOUNT, [
      { name: 'soak-mapped', p12: rotationFiles[0] as Buffer, password: PASSWORD },
    ])) as [number];
    await activateMapping(serve, ACCOUNT, mappedId, {
      serviceName: SERVICE,
      url: `${upstream.url}/mapped/*`,
    });

    const fixture: Fixture = {
      serve,
      upstream,
      mappedId,
      rotationFiles,
      uploadFile,
      uploadCommonName,
      clientCommonName,
    };
    const stats: TrafficStats = {
      requests: 0,
      fiveXx: 0,
      unexpected: 0,
      byAction: new Map(),
      firstProblems: [],
    };
    console.log(
      `\nsoak: ${MINUTES} min, ${CONCURRENCY} loops, a row every ${INTERVAL_MS / 1000} s, warm-up ${WARMUP_MS / 1000} s; ` +
        `server pid ${serve.pid}\n${COLUMNS.map((column) => column.padStart(11)).join(' ')}`,
    );
    const started = Date.now();
    const samples: Sample[] = [await takeSample(serve, 0, stats)];
    console.log(formatRow(samples[0] as Sample));
    const stopAt = started + DURATION_MS;
    const traffic = Promise.all(
      Array.from({ length: CONCURRENCY }, (_, loop) => trafficLoop(fixture, loop, stopAt, stats)),
    );
    for (let tick = 1; tick * INTERVAL_MS <= DURATION_MS; tick++) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, started + tick * INTERVAL_MS - Date.now())),
      );
      upstream.requests.length = 0; // the test server records every request: keep the bench's memory flat
      const sample = await takeSample(serve, (Date.now() - started) / 1000, stats);
      samples.push(sample);
      console.log(formatRow(sample));
    }
    await traffic;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idle = await takeSample(serve, (Date.now() - started) / 1000, stats);
    console.log(`${formatRow(idle, 'idle +2 s')}   (after the traffic stopped; not part of the rule)`);

    const afterWarmup = samples.filter((sample) => sample.elapsedS * 1000 >= WARMUP_MS - 1_000);
    const rss = leakVerdict(
      afterWarmup.map((sample) => sample.rssMiB),
      (baseline) => baseline * (1 + RSS_MARGIN),
    );
    const fds = leakVerdict(
      afterWarmup.map((sample) => sample.fds),
      (baseline) => baseline + FD_MARGIN,
    );
    const server5xx = idle.server5xx ?? 0;
    console.log(
      `\nrequests by action: ${[...stats.byAction].map(([action, count]) => `${action} ${count}`).join(', ')}\n` +
        `5xx seen by the clients: ${stats.fiveXx}; 5xx counted by the server: ${server5xx}; unexpected answers: ${stats.unexpected}\n` +
        stats.firstProblems.map((problem) => `  ${problem}\n`).join('') +
        `leak rule (samples from ${WARMUP_MS / 1000} s on, ${afterWarmup.length} of them): a leak is the median of the ` +
        `last third above the first sample after warm-up + ${RSS_MARGIN * 100}% RSS / + ${FD_MARGIN} fds, ` +
        `AND the last ${MONOTONIC_STEPS} steps never going down\n` +
        `  RSS: baseline ${rss.baseline.toFixed(1)} MiB, last-third median ${rss.lastThirdMedian.toFixed(1)} MiB ` +
        `(limit ${rss.limit.toFixed(1)}), rising tail ${rss.monotonic} → ${rss.leak ? 'LEAK' : 'ok'}\n` +
        `  fds: baseline ${fds.baseline}, last-third median ${fds.lastThirdMedian} (limit ${fds.limit}), ` +
        `rising tail ${fds.monotonic} → ${fds.leak ? 'LEAK' : 'ok'}\n` +
        `verdict: ${stats.fiveXx + server5xx + stats.unexpected === 0 && !rss.leak && !fds.leak ? 'PASS' : 'FAIL'}`,
    );
    expect(afterWarmup.length, 'too few samples after warm-up: lengthen SOAK_MINUTES').toBeGreaterThanOrEqual(
      3,
    );
    expect(serve.child.exitCode, `serve exited:\n${serve.stderr()}`).toBeNull();
    expect({ clients5xx: stats.fiveXx, server5xx, unexpected: stats.unexpected }).toEqual({
      clients5xx: 0,
      server5xx: 0,
      unexpected: 0,
    });
    expect({ rssLeak: rss.leak, fdLeak: fds.leak }).toEqual({ rssLeak: false, fdLeak: false });
  } finally {
    if (serve) await stopServe(serve);
    await upstream.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
