import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Keyring, MasterKey } from '../secrets/master-key.js';
import { sealConsumerSecret } from '../secrets/sealed-box.js';
import type { Database, Queryable } from '../storage/database.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import { migrate } from '../storage/index.js';
import { holdingQueryable, switchableQueryable } from '../storage/testing/queryables.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import { OAuthCredentialStore } from './credentials.js';
import { STALE_IF_UNAVAILABLE_MS } from './verified-cache.js';

const SCOPE = { accounts: ['le1'], permissions: ['MTLS_READ_INTERNAL'] };

describe('OAuthCredentialStore cache', () => {
  let database: TestDatabase;
  let db: Database;
  const keyring = new Keyring(MasterKey.generate());
  let lookups = 0;
  // Counts the lookups a store sends, to see which ones reach the database.
  const counting: Queryable = {
    query: (sql, params) => {
      if (sql.includes('FROM oauth_credentials WHERE consumer_key')) lookups += 1;
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };

  beforeAll(async () => {
    database = await openTestPglite();
    db = database.db;
    await migrate(db);
  });
  afterAll(async () => database?.cleanup());

  test('keeps the two-argument constructor, caching for one second by default', async () => {
    const store = new OAuthCredentialStore(counting, () => keyring);
    const { consumerKey, consumerSecret } = await store.create(SCOPE);
    lookups = 0;
    expect(await store.findActive(consumerKey)).toEqual({ consumerKey, consumerSecret, ...SCOPE });
    await store.findActive(consumerKey);
    expect(lookups).toBe(1);
  });

  test('an active credential is looked up once per TTL, an unknown key every time', async () => {
    let now = 1_000_000;
    const store = new OAuthCredentialStore(counting, () => keyring, { cacheTtlMs: 1_000, now: () => now });
    const { consumerKey, consumerSecret } = await store.create(SCOPE);
    lookups = 0;
    expect(await store.findActive(consumerKey)).toEqual({ consumerKey, consumerSecret, ...SCOPE });
    expect(await store.findActive(consumerKey)).toEqual({ consumerKey, consumerSecret, ...SCOPE });
    expect(lookups).toBe(1);
    now += 999;
    await store.findActive(consumerKey);
    expect(lookups).toBe(1);
    now += 1;
    await store.findActive(consumerKey);
    expect(lookups).toBe(2);

    expect(await store.findActive('ck_unknown')).toBeUndefined();
    expect(await store.findActive('ck_unknown')).toBeUndefined();
    expect(lookups).toBe(4);
  });

  test('cacheTtlMs 0 turns the cache off', async () => {
    const store = new OAuthCredentialStore(counting, () => keyring, { cacheTtlMs: 0 });
    const { consumerKey } = await store.create(SCOPE);
    lookups = 0;
    await store.findActive(consumerKey);
    await store.findActive(consumerKey);
    expect(lookups).toBe(2);
  });

  test('revoked through the same store: refused at once; through another replica: within the TTL', async () => {
    let now = 2_000_000;
    const replicaA = new OAuthCredentialStore(db, () => keyring, { cacheTtlMs: 1_000, now: () => now });
    const replicaB = new OAuthCredentialStore(db, () => keyring, { cacheTtlMs: 1_000, now: () => now });
    const { consumerKey } = await replicaA.create(SCOPE);
    expect(await replicaA.findActive(consumerKey)).toBeDefined();
    expect(await replicaB.findActive(consumerKey)).toBeDefined();

    expect(await replicaA.revoke(consumerKey)).toBe(true);
    expect(await replicaA.findActive(consumerKey)).toBeUndefined();
    expect(await replicaB.findActive(consumerKey)).toBeDefined(); // still cached on the other replica…
    now += 1_000;
    expect(await replicaB.findActive(consumerKey)).toBeUndefined(); // …for at most the TTL
  });

  test('a lookup that raced with a revoke through the store is not cached', async () => {
    // The lookup reads the row while it is still active, and is held until the revoke has finished.
    const held = holdingQueryable(db, (sql) => sql.includes('FROM oauth_credentials WHERE consumer_key'));
    const store = new OAuthCredentialStore(held.queryable, () => keyring, { cacheTtlMs: 60_000 });
    const { consumerKey } = await store.create(SCOPE);
    const before = store.findActive(consumerKey);
    await held.reached;
    expect(await store.revoke(consumerKey)).toBe(true);
    held.release();
    expect(await before).toBeDefined();
    expect(await store.findActive(consumerKey)).toBeUndefined();
  });

  test('while the database is unreachable, a credential verified in the last 5 minutes still works', async () => {
    let now = 5_000_000;
    const database = switchableQueryable(db);
    const store = new OAuthCredentialStore(database.queryable, () => keyring, {
      cacheTtlMs: 1_000,
      now: () => now,
    });
    const { consumerKey } = await store.create(SCOPE);
    const { consumerKey: neverSeen } = await store.create(SCOPE);
    const { consumerKey: revokedDuringOutage } = await store.create(SCOPE);
    expect(await store.findActive(consumerKey)).toMatchObject(SCOPE);
    expect(await store.findActive(revokedDuringOutage)).toMatchObject(SCOPE);
    database.down = true;
    now += 60_000;
    expect(await store.findActive(consumerKey)).toMatchObject(SCOPE);
    // Never verified: the outage cannot vouch for it.
    await expect(store.findActive(neverSeen)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    // A revoke through this store that failed may still have committed: the entry is gone.
    await expect(store.revoke(revokedDuringOutage)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(store.findActive(revokedDuringOutage)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    now += STALE_IF_UNAVAILABLE_MS;
    await expect(store.findActive(consumerKey)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    // Other errors are never covered by the cache.
    database.down = false;
    now -= STALE_IF_UNAVAILABLE_MS;
    const broken: Queryable = {
      query: () => Promise.reject(new Error('syntax error')),
      exec: (sql) => db.exec(sql),
    };
    const other = new OAuthCredentialStore(broken, () => keyring, { cacheTtlMs: 0, now: () => now });
    await expect(other.findActive(consumerKey)).rejects.toThrow('syntax error');
  });

  test('an outage does not bring back a credential revoked through the store during a lookup', async () => {
    let now = 7_000_000;
    let down = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reached: () => void = () => undefined;
    const lookupSent = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const failing: Queryable = {
      async query(sql, params) {
        if (!down) return db.query(sql, params);
        if (sql.includes('FROM oauth_credentials WHERE consumer_key')) {
          reached();
          await released;
        }
        throw new DatabaseUnavailableError('connection refused');
      },
      exec: (sql) => db.exec(sql),
    };
    const store = new OAuthCredentialStore(failing, () => keyring, { cacheTtlMs: 1_000, now: () => now });
    const { consumerKey } = await store.create(SCOPE);
    expect(await store.findActive(consumerKey)).toBeDefined();
    down = true;
    now += 2_000;
    const lookup = store.findActive(consumerKey);
    await lookupSent;
    await expect(store.revoke(consumerKey)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    release();
    await expect(lookup).rejects.toBeInstanceOf(DatabaseUnavailableError);
  });

  test('keeps at most 10 000 credentials, dropping the oldest', async () => {
    // A stand-in database answering every key as active, so 10 001 credentials need no real rows.
    const key = keyring.current;
    const asked: string[] = [];
    const everyKeyActive: Queryable = {
      async query<T>(_sql: string, params?: readonly unknown[]) {
        const consumerKey = params?.[0] as string;
        asked.push(consumerKey);
        const row = {
          consumer_key: consumerKey,
          consumer_secret_encrypted: sealConsumerSecret(key, consumerKey, `secret-${consumerKey}`),
          accounts: ['le1'],
          permissions: ['MTLS_READ_INTERNAL'],
        };
        return { rows: [row as T], rowCount: 1 };
      },
      exec: async () => undefined,
    };
    const store = new OAuthCredentialStore(everyKeyActive, () => keyring, { cacheTtlMs: 60_000 });
    for (let i = 0; i <= 10_000; i++) await store.findActive(`ck_${i}`);
    expect(asked).toHaveLength(10_001);
    expect((await store.findActive('ck_10000'))?.consumerSecret).toBe('secret-ck_10000');
    expect((await store.findActive('ck_1'))?.consumerSecret).toBe('secret-ck_1');
    expect(asked).toHaveLength(10_001);
    await store.findActive('ck_0'); // the oldest made room for ck_10000
    expect(asked).toHaveLength(10_002);
  });
});
