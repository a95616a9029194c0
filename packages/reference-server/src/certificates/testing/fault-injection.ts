import { SecretStoreUnavailableError } from '../../secrets/errors.js';
import type {
  ListCertificateSecretsOptions,
  SecretContext,
  SecretMaterial,
  SecretStore,
  StoredSecret,
} from '../../secrets/secret-store.js';
import type { Database, Transaction } from '../../storage/database.js';

/**
 * Fault injection for certificate tests. Not part of the build (`testing/` is excluded).
 *
 * - {@link FaultySecretStore}: a real store whose writes can be made to fail (an unreachable Vault).
 * - {@link createCrashWorld}: the database and secret store as one process sees them, which "dies" after
 *   its n-th completed external effect: that effect happens, then it and everything after it throws
 *   {@link SimulatedCrash} without reaching storage, as if the process had exited. An open transaction
 *   rolls back, exactly as when a process's connection drops.
 */

/** Which operations of a {@link FaultySecretStore} fail. */
export interface SecretStoreFaults {
  put?: (ref: string) => boolean;
  delete?: (ref: string) => boolean;
  get?: (ref: string) => boolean;
}

/** A real secret store whose operations fail (503-like) when the configured predicate says so. */
export class FaultySecretStore implements SecretStore {
  faults: SecretStoreFaults = {};
  readonly attemptedPuts: string[] = [];
  readonly attemptedGets: string[] = [];

  constructor(readonly inner: SecretStore) {}

  get kind() {
    return this.inner.kind;
  }

  async put(ref: string, material: SecretMaterial, context: SecretContext): Promise<void> {
    this.attemptedPuts.push(ref);
    if (this.faults.put?.(ref))
      throw new SecretStoreUnavailableError('Injected fault: the secret store is down.');
    return this.inner.put(ref, material, context);
  }

  async get(ref: string, context: SecretContext): Promise<SecretMaterial | undefined> {
    this.attemptedGets.push(ref);
    if (this.faults.get?.(ref))
      throw new SecretStoreUnavailableError('Injected fault: the secret store is down.');
    return this.inner.get(ref, context);
  }

  async delete(ref: string, context: SecretContext): Promise<void> {
    if (this.faults.delete?.(ref))
      throw new SecretStoreUnavailableError('Injected fault: the secret store is down.');
    return this.inner.delete(ref, context);
  }

  health(): Promise<void> {
    return this.inner.health();
  }

  /** Lists through the real store, when it can list. */
  get listCertificateSecrets():
    | ((options: ListCertificateSecretsOptions) => Promise<StoredSecret[]>)
    | undefined {
    const inner = this.inner;
    const list = inner.listCertificateSecrets;
    return list && ((options) => list.call(inner, options));
  }
}

/** Thrown by every operation of a crashed {@link CrashWorld}. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor() {
    super('Simulated process crash');
  }
}

/** Storage as seen by a process that can be made to crash. */
export interface CrashWorld {
  db: Database;
  secrets: SecretStore;
  /** Labels of the effects completed so far (e.g. `query UPDATE certificates …`, `secrets.put`). */
  readonly effects: string[];
  readonly crashed: boolean;
  /** Crash right after the n-th completed effect (1-based); `undefined`: never. */
  crashAfter(effectCount: number | undefined): void;
}

/**
 * Wraps a real database and secret store so the "process" using them can die after any effect.
 *
 * @example
 * ```ts
 * const world = createCrashWorld(db, secrets);
 * world.crashAfter(3);
 * await new CertificateService({ db: world.db, secrets: world.secrets }).create(…).catch(() => {});
 * // Inspect db / secrets directly: what did the crash leave behind?
 * ```
 */
export function createCrashWorld(db: Database, secrets: SecretStore): CrashWorld {
  const effects: string[] = [];
  let crashAfter: number | undefined;
  let crashed = false;

  const effect = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    if (crashed) throw new SimulatedCrash();
    const result = await run();
    if (crashed) throw new SimulatedCrash();
    effects.push(label);
    if (crashAfter !== undefined && effects.length >= crashAfter) {
      crashed = true;
      throw new SimulatedCrash();
    }
    return result;
  };
  const label = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 40);

  const wrapTransaction = (tx: Transaction): Transaction => ({
    query: (sql, params) => effect(`tx ${label(sql)}`, () => tx.query(sql, params)),
    exec: (sql) => effect(`tx ${label(sql)}`, () => tx.exec(sql)),
    afterCommit: (callback) => tx.afterCommit(callback),
  });

  const crashingDb: Database = {
    kind: db.kind,
    schema: db.schema,
    query: (sql, params) => effect(`query ${label(sql)}`, () => db.query(sql, params)),
    exec: (sql) => effect(`exec ${label(sql)}`, () => db.exec(sql)),
    transaction: (fn) => effect('commit', () => db.transaction((tx) => fn(wrapTransaction(tx)))),
    ping: () => effect('ping', () => db.ping()),
    close: async () => undefined,
  };
  const crashingSecrets: SecretStore = {
    kind: secrets.kind,
    put: (ref, material, context) => effect('secrets.put', () => secrets.put(ref, material, context)),
    get: (ref, context) => effect('secrets.get', () => secrets.get(ref, context)),
    delete: (ref, context) => effect('secrets.delete', () => secrets.delete(ref, context)),
    health: () => effect('secrets.health', () => secrets.health()),
  };
  const list = secrets.listCertificateSecrets;
  if (list) {
    crashingSecrets.listCertificateSecrets = (options) =>
      effect('secrets.list', () => list.call(secrets, options));
  }
  return {
    db: crashingDb,
    secrets: crashingSecrets,
    effects,
    get crashed() {
      return crashed;
    },
    crashAfter(count) {
      crashAfter = count;
    },
  };
}
