import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { ForeignKeyViolationError, SchemaTooNewError, UniqueViolationError } from './errors.js';
import { generateRandomId } from './ids.js';
import { MAX_RANDOM_ID, type Migration, migrate, migrations } from './migrations.js';
import {
  openTestPglite,
  openTestPostgres,
  type TestDatabase,
  testDatabaseEngines,
} from './testing/test-databases.js';

const expectedTables = [
  'api_tokens',
  'certificates',
  'change_log',
  'mappings',
  'oauth_credentials',
  'oauth_nonces',
  'schema_migrations',
  'secret_blobs',
];

async function insertCertificate(db: Database, values: { account: string; name: string; deleted?: boolean }) {
  const id = generateRandomId();
  await db.query(
    `INSERT INTO certificates (id, account_id, name, display_name, secret_ref, deleted)
     VALUES ($1, $2, $3, $3, $4, $5)`,
    [
      id,
      values.account,
      values.name,
      `accounts/${values.account}/certificates/${id}/v1`,
      values.deleted ?? false,
    ],
  );
  return id;
}

describe.each(testDatabaseEngines)('migrations on $kind', ({ open }) => {
  let handle: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    handle = await open();
    db = handle.db;
  });
  afterAll(async () => handle?.cleanup());

  it('applies every migration once, then nothing', async () => {
    expect(await migrate(db)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);

    const { rows } = await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual(migrations.map(({ version, name }) => ({ version, name })));

    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(expectedTables);
  });

  it('is idempotent across a restart', async () => {
    await db.close();
    db = await handle.reopen();
    expect(await migrate(db)).toEqual([]);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows).toEqual([{ n: migrations.length }]);
  });

  it('keeps certificate names unique per account among non-deleted certificates', async () => {
    await insertCertificate(db, { account: 'acc1', name: 'Cert1' });
    const duplicate = await insertCertificate(db, { account: 'acc1', name: 'Cert1' }).catch(
      (e: unknown) => e,
    );
    expect(duplicate).toBeInstanceOf(UniqueViolationError);
    expect((duplicate as UniqueViolationError).constraint).toBe('certificates_account_name_key');

    // Another account, or a deleted certificate, may use the same name.
    await insertCertificate(db, { account: 'acc2', name: 'Cert1' });
    await insertCertificate(db, { account: 'acc1', name: 'Cert1', deleted: true });
  });

  it('starts certificates as pending at version 1 and rejects unknown secret states and ids', async () => {
    const id = await insertCertificate(db, { account: 'acc1', name: 'Defaults' });
    const { rows } = await db.query('SELECT version, secret_state, deleted FROM certificates WHERE id = $1', [
      id,
    ]);
    expect(rows).toEqual([{ version: 1, secret_state: 'pending', deleted: false }]);

    await expect(
      db.query("UPDATE certificates SET secret_state = 'lost' WHERE id = $1", [id]),
    ).rejects.toThrow(/SQLSTATE 23514/);
    await expect(
      db.query(
        "INSERT INTO certificates (id, account_id, name, display_name, secret_ref) VALUES ($1, 'a', 'n', 'n', 'r')",
        [MAX_RANDOM_ID + 1],
      ),
    ).rejects.toThrow(/SQLSTATE 23514/);
  });

  it('lets a mapping point only to a certificate of the same account, once per service and URL', async () => {
    const certificateId = await insertCertificate(db, { account: 'acc3', name: 'ForMappings' });
    const insertMapping = (account: string, url: string, deleted = false) =>
      db.query(
        `INSERT INTO mappings (id, account_id, certificate_id, service_name, url, deleted)
         VALUES ($1, $2, $3, 'WEBHOOKS', $4, $5)`,
        [generateRandomId(), account, certificateId, url, deleted],
      );

    await insertMapping('acc3', 'https://example.test/hook');
    const duplicate = await insertMapping('acc3', 'https://example.test/hook').catch((e: unknown) => e);
    expect((duplicate as UniqueViolationError).constraint).toBe('mappings_account_service_url_key');
    await insertMapping('acc3', 'https://example.test/hook', true);

    const foreign = await insertMapping('other-account', 'https://example.test/x').catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(ForeignKeyViolationError);
    expect((foreign as ForeignKeyViolationError).constraint).toBe('mappings_certificate_fkey');
  });

  it('rejects a replayed OAuth nonce and a duplicate token hash', async () => {
    const nonce = ['key', 'n-1', 1_700_000_000];
    await db.query("INSERT INTO oauth_nonces VALUES ($1, $2, $3, now() + interval '10 minutes')", nonce);
    const replay = await db
      .query("INSERT INTO oauth_nonces VALUES ($1, $2, $3, now() + interval '10 minutes')", nonce)
      .catch((e: unknown) => e);
    expect((replay as UniqueViolationError).constraint).toBe('oauth_nonces_pkey');

    const hash = Buffer.alloc(32, 7);
    const insertToken = () =>
      db.query('INSERT INTO api_tokens (id, token_sha256, accounts, permissions) VALUES ($1, $2, $3, $4)', [
        generateRandomId(),
        hash,
        ['*'],
        ['MTLS_READ_INTERNAL'],
      ]);
    await insertToken();
    const duplicate = await insertToken().catch((e: unknown) => e);
    expect((duplicate as UniqueViolationError).constraint).toBe('api_tokens_token_sha256_key');
  });

  it('numbers change_log entries in insertion order', async () => {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO change_log (account_id, certificate_id, kind)
       VALUES ('acc1', 1, 'certificate.updated'), ('acc1', 1, 'certificate.deleted') RETURNING id`,
    );
    expect(rows).toHaveLength(2);
    expect(typeof rows[0]?.id).toBe('number');
    expect(rows[1]?.id).toBeGreaterThan(rows[0]?.id ?? Number.POSITIVE_INFINITY);
  });

  it('refuses a database migrated by a newer release', async () => {
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')");
    try {
      const error = await migrate(db).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SchemaTooNewError);
      expect((error as SchemaTooNewError).databaseVersion).toBe(999);
    } finally {
      await db.query('DELETE FROM schema_migrations WHERE version = 999');
    }
  });
});

describe.each([
  { kind: 'pglite', open: openTestPglite },
  { kind: 'postgres', open: openTestPostgres },
])('a failing migration on $kind', ({ open }) => {
  it('leaves no trace: earlier migrations of the same run are rolled back too', async () => {
    const handle = await open();
    try {
      const list: Migration[] = [
        { version: 1, name: 'good', sql: 'CREATE TABLE good_table (id int)' },
        { version: 2, name: 'bad', sql: 'CREATE TABLE bad_table (id int); SELECT * FROM missing_table' },
      ];
      await expect(migrate(handle.db, list)).rejects.toThrow(/missing_table/);
      const { rows } = await handle.db.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`,
      );
      expect(rows).toEqual([]);
      // Fixed release: applies both.
      list[1] = { version: 2, name: 'bad', sql: 'CREATE TABLE bad_table (id int)' };
      expect(await migrate(handle.db, list)).toEqual([1, 2]);
    } finally {
      await handle.cleanup();
    }
  });
});

describe('concurrent migrations on postgres', () => {
  it('lets two replicas migrate the same schema at once: both succeed, each migration runs once', async () => {
    const first = await openTestPostgres();
    const second = await first.reopen();
    try {
      const results = await Promise.all([migrate(first.db), migrate(second), migrate(first.db)]);
      const applied = results.flat();
      expect(applied.sort()).toEqual(migrations.map((m) => m.version));
      const { rows } = await second.query('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows).toEqual([{ n: migrations.length }]);
    } finally {
      await first.cleanup();
    }
  });
});

describe('migration list checks', () => {
  it('rejects migration lists out of order before touching the database', async () => {
    const untouched = {} as Database; // any use would throw a TypeError instead of the expected message
    const list: Migration[] = [
      { version: 2, name: 'b', sql: 'SELECT 1' },
      { version: 1, name: 'a', sql: 'SELECT 1' },
    ];
    await expect(migrate(untouched, list)).rejects.toThrow(/increasing version order/);
  });
});

describe('generateRandomId', () => {
  it('returns distinct positive safe integers spread over the whole range', () => {
    const ids = Array.from({ length: 2000 }, generateRandomId);
    for (const id of ids) {
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(id).toBeGreaterThan(0);
      expect(id).toBeLessThanOrEqual(MAX_RANDOM_ID);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Not just small numbers: about 7 in 8 ids are above 2^50.
    expect(ids.filter((id) => id > 2 ** 50).length).toBeGreaterThan(1500);
  });
});
