import pg from 'pg';
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
import { InvalidDatabaseConfigError, toStorageError } from './errors.js';

const INT8_OID = 20;

// Per-pool type parsers, so this module never changes pg's process-wide defaults for other users of `pg`.
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads cannot be named generically here.
    return pg.types.getTypeParser(oid, format as any);
  },
} as pg.CustomTypesConfig;

/** `host:port/database` of a connection string, without credentials, for error messages. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `postgres://${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    throw new InvalidDatabaseConfigError(
      'DATABASE_URL is not a valid URL. Use the form postgres://user:password@host:5432/database.',
    );
  }
}

/**
 * Opens a `pg.Pool`. With `schema`, every connection gets `search_path` set at connect time (a startup
 * parameter, so no connection is ever used before it applies).
 */
export async function openPostgresDatabase(
  options: OpenDatabaseOptions & { databaseUrl: string },
): Promise<Database> {
  const where = describeDatabaseUrl(options.databaseUrl);
  const quotedSchema = options.schema === undefined ? undefined : quoteSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    // Well under the request timeouts, so an unreachable server is a prompt 503, not a hang.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'mtls-gateway',
    types: typeParsers,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  pool.on('error', (error) => options.onBackgroundError?.(toStorageError(error, where)));

  const guard = new TransactionGuard();

  async function run<T>(client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) {
    try {
      const raw: pg.QueryResult | pg.QueryResult[] = await client.query(sql, params as unknown[] | undefined);
      // A script of several statements answers one result per statement; report the last one.
      const result = Array.isArray(raw) ? raw.at(-1) : raw;
      const rows = (result?.rows ?? []) as T[];
      return { rows, rowCount: result?.rowCount ?? rows.length };
    } catch (error) {
      throw toStorageError(error, where);
    }
  }

  const db: Database = {
    kind: 'postgres',
    schema: options.schema,

    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      guard.assertOutsideTransaction();
      return run<T>(pool, sql, params);
    },

    async exec(sql: string): Promise<void> {
      guard.assertOutsideTransaction();
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await run(pool, sql);
    },

    async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      guard.assertOutsideTransaction();
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toStorageError(error, where);
      }
      let open = true;
      let broken: Error | undefined;
      // pg-pool listens for errors of idle clients only: a checked-out connection that the server terminates
      // between two statements (pg_terminate_backend, a restart) would otherwise throw an uncaught 'error'.
      const onConnectionError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onConnectionError);
      const committed: (() => void)[] = [];
      const tx = guardTransactionHandle(
        {
          query: <R>(sql: string, params?: readonly unknown[]) => run<R>(client, sql, params),
          exec: async (sql: string) => {
            await run(client, sql);
          },
        },
        () => open,
        committed,
      );
      try {
        await run(client, 'BEGIN');
        const result = await guard.run(() => fn(tx));
        await run(client, 'COMMIT');
        open = false;
        runAfterCommit(committed);
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable; destroy it instead of returning it to the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        open = false;
        client.off('error', onConnectionError);
        client.release(broken);
      }
    },

    async ping(): Promise<void> {
      await run(pool, 'SELECT 1');
    },

    async close(): Promise<void> {
      if (!pool.ended) await pool.end();
    },
  };

  if (quotedSchema !== undefined) {
    try {
      await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
    } catch (error) {
      // Two replicas creating the schema at the same moment: one wins, the other sees a duplicate.
      const sqlState = (error as { sqlState?: string }).sqlState;
      const isDuplicate = (error as { code?: string }).code === 'unique_violation' || sqlState === '42P06';
      if (!isDuplicate) {
        await pool.end();
        throw error;
      }
    }
  }
  return db;
}
