/**
 * Opt-in persistence of a mock state in a Web Storage (`localStorage` by default), for demos that should
 * survive a page reload: restored when set up, saved after each change, forgotten on `reset()`. Saved data
 * that is corrupt, from another version or not the mock's is ignored with a console warning: it never breaks
 * the app.
 */
import type { MockState } from './state.js';

/**
 * The part of the Web Storage API persistence uses: `localStorage`, `sessionStorage` or an in-memory double.
 *
 * @example
 * ```ts
 * const memory = new Map<string, string>();
 * const storage: StorageLike = {
 *   getItem: (key) => memory.get(key) ?? null,
 *   setItem: (key, value) => void memory.set(key, value),
 *   removeItem: (key) => void memory.delete(key),
 * };
 * ```
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Where a mock state is persisted.
 *
 * @example
 * ```ts
 * const options: MockPersistOptions = { key: 'storybook-mtls-mock', storage: sessionStorage };
 * ```
 */
export interface MockPersistOptions {
  /** The storage key (default {@link DEFAULT_PERSIST_KEY}). */
  key?: string;
  /** The storage (default `globalThis.localStorage`). */
  storage?: StorageLike;
}

/**
 * The default storage key of a persisted mock state.
 *
 * @example
 * ```ts
 * localStorage.removeItem(DEFAULT_PERSIST_KEY); // forget the saved demo data
 * ```
 */
export const DEFAULT_PERSIST_KEY = 'mtls-mock';

/**
 * A state's persistence, as {@link persistMockState} set it up.
 *
 * @example
 * ```ts
 * const persistence: MockPersistence = persistMockState(state, { storage: localStorage });
 * if (persistence.restored) console.info('mock data restored from the last session');
 * ```
 */
export interface MockPersistence {
  readonly key: string;
  /** Whether saving works (false when no storage is available). */
  readonly enabled: boolean;
  /** Whether the state was restored from saved data at setup. */
  readonly restored: boolean;
  /** Saves the state now (it is saved after each change anyway). */
  save(): void;
  /** Removes the saved data (`state.reset()` does it too); the next change saves again. */
  clear(): void;
  /** Stops saving; the saved data stays. */
  stop(): void;
}

function warn(message: string): void {
  console.warn(`[mtls-mock] ${message}`);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function defaultStorage(): StorageLike | undefined {
  try {
    // Reading `localStorage` itself throws where storage is blocked (sandboxed iframes, some privacy modes).
    return (globalThis as { localStorage?: StorageLike }).localStorage;
  } catch {
    return undefined;
  }
}

/**
 * Persists `state` in a Web Storage: restores it from the saved data now (when there is valid data under the
 * key), then saves it after each change of the store or the clock, and removes the saved data on
 * `state.reset()`. Saved: certificates (public facts and whether the key material is present), mappings,
 * the id generator's position and the clock offset; not scenarios, calls or the upstream. No secret is saved
 * (the state holds none), but only use test material with a mock.
 *
 * Invalid saved data (not JSON, not a mock state, another format version) is ignored with a `console.warn`
 * and replaced at the next change; a storage that refuses to save (quota) is warned about, once.
 *
 * @example
 * ```ts
 * import { createMockState, persistMockState } from '@mtls-gateway/mock-server';
 *
 * const state = createMockState({ certificates: [{ accountId: 'le1606809', name: 'Cert1' }] });
 * persistMockState(state, { key: 'mtls-mock', storage: localStorage }); // restores the last session's data
 * ```
 */
export function persistMockState(state: MockState, options: MockPersistOptions = {}): MockPersistence {
  const key = options.key ?? DEFAULT_PERSIST_KEY;
  const storage = options.storage ?? defaultStorage();
  if (!storage) {
    warn('No localStorage here: the mock state will not be persisted.');
    return { key, enabled: false, restored: false, save: () => {}, clear: () => {}, stop: () => {} };
  }

  let restored = false;
  let saved: string | null = null;
  try {
    saved = storage.getItem(key);
  } catch (error) {
    warn(`Cannot read the saved mock state under "${key}" (${reason(error)}); starting from the seed.`);
  }
  if (saved !== null) {
    try {
      state.restore(JSON.parse(saved));
      restored = true;
    } catch (error) {
      const why = error instanceof SyntaxError ? 'it is not JSON.' : reason(error);
      warn(
        `Ignoring the data saved under "${key}": ${why} Starting from the seed; it will be replaced at the next change.`,
      );
    }
  }

  let warnedSave = false;
  const save = () => {
    try {
      storage.setItem(key, JSON.stringify(state.snapshot()));
      warnedSave = false;
    } catch (error) {
      if (!warnedSave) warn(`Cannot save the mock state under "${key}": ${reason(error)}`);
      warnedSave = true;
    }
  };
  const clear = () => {
    try {
      storage.removeItem(key);
    } catch (error) {
      warn(`Cannot remove the saved mock state under "${key}": ${reason(error)}`);
    }
  };
  const stop = state.onChange((change) => (change === 'reset' ? clear() : save()));
  return { key, enabled: true, restored, save, clear, stop };
}
