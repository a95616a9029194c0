/**
 * Errors raised by the storage layer. Each kind has its own class and a stable `code`, so callers can tell
 * them apart without parsing messages. They know no HTTP status: the HTTP layer maps them (`http/problem.ts`:
 * an unreachable or busy database is `unavailable`, anything else `internal_error`).
 *
 * Messages never contain query parameters or row values: PostgreSQL's `detail` (e.g. `Key (token_sha256)=(…)`)
 * and PGlite's `params` could carry secrets, so they are dropped on purpose.
 */
export abstract class StorageError extends Error {
  override readonly name: string = 'StorageError';
  /** Stable machine-readable code, e.g. `unique_violation`. */
  abstract readonly code: string;
}

/**
 * A row conflicts with a unique constraint (SQLSTATE 23505).
 *
 * @example
 * ```ts
 * try { await db.query('INSERT INTO certificates …', params); }
 * catch (err) {
 *   if (err instanceof UniqueViolationError && err.constraint === 'certificates_account_name_key') …
 * }
 * ```
 */
export class UniqueViolationError extends StorageError {
  override readonly name = 'UniqueViolationError';
  readonly code = 'unique_violation';

  constructor(
    /** Name of the violated constraint or unique index, when the database reported it. */
    readonly constraint: string | undefined,
    readonly table: string | undefined,
  ) {
    super(
      `A row with the same unique key already exists${constraint ? ` (constraint "${constraint}")` : ''}. ` +
        'Use a different value or update the existing row.',
    );
  }
}

/** A row references a row that does not exist (SQLSTATE 23503). */
export class ForeignKeyViolationError extends StorageError {
  override readonly name = 'ForeignKeyViolationError';
  readonly code = 'foreign_key_violation';

  constructor(
    readonly constraint: string | undefined,
    readonly table: string | undefined,
  ) {
    super(
      `The referenced row does not exist or is still referenced${constraint ? ` (constraint "${constraint}")` : ''}. ` +
        'Create the referenced row first, or remove the rows that point to it.',
    );
  }
}

/**
 * The database cannot be reached (connection refused, shut down, too many connections, closed, not accepting
 * connections, connect or query timeout).
 */
export class DatabaseUnavailableError extends StorageError {
  override readonly name = 'DatabaseUnavailableError';
  readonly code = 'database_unavailable';
}

/** Any other failed statement. `sqlState` is the PostgreSQL error code, when there is one. */
export class DatabaseQueryError extends StorageError {
  override readonly name = 'DatabaseQueryError';
  readonly code = 'database_query_failed';

  constructor(
    message: string,
    readonly sqlState: string | undefined,
  ) {
    super(message);
  }
}

/** The database was migrated by a newer release than this one. */
export class SchemaTooNewError extends StorageError {
  override readonly name = 'SchemaTooNewError';
  readonly code = 'schema_too_new';

  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `The database schema is at version ${databaseVersion} but this release only knows versions up to ` +
        `${knownVersion}. Upgrade mtls-gateway to the release that migrated this database.`,
    );
  }
}

/**
 * The `Database` handle was used where its transaction handle was expected: inside a `transaction()`
 * callback, use the `tx` argument. (On PGlite the outer call would wait for the transaction forever.)
 */
export class TransactionMisuseError extends StorageError {
  override readonly name = 'TransactionMisuseError';
  readonly code = 'transaction_misuse';
}

/** The storage options are invalid (bad schema name, unusable data directory, malformed URL). */
export class InvalidDatabaseConfigError extends StorageError {
  override readonly name = 'InvalidDatabaseConfigError';
  readonly code = 'invalid_database_config';
}

/** The embedded database directory is already opened by another live process. */
export class DatabaseInUseError extends StorageError {
  override readonly name = 'DatabaseInUseError';
  readonly code = 'database_in_use';
}

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  table?: unknown;
  message?: unknown;
}

const unavailableSqlStates = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
const unavailableSocketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Turns an error thrown by `pg` or PGlite into a {@link StorageError}. Values (query parameters, the
 * `detail` line) are deliberately not copied.
 */
export function toStorageError(error: unknown, where: string): StorageError {
  if (error instanceof StorageError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as DriverError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined;
  const table = typeof e.table === 'string' ? e.table : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);

  if (code === '23505') return new UniqueViolationError(constraint, table);
  if (code === '23503') return new ForeignKeyViolationError(constraint, table);
  if (
    (code && (unavailableSqlStates.has(code) || unavailableSocketCodes.has(code) || code.startsWith('08'))) ||
    /Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end|PGlite is closed|timeout exceeded when trying to connect|Query read timeout|is not currently accepting connections/i.test(
      message,
    )
  ) {
    return new DatabaseUnavailableError(
      `The database at ${where} is unavailable (${code ?? message}). ` +
        'Check that it is running and reachable, then retry.',
    );
  }
  const sqlState = code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  return new DatabaseQueryError(
    `Database statement failed${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ${message}`,
    sqlState,
  );
}
