import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import {
  type Database,
  guardTransactionHandle,
  type OpenDatabaseOptions,
  parseInt8,
  type QueryResult,
  quoteSchemaName,
  runAfterCommit,
  type Transaction,
  TransactionGuard,
} from './database.js';
import { DatabaseInUseError, DatabaseUnavailableError, toStorageError } from './errors.js';

/** Folder of the embedded database inside the data directory. */
export const PGLITE_FOLDER = 'pglite';
const LOCK_FILE = 'pglite.lock';

function parseBytea(text: string): Buffer {
  // PostgreSQL's hex output format: \x0a1b…
  return Buffer.from(text.startsWith('\\x') ? text.slice(2) : text, 'hex');
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files held by this process (a pid match alone is not proof: in a container every restart is pid 1). */
const heldLocks = new Set<string>();

/**
 * Takes `<dataDir>/pglite.lock`. PGlite has no lock of its own, and two processes writing the same folder
 * corrupt it. A lock left by a process that is gone (or by an earlier run with our pid) is taken over.
 */
async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  const inUse = (owner: number) =>
    new DatabaseInUseError(
      `The embedded database in ${path.dirname(lockPath)} is in use by process ${owner}` +
        `${owner === process.pid ? ' (this process)' : ''}. Stop that process first, or share a PostgreSQL ` +
        `server between processes by setting DATABASE_URL. If no such process uses it, delete ${lockPath}.`,
    );
  if (heldLocks.has(lockPath)) throw inUse(process.pid);
  // Claimed before the first await, so two opens in this process cannot both pass the check above.
  heldLocks.add(lockPath);
  const release = async () => {
    heldLocks.delete(lockPath);
    await rm(lockPath, { force: true });
  };
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      // Written to a temporary file and hard-linked into place, so a lock file is never seen half-written.
      const tempPath = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
      try {
        await writeFile(tempPath, String(process.pid), { mode: 0o600, flag: 'wx' });
        await link(tempPath, lockPath);
        return release;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
        // Our own pid in the file is a leftover of an earlier run (heldLocks says it is not ours now).
        const ownerAlive =
          Number.isInteger(owner) && owner > 0 && owner !== process.pid && isProcessAlive(owner);
        if (ownerAlive) throw inUse(owner);
        await rm(lockPath, { force: true });
      } finally {
        await rm(tempPath, { force: true });
      }
    }
  } catch (error) {
    heldLocks.delete(lockPath);
    throw error;
  }
  heldLocks.delete(lockPath);
  throw new DatabaseInUseError(`Could not lock the embedded database (${lockPath}). Retry.`);
}

/** Opens (creating if needed) the PGlite database in `<dataDir>/pglite`. */
export async function openPgliteDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const folder = path.resolve(options.dataDir, PGLITE_FOLDER);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const releaseLock = await acquireLock(path.resolve(options.dataDir, LOCK_FILE));
  const where = `embedded PGlite (${folder})`;

  let pglite: PGlite;
  try {
    pglite = await PGlite.create(folder, {
      parsers: { [types.INT8]: parseInt8, [types.BYTEA]: parseBytea },
    });
    if (options.schema !== undefined) {
      const quoted = quoteSchemaName(options.schema);
      // One connection for the whole process, so a session-level search_path holds for every statement.
      await pglite.exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}; SET search_path TO ${quoted}`);
    }
  } catch (error) {
    await releaseLock();
    throw toStorageError(error, where);
  }

  const guard = new TransactionGuard();
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new DatabaseUnavailableError(`The ${where} database has been closed.`);
  };

  async function run<T>(
    target: Pick<PGlite, 'query'> | Transaction,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<T>> {
    try {
      const result = await (target as Pick<PGlite, 'query'>).query<T>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
    } catch (error) {
      throw toStorageError(error, where);
    }
  }

  async function runScript(target: Pick<PGlite, 'exec'>, sql: string): Promise<void> {
    try {
      await target.exec(sql);
    } catch (error) {
      throw toStorageError(error, where);
    }
  }

  const db: Database = {
    kind: 'pglite',
    schema: options.schema,

    async query<T>(sql: string, params?: readonly unknown[]) {
      ensureOpen();
      guard.assertOutsideTransaction();
      return run<T>(pglite, sql, params);
    },

    async exec(sql: string) {
      ensureOpen();
      guard.assertOutsideTransaction();
      return runScript(pglite, sql);
    },

    async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      ensureOpen();
      guard.assertOutsideTransaction();
      // PGlite's transaction() holds its transaction mutex for the whole callback, and its query() waits
      // for that mutex, so neither other transactions nor plain queries can slip in between statements.
      let callbackError: unknown;
      const committed: (() => void)[] = [];
      try {
        const result = await pglite.transaction(async (pgTx) => {
          let open = true;
          const tx = guardTransactionHandle(
            {
              query: <R>(sql: string, params?: readonly unknown[]) => run<R>(pgTx, sql, params),
              exec: (sql: string) => runScript(pgTx, sql),
            },
            () => open,
            committed,
          );
          try {
            return await guard.run(() => fn(tx));
          } catch (error) {
            callbackError = error;
            throw error;
          } finally {
            open = false;
          }
        });
        runAfterCommit(committed);
        return result;
      } catch (error) {
        // Errors of the callback pass through unchanged; driver errors (BEGIN/COMMIT/ROLLBACK) are mapped.
        if (error === callbackError) throw error;
        throw toStorageError(error, where);
      }
    },

    async ping() {
      await db.query('SELECT 1');
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        await releaseLock();
      }
    },
  };
  return db;
}
