import { EventEmitter } from 'node:events';
import type { Queryable, Transaction } from './database.js';

/**
 * The change log: how every replica learns of certificate and mapping changes. A change is written to the
 * `change_log` table in the transaction of the change itself ({@link ChangeLog.record}); the process that
 * made it is told as soon as it commits ({@link ChangeLog.subscribe}); every replica follows the table
 * ({@link ChangeWatcher}) to drop cached certificates, connection pools and mapping lookups within a second.
 */

/**
 * Kinds written to `change_log.kind`.
 *
 * @example
 * ```ts
 * const kind: ChangeKind = 'certificate.updated';
 * ```
 */
export type ChangeKind =
  | 'certificate.created'
  | 'certificate.updated'
  | 'certificate.deleted'
  | 'mapping.created'
  | 'mapping.updated'
  | 'mapping.deleted';

/**
 * A committed change (the facts of its `change_log` row, without the row's id).
 *
 * @example
 * ```ts
 * const change: LocalChange = { accountId: 'le1', kind: 'certificate.deleted', certificateId: 42, mappingId: null };
 * ```
 */
export interface LocalChange {
  accountId: string;
  kind: ChangeKind;
  certificateId: number | null;
  mappingId: number | null;
}

/**
 * One row of `change_log`.
 *
 * @example
 * ```ts
 * const record: ChangeRecord = { id: 7, accountId: 'le1', kind: 'mapping.created', certificateId: 42, mappingId: 9 };
 * ```
 */
export interface ChangeRecord extends LocalChange {
  id: number;
}

/** A change to record: the certificate and mapping it concerns, when there is one. */
export interface ChangeToRecord {
  accountId: string;
  kind: ChangeKind;
  certificateId?: number | null | undefined;
  mappingId?: number | null | undefined;
}

/**
 * The change log of one app: writes `change_log` rows and tells this app's listeners of each change once it
 * is committed. One per app (the composition root builds it), so two apps in one process do not hear each
 * other: they learn of each other's changes as any other replica does, through a {@link ChangeWatcher}.
 *
 * @example
 * ```ts
 * const changes = new ChangeLog();
 * const unsubscribe = changes.subscribe((change) => engine.applyChanges([{ id: 0, ...change }]));
 * await db.transaction(async (tx) => {
 *   await tx.query('UPDATE certificates …');
 *   await changes.record(tx, { accountId, certificateId, kind: 'certificate.updated' });
 * });
 * ```
 */
export class ChangeLog {
  readonly #feed = new EventEmitter().setMaxListeners(0);

  /**
   * Writes the change-log row replicas poll, inside the transaction of the change itself; this app's
   * listeners hear of it once the transaction has committed (other replicas within a second).
   */
  async record(tx: Transaction, change: ChangeToRecord): Promise<void> {
    const committed: LocalChange = {
      accountId: change.accountId,
      kind: change.kind,
      certificateId: change.certificateId ?? null,
      mappingId: change.mappingId ?? null,
    };
    await tx.query(
      'INSERT INTO change_log (account_id, certificate_id, mapping_id, kind) VALUES ($1, $2, $3, $4)',
      [committed.accountId, committed.certificateId, committed.mappingId, committed.kind],
    );
    tx.afterCommit(() => this.#feed.emit('change', committed));
  }

  /** Calls `listener` for every change this app commits; returns the function that unsubscribes. */
  subscribe(listener: (change: LocalChange) => void): () => void {
    this.#feed.on('change', listener);
    return () => {
      this.#feed.off('change', listener);
    };
  }
}

/** Options of {@link ChangeWatcher}. */
export interface ChangeWatcherOptions {
  db: Queryable;
  /** Receives every change once, in id order within a poll. */
  onChanges: (changes: readonly ChangeRecord[]) => void;
  /** Poll interval. Default 250 ms. */
  intervalMs?: number | undefined;
  /**
   * How far back each poll re-reads (by the database's clock), to catch rows whose id was taken before a
   * newer row's but committed after it. Default 10 s: longer than any certificate or mapping transaction.
   */
  rereadWindowSeconds?: number | undefined;
  /**
   * How recent the last successful poll must be for {@link ChangeWatcher.isCurrent}. Default 750 ms, so a
   * change is honoured on this replica within 1 s of its commit even when polls are late.
   */
  maxStalenessMs?: number | undefined;
  /** Called when a poll fails (the watcher keeps polling). */
  onError?: ((error: unknown) => void) | undefined;
}

interface ChangeRow {
  id: number | string;
  account_id: string;
  certificate_id: number | string | null;
  mapping_id: number | string | null;
  kind: ChangeKind;
}

/**
 * Follows `change_log` so every replica notices certificate and mapping changes made by any replica
 * within a second. Each poll reads rows past the cursor plus the last few seconds again (ids are taken at
 * INSERT but become visible at COMMIT, so a lower id can appear after a higher one), and de-duplicates by id.
 *
 * Callers that cache must check {@link isCurrent} before trusting their cache: it is true only while the
 * last successful poll *started* less than `maxStalenessMs` ago — every change committed before that start
 * has been delivered.
 *
 * @example
 * ```ts
 * const watcher = new ChangeWatcher({ db, onChanges: (changes) => changes.forEach(dropCaches) });
 * await watcher.start();
 * if (watcher.isCurrent()) useCache();
 * await watcher.stop();
 * ```
 */
export class ChangeWatcher {
  readonly #db: Queryable;
  readonly #onChanges: (changes: readonly ChangeRecord[]) => void;
  readonly #intervalMs: number;
  readonly #windowSeconds: number;
  readonly #maxStalenessMs: number;
  readonly #onError: (error: unknown) => void;
  /** Ids delivered recently, with when they were seen (local monotonic ms), pruned after the window. */
  readonly #seen = new Map<number, number>();
  #cursor = 0;
  #lastPollStartedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ChangeWatcherOptions) {
    this.#db = options.db;
    this.#onChanges = options.onChanges;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#windowSeconds = options.rereadWindowSeconds ?? 10;
    this.#maxStalenessMs = options.maxStalenessMs ?? 750;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** True while cached lookups reflect every change committed up to `maxStalenessMs` ago. */
  isCurrent(): boolean {
    return !this.#stopped && performance.now() - this.#lastPollStartedAt < this.#maxStalenessMs;
  }

  /** Reads the current end of the log (nothing before it is delivered), then polls every interval. */
  async start(): Promise<void> {
    const startedAt = performance.now();
    const { rows: end } = await this.#db.query<{ max: number | string | null }>(
      'SELECT max(id) AS max FROM change_log',
    );
    // Rows of the re-read window are history: the caches they would invalidate are still empty.
    const { rows } = await this.#db.query<{ id: number | string }>(
      'SELECT id FROM change_log WHERE created_at > now() - make_interval(secs => $1)',
      [this.#windowSeconds],
    );
    this.#cursor = Number(end[0]?.max ?? 0);
    for (const row of rows) this.#seen.set(Number(row.id), startedAt);
    this.#lastPollStartedAt = startedAt;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.poll()
        .then(
          () => undefined,
          (error: unknown) => this.#onError(error),
        )
        .finally(() => {
          this.#running = undefined;
          this.#schedule();
        });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** One poll: delivers the changes not seen yet and returns them. */
  async poll(): Promise<ChangeRecord[]> {
    const startedAt = performance.now();
    const { rows } = await this.#db.query<ChangeRow>(
      `SELECT id, account_id, certificate_id, mapping_id, kind FROM change_log
       WHERE id > $1 OR created_at > now() - make_interval(secs => $2)
       ORDER BY id`,
      [this.#cursor, this.#windowSeconds],
    );
    const fresh: ChangeRecord[] = [];
    for (const row of rows) {
      const id = Number(row.id);
      if (id > this.#cursor) this.#cursor = id;
      if (this.#seen.has(id)) continue;
      this.#seen.set(id, startedAt);
      fresh.push({
        id,
        accountId: row.account_id,
        certificateId: row.certificate_id === null ? null : Number(row.certificate_id),
        mappingId: row.mapping_id === null ? null : Number(row.mapping_id),
        kind: row.kind,
      });
    }
    // Ids older than twice the window can no longer come back through the re-read.
    const forgetBefore = startedAt - 2 * this.#windowSeconds * 1000;
    for (const [id, seenAt] of this.#seen) if (seenAt < forgetBefore) this.#seen.delete(id);
    if (fresh.length > 0) this.#onChanges(fresh);
    this.#lastPollStartedAt = Math.max(this.#lastPollStartedAt, startedAt);
    return fresh;
  }

  /** Stops polling (waits for a poll in progress). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
