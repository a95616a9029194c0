/**
 * Storage of the reference server: one SQL database over PostgreSQL or embedded PGlite, its migrations,
 * the change log replicas follow, and the coded errors it raises.
 *
 * @example
 * ```ts
 * import { migrate, openDatabase } from './storage/index.js';
 * const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: './data' });
 * await migrate(db);
 * ```
 */

export type {
  ChangeKind,
  ChangeRecord,
  ChangeToRecord,
  ChangeWatcherOptions,
  LocalChange,
} from './change-log.js';
export { ChangeLog, ChangeWatcher } from './change-log.js';
export type {
  Database,
  DatabaseKind,
  OpenDatabaseOptions,
  Queryable,
  QueryResult,
  Transaction,
} from './database.js';
export {
  DatabaseInUseError,
  DatabaseQueryError,
  DatabaseUnavailableError,
  ForeignKeyViolationError,
  InvalidDatabaseConfigError,
  SchemaTooNewError,
  StorageError,
  TransactionMisuseError,
  UniqueViolationError,
} from './errors.js';
export { generateRandomId } from './ids.js';
export type { Migration } from './migrations.js';
export { MAX_RANDOM_ID, migrate, migrations } from './migrations.js';
export { openDatabase } from './open-database.js';
