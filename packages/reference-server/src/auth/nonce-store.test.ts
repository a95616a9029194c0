import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../storage/database.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import { migrate } from '../storage/migrations.js';
import { type TestDatabase, testDatabaseEngines } from '../storage/testing/test-databases.js';
import { NonceStore } from './nonce-store.js';

const EXPIRES_AT = new Date(Date.now() + 10 * 60_000);
const isInsert = (sql: string) => sql.trimStart().startsWith('INSERT INTO oauth_nonces');

/** Passes statements to `db`, counting them and the most inserts in flight at once; `failInserts` fails them. */
function instrumented(db: Queryable) {
  const stats = { inserts: 0, deletes: 0, inFlight: 0, maxInFlight: 0, failInserts: false };
  const queryable: Queryable = {
    async query(sql, params) {
      if (!isInsert(sql)) {
        if (sql.startsWith('DELETE')) stats.deletes += 1;
        return db.query(sql, params);
      }
      stats.inserts += 1;
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        if (stats.failInserts) throw new DatabaseUnavailableError('connection refused');
        return await db.query(sql, params);
      } finally {
        stats.inFlight -= 1;
      }
    },
    exec: (sql) => db.exec(sql),
  };
  return { queryable, stats };
}

let prefix = 0;
/** A consumer key no other test uses, so tests share one table. */
const freshConsumer = () => `ck_test_${++prefix}_${Math.random().toString(36).slice(2)}`;

describe.each(testDatabaseEngines)('NonceStore on $kind', ({ kind, open }) => {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await open();
    db = database.db;
    await migrate(db);
  });
  afterAll(async () => database?.cleanup());

  it('gathers concurrent calls into one statement and accepts each nonce exactly once', async () => {
    const { queryable, stats } = instrumented(db);
    const store = new NonceStore(queryable, { purgeIntervalMs: Number.POSITIVE_INFINITY });
    const consumerKey = freshConsumer();
    // 200 calls over 150 distinct nonces: 50 of them sent twice, the second copy far from the first.
    const nonces = Array.from({ length: 200 }, (_, i) => `n-${i < 150 ? i : (i - 150) * 3}`);
    const results = await Promise.all(
      nonces.map((nonce) => store.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT)),
    );
    expect(stats.inserts).toBe(1);
    const accepted = new Map<string, number>();
    nonces.forEach((nonce, i) => {
      if (results[i]) accepted.set(nonce, (accepted.get(nonce) ?? 0) + 1);
    });
    expect(accepted.size).toBe(150);
    expect([...accepted.values()].every((count) => count === 1)).toBe(true);
    expect(results.filter((result) => result === false)).toHaveLength(50);
    // The first caller of a duplicated nonce owns it.
    expect(results.slice(0, 150).every(Boolean)).toBe(true);

    // A later batch: known nonces are replays, the new one is not.
    const again = await Promise.all([
      store.remember(consumerKey, 'n-0', 1_700_000_000, EXPIRES_AT),
      store.remember(consumerKey, 'n-0', 1_700_000_001, EXPIRES_AT),
      store.remember(consumerKey, 'n-new', 1_700_000_000, EXPIRES_AT),
    ]);
    expect(again).toEqual([false, true, true]);
    expect(stats.inserts).toBe(2);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*) AS n FROM oauth_nonces WHERE consumer_key = $1',
      [consumerKey],
    );
    expect(rows[0]?.n).toBe(152);
  });

  it('round-trips nonces that need quoting in an array literal', async () => {
    const store = new NonceStore(db, { purgeIntervalMs: Number.POSITIVE_INFINITY });
    const consumerKey = `${freshConsumer()},"{x}"`;
    const nonces = ['NULL', 'null', 'a,b', '"q"', 'back\\slash', '{br}', 'sp ace', "it's", 'é€😀', ''];
    const first = await Promise.all(
      nonces.map((nonce) => store.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT)),
    );
    expect(first).toEqual(nonces.map(() => true));
    const replay = await Promise.all(
      nonces.map((nonce) => store.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT)),
    );
    expect(replay).toEqual(nonces.map(() => false));
    const { rows } = await db.query<{ nonce: string; timestamp: number; expires_at: Date }>(
      'SELECT nonce, "timestamp", expires_at FROM oauth_nonces WHERE consumer_key = $1 ORDER BY nonce',
      [consumerKey],
    );
    expect(rows.map((row) => row.nonce).sort()).toEqual([...nonces].sort());
    expect(rows.every((row) => row.timestamp === 1_700_000_000)).toBe(true);
    expect(rows.every((row) => row.expires_at.getTime() === EXPIRES_AT.getTime())).toBe(true);
  });

  it('sends at most one statement at a time, in batches of at most maxBatchSize', async () => {
    const { queryable, stats } = instrumented(db);
    const store = new NonceStore(queryable, { purgeIntervalMs: Number.POSITIVE_INFINITY, maxBatchSize: 4 });
    const consumerKey = freshConsumer();
    const nonces = Array.from({ length: 22 }, (_, i) => `n-${i % 11}`);
    const results = await Promise.all(
      nonces.map((nonce) => store.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT)),
    );
    expect(stats.maxInFlight).toBe(1);
    expect(stats.inserts).toBeGreaterThanOrEqual(5);
    expect(results.slice(0, 11).every(Boolean)).toBe(true);
    expect(results.slice(11).some(Boolean)).toBe(false);
  });

  it('a failing statement rejects every caller of its batch with its error, and the next batch works', async () => {
    const { queryable, stats } = instrumented(db);
    const store = new NonceStore(queryable, { purgeIntervalMs: Number.POSITIVE_INFINITY });
    const consumerKey = freshConsumer();
    stats.failInserts = true;
    const calls = ['a', 'b', 'a', 'c'].map((nonce) =>
      store.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.every((result) => result.status === 'rejected')).toBe(true);
    const reasons = settled.map((result) => (result as PromiseRejectedResult).reason);
    expect(reasons[0]).toBeInstanceOf(DatabaseUnavailableError);
    expect(new Set(reasons).size).toBe(1);

    // Nothing was stored, so the same nonces are new once the database is back.
    stats.failInserts = false;
    expect(
      await Promise.all(
        ['a', 'b', 'a'].map((nonce) => store.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT)),
      ),
    ).toEqual([true, true, false]);
  });

  it('refuses values the table cannot hold without failing the rest of the batch', async () => {
    const store = new NonceStore(db, { purgeIntervalMs: Number.POSITIVE_INFINITY });
    const consumerKey = freshConsumer();
    const [bad, badTimestamp, badDate, good] = await Promise.allSettled([
      store.remember(consumerKey, 'nul\0', 1_700_000_000, EXPIRES_AT),
      store.remember(consumerKey, 'n', 1.5, EXPIRES_AT),
      store.remember(consumerKey, 'n', 1_700_000_000, new Date(Number.NaN)),
      store.remember(consumerKey, 'n', 1_700_000_000, EXPIRES_AT),
    ]);
    expect(bad).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(badTimestamp).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(badDate).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(good).toEqual({ status: 'fulfilled', value: true });
  });

  it('two replicas remembering the same nonces at once accept each exactly once', async () => {
    // PostgreSQL: a second pool, as another process would have; PGlite has one connection per process.
    const otherDb = kind === 'postgres' ? await database.reopen() : db;
    const replicaA = new NonceStore(db, { purgeIntervalMs: Number.POSITIVE_INFINITY, maxBatchSize: 500 });
    const replicaB = new NonceStore(otherDb, {
      purgeIntervalMs: Number.POSITIVE_INFINITY,
      maxBatchSize: 500,
    });
    const consumerKey = freshConsumer();
    const nonces = Array.from({ length: 500 }, (_, i) => `n-${i}`);
    const [onA, onB] = await Promise.all([
      Promise.all(nonces.map((nonce) => replicaA.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT))),
      // In the opposite order: the rows must still be locked in one order, or the two statements deadlock.
      Promise.all(
        nonces.toReversed().map((nonce) => replicaB.remember(consumerKey, nonce, 1_700_000_000, EXPIRES_AT)),
      ).then((results) => results.toReversed()),
    ]);
    nonces.forEach((_, i) => {
      expect(Number(onA[i]) + Number(onB[i])).toBe(1);
    });
  });

  it('purges expired nonces at most once per interval', async () => {
    let now = Date.now();
    const { queryable, stats } = instrumented(db);
    const store = new NonceStore(queryable, { purgeIntervalMs: 60_000, now: () => now });
    const consumerKey = freshConsumer();
    await store.remember(consumerKey, 'old', 1, new Date(now - 1));
    expect(stats.deletes).toBe(1);
    await Promise.all([
      store.remember(consumerKey, 'n-1', 1, EXPIRES_AT),
      store.remember(consumerKey, 'n-2', 1, EXPIRES_AT),
    ]);
    expect(stats.deletes).toBe(1);
    now += 60_000;
    // The purge runs before the nonce is recorded, and removes the expired one.
    expect(await store.remember(consumerKey, 'old', 1, new Date(now + 60_000))).toBe(true);
    expect(stats.deletes).toBe(2);
  });
});
