import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';

/**
 * Test helpers: real databases, isolated so test files can run in parallel on one PostgreSQL server.
 * Not part of the build (`testing/` is excluded).
 */

/** PostgreSQL used by tests: `TEST_DATABASE_URL`, else the local server (trust auth, database `test`). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A database opened for a test, and how to get rid of it. */
export interface TestDatabase {
  db: Database;
  /** PGlite: the temporary data directory; PostgreSQL: a temporary directory nothing is written to. */
  dataDir: string;
  /** PostgreSQL only: the unique schema the tables live in. */
  schema?: string;
  /** Opens the same database again (after `db.close()`), e.g. to test persistence. */
  reopen(): Promise<Database>;
  /** Closes every handle opened through this object and deletes the schema / directory. */
  cleanup(): Promise<void>;
}

/** Opens PGlite in a fresh temporary directory. */
export async function openTestPglite(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-pglite-'));
  const handles: Database[] = [];
  const open = async () => {
    const db = await openDatabase({ dataDir });
    handles.push(db);
    return db;
  };
  return {
    db: await open(),
    dataDir,
    reopen: open,
    async cleanup() {
      for (const handle of handles) await handle.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Opens PostgreSQL with a new uniquely named schema as `search_path`. */
export async function openTestPostgres(): Promise<TestDatabase> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mtls-pg-'));
  const handles: Database[] = [];
  const open = async () => {
    const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir, schema });
    handles.push(db);
    return db;
  };
  return {
    db: await open(),
    dataDir,
    schema,
    reopen: open,
    async cleanup() {
      for (const handle of handles) await handle.close();
      await dropSchema(schema);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Drops a test schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Both engines, for `describe.each`. */
export const testDatabaseEngines = [
  { kind: 'pglite' as const, open: openTestPglite },
  { kind: 'postgres' as const, open: openTestPostgres },
];
