/**
 * Costs that must stay flat as an account grows: one account with 10,000 certificates and 50,000 mappings
 * (`BENCH_CERTIFICATES`, `BENCH_MAPPINGS`), seeded with SQL, on PGlite and (when reachable) PostgreSQL. Prints
 * the server time of listing and reading certificates and mappings over HTTP, and of the mapping lookup
 * forwarding does per request. A benchmark: it prints figures and never fails on speed (see README).
 */
import { performance } from 'node:perf_hooks';
import { afterAll, describe, test } from 'vitest';
import { createDefaultRoutePlugins } from '../src/cli/route-plugins.js';
import { AccountMappingIndex } from '../src/forwarding/mapping-index.js';
import { startTestApp, type TestApp, testConfig } from '../src/http/testing/test-app.js';
import { migrate } from '../src/storage/migrations.js';
import {
  openTestPglite,
  openTestPostgres,
  type TestDatabase,
} from '../src/storage/testing/test-databases.js';

const CERTIFICATES = Number(process.env.BENCH_CERTIFICATES ?? 10_000);
const MAPPINGS = Number(process.env.BENCH_MAPPINGS ?? 50_000);
const ACCOUNT = 'le1606809';
const SERVICES = ['WEBHOOKS', 'IDP', 'CRM', 'MESSAGING', 'OTHER'];

/** Median of `runs` timings of `work`, in milliseconds. */
async function median(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function seed(database: TestDatabase): Promise<void> {
  const db = database.db;
  await db.query(
    `INSERT INTO certificates (id, account_id, name, display_name, secret_ref, secret_state, not_before,
       expires_at, subject, issuer, serial_number, fingerprint_sha256)
     SELECT n, $1, 'cert-' || n, 'cert-' || n, 'accounts/' || $1 || '/certificates/' || n || '/v1', 'stored',
       now() - interval '1 day', now() + interval '365 days', 'CN=cert-' || n, 'CN=Bench CA', to_hex(n),
       upper(md5(n::text))
     FROM generate_series(1, $2::int) AS n`,
    [ACCOUNT, CERTIFICATES],
  );
  // Every fifth mapping is a prefix mapping; the rest are exact URLs with a query.
  await db.query(
    `INSERT INTO mappings (id, account_id, certificate_id, service_name, url)
     SELECT n, $1, 1 + (n % $2::int), ($4::text[])[1 + n % 5],
       CASE WHEN n % 5 = 0 THEN 'https://api-' || n || '.example.com/v2/*'
            ELSE 'https://api-' || n || '.example.com/hooks?tenant=' || n END
     FROM generate_series(1, $3::int) AS n`,
    [ACCOUNT, CERTIFICATES, MAPPINGS, SERVICES],
  );
}

interface Row {
  engine: string;
  what: string;
  ms: number;
  note: string;
}

const rows: Row[] = [];
const engines: Array<[string, () => Promise<TestDatabase>]> = [
  ['PGlite', openTestPglite],
  ['PostgreSQL', openTestPostgres],
];

describe.each(engines)('account scale on %s', (engine, open) => {
  let database: TestDatabase | undefined;
  let server: TestApp | undefined;
  let cleanupConfig: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await server?.close();
    await database?.cleanup();
    await cleanupConfig?.();
  });

  test(`${CERTIFICATES} certificates and ${MAPPINGS} mappings in one account`, async (context) => {
    try {
      database = await open();
    } catch (error) {
      context.skip(`${engine} is not reachable: ${(error as Error).message}`);
      return;
    }
    await migrate(database.db);
    await seed(database);
    const prepared = await testConfig({}, { MTLS_EGRESS_ALLOW: '127.0.0.1' });
    cleanupConfig = prepared.cleanup;
    server = await startTestApp({
      db: database.db,
      config: prepared.config,
      routes: createDefaultRoutePlugins(),
    });
    const { token } = await server.context.auth.tokens.create({
      accounts: [ACCOUNT],
      permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'],
    });
    const headers = { Authorization: `Bearer ${token}` };
    const base = `${server.url}/mtls/account/${ACCOUNT}`;
    const fetchJson = async (path: string) => {
      const response = await fetch(`${base}${path}`, { headers });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return response.json();
    };

    const listed = (await fetchJson('/certificates')) as unknown[];
    rows.push({
      engine,
      what: `GET /certificates (${listed.length} listed)`,
      ms: await median(7, () => fetchJson('/certificates')),
      note: 'whole answer, loopback',
    });
    rows.push({
      engine,
      what: 'GET /certificates/{id}',
      ms: await median(201, () => fetchJson(`/certificates/${1 + Math.floor(Math.random() * CERTIFICATES)}`)),
      note: 'random id',
    });
    const mappings = (await fetchJson('/mappings')) as unknown[];
    rows.push({
      engine,
      what: `GET /mappings (${mappings.length} listed)`,
      ms: await median(5, () => fetchJson('/mappings')),
      note: 'whole answer, loopback',
    });
    const { mappings: service } = server.context;
    const exact = (n: number) => `https://api-${n}.example.com/hooks?tenant=${n}`;
    const pick = () => 1 + Math.floor(Math.random() * MAPPINGS);
    rows.push({
      engine,
      what: 'mapping lookup in SQL, exact URL',
      ms: await median(1001, () => {
        const n = pick();
        return service.resolveMapping({ accountId: ACCOUNT, url: n % 5 === 0 ? exact(n + 1) : exact(n) });
      }),
      note: 'forwarding without the index (cache bypassed)',
    });
    rows.push({
      engine,
      what: 'mapping lookup in SQL, prefix URL',
      ms: await median(1001, () => {
        const n = 5 * Math.max(1, Math.floor(pick() / 5));
        return service.resolveMapping({
          accountId: ACCOUNT,
          url: `https://api-${n}.example.com/v2/users/42`,
        });
      }),
      note: 'longest * prefix of the same origin',
    });
    let index: AccountMappingIndex | undefined;
    rows.push({
      engine,
      what: `mapping index of the account, load (${MAPPINGS})`,
      ms: await median(5, async () => {
        index = new AccountMappingIndex(await service.listActiveMappings(ACCOUNT));
      }),
      note: 'once per account and change (forwarding)',
    });
    rows.push({
      engine,
      what: 'mapping lookup in the index, exact / prefix',
      ms: await median(1001, async () => {
        const n = pick();
        index?.lookup(undefined, n % 5 === 0 ? `https://api-${n}.example.com/v2/users/42` : exact(n));
      }),
      note: 'what forwarding does per request',
    });
    rows.push({
      engine,
      what: 'mapping lookup in SQL, no mapping',
      ms: await median(1001, () =>
        service.resolveMapping({ accountId: ACCOUNT, url: 'https://unmapped.example.com/x' }),
      ),
      note: '',
    });
  });
});

afterAll(() => {
  const width = Math.max(...rows.map((row) => row.what.length));
  console.log(`\naccount scale: ${CERTIFICATES} certificates, ${MAPPINGS} mappings in one account (median)`);
  for (const row of rows) {
    console.log(
      `${row.engine.padEnd(11)} ${row.what.padEnd(width)} ${row.ms.toFixed(3).padStart(10)} ms  ${row.note}`,
    );
  }
  for (const list of rows.filter((row) => row.what.startsWith('GET /certificates ('))) {
    console.log(
      `goal: listing ${CERTIFICATES} certificates < 100 ms: ${list.ms < 100 ? 'met' : 'NOT MET'} (${list.engine})`,
    );
  }
});
