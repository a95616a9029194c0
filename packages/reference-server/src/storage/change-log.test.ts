import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeLog, type ChangeRecord, ChangeWatcher, type LocalChange } from './change-log.js';
import type { Database } from './database.js';
import { migrate } from './migrations.js';
import { openTestPglite, openTestPostgres, type TestDatabase } from './testing/test-databases.js';

async function insertChange(db: Pick<Database, 'query'>, certificateId: number): Promise<void> {
  await db.query(
    "INSERT INTO change_log (account_id, certificate_id, kind) VALUES ('le1', $1, 'certificate.updated')",
    [certificateId],
  );
}

describe('ChangeWatcher (PostgreSQL)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestPostgres();
    await migrate(database.db);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it('starts at the end of the log and delivers each later change once', async () => {
    const { db } = database;
    await insertChange(db, 1);
    const delivered: ChangeRecord[] = [];
    const watcher = new ChangeWatcher({
      db,
      intervalMs: 10_000,
      onChanges: (changes) => delivered.push(...changes),
    });
    await watcher.start();
    expect(watcher.isCurrent()).toBe(true);
    await insertChange(db, 2);
    await watcher.poll();
    await watcher.poll();
    expect(delivered.map((change) => change.certificateId)).toEqual([2]);
    expect(delivered[0]).toMatchObject({ accountId: 'le1', kind: 'certificate.updated', mappingId: null });
    await watcher.stop();
    expect(watcher.isCurrent()).toBe(false);
  });

  it('catches a row whose id was taken before a newer row but committed after it', async () => {
    const { db } = database;
    const delivered: number[] = [];
    const watcher = new ChangeWatcher({
      db,
      intervalMs: 10_000,
      onChanges: (changes) => delivered.push(...changes.map((change) => change.certificateId ?? 0)),
    });
    await watcher.start();

    let commitSlow: () => void = () => undefined;
    const slowCommitted = db.transaction(async (tx) => {
      await insertChange(tx, 10); // takes the lower id…
      await new Promise<void>((resolve) => {
        commitSlow = resolve;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await insertChange(db, 11); // …this one commits first with a higher id
    await watcher.poll();
    expect(delivered).toEqual([11]);

    commitSlow();
    await slowCommitted;
    await watcher.poll();
    await watcher.poll();
    expect(delivered).toEqual([11, 10]);
    await watcher.stop();
  });

  it('polls by itself and reports itself current only while polls succeed', async () => {
    const { db } = database;
    const delivered: number[] = [];
    const watcher = new ChangeWatcher({
      db,
      intervalMs: 20,
      maxStalenessMs: 200,
      onChanges: (changes) => delivered.push(...changes.map((change) => change.certificateId ?? 0)),
    });
    await watcher.start();
    await insertChange(db, 21);
    const deadline = performance.now() + 2_000;
    while (!delivered.includes(21) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(delivered).toContain(21);
    expect(watcher.isCurrent()).toBe(true);
    await watcher.stop();
  });

  it('is not current when polling fails', async () => {
    const failing = {
      query: async () => {
        throw new Error('database down');
      },
    } as unknown as Database;
    const errors: unknown[] = [];
    const watcher = new ChangeWatcher({
      db: failing,
      onChanges: () => undefined,
      onError: (error) => errors.push(error),
    });
    await expect(watcher.start()).rejects.toThrow('database down');
    expect(watcher.isCurrent()).toBe(false);
    await expect(watcher.poll()).rejects.toThrow('database down');
    expect(watcher.isCurrent()).toBe(false);
  });
});

describe('ChangeLog', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestPglite();
    await migrate(database.db);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it('writes the row in the transaction and tells its own listeners once committed, never after a rollback', async () => {
    const { db } = database;
    const changes = new ChangeLog();
    const other = new ChangeLog();
    const heard: LocalChange[] = [];
    const unsubscribe = changes.subscribe((change) => heard.push(change));
    const otherHeard: LocalChange[] = [];
    other.subscribe((change) => otherHeard.push(change));

    await db.transaction(async (tx) => {
      await changes.record(tx, { accountId: 'le1', certificateId: 7, kind: 'certificate.deleted' });
      expect(heard).toEqual([]);
    });
    expect(heard).toEqual([
      { accountId: 'le1', kind: 'certificate.deleted', certificateId: 7, mappingId: null },
    ]);
    // Another app's change log (another composition root) does not hear it: it polls like any replica.
    expect(otherHeard).toEqual([]);

    await db
      .transaction(async (tx) => {
        await changes.record(tx, { accountId: 'le1', mappingId: 9, kind: 'mapping.deleted' });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(heard).toHaveLength(1);
    const { rows } = await db.query<{
      kind: string;
      certificate_id: number | null;
      mapping_id: number | null;
    }>("SELECT kind, certificate_id, mapping_id FROM change_log WHERE account_id = 'le1' ORDER BY id");
    expect(rows).toEqual([{ kind: 'certificate.deleted', certificate_id: 7, mapping_id: null }]);

    unsubscribe();
    await db.transaction((tx) =>
      changes.record(tx, { accountId: 'le1', kind: 'mapping.created', mappingId: 1 }),
    );
    expect(heard).toHaveLength(1);
  });
});
