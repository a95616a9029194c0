import { EventEmitter } from 'node:events';
import type { ChangeKind } from './migrations.js';

/** A certificate or mapping change committed by this process (the same facts as its `change_log` row). */
export interface LocalChange {
  accountId: string;
  kind: ChangeKind;
  certificateId: number | null;
  mappingId: number | null;
}

// Process-wide: replicas learn of changes by polling change_log within a second, but the process that made
// a change must act on it at once ("never presented again" holds for the very next request). A listener of
// another app in the same process only drops a cache entry it did not need to.
const feed = new EventEmitter().setMaxListeners(0);

/**
 * Announces a committed change to the listeners in this process.
 *
 * @example
 * ```ts
 * tx.afterCommit(() => publishLocalChange({ accountId, kind: 'certificate.deleted', certificateId, mappingId: null }));
 * ```
 */
export function publishLocalChange(change: LocalChange): void {
  feed.emit('change', change);
}

/**
 * Calls `listener` for every change this process commits; returns the function that unsubscribes.
 *
 * @example
 * ```ts
 * const unsubscribe = subscribeLocalChanges((change) => engine.applyChanges([change]));
 * ```
 */
export function subscribeLocalChanges(listener: (change: LocalChange) => void): () => void {
  feed.on('change', listener);
  return () => {
    feed.off('change', listener);
  };
}
