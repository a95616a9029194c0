import type { Queryable } from '../database.js';
import { DatabaseUnavailableError } from '../errors.js';

/**
 * A {@link Queryable} over `db` that holds the first statement `matches` selects, once it ran, until
 * `release()`: `reached` resolves when it is held. For races between a read and a write.
 *
 * @example
 * ```ts
 * const held = holdingQueryable(db, (sql) => sql.includes('FROM api_tokens'));
 * const lookup = store.findActive(token); await held.reached; await store.revoke(id); held.release();
 * ```
 */
export function holdingQueryable(
  db: Queryable,
  matches: (sql: string) => boolean,
): { queryable: Queryable; reached: Promise<void>; release: () => void } {
  let holding = true;
  let reach: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const queryable: Queryable = {
    async query<T>(sql: string, params?: readonly unknown[]) {
      const result = await db.query<T>(sql, params);
      if (holding && matches(sql)) {
        holding = false;
        reach();
        await released;
      }
      return result;
    },
    exec: (sql) => db.exec(sql),
  };
  return { queryable, reached, release };
}

/**
 * A {@link Queryable} over `db` whose statements fail with {@link DatabaseUnavailableError} while `down` is set.
 *
 * @example
 * ```ts
 * const database = switchableQueryable(db);
 * database.down = true; // every query now rejects as an outage would
 * ```
 */
export function switchableQueryable(db: Queryable): { queryable: Queryable; down: boolean } {
  const state: { queryable: Queryable; down: boolean } = {
    down: false,
    queryable: {
      query: (sql, params) =>
        state.down
          ? Promise.reject(new DatabaseUnavailableError('connection refused'))
          : db.query(sql, params),
      exec: (sql) => db.exec(sql),
    },
  };
  return state;
}
