import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database, Queryable } from '../storage/database.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import { migrate } from '../storage/index.js';
import { holdingQueryable, switchableQueryable } from '../storage/testing/queryables.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import { ApiTokenStore } from './api-tokens.js';
import { STALE_IF_UNAVAILABLE_MS } from './verified-cache.js';

describe('ApiTokenStore cache', () => {
  let database: TestDatabase;
  let db: Database;
  let queries = 0;
  // Counts the statements a store sends, to see which lookups reach the database.
  const counting: Queryable = {
    query: (sql, params) => {
      queries += 1;
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };

  beforeAll(async () => {
    database = await openTestPglite();
    db = database.db;
    await migrate(db);
  });
  afterAll(async () => {
    await database.cleanup();
  });

  test('a lookup that raced with a revoke through the store is not cached', async () => {
    // The lookup reads the row while it is still active, and is held until the revoke has finished.
    const held = holdingQueryable(
      db,
      (sql) => sql.includes('FROM api_tokens') && sql.includes('token_sha256'),
    );
    const store = new ApiTokenStore(held.queryable, { cacheTtlMs: 60_000 });
    const { id, token } = await store.create({ accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] });
    const before = store.findActive(token);
    await held.reached;
    expect(await store.revoke(id)).toBe(true);
    held.release();
    expect(await before).toBeDefined();
    expect(await store.findActive(token)).toBeUndefined();
  });

  test('while the database is unreachable, a token verified in the last 5 minutes still works', async () => {
    let now = 5_000_000;
    const database = switchableQueryable(db);
    const store = new ApiTokenStore(database.queryable, { cacheTtlMs: 1_000, now: () => now });
    const { token } = await store.create({ accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] });
    const { token: neverSeen } = await store.create({
      accounts: ['le1'],
      permissions: ['MTLS_READ_INTERNAL'],
    });
    expect(await store.findActive(token)).toMatchObject({ accounts: ['le1'] });
    database.down = true;
    now += 60_000;
    expect(await store.findActive(token)).toMatchObject({ accounts: ['le1'] });
    // Never verified: the outage cannot vouch for it.
    await expect(store.findActive(neverSeen)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    now += STALE_IF_UNAVAILABLE_MS;
    await expect(store.findActive(token)).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });

  test('a valid token is looked up once per TTL, and an unknown one every time', async () => {
    let now = 1_000_000;
    const store = new ApiTokenStore(counting, { cacheTtlMs: 1_000, now: () => now });
    const { token } = await store.create({ accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] });
    queries = 0;
    expect(await store.findActive(token)).toMatchObject({ accounts: ['le1'] });
    expect(await store.findActive(token)).toMatchObject({ accounts: ['le1'] });
    expect(queries).toBe(1);
    now += 1_001;
    await store.findActive(token);
    expect(queries).toBe(2);

    expect(await store.findActive('mtls_unknown')).toBeUndefined();
    expect(await store.findActive('mtls_unknown')).toBeUndefined();
    expect(queries).toBe(4);
  });

  test('revoked through the same store: refused at once; through another replica: within the TTL', async () => {
    let now = 2_000_000;
    const replicaA = new ApiTokenStore(db, { cacheTtlMs: 1_000, now: () => now });
    const replicaB = new ApiTokenStore(db, { cacheTtlMs: 1_000, now: () => now });
    const { id, token } = await replicaA.create({ accounts: ['*'], permissions: ['MTLS_WRITE_INTERNAL'] });
    expect(await replicaA.findActive(token)).toBeDefined();
    expect(await replicaB.findActive(token)).toBeDefined();

    expect(await replicaA.revoke(id)).toBe(true);
    expect(await replicaA.findActive(token)).toBeUndefined();
    expect(await replicaB.findActive(token)).toBeDefined(); // still cached on the other replica…
    now += 1_001;
    expect(await replicaB.findActive(token)).toBeUndefined(); // …for at most the TTL
  });

  test('an expiring token is not served from the cache past its expiry', async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    let now = Date.now();
    const store = new ApiTokenStore(counting, { cacheTtlMs: 10 * 60_000, now: () => now });
    const { token } = await store.create({
      accounts: ['le1'],
      permissions: ['MTLS_READ_INTERNAL'],
      expiresAt,
    });
    queries = 0;
    await store.findActive(token);
    await store.findActive(token);
    expect(queries).toBe(1);
    now = expiresAt.getTime() + 1; // well within the cache TTL, but past the token's expiry
    await store.findActive(token);
    expect(queries).toBe(2);
  });
});
