import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayRoutePlugin } from '../http/context.js';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { mappingRoutes } from '../mappings/mapping-routes.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { type TestDatabase, testDatabaseEngines } from '../storage/testing/test-databases.js';
import type { CertificateResource, CertificateSaveResult } from './certificate-record.js';
import { createCertificateRoutes } from './certificate-routes.js';
import { CertificateService } from './certificate-service.js';
import { FaultySecretStore } from './testing/fault-injection.js';
import { fingerprintOf, P12Factory, type P12Fixture, privateKeyNeedles } from './testing/p12-fixtures.js';
import { expectSchema } from './testing/spec-schemas.js';

const READ = 'MTLS_READ_INTERNAL';
const WRITE = 'MTLS_WRITE_INTERNAL';
const ACCOUNT = 'le1606809';
/** A password that appears nowhere else, so finding it anywhere means it was stored. */
const PASSWORD = 'pw-3f9c1e-never-stored';
const FILE_LIMIT = 16 * 1024;
const FIELD_LIMIT = 2048;

interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: Array<{ location: string; name?: string; message: string }>;
}

async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('lp-gateway-error')).toBe(code);
  const body = expectSchema<Problem>('Problem', JSON.parse(text));
  expect(body).toMatchObject({ code, status });
  return body;
}

/** Every file under a directory, recursively. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(directory, entry.name);
      return entry.isDirectory() ? filesUnder(full) : Promise.resolve(entry.isFile() ? [full] : []);
    }),
  );
  return nested.flat();
}

/** Every row of every table of the current schema, as text (bytea shows as hex). */
async function dumpAllTables(db: Database): Promise<string> {
  const { rows: tables } = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  expect(tables.map((table) => table.table_name)).toEqual(
    expect.arrayContaining(['certificates', 'mappings', 'secret_blobs', 'change_log']),
  );
  const dumps: string[] = [];
  for (const { table_name } of tables) {
    const { rows } = await db.query<{ line: string }>(`SELECT t::text AS line FROM "${table_name}" t`);
    dumps.push(`${table_name}:\n${rows.map((row) => row.line).join('\n')}`);
  }
  return dumps.join('\n');
}

describe.each(testDatabaseEngines)('certificate routes over HTTP on $kind', ({ kind, open }) => {
  let database: TestDatabase;
  let server: TestApp;
  let cleanupConfig: () => Promise<void>;
  let token: string;
  let readOnlyToken: string;
  let faulty: FaultySecretStore;
  let factory: P12Factory;
  let first: P12Fixture;
  let second: P12Fixture;

  const base = `/mtls/account/${ACCOUNT}/certificates`;
  const url = (suffix = '', query = '') => `${server.url}${base}${suffix}${query}`;
  const auth = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...headers });
  const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
    method,
    headers: auth({ 'content-type': 'application/json', ...headers }),
    body: JSON.stringify(body),
  });
  const item = (name: string, fixture: P12Fixture = first, p12: 'bytes' | 'base64' = 'base64') => ({
    name,
    p12: p12 === 'bytes' ? [...fixture.bytes] : fixture.bytes.toString('base64'),
    password: fixture.password,
  });
  const createOne = async (name: string, fixture: P12Fixture = first): Promise<CertificateResource> => {
    const response = await fetch(url(), json('POST', [item(name, fixture)]));
    expect(response.status).toBe(201);
    const result = (await response.json()) as CertificateSaveResult;
    return result.successfulySavedCertificates[0] as CertificateResource;
  };
  const fileForm = (fields: Record<string, string | Blob | [Blob, string]>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      if (Array.isArray(value)) form.append(name, value[0], value[1]);
      else form.append(name, value);
    }
    return form;
  };
  const p12Blob = (bytes: Uint8Array): [Blob, string] => [
    new Blob([Uint8Array.from(bytes)], { type: 'application/x-pkcs12' }),
    'client.p12',
  ];
  const jsonBlob = (value: unknown): [Blob, string] => [
    new Blob([JSON.stringify(value)], { type: 'application/json' }),
    'certificate.json',
  ];

  beforeAll(async () => {
    database = await open();
    await migrate(database.db);
    const prepared = await testConfig();
    cleanupConfig = prepared.cleanup;
    const config = {
      ...prepared.config,
      multipart: { ...prepared.config.multipart, fileSizeBytes: FILE_LIMIT, fieldSizeBytes: FIELD_LIMIT },
    };
    // The real routes, on a service whose secret store can be made to fail.
    const routes: GatewayRoutePlugin = (app, context) => {
      faulty = new FaultySecretStore(context.secrets);
      const service = new CertificateService({ db: context.db, secrets: faulty, logger: context.logger });
      return createCertificateRoutes({ service })(app, context);
    };
    server = await startTestApp({ db: database.db, config, routes: [routes, mappingRoutes] });
    const { tokens } = server.context.auth;
    token = (await tokens.create({ accounts: [ACCOUNT], permissions: [READ, WRITE] })).token;
    readOnlyToken = (await tokens.create({ accounts: [ACCOUNT], permissions: [READ] })).token;
    factory = new P12Factory();
    first = factory.valid('first client', { password: PASSWORD, keyIndex: 0 });
    second = factory.valid('second client', { password: PASSWORD, keyIndex: 1 });
  });
  afterAll(async () => {
    await server?.close();
    await database?.cleanup();
    await cleanupConfig?.();
  });

  describe('POST /certificates', () => {
    it('creates certificates from byte arrays and base64 (201), answering the spec’s CertificateSaveResult', async () => {
      const response = await fetch(
        url(),
        json('POST', [item('bytes', first, 'bytes'), item('base64', second)]),
      );
      expect(response.status).toBe(201);
      const result = expectSchema<CertificateSaveResult>('CertificateSaveResult', await response.json());
      expect(result.failedSaveToVaultCertificates).toEqual([]);
      expect(result.successfulySavedCertificates).toEqual([
        expect.objectContaining({
          name: 'bytes',
          siteId: ACCOUNT,
          status: 'Available',
          version: 1,
          deleted: false,
        }),
        expect.objectContaining({
          name: 'base64',
          status: 'Available',
          fingerprintSha256: fingerprintOf(second.certificate.certPem),
        }),
      ]);
    });

    it.each([
      ['p12_wrong_password', () => ({ p12: first.bytes, password: 'not it' })],
      ['p12_corrupt', () => ({ p12: Buffer.from('definitely not PKCS#12'), password: PASSWORD })],
      ['p12_no_private_key', () => ({ p12: factory.withoutKey('no key'), password: 'changeit' })],
      ['p12_no_certificate', () => ({ p12: factory.withoutCertificate('no cert'), password: 'changeit' })],
      ['p12_key_mismatch', () => ({ p12: factory.withMismatchedKey('mismatch'), password: 'changeit' })],
      ['p12_expired', () => factory.outOfValidity('expired', 'expired')],
      ['p12_not_yet_valid', () => factory.outOfValidity('future', 'not-yet-valid')],
    ])('refuses an unusable file with 400 %s, naming the item, storing nothing', async (code, makeFile) => {
      const file = makeFile() as { p12?: Uint8Array; bytes?: Uint8Array; password: string };
      const p12 = Buffer.from((file.p12 ?? file.bytes) as Uint8Array).toString('base64');
      const before = (await database.db.query('SELECT id FROM certificates')).rowCount;
      const response = await fetch(
        url(),
        json('POST', [item(`fine-${code}`), { name: `bad-${code}`, p12, password: file.password }]),
      );
      const problem = await expectProblem(response, 400, code);
      expect(problem.errors).toEqual([
        { location: 'body', name: '/1/p12', message: expect.stringContaining(code) },
      ]);
      expect(problem.detail).toContain(`Item 1 ("bad-${code}")`);
      expect((await database.db.query('SELECT id FROM certificates')).rowCount).toBe(before);
    });

    it('accepts expired and not-yet-valid files with allowExpired=true (Expired / UnAvailable)', async () => {
      const expired = factory.outOfValidity('expired ok', 'expired');
      const future = factory.outOfValidity('future ok', 'not-yet-valid');
      const response = await fetch(
        url('', '?allowExpired=true'),
        json('POST', [item('allowed-expired', expired), item('allowed-future', future)]),
      );
      expect(response.status).toBe(201);
      const result = expectSchema<CertificateSaveResult>('CertificateSaveResult', await response.json());
      expect(result.successfulySavedCertificates.map((c) => c.status)).toEqual(['Expired', 'UnAvailable']);
    });

    it('answers 409 name_conflict for a taken name and a name used twice', async () => {
      await createOne('dup');
      await expectProblem(await fetch(url(), json('POST', [item('dup')])), 409, 'name_conflict');
      await expectProblem(
        await fetch(url(), json('POST', [item('twin'), item('twin')])),
        409,
        'name_conflict',
      );
      const names = ((await (await fetch(url(), { headers: auth() })).json()) as CertificateResource[]).map(
        (c) => c.name,
      );
      expect(names.filter((name) => name === 'twin')).toEqual([]);
    });

    it('reports certificates whose secret could not be written in failedSaveToVaultCertificates; nothing remains', async () => {
      faulty.faults.put = () => true;
      let result: CertificateSaveResult;
      try {
        const response = await fetch(url(), json('POST', [item('vault-down')]));
        expect(response.status).toBe(201);
        result = expectSchema('CertificateSaveResult', await response.json());
      } finally {
        faulty.faults = {};
      }
      expect(result.successfulySavedCertificates).toEqual([]);
      expect(result.failedSaveToVaultCertificates).toEqual([
        expect.objectContaining({ name: 'vault-down', status: 'UnAvailable' }),
      ]);
      const { rowCount } = await database.db.query('SELECT 1 FROM certificates WHERE name = $1', [
        'vault-down',
      ]);
      expect(rowCount).toBe(0);
      await expectProblem(
        await fetch(url(`/${result.failedSaveToVaultCertificates[0]?.id}`), { headers: auth() }),
        404,
        'not_found',
      );
    });

    it('validates the body against the spec (400 invalid_request) and needs the write permission (403)', async () => {
      const bad = await expectProblem(
        await fetch(url(), json('POST', [{ name: 'x', p12: [300], password: 'p' }])),
        400,
        'invalid_request',
      );
      expect(bad.errors?.[0]).toMatchObject({ location: 'body' });
      await expectProblem(await fetch(url(), json('POST', [])), 400, 'invalid_request');
      await expectProblem(
        await fetch(url(), {
          ...json('POST', [item('read-only')]),
          headers: { authorization: `Bearer ${readOnlyToken}`, 'content-type': 'application/json' },
        }),
        403,
        'forbidden',
      );
    });
  });

  describe('GET', () => {
    it('lists (200 CertificateList) and gets one (200 Certificate); unknown id is 404', async () => {
      const created = await createOne('listed');
      const list = expectSchema<CertificateResource[]>(
        'CertificateList',
        await (await fetch(url(), { headers: auth() })).json(),
      );
      expect(list).toContainEqual(created);
      const response = await fetch(url(`/${created.id}`), {
        headers: auth({ authorization: `Bearer ${readOnlyToken}` }),
      });
      expect(response.status).toBe(200);
      expect(expectSchema('Certificate', await response.json())).toEqual(created);
      await expectProblem(await fetch(url('/123456789'), { headers: auth() }), 404, 'not_found');
      await expectProblem(await fetch(url('/0'), { headers: auth() }), 400, 'invalid_request');
    });
  });

  describe('PUT', () => {
    it('PUT /certificates/{id} replaces the file: 200, same id, version + 1, new fingerprint', async () => {
      const created = await createOne('to-replace');
      const response = await fetch(
        url(`/${created.id}`),
        json('PUT', { ...item('replaced', second), id: created.id }),
      );
      expect(response.status).toBe(200);
      const result = expectSchema<CertificateSaveResult>('CertificateSaveResult', await response.json());
      expect(result.successfulySavedCertificates).toEqual([
        expect.objectContaining({
          id: created.id,
          name: 'replaced',
          version: 2,
          status: 'Available',
          fingerprintSha256: fingerprintOf(second.certificate.certPem),
        }),
      ]);
      // Without name and id.
      const again = await fetch(
        url(`/${created.id}`),
        json('PUT', { p12: first.bytes.toString('base64'), password: PASSWORD }),
      );
      expect(((await again.json()) as CertificateSaveResult).successfulySavedCertificates[0]).toMatchObject({
        name: 'replaced',
        version: 3,
      });
    });

    it('PUT /certificates/{id} refuses a body id that differs from the path (400), unknown ids (404), bad files (400)', async () => {
      const created = await createOne('guarded');
      const mismatch = await expectProblem(
        await fetch(url(`/${created.id}`), json('PUT', { ...item('guarded'), id: created.id + 1 })),
        400,
        'invalid_request',
      );
      expect(mismatch.errors).toEqual([{ location: 'body', name: '/id', message: expect.any(String) }]);
      await expectProblem(await fetch(url('/987654321'), json('PUT', item('ghost'))), 404, 'not_found');
      const wrong = await expectProblem(
        await fetch(
          url(`/${created.id}`),
          json('PUT', { p12: first.bytes.toString('base64'), password: 'nope' }),
        ),
        400,
        'p12_wrong_password',
      );
      expect(wrong.errors).toEqual([
        { location: 'body', name: '/p12', message: expect.stringContaining('p12_wrong_password') },
      ]);
      await expectProblem(await fetch(url(`/${created.id}`), json('PUT', item('dup'))), 409, 'name_conflict');
    });

    it('PUT /certificates (ids in the body) replaces several: 200', async () => {
      const a = await createOne('batch-a');
      const b = await createOne('batch-b');
      const response = await fetch(
        url(),
        json('PUT', [
          { id: a.id, p12: second.bytes.toString('base64'), password: PASSWORD },
          { id: b.id, p12: [...second.bytes], password: PASSWORD, name: 'batch-b2' },
        ]),
      );
      expect(response.status).toBe(200);
      const result = expectSchema<CertificateSaveResult>('CertificateSaveResult', await response.json());
      expect(result.successfulySavedCertificates.map((c) => [c.id, c.name, c.version])).toEqual([
        [a.id, 'batch-a', 2],
        [b.id, 'batch-b2', 2],
      ]);
      await expectProblem(await fetch(url(), json('PUT', [{ id: 42, ...item('x') }])), 404, 'not_found');
    });

    it('a failed update (secret store down) changes nothing', async () => {
      const created = await createOne('steady');
      faulty.faults.put = () => true;
      let result: CertificateSaveResult;
      try {
        const response = await fetch(url(`/${created.id}`), json('PUT', item('steady', second)));
        expect(response.status).toBe(200);
        result = (await response.json()) as CertificateSaveResult;
      } finally {
        faulty.faults = {};
      }
      expect(result.failedSaveToVaultCertificates).toEqual([created]);
      expect(await (await fetch(url(`/${created.id}`), { headers: auth() })).json()).toEqual(created);
    });
  });

  describe('DELETE', () => {
    it('soft-deletes (200, deleted: true), then 404; the list shows it only with includeDeleted', async () => {
      const created = await createOne('doomed');
      const response = await fetch(url(`/${created.id}`), { method: 'DELETE', headers: auth() });
      expect(response.status).toBe(200);
      expect(expectSchema('Certificate', await response.json())).toMatchObject({
        id: created.id,
        deleted: true,
        status: 'UnAvailable',
      });
      await expectProblem(
        await fetch(url(`/${created.id}`), { method: 'DELETE', headers: auth() }),
        404,
        'not_found',
      );
      const visible = (await (await fetch(url(), { headers: auth() })).json()) as CertificateResource[];
      expect(visible.map((c) => c.id)).not.toContain(created.id);
      const all = expectSchema<CertificateResource[]>(
        'CertificateList',
        await (await fetch(url('', '?includeDeleted=true'), { headers: auth() })).json(),
      );
      expect(all.find((c) => c.id === created.id)).toMatchObject({ deleted: true });
      expect(await (await fetch(url(`/${created.id}`), { headers: auth() })).json()).toMatchObject({
        deleted: true,
      });
      // The name is free again.
      await createOne('doomed');
    });
  });

  describe.each(['byFile', 'by-file'])('multipart /certificates/%s', (path) => {
    const post = (form: FormData, method = 'POST', query = '') =>
      fetch(url(`/${path}`, query), { method, headers: auth(), body: form });

    it('POST with a JSON certificate part (as the SDK sends it) or plain fields: 201', async () => {
      const viaJson = await post(
        fileForm({
          file: p12Blob(first.bytes),
          certificate: jsonBlob({ name: `${path}-json`, password: PASSWORD }),
        }),
      );
      expect(viaJson.status).toBe(201);
      expect(
        expectSchema<CertificateSaveResult>('CertificateSaveResult', await viaJson.json())
          .successfulySavedCertificates,
      ).toEqual([expect.objectContaining({ name: `${path}-json`, status: 'Available' })]);
      const viaFields = await post(
        fileForm({ file: p12Blob(second.bytes), name: `${path}-fields`, password: PASSWORD }),
      );
      expect(viaFields.status).toBe(201);
      const viaJsonField = await post(
        fileForm({
          file: p12Blob(second.bytes),
          // A plain text field holding the JSON.
          certificate: JSON.stringify({ name: `${path}-field`, password: PASSWORD }),
        }),
      );
      expect(viaJsonField.status).toBe(201);
    });

    it('PUT with {id} in the certificate part or a plain id field: 200, version + 1', async () => {
      const created = await createOne(`${path}-replace`);
      const viaJson = await post(
        fileForm({
          file: p12Blob(second.bytes),
          certificate: jsonBlob({ id: created.id, password: PASSWORD }),
        }),
        'PUT',
      );
      expect(viaJson.status).toBe(200);
      expect(((await viaJson.json()) as CertificateSaveResult).successfulySavedCertificates[0]).toMatchObject(
        {
          id: created.id,
          version: 2,
        },
      );
      const viaFields = await post(
        fileForm({
          file: p12Blob(first.bytes),
          id: String(created.id),
          password: PASSWORD,
          name: `${path}-renamed`,
        }),
        'PUT',
      );
      expect(viaFields.status).toBe(200);
      expect(
        ((await viaFields.json()) as CertificateSaveResult).successfulySavedCertificates[0],
      ).toMatchObject({
        id: created.id,
        version: 3,
        name: `${path}-renamed`,
      });
      await expectProblem(
        await post(fileForm({ file: p12Blob(first.bytes), id: '999999', password: PASSWORD }), 'PUT'),
        404,
        'not_found',
      );
    });

    it('refuses a missing file, missing metadata, unknown parts (400) and an unusable file (400 p12_*)', async () => {
      const missing = await expectProblem(
        await post(fileForm({ name: 'x', password: 'y' })),
        400,
        'invalid_request',
      );
      expect(missing.errors).toEqual([{ location: 'body', name: 'file', message: 'is required' }]);
      const noName = await expectProblem(
        await post(fileForm({ file: p12Blob(first.bytes), password: 'y' })),
        400,
        'invalid_request',
      );
      expect(noName.errors).toContainEqual({ location: 'body', name: 'name', message: 'is required' });
      const badJson = await expectProblem(
        await post(
          fileForm({
            file: p12Blob(first.bytes),
            certificate: [new Blob(['{nope'], { type: 'application/json' }), 'c.json'],
          }),
        ),
        400,
        'invalid_request',
      );
      expect(badJson.errors?.[0]).toMatchObject({ name: 'certificate' });
      await expectProblem(
        await post(
          fileForm({
            file: p12Blob(first.bytes),
            certificate: jsonBlob({ name: 'x', password: 'y', extra: 1 }),
          }),
        ),
        400,
        'invalid_request',
      );
      await expectProblem(
        await post(fileForm({ file: p12Blob(first.bytes), name: 'x', password: 'y', surprise: 'z' })),
        400,
        'invalid_request',
      );
      await expectProblem(
        await post(fileForm({ file: p12Blob(first.bytes), password: PASSWORD }), 'PUT'),
        400,
        'invalid_request',
      );
      const wrong = await expectProblem(
        await post(fileForm({ file: p12Blob(first.bytes), name: `${path}-wrong`, password: 'nope' })),
        400,
        'p12_wrong_password',
      );
      expect(wrong.errors).toEqual([
        { location: 'body', name: 'file', message: expect.stringContaining('p12_wrong_password') },
      ]);
      const expired = factory.outOfValidity(`${path} expired`, 'expired');
      await expectProblem(
        await post(fileForm({ file: p12Blob(expired.bytes), name: `${path}-expired`, password: 'changeit' })),
        400,
        'p12_expired',
      );
      const allowed = await post(
        fileForm({ file: p12Blob(expired.bytes), name: `${path}-expired`, password: 'changeit' }),
        'POST',
        '?allowExpired=true',
      );
      expect(allowed.status).toBe(201);
    });

    it('answers 413 for a file or a field over the limit, and 415 for a non-multipart body', async () => {
      const large = await expectProblem(
        await post(fileForm({ file: p12Blob(new Uint8Array(FILE_LIMIT + 10)), name: 'big', password: 'x' })),
        413,
        'payload_too_large',
      );
      expect(large.detail).toMatch(/larger than the limit/);
      await expectProblem(
        await post(
          fileForm({ file: p12Blob(first.bytes), name: 'n', password: 'x'.repeat(FIELD_LIMIT + 10) }),
        ),
        413,
        'payload_too_large',
      );
      await expectProblem(
        await fetch(url(`/${path}`), json('POST', { name: 'x', password: 'y' })),
        415,
        'unsupported_media_type',
      );
    });
  });

  it('never writes a private key (PEM body or DER) or a p12 password to any table, the logs or (PGlite) the disk', async () => {
    const secret = factory.valid('secret holder', { password: PASSWORD });
    const created = await createOne('secret-holder', secret);
    const replaced = await fetch(url(`/${created.id}`), json('PUT', item('secret-holder', first)));
    expect(replaced.status).toBe(200);
    const needles = [
      ...privateKeyNeedles(secret.certificate.keyPem),
      ...privateKeyNeedles(first.certificate.keyPem),
      ...privateKeyNeedles(second.certificate.keyPem),
      PASSWORD,
    ];
    const dump = await dumpAllTables(database.db);
    expect(dump).toContain('secret-holder');
    for (const needle of needles)
      expect(dump.includes(needle), `found ${needle.slice(0, 20)}… in the database`).toBe(false);
    for (const needle of needles) expect(server.logs.text.includes(needle)).toBe(false);

    if (kind === 'pglite') {
      await database.db.query('CHECKPOINT');
      const files = await filesUnder(database.dataDir);
      expect(files.length).toBeGreaterThan(10);
      const rawNeedles = needles.map((needle) => Buffer.from(needle));
      for (const keyPem of [secret.certificate.keyPem, first.certificate.keyPem]) {
        const der = Buffer.from(keyPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
        rawNeedles.push(der.subarray(40, 100), der.subarray(300, 360));
      }
      // Positive control: what the rows hold in clear does reach these files.
      const fingerprint = Buffer.from(created.fingerprintSha256 as string);
      let fingerprintFound = false;
      for (const file of files) {
        const content = await readFile(file);
        fingerprintFound ||= content.includes(fingerprint);
        for (const needle of rawNeedles) {
          expect(
            content.includes(needle),
            `found key material in ${path.relative(database.dataDir, file)}`,
          ).toBe(false);
        }
      }
      expect(fingerprintFound).toBe(true);
    }
  });
});
