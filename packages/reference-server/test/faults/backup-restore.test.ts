import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsServer, type TestTlsServer } from '../../../../test/support/pki.js';
import { P12Factory, type P12Fixture } from '../../src/certificates/testing/p12-fixtures.js';
import { TEST_DATABASE_URL } from '../../src/storage/testing/test-databases.js';

// Backup and restore as the README documents it, with real processes: `mtls-gateway serve` from the sources,
// pg_dump / pg_restore of its PostgreSQL database (or a copy of the PGlite data directory), a new `serve` on
// the restored copy with the same master key. Every certificate must come back Available and present the
// right client certificate to an upstream that requires one. A wrong or missing key must stop `serve` with a
// clear message and change nothing. Loopback only.

const run = promisify(execFile);
const ACCOUNT = 'le1606809';
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

interface ServeProcess {
  child: ChildProcess;
  apiUrl: string;
  /** The development token, when this start printed one (only the first start on a database does). */
  token: string | undefined;
  stop(): Promise<void>;
}

function serveEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    MTLS_OPS_PORT: '0',
    MTLS_RATE_LIMIT_RPS: '0',
    MTLS_EGRESS_ALLOW: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...env,
  };
}

function spawnServe(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@mtls-gateway/source', 'src/bin.ts', 'serve'],
    { cwd: packageRoot, env: serveEnv(env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return { child, output: () => output };
}

/** Starts `serve`; resolves once it listens (and printed its token, when `expectToken`). */
async function startServe(env: Record<string, string>, expectToken: boolean): Promise<ServeProcess> {
  const { child, output } = spawnServe(env);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = output();
    const api = /mtls-gateway listening on (http:\/\/\S+) /.exec(text);
    const token = /\n {2}(mtls_\S+)\n/.exec(text);
    if (api?.[1] && (token?.[1] || !expectToken)) {
      return {
        child,
        apiUrl: api[1],
        token: token?.[1],
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          await once(child, 'exit');
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `serve` expecting it to refuse to start; resolves with its exit code and output. */
async function refusedServe(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServe(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output: output() };
}

async function api(
  serve: ServeProcess,
  token: string,
  method: string,
  pathname: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${serve.apiUrl}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

interface Tenant {
  commonName: string;
  serviceName: string;
  url: string;
  fixture: P12Fixture;
  id?: number;
}

async function uploadAndMap(serve: ServeProcess, token: string, tenant: Tenant): Promise<void> {
  const created = await api(serve, token, 'POST', `/mtls/account/${ACCOUNT}/certificates`, [
    {
      name: tenant.commonName,
      p12: tenant.fixture.bytes.toString('base64'),
      password: tenant.fixture.password,
    },
  ]);
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  const id = (created.json as { successfulySavedCertificates: Array<{ id: number }> })
    .successfulySavedCertificates[0]?.id;
  expect(id).toBeTypeOf('number');
  tenant.id = id as number;
  const mapped = await api(serve, token, 'POST', `/mtls/account/${ACCOUNT}/certificates/activate/${id}`, {
    serviceName: tenant.serviceName,
    url: tenant.url,
  });
  expect(mapped.status, JSON.stringify(mapped.json)).toBe(201);
}

async function listStatuses(serve: ServeProcess, token: string): Promise<Record<string, string>> {
  const listed = await api(serve, token, 'GET', `/mtls/account/${ACCOUNT}/certificates`);
  expect(listed.status, JSON.stringify(listed.json)).toBe(200);
  const list = listed.json as Array<{ name: string; status: string }>;
  return Object.fromEntries(list.map((certificate) => [certificate.name, certificate.status]));
}

/** Forwards through the tenant's mapping; answers the CN the upstream saw. */
async function forwardedAs(
  serve: ServeProcess,
  token: string,
  upstream: TestTlsServer,
  tenant: Tenant,
): Promise<string | undefined> {
  const seen = upstream.requests.length;
  const response = await fetch(`${serve.apiUrl}/mtls/account/${ACCOUNT}`, {
    headers: {
      authorization: `Bearer ${token}`,
      'LP-forward-url': tenant.url,
      'LP-service-name': tenant.serviceName,
    },
  });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  expect(upstream.requests.length).toBe(seen + 1);
  return upstream.requests.at(-1)?.peerCommonName;
}

function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A digest of every table a start could touch: equal digests mean nothing was changed. */
async function databaseDigest(url: string): Promise<string> {
  const tables = [
    'schema_migrations',
    'certificates',
    'mappings',
    'secret_blobs',
    'oauth_credentials',
    'api_tokens',
    'change_log',
  ];
  const parts: string[] = [];
  for (const table of tables) {
    const [row] = await adminQuery<{ digest: string | null; count: string }>(
      url,
      `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest, count(*) AS count FROM ${table} t`,
    );
    parts.push(`${table}:${row?.count}:${row?.digest}`);
  }
  return parts.join('\n');
}

let workDir: string;
let factory: P12Factory;
let upstream: TestTlsServer;
let caFile: string;
const masterKey = Buffer.alloc(32, 7).toString('base64');
const wrongKey = Buffer.alloc(32, 9).toString('base64');

function tenants(prefix: string): Tenant[] {
  return (['WEBHOOKS', 'IDP'] as const).map((serviceName, index) => ({
    commonName: `${prefix}-tenant-${index}`,
    serviceName,
    url: `${upstream.url}/${prefix}/${index}`,
    fixture: factory.valid(`${prefix}-tenant-${index}`),
  }));
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'mtls-backup-'));
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
}, 60_000);

afterAll(async () => {
  await upstream?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('PostgreSQL: pg_dump + the master key, restored into a fresh database', () => {
  const suffix = `${process.pid}_${Date.now().toString(36)}`;
  const source = `mtls_backup_${suffix}_a`;
  const restored = `mtls_backup_${suffix}_b`;
  const started: ServeProcess[] = [];

  beforeAll(async () => {
    await adminQuery(TEST_DATABASE_URL, `CREATE DATABASE ${source}`);
    await adminQuery(TEST_DATABASE_URL, `CREATE DATABASE ${restored}`);
  });

  afterAll(async () => {
    for (const serve of started) await serve.stop();
    for (const name of [source, restored]) {
      await adminQuery(TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(
        () => undefined,
      );
    }
  });

  it('restores every certificate usable for forwarding; a wrong or missing key is refused and changes nothing', async () => {
    const env = (name: string, key: string | undefined) => ({
      DATABASE_URL: databaseUrl(name),
      MTLS_DATA_DIR: path.join(workDir, `data-${name}`),
      MTLS_UPSTREAM_CA_FILE: caFile,
      ...(key === undefined ? {} : { MTLS_MASTER_KEY: key }),
    });
    const list = tenants('pg');

    // 1. The original gateway: two certificates, two mappings, forwarding works.
    const original = await startServe(env(source, masterKey), true);
    started.push(original);
    const token = original.token as string;
    for (const tenant of list) await uploadAndMap(original, token, tenant);
    for (const tenant of list) {
      expect(await forwardedAs(original, token, upstream, tenant)).toBe(tenant.commonName);
    }

    // 2. Backup while it runs (pg_dump takes a consistent snapshot), then lose the original.
    const dumpFile = path.join(workDir, 'gateway.dump');
    await run('pg_dump', ['--format=custom', '--no-owner', '--file', dumpFile, databaseUrl(source)]);
    await original.stop();

    // 3. Restore into a fresh database.
    await run('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', databaseUrl(restored), dumpFile]);
    const digest = await databaseDigest(databaseUrl(restored));

    // 4. The wrong key: refused, with a message naming the problem, and nothing changed.
    const wrong = await refusedServe(env(restored, wrongKey));
    expect(wrong.code, wrong.output).toBe(1);
    expect(wrong.output).toContain(
      'mtls-gateway: MTLS_MASTER_KEY does not open the secrets stored in this database: 2 certificate secrets',
    );
    expect(wrong.output).not.toContain('listening on');
    expect(await databaseDigest(databaseUrl(restored))).toBe(digest);

    // No key at all (no MTLS_MASTER_KEY, no key file): refused, and no key file generated.
    const keyless = env(restored, undefined);
    const missing = await refusedServe(keyless);
    expect(missing.code, missing.output).toBe(1);
    expect(missing.output).toContain('No master key: MTLS_MASTER_KEY is not set');
    expect(await readdir(keyless.MTLS_DATA_DIR).catch(() => [])).not.toContain('master.key');
    expect(await databaseDigest(databaseUrl(restored))).toBe(digest);

    // 5. The same key on the restored database: everything Available, each mapping presents its certificate.
    const copy = await startServe(env(restored, masterKey), false);
    started.push(copy);
    expect(copy.token).toBeUndefined(); // the original's tokens came back with the dump
    expect(await listStatuses(copy, token)).toEqual(
      Object.fromEntries(list.map((tenant) => [tenant.commonName, 'Available'])),
    );
    for (const tenant of list) {
      expect(await forwardedAs(copy, token, upstream, tenant)).toBe(tenant.commonName);
    }
    await copy.stop();
  }, 240_000);
});

describe('PGlite: a copy of the stopped server’s data directory (database + master.key)', () => {
  const started: ServeProcess[] = [];

  afterAll(async () => {
    for (const serve of started) await serve.stop();
  });

  it('restores every certificate usable for forwarding; a copy without master.key is refused', async () => {
    const dataDir = path.join(workDir, 'pglite-data');
    const env = (dir: string) => ({ MTLS_DATA_DIR: dir, MTLS_UPSTREAM_CA_FILE: caFile });
    const list = tenants('pglite');

    const original = await startServe(env(dataDir), true);
    started.push(original);
    const token = original.token as string;
    for (const tenant of list) await uploadAndMap(original, token, tenant);
    for (const tenant of list) {
      expect(await forwardedAs(original, token, upstream, tenant)).toBe(tenant.commonName);
    }
    await original.stop(); // PGlite: copy only a stopped server's directory

    const backup = path.join(workDir, 'pglite-backup');
    await run('cp', ['-a', dataDir, backup]);
    await rm(dataDir, { recursive: true, force: true });

    // A copy without the key file: refused, and no new key generated in its place.
    const withoutKey = path.join(workDir, 'pglite-without-key');
    await run('cp', ['-a', backup, withoutKey]);
    await rm(path.join(withoutKey, 'master.key'));
    const missing = await refusedServe(env(withoutKey));
    expect(missing.code, missing.output).toBe(1);
    expect(missing.output).toContain('No master key: MTLS_MASTER_KEY is not set');
    expect(missing.output).toContain('Restore the master.key file');
    expect(await readdir(withoutKey)).not.toContain('master.key');

    // The full copy, restored where the original lived.
    await run('cp', ['-a', backup, dataDir]);
    const copy = await startServe(env(dataDir), false);
    started.push(copy);
    expect(await listStatuses(copy, token)).toEqual(
      Object.fromEntries(list.map((tenant) => [tenant.commonName, 'Available'])),
    );
    for (const tenant of list) {
      expect(await forwardedAs(copy, token, upstream, tenant)).toBe(tenant.commonName);
    }
    await copy.stop();
  }, 240_000);
});
