import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { CertificateService } from '../../src/certificates/certificate-service.js';
import { P12Factory, type P12Fixture } from '../../src/certificates/testing/p12-fixtures.js';
import { MasterKey } from '../../src/secrets/master-key.js';
import { openSecretStore } from '../../src/secrets/open-secret-store.js';
import { openDatabase } from '../../src/storage/open-database.js';
import { TEST_DATABASE_URL } from '../../src/storage/testing/test-databases.js';

// Issue "Faults and scale-out", point 1: `mtls-gateway serve` (the built dist/bin.js, so a restart takes a
// couple of seconds) is killed with SIGKILL at a random point while concurrent certificate and mapping writes
// run, then restarted. After every round: each certificate is wholly there (listed, Available, forwards with
// its own client certificate) or wholly absent; a create or delete whose answer reached the client holds.
// At the end the sweep runs on the stopped server's database and no pending row and no orphaned secret is
// left. On PGlite and PostgreSQL. Loopback only. Rounds: MTLS_KILL_ROUNDS (default 50).

const run = promisify(execFile);
const ACCOUNT = 'le1606809';
const ROUNDS = Number(process.env.MTLS_KILL_ROUNDS ?? 50);
const MAX_KILL_DELAY_MS = 300;
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const masterKey = Buffer.alloc(32, 11).toString('base64');

interface ServeProcess {
  child: ChildProcess;
  apiUrl: string;
  token: string | undefined;
}

/** Starts `node dist/bin.js serve`; resolves once it listens (and printed its token, when `expectToken`). */
async function startServe(env: Record<string, string>, expectToken: boolean): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['dist/bin.js', 'serve'], {
    cwd: packageRoot,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      MTLS_OPS_PORT: '0',
      MTLS_RATE_LIMIT_RPS: '0',
      MTLS_MASTER_KEY: masterKey,
      MTLS_EGRESS_ALLOW: '127.0.0.1',
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const api = /mtls-gateway listening on (http:\/\/\S+) /.exec(output);
    const token = /\n {2}(mtls_\S+)\n/.exec(output);
    if (api?.[1] && (token?.[1] || !expectToken)) return { child, apiUrl: api[1], token: token?.[1] };
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function killHard(serve: ServeProcess): Promise<void> {
  if (serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  const exited = once(serve.child, 'exit');
  serve.child.kill('SIGKILL');
  await exited;
}

async function stopGracefully(serve: ServeProcess): Promise<void> {
  if (serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  const exited = once(serve.child, 'exit');
  serve.child.kill('SIGTERM');
  await exited;
}

interface Answer {
  status: number; // 0: no answer (the process died first)
  json: unknown;
}

async function call(
  serve: ServeProcess,
  token: string,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<Answer> {
  try {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(`${serve.apiUrl}${pathname}`, init);
    const text = await response.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: response.status, json };
  } catch {
    return { status: 0, json: undefined };
  }
}

interface CertificateResource {
  id: number;
  name: string;
  status: string;
  deleted: boolean;
  subject?: string;
}

interface MappingResource {
  id: number;
  url: string;
  enable: boolean;
  serviceName: string;
  certificationId: number;
}

/** What the test knows of a certificate across rounds. */
interface KnownCertificate {
  id: number;
  name: string;
  /** Every CN ever uploaded for it (a replacement without an answer may or may not have landed). */
  commonNames: Set<string>;
  /** `deleted`: a DELETE got 200; `maybe-deleted`: a DELETE got no answer (resolved by the next listing). */
  state: 'live' | 'maybe-deleted' | 'deleted';
}

interface Summary {
  rounds: number;
  requests: number;
  acknowledged: number;
  acknowledgedCreates: number;
  killedMidRequest: number;
  forwardChecks: number;
  /** Kills land at a random delay in [0, killWindowMs] after the writes were sent (the last window used). */
  killWindowMs: number;
  /** `kind:status` → count (status 0: killed before the answer). */
  outcomes: Record<string, number>;
  pendingRowsBeforeSweep: number;
  orphanedSecretsBeforeSweep: number;
  sweptPending: number;
  sweptOrphans: number;
  orphansAfterSweep: number;
  seconds: number;
}

function pick<T>(items: readonly T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

function savedIds(answer: Answer): Array<{ id: number; name: string }> {
  const body = answer.json as { successfulySavedCertificates?: Array<{ id: number; name: string }> };
  return body?.successfulySavedCertificates ?? [];
}

let workDir: string;
let factory: P12Factory;
let upstream: TestTlsServer;
let caFile: string;
let fileCounter = 0;

function nextFile(label: string): { cn: string; fixture: P12Fixture } {
  const cn = `${label}-${fileCounter++}`;
  return { cn, fixture: factory.valid(cn, { keyIndex: fileCounter % 3 }) };
}

function fileForm(fields: Record<string, string>, fixture: P12Fixture): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  form.set('file', new Blob([new Uint8Array(fixture.bytes)]), 'client.p12');
  return form;
}

beforeAll(async () => {
  // One build (sdk + server) so each restart is `node dist/bin.js`, not a tsx compile of the sources
  // (MTLS_KILL_SKIP_BUILD=1 reuses a fresh dist/ when iterating locally).
  if (process.env.MTLS_KILL_SKIP_BUILD !== '1')
    await run(
      'pnpm',
      ['--filter', '@mtls-gateway/sdk', '--filter', '@mtls-gateway/reference-server', 'build'],
      {
        cwd: repositoryRoot,
      },
    );
  workDir = await mkdtemp(path.join(tmpdir(), 'mtls-kill-'));
  factory = new P12Factory();
  const serverCert = factory.ca.issue({ commonName: 'upstream', kind: 'server' });
  upstream = await startTlsServer({
    chainPem: serverCert.chainPem,
    keyPem: serverCert.keyPem,
    ca: factory.ca.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  caFile = path.join(workDir, 'upstream-ca.pem');
  await writeFile(caFile, factory.ca.certPem);
}, 180_000);

afterAll(async () => {
  await upstream?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/**
 * The kill loop against one database. `env` selects it (MTLS_DATA_DIR, DATABASE_URL); `database` opens the
 * same database directly once the server is stopped.
 */
async function killLoop(
  env: Record<string, string>,
  dataDir: string,
  databaseUrl?: string,
): Promise<Summary> {
  const started = Date.now();
  const serveEnv = { ...env, MTLS_UPSTREAM_CA_FILE: caFile };
  let serve = await startServe(serveEnv, true);
  const token = serve.token as string;
  const known = new Map<number, KnownCertificate>();
  const mappings = new Map<number, { certificateId: number }>();
  const summary: Summary = {
    rounds: 0,
    requests: 0,
    acknowledged: 0,
    acknowledgedCreates: 0,
    killedMidRequest: 0,
    forwardChecks: 0,
    killWindowMs: MAX_KILL_DELAY_MS,
    outcomes: {},
    pendingRowsBeforeSweep: 0,
    orphanedSecretsBeforeSweep: 0,
    sweptPending: 0,
    sweptOrphans: 0,
    orphansAfterSweep: 0,
    seconds: 0,
  };
  const base = `/mtls/account/${ACCOUNT}`;

  // Calibration: how long a batch of writes takes right after a start on this machine, without a kill (a
  // loaded CI runner is much slower than 300 ms). Each round is sent right after a restart too; its kill
  // lands at a random point of [0, window]: before, during or after the writes.
  let killWindowMs = 0;
  for (const batch of [0, 1]) {
    const batchStarted = performance.now();
    await Promise.all(
      [0, 1, 2].map(async (index) => {
        const file = nextFile(`calibration-${batch}-${index}`);
        const answer = await call(serve, token, 'POST', `${base}/certificates`, [
          { name: file.cn, p12: file.fixture.bytes.toString('base64'), password: file.fixture.password },
        ]);
        expect(answer.status, JSON.stringify(answer.json)).toBe(201);
        for (const saved of savedIds(answer)) {
          known.set(saved.id, {
            id: saved.id,
            name: saved.name,
            commonNames: new Set([file.cn]),
            state: 'live',
          });
        }
      }),
    );
    if (batch === 0) killWindowMs = performance.now() - batchStarted;
  }
  summary.killWindowMs = Math.max(MAX_KILL_DELAY_MS, Math.ceil(killWindowMs));

  try {
    for (let round = 0; round < ROUNDS; round++) {
      const live = [...known.values()].filter((certificate) => certificate.state === 'live');
      const shuffled = [...live].sort(() => Math.random() - 0.5);
      // Distinct targets: a certificate is deleted, replaced or mapped by at most one request of a round.
      const toDelete = shuffled.splice(0, live.length > 8 ? 2 : live.length > 3 ? 1 : 0);
      const toReplaceById = shuffled.shift();
      const toReplaceByFile = shuffled.shift();
      const toMap = shuffled.shift();
      const deletedIds = new Set(toDelete.map((certificate) => certificate.id));
      const mappingToDelete = pick(
        [...mappings.entries()].filter(([, mapping]) => !deletedIds.has(mapping.certificateId)),
      );

      // Files are made before the round so the kill timing measures the server, not the test.
      const jsonFile = nextFile(`r${round}-json`);
      const formFile = nextFile(`r${round}-form`);
      const putFile = nextFile(`r${round}-put`);
      const putFormFile = nextFile(`r${round}-putform`);
      const mapUrl = `${upstream.url}/r${round}`;

      type Op = { kind: string; send: () => Promise<Answer>; done: (answer: Answer) => void };
      const ops: Op[] = [
        {
          kind: 'create-json',
          send: () =>
            call(serve, token, 'POST', `${base}/certificates`, [
              {
                name: jsonFile.cn,
                p12: [...jsonFile.fixture.bytes],
                password: jsonFile.fixture.password,
              },
            ]),
          done: (answer) => {
            for (const saved of savedIds(answer)) {
              summary.acknowledgedCreates++;
              known.set(saved.id, {
                id: saved.id,
                name: saved.name,
                commonNames: new Set([jsonFile.cn]),
                state: 'live',
              });
            }
          },
        },
        {
          kind: 'create-file',
          send: () =>
            call(
              serve,
              token,
              'POST',
              `${base}/certificates/byFile`,
              fileForm({ name: formFile.cn, password: formFile.fixture.password }, formFile.fixture),
            ),
          done: (answer) => {
            for (const saved of savedIds(answer)) {
              summary.acknowledgedCreates++;
              known.set(saved.id, {
                id: saved.id,
                name: saved.name,
                commonNames: new Set([formFile.cn]),
                state: 'live',
              });
            }
          },
        },
      ];
      if (toReplaceById) {
        // Whether or not the answer comes, the new CN may be the current one.
        toReplaceById.commonNames.add(putFile.cn);
        ops.push({
          kind: 'replace-by-id',
          send: () =>
            call(serve, token, 'PUT', `${base}/certificates/${toReplaceById.id}`, {
              p12: putFile.fixture.bytes.toString('base64'),
              password: putFile.fixture.password,
            }),
          done: (answer) => {
            if (answer.status === 200 && savedIds(answer).length === 1) {
              toReplaceById.commonNames = new Set([putFile.cn]);
            }
          },
        });
      }
      if (toReplaceByFile) {
        toReplaceByFile.commonNames.add(putFormFile.cn);
        ops.push({
          kind: 'replace-file',
          send: () =>
            call(
              serve,
              token,
              'PUT',
              `${base}/certificates/byFile`,
              fileForm(
                { id: String(toReplaceByFile.id), password: putFormFile.fixture.password },
                putFormFile.fixture,
              ),
            ),
          done: (answer) => {
            if (answer.status === 200 && savedIds(answer).length === 1) {
              toReplaceByFile.commonNames = new Set([putFormFile.cn]);
            }
          },
        });
      }
      for (const certificate of toDelete) {
        certificate.state = 'maybe-deleted';
        ops.push({
          kind: 'delete',
          send: () => call(serve, token, 'DELETE', `${base}/certificates/${certificate.id}`),
          done: (answer) => {
            if (answer.status === 200) certificate.state = 'deleted';
          },
        });
      }
      if (toMap) {
        ops.push({
          kind: 'activate-mapping',
          send: () =>
            call(serve, token, 'POST', `${base}/certificates/activate/${toMap.id}`, {
              serviceName: 'WEBHOOKS',
              url: mapUrl,
            }),
          done: (answer) => {
            const mapping = answer.json as { id?: number };
            if (answer.status === 201 && typeof mapping?.id === 'number') {
              mappings.set(mapping.id, { certificateId: toMap.id });
            }
          },
        });
      }
      // Until the listing after the restart says otherwise, a mapping being deleted may be gone.
      let mappingDeleteAcknowledged = false;
      if (mappingToDelete) {
        const [mappingId] = mappingToDelete;
        mappings.delete(mappingId);
        ops.push({
          kind: 'delete-mapping',
          send: () => call(serve, token, 'DELETE', `${base}/mappings/${mappingId}`),
          done: (answer) => {
            mappingDeleteAcknowledged = answer.status === 200;
          },
        });
      }

      // Fire everything at once; SIGKILL after a random delay.
      const sentAt = performance.now();
      let lastAnswerAt = 0;
      const answers = ops.map((op) =>
        op.send().then((answer) => {
          lastAnswerAt = performance.now() - sentAt;
          return answer;
        }),
      );
      const killDelay = Math.floor(Math.random() * (summary.killWindowMs + 1));
      await new Promise((resolve) => setTimeout(resolve, killDelay));
      await killHard(serve);
      const settled = await Promise.all(answers);
      if (settled.every((answer) => answer.status !== 0)) {
        // Everything finished before the kill: aim the window at how long a round's writes really take.
        summary.killWindowMs = Math.max(
          MAX_KILL_DELAY_MS,
          Math.ceil(0.5 * summary.killWindowMs + 0.55 * lastAnswerAt),
        );
      }
      for (const [index, answer] of settled.entries()) {
        const op = ops[index] as Op;
        summary.requests++;
        const outcome = `${op.kind}:${answer.status}`;
        summary.outcomes[outcome] = (summary.outcomes[outcome] ?? 0) + 1;
        if (answer.status === 0) summary.killedMidRequest++;
        else {
          // An answer that came is a real one: never a 5xx from a half-done write.
          expect(answer.status, `${op.kind}: ${JSON.stringify(answer.json)}`).toBeLessThan(500);
          if (answer.status < 300) summary.acknowledged++;
        }
        op.done(answer);
      }

      serve = await startServe(serveEnv, false);
      summary.rounds++;

      // --- Checks after the restart -------------------------------------------------------------
      const listed = await call(serve, token, 'GET', `${base}/certificates`);
      expect(listed.status).toBe(200);
      const list = listed.json as CertificateResource[];
      const listedById = new Map(list.map((certificate) => [certificate.id, certificate]));
      const roundNames = new Set([jsonFile.cn, formFile.cn]);
      for (const certificate of list) {
        // Nothing half-written is listed: every listed certificate has its row and its secret.
        expect(certificate.status, `round ${round}: ${JSON.stringify(certificate)}`).toBe('Available');
        expect(certificate.deleted).toBe(false);
        const entry = known.get(certificate.id);
        if (entry) {
          // A delete that got 200 stays deleted.
          expect(entry.state, `round ${round}: deleted certificate ${certificate.id} is listed`).not.toBe(
            'deleted',
          );
          entry.state = 'live';
          // The row's facts are those of one of the files uploaded for it.
          expect(
            [...entry.commonNames].some((cn) => certificate.subject?.includes(`CN=${cn}`)),
            `round ${round}: ${certificate.subject} not one of ${[...entry.commonNames]}`,
          ).toBe(true);
        } else {
          // A create without an answer that committed anyway: only this round's names.
          expect(roundNames.has(certificate.name), `round ${round}: unknown ${certificate.name}`).toBe(true);
          known.set(certificate.id, {
            id: certificate.id,
            name: certificate.name,
            commonNames: new Set([certificate.name]),
            state: 'live',
          });
        }
      }
      for (const entry of known.values()) {
        if (entry.state === 'live') {
          // A create that got 201 is never lost (nor is a certificate whose delete got no answer and didn't land).
          expect(listedById.has(entry.id), `round ${round}: certificate ${entry.id} lost`).toBe(true);
        } else if (entry.state === 'maybe-deleted') {
          entry.state = 'deleted';
        }
      }
      for (const entry of known.values()) {
        if (entry.state === 'deleted' && Math.random() < 0.2) {
          const one = await call(serve, token, 'GET', `${base}/certificates/${entry.id}`);
          expect(one.status).toBe(200);
          expect((one.json as CertificateResource).deleted).toBe(true);
        }
      }

      // Mappings: an acknowledged activation is there (unless its certificate went), a deleted one is gone.
      const mapped = await call(serve, token, 'GET', `${base}/mappings`);
      expect(mapped.status).toBe(200);
      const mappingList = mapped.json as MappingResource[];
      const mappingIds = new Set(mappingList.map((mapping) => mapping.id));
      for (const [id, mapping] of mappings) {
        if (known.get(mapping.certificateId)?.state !== 'live') mappings.delete(id);
        else expect(mappingIds.has(id), `round ${round}: mapping ${id} lost`).toBe(true);
      }
      if (mappingToDelete && mappingDeleteAcknowledged) {
        expect(mappingIds.has(mappingToDelete[0]), `round ${round}: deleted mapping listed`).toBe(false);
      }
      for (const mapping of mappingList) {
        if (mapping.enable) {
          expect(listedById.get(mapping.certificationId)?.status).toBe('Available');
          mappings.set(mapping.id, { certificateId: mapping.certificationId });
        }
      }

      // The key material opens: forward through one enabled mapping; the upstream sees the listed certificate.
      const sample = pick(mappingList.filter((mapping) => mapping.enable));
      if (sample) {
        const seen = upstream.requests.length;
        const response = await fetch(`${serve.apiUrl}${base}`, {
          headers: {
            authorization: `Bearer ${token}`,
            'LP-forward-url': sample.url,
            'LP-service-name': sample.serviceName,
          },
        });
        const text = await response.text();
        expect(response.status, `round ${round}: ${text}`).toBe(200);
        expect(upstream.requests.length).toBe(seen + 1);
        const cn = upstream.requests.at(-1)?.peerCommonName;
        expect(listedById.get(sample.certificationId)?.subject).toContain(`CN=${cn}`);
        summary.forwardChecks++;
      }
    }
  } finally {
    await stopGracefully(serve);
  }

  // --- The sweep, on the stopped server's database --------------------------------------------------
  const db = await openDatabase(databaseUrl ? { databaseUrl, dataDir } : { dataDir });
  try {
    const orphanQuery = `SELECT count(*)::int AS n FROM secret_blobs b WHERE b.ref LIKE 'accounts/%/certificates/%'
       AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.secret_ref = b.ref AND NOT c.deleted)`;
    const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]?.n ?? -1;
    summary.pendingRowsBeforeSweep = await count(
      "SELECT count(*)::int AS n FROM certificates WHERE secret_state = 'pending'",
    );
    summary.orphanedSecretsBeforeSweep = await count(orphanQuery);
    const { store } = openSecretStore({ db, masterKey: MasterKey.fromBase64(masterKey) });
    const service = new CertificateService({ db, secrets: store });
    // Everything counts as stale: the server is stopped, no write is in flight.
    const swept = await service.sweepPendingCertificates(new Date(Date.now() + 60_000));
    summary.sweptPending = swept.pendingCertificates;
    summary.sweptOrphans = swept.orphanedSecrets;
    summary.orphansAfterSweep = await count(orphanQuery);
    expect(summary.orphansAfterSweep).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM certificates WHERE secret_state = 'pending'")).toBe(0);
    // Every live certificate row still has its secret, and it opens.
    const { rows } = await db.query<{ id: number; account_id: string; secret_ref: string }>(
      "SELECT id, account_id, secret_ref FROM certificates WHERE NOT deleted AND secret_state = 'stored'",
    );
    for (const row of rows) {
      const material = await store.get(row.secret_ref, {
        accountId: row.account_id,
        certificateId: String(row.id),
      });
      expect(material, `certificate ${row.id} lost its secret`).toBeDefined();
    }
    expect(rows.length).toBe([...known.values()].filter((entry) => entry.state === 'live').length);
  } finally {
    await db.close();
  }
  summary.seconds = Math.round((Date.now() - started) / 1000);
  return summary;
}

const roundTimeout = 180_000 + ROUNDS * 30_000;

describe('SIGKILL during certificate and mapping writes', () => {
  it(
    `PGlite: ${ROUNDS} rounds, nothing half-written, nothing lost, no orphan after the sweep`,
    async () => {
      const dataDir = path.join(workDir, 'pglite-data');
      const summary = await killLoop({ MTLS_DATA_DIR: dataDir }, dataDir);
      console.log(`kill-during-writes (PGlite): ${JSON.stringify(summary)}`);
      expect(summary.rounds).toBe(ROUNDS);
    },
    roundTimeout,
  );

  describe('PostgreSQL', () => {
    const database = `mtls_kill_${process.pid}_${Date.now().toString(36)}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    const databaseUrl = (() => {
      const url = new URL(TEST_DATABASE_URL);
      url.pathname = `/${database}`;
      return url.toString();
    })();

    beforeAll(async () => admin(`CREATE DATABASE ${database}`));
    afterAll(async () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined));

    it(
      `${ROUNDS} rounds, nothing half-written, nothing lost, no orphan after the sweep`,
      async () => {
        const dataDir = path.join(workDir, 'pg-data');
        const summary = await killLoop(
          { MTLS_DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
          dataDir,
          databaseUrl,
        );
        console.log(`kill-during-writes (PostgreSQL): ${JSON.stringify(summary)}`);
        expect(summary.rounds).toBe(ROUNDS);
      },
      roundTimeout,
    );
  });
});
