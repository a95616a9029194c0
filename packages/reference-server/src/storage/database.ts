import { AsyncLocalStorage } from 'node:async_hooks';
import { InvalidDatabaseConfigError, TransactionMisuseError } from './errors.js';

/**
 * The database as the server sees it — one interface over PostgreSQL (`postgres.ts`) and embedded PGlite
 * (`pglite.ts`) — and the pieces both engines share. `openDatabase` (`open-database.ts`) picks the engine.
 */

/** Which engine serves a {@link Database}. */
export type DatabaseKind = 'postgres' | 'pglite';

/** Rows and affected-row count of one statement. */
export interface QueryResult<T> {
  rows: T[];
  /** Rows returned (SELECT) or affected (INSERT/UPDATE/DELETE). */
  rowCount: number;
}

/**
 * Something statements can be sent to: the database itself or an open transaction.
 *
 * Column values come back the same way on both engines: `bigint` columns as JS numbers (ids stay below
 * 2^53; a larger value comes back as a JS `bigint`), `bytea` as `Buffer`, `timestamptz` as `Date`,
 * `text[]` as `string[]`, `numeric` as string.
 */
export interface Queryable {
  /**
   * Runs one statement with `$1…$n` parameters.
   * @throws {UniqueViolationError} on SQLSTATE 23505, {@link ForeignKeyViolationError} on 23503,
   *   {@link DatabaseUnavailableError} when the server cannot be reached, else {@link DatabaseQueryError}.
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** The handle a {@link Database.transaction} callback receives. Valid only until the callback settles. */
export interface Transaction extends Queryable {
  /**
   * Runs `callback` once the transaction has committed (never after a rollback), e.g. to tell this process
   * about a change the moment other connections can see it. Errors of the callback are ignored.
   */
  afterCommit(callback: () => void): void;
}

/** Runs the callbacks a transaction collected with {@link Transaction.afterCommit}, after its COMMIT. */
export function runAfterCommit(callbacks: readonly (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch {
      // The data is committed; a failing listener must not turn that into an error.
    }
  }
}

/**
 * One SQL database, PostgreSQL or embedded PGlite, with the same SQL and the same value types.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: './data' }); // open-database.ts
 * await migrate(db);
 * const id = await db.transaction(async (tx) => {
 *   const { rows } = await tx.query<{ id: number }>('INSERT INTO … RETURNING id', [..]);
 *   return rows[0]?.id;
 * });
 * await db.close();
 * ```
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** The schema the tables live in, when one was chosen; otherwise the server's default search path. */
  readonly schema: string | undefined;
  /**
   * Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is rethrown).
   * Transactions never interleave on PGlite (a single connection): they run one after the other, and plain
   * queries wait for the running transaction. Inside `fn`, use `tx`, not the database handle (that throws
   * {@link TransactionMisuseError}).
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query (for readiness probes). */
  ping(): Promise<void>;
  /** Closes the pool / the embedded database. Further calls fail with {@link DatabaseUnavailableError}. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** PostgreSQL connection string (`DATABASE_URL`). Unset → embedded PGlite in `<dataDir>/pglite`. */
  databaseUrl?: string | undefined;
  /** Data directory (`MTLS_DATA_DIR`); the embedded database lives in its `pglite` folder. */
  dataDir: string;
  /** Schema to create (if missing) and use as `search_path`. Letters, digits and `_` only. */
  schema?: string | undefined;
  /** Maximum PostgreSQL connections of this process. Default 10. Ignored by PGlite. */
  maxConnections?: number | undefined;
  /** Called with errors of idle pool connections (which would otherwise crash the process). */
  onBackgroundError?: ((error: Error) => void) | undefined;
}

const schemaNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Validates a schema name and returns it double-quoted for SQL. */
export function quoteSchemaName(schema: string): string {
  if (!schemaNamePattern.test(schema)) {
    throw new InvalidDatabaseConfigError(
      `Invalid schema name "${schema}". Use 1–63 letters, digits or underscores, not starting with a digit.`,
    );
  }
  return `"${schema}"`;
}

/**
 * Parses an `int8` text value: a JS number when it is a safe integer (every id of this server), else a
 * `bigint` so no precision is lost silently.
 */
export function parseInt8(text: string): number | bigint {
  const asNumber = Number(text);
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt(text);
}

interface TransactionScope {
  active: boolean;
}

/**
 * Detects use of the outer database handle inside a transaction callback. On PGlite such a call would wait
 * for the transaction that is waiting for it; on PostgreSQL it would silently run outside the transaction.
 */
export class TransactionGuard {
  readonly #scope = new AsyncLocalStorage<TransactionScope>();

  /** Throws when called from inside a running transaction callback of this database. */
  assertOutsideTransaction(): void {
    if (this.#scope.getStore()?.active) {
      throw new TransactionMisuseError(
        'This statement was sent through the database handle from inside a transaction callback. ' +
          'Use the transaction handle passed to the callback instead.',
      );
    }
  }

  /** Runs `fn` marked as being inside a transaction; the mark ends when `fn` settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const scope: TransactionScope = { active: true };
    try {
      return await this.#scope.run(scope, fn);
    } finally {
      scope.active = false;
    }
  }
}

/**
 * Wraps a transaction handle so it refuses work after the transaction ended (a pooled connection would
 * otherwise run the statement for whoever holds the connection next).
 */
export function guardTransactionHandle(
  tx: Queryable,
  isOpen: () => boolean,
  afterCommit: (() => void)[],
): Transaction {
  const ensureOpen = () => {
    if (!isOpen()) {
      throw new TransactionMisuseError(
        'This transaction has already ended. Run further statements in a new transaction.',
      );
    }
  };
  return {
    async query(sql, params) {
      ensureOpen();
      return tx.query(sql, params);
    },
    async exec(sql) {
      ensureOpen();
      return tx.exec(sql);
    },
    afterCommit(callback) {
      ensureOpen();
      afterCommit.push(callback);
    },
  };
}
