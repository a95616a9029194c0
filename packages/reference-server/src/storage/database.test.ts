import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import {
  DatabaseInUseError,
  DatabaseQueryError,
  DatabaseUnavailableError,
  ForeignKeyViolationError,
  InvalidDatabaseConfigError,
  TransactionMisuseError,
  UniqueViolationError,
} from './errors.js';
import { openDatabase } from './open-database.js';
import { type TestDatabase, testDatabaseEngines } from './testing/test-databases.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(testDatabaseEngines)('Database on $kind', ({ kind, open }) => {
  let handle: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    handle = await open();
    db = handle.db;
    await db.exec(`
      CREATE TABLE parents (id bigint PRIMARY KEY, name text NOT NULL);
      CREATE UNIQUE INDEX parents_name_key ON parents (name);
      CREATE TABLE children (id bigint PRIMARY KEY, parent_id bigint NOT NULL
        CONSTRAINT children_parent_fkey REFERENCES parents (id));
      CREATE TABLE samples (id bigint, blob bytea, at timestamptz, tags text[], amount numeric, ok boolean)`);
  });
  afterAll(async () => handle?.cleanup());

  it('reports its kind', () => {
    expect(db.kind).toBe(kind);
  });

  it('runs afterCommit callbacks once the transaction has committed, and never after a rollback', async () => {
    const seen: string[] = [];
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO parents VALUES ($1, $2)', [901, 'after-commit']);
      tx.afterCommit(() => seen.push('committed'));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['committed']);

    await expect(
      db.transaction(async (tx) => {
        tx.afterCommit(() => seen.push('rolled back'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(seen).toEqual(['committed']);
    await db.query('DELETE FROM parents WHERE id = 901');
  });

  it('returns the same JS types on both engines', async () => {
    const at = new Date('2030-01-02T03:04:05.678Z');
    const insert = await db.query(
      'INSERT INTO samples VALUES ($1, $2, $3, $4, $5, $6), ($7, NULL, NULL, NULL, NULL, NULL)',
      [2 ** 53 - 1, Buffer.from([0, 1, 254, 255]), at, ['a', 'b,c'], '12.50', true, 7],
    );
    expect(insert.rowCount).toBe(2);

    const { rows, rowCount } = await db.query<{
      id: number;
      blob: Buffer | null;
      at: Date | null;
      tags: string[] | null;
      amount: string | null;
      ok: boolean | null;
    }>('SELECT * FROM samples ORDER BY id DESC');
    expect(rowCount).toBe(2);
    const [first] = rows;
    expect(first?.id).toBe(2 ** 53 - 1);
    expect(Buffer.isBuffer(first?.blob)).toBe(true);
    expect([...(first?.blob ?? [])]).toEqual([0, 1, 254, 255]);
    expect(first?.at).toBeInstanceOf(Date);
    expect(first?.at?.toISOString()).toBe(at.toISOString());
    expect(first?.tags).toEqual(['a', 'b,c']);
    expect(first?.amount).toBe('12.50');
    expect(first?.ok).toBe(true);
    expect(rows[1]).toEqual({ id: 7, blob: null, at: null, tags: null, amount: null, ok: null });

    const update = await db.query('UPDATE samples SET ok = false WHERE id = $1', [7]);
    expect(update.rowCount).toBe(1);
    await db.query('DELETE FROM samples');
  });

  it('returns int8 values beyond 2^53 as bigint instead of losing precision', async () => {
    const { rows } = await db.query<{ big: unknown; count: unknown }>(
      "SELECT '9007199254740993'::bigint AS big, count(*) AS count FROM samples",
    );
    expect(rows[0]?.big).toBe(9007199254740993n);
    expect(rows[0]?.count).toBe(0);
  });

  it('commits a transaction and returns its result', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO parents VALUES ($1, $2)', [1, 'committed']);
      const { rows } = await tx.query<{ n: number }>('SELECT count(*) AS n FROM parents');
      return rows[0]?.n;
    });
    expect(result).toBe(1);
    const { rows } = await db.query('SELECT name FROM parents WHERE id = 1');
    expect(rows).toEqual([{ name: 'committed' }]);
  });

  it('rolls back when the callback throws, and rethrows the same error', async () => {
    const failure = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO parents VALUES ($1, $2)', [2, 'rolled-back']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    const { rowCount } = await db.query('SELECT 1 FROM parents WHERE id = 2');
    expect(rowCount).toBe(0);
  });

  it('rolls back when a statement fails inside the transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO parents VALUES ($1, $2)', [3, 'first']);
        await tx.query('INSERT INTO parents VALUES ($1, $2)', [4, 'committed']);
      }),
    ).rejects.toBeInstanceOf(UniqueViolationError);
    const { rowCount } = await db.query('SELECT 1 FROM parents WHERE id IN (3, 4)');
    expect(rowCount).toBe(0);
  });

  it('maps unique violations to UniqueViolationError with the constraint, without the value', async () => {
    const value = 'value-that-must-not-leak';
    await db.query('INSERT INTO parents VALUES ($1, $2)', [10, value]);
    const error = await db.query('INSERT INTO parents VALUES ($1, $2)', [11, value]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UniqueViolationError);
    const unique = error as UniqueViolationError;
    expect(unique.code).toBe('unique_violation');
    expect(unique).not.toHaveProperty('statusCode');
    expect(unique.constraint).toBe('parents_name_key');
    expect(unique.table).toBe('parents');
    expect(JSON.stringify({ ...unique, message: unique.message })).not.toContain(value);
    expect(Object.keys(unique)).not.toContain('params');

    const pk = await db.query('INSERT INTO parents VALUES ($1, $2)', [10, 'other']).catch((e: unknown) => e);
    expect((pk as UniqueViolationError).constraint).toBe('parents_pkey');
  });

  it('maps foreign key violations to ForeignKeyViolationError', async () => {
    const error = await db.query('INSERT INTO children VALUES (1, 999)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForeignKeyViolationError);
    expect((error as ForeignKeyViolationError).constraint).toBe('children_parent_fkey');
  });

  it('maps other failures to DatabaseQueryError with the SQLSTATE', async () => {
    const error = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect((error as DatabaseQueryError).sqlState).toBe('42P01');
    expect((error as DatabaseQueryError).message).toContain('no_such_table');
  });

  it('refuses the outer handle inside a transaction and a transaction handle after it ended', async () => {
    await expect(
      db.transaction(async () => {
        await db.query('SELECT 1');
      }),
    ).rejects.toBeInstanceOf(TransactionMisuseError);

    let leaked: { query(sql: string): Promise<unknown> } | undefined;
    await db.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked?.query('SELECT 1')).rejects.toBeInstanceOf(TransactionMisuseError);
    // The handle still works afterwards.
    await expect(db.ping()).resolves.toBeUndefined();
  });

  it('fails with DatabaseUnavailableError once closed', async () => {
    const second = await handle.reopen().catch((e: unknown) => e);
    if (kind === 'pglite') {
      // One process may not open the same embedded database twice.
      expect(second).toBeInstanceOf(DatabaseInUseError);
      return;
    }
    const other = second as Database;
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });
});

describe('Database on pglite: persistence and serialization', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-pglite-db-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('persists data in <dataDir>/pglite across reopen', async () => {
    const first = await openDatabase({ dataDir });
    await first.exec('CREATE TABLE kept (v text)');
    await first.query('INSERT INTO kept VALUES ($1)', ['still here']);
    await first.close();
    expect((await stat(path.join(dataDir, 'pglite'))).isDirectory()).toBe(true);
    await expect(first.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);

    const second = await openDatabase({ dataDir });
    try {
      const { rows } = await second.query('SELECT v FROM kept');
      expect(rows).toEqual([{ v: 'still here' }]);
    } finally {
      await second.close();
    }
  });

  it('refuses a second open while the first is live, and takes over a lock left by a dead process', async () => {
    const first = await openDatabase({ dataDir });
    try {
      const error = await openDatabase({ dataDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseInUseError);
      expect((error as DatabaseInUseError).message).toContain('DATABASE_URL');
    } finally {
      await first.close();
    }
    // A pid that cannot exist (above the Linux maximum): a crashed owner.
    await writeFile(path.join(dataDir, 'pglite.lock'), '2147483646');
    const third = await openDatabase({ dataDir });
    await third.close();
    // Our own pid in a lock we do not hold: left by an earlier run (in a container, every run is pid 1).
    await writeFile(path.join(dataDir, 'pglite.lock'), String(process.pid));
    const fourth = await openDatabase({ dataDir });
    await fourth.close();
  });

  it('lets only one of two simultaneous opens in one process win', async () => {
    const results = await Promise.allSettled([openDatabase({ dataDir }), openDatabase({ dataDir })]);
    const opened = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(opened).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseInUseError);
    await (opened[0] as PromiseFulfilledResult<Database>).value.close();
  });

  it('runs concurrent transactions one after the other, never interleaved', async () => {
    const db = await openDatabase({ dataDir });
    try {
      await db.exec('CREATE TABLE events (seq serial, tx text, step text)');
      const events: string[] = [];
      const work = (name: string) =>
        db.transaction(async (tx) => {
          events.push(`${name}:begin`);
          await tx.query('INSERT INTO events (tx, step) VALUES ($1, $2)', [name, 'one']);
          await sleep(30);
          await tx.query('INSERT INTO events (tx, step) VALUES ($1, $2)', [name, 'two']);
          events.push(`${name}:end`);
        });
      await Promise.all([work('A'), work('B'), work('C')]);

      for (let i = 0; i < events.length; i += 2) {
        const name = events[i]?.split(':')[0];
        expect(events.slice(i, i + 2)).toEqual([`${name}:begin`, `${name}:end`]);
      }
      const { rows } = await db.query<{ tx: string }>('SELECT tx FROM events ORDER BY seq');
      const order = rows.map((row) => row.tx);
      for (let i = 0; i < order.length; i += 2) expect(order[i]).toBe(order[i + 1]);
    } finally {
      await db.close();
    }
  });

  it('does not let a plain query run inside someone else’s transaction (it survives that rollback)', async () => {
    const db = await openDatabase({ dataDir });
    try {
      await db.exec('CREATE TABLE isolated (v text)');
      let markInserted: () => void = () => {};
      const inserted = new Promise<void>((resolve) => {
        markInserted = resolve;
      });
      const concurrent = db.transaction(async (tx) => {
        await tx.query("INSERT INTO isolated VALUES ('inside')");
        markInserted();
        await sleep(30);
        throw new Error('roll back');
      });
      // Sent while the transaction is open and has written a row.
      await inserted;
      const plain = db.query("INSERT INTO isolated VALUES ('outside')");
      await expect(concurrent).rejects.toThrow('roll back');
      await plain;
      const { rows } = await db.query('SELECT v FROM isolated');
      expect(rows).toEqual([{ v: 'outside' }]);
    } finally {
      await db.close();
    }
  });
});

describe('openDatabase options', () => {
  it('rejects schema names that could inject SQL', async () => {
    await expect(
      openDatabase({ dataDir: tmpdir(), databaseUrl: 'postgres://127.0.0.1/test', schema: 'x"; DROP' }),
    ).rejects.toBeInstanceOf(InvalidDatabaseConfigError);
  });

  it('reports an unreachable PostgreSQL as DatabaseUnavailableError without the password', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const db = await openDatabase({
      dataDir: tmpdir(),
      databaseUrl: 'postgres://someone:hunter2-password@127.0.0.1:1/test',
    });
    try {
      const error = await db.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toContain('127.0.0.1:1');
      expect((error as Error).message).not.toContain('hunter2');
      await expect(db.transaction(async () => undefined)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await db.close();
    }
  });
});
