import { type Database, type OpenDatabaseOptions, quoteSchemaName } from './database.js';

/**
 * Opens the database: PostgreSQL when `databaseUrl` is set, else PGlite persisted in `<dataDir>/pglite`.
 * Does not migrate; call `migrate` afterwards. The engines are loaded on demand (PGlite is large); they
 * depend on `database.ts`, never on this module.
 *
 * @example
 * ```ts
 * const db = await openDatabase({ dataDir: process.env.MTLS_DATA_DIR ?? './data' });
 * ```
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.schema !== undefined) quoteSchemaName(options.schema);
  if (options.databaseUrl) {
    const { openPostgresDatabase } = await import('./postgres.js');
    return openPostgresDatabase({ ...options, databaseUrl: options.databaseUrl });
  }
  const { openPgliteDatabase } = await import('./pglite.js');
  return openPgliteDatabase(options);
}
