/**
 * The state behind the mock handlers: the in-memory gateway, deterministic ids, scenarios, the upstream
 * function and a log of the calls. One state per test (or `reset()` between tests).
 */
import type { Certificate, Mapping, ServiceName } from './api-types.js';
import { MockClock } from './clock.js';
import { type CoverageOptions, type CoverageReport, coverageReport } from './coverage.js';
import { IdGenerator } from './ids.js';
import { openUploadedFiles } from './p12-upload.js';
import { MockProblem } from './problems.js';
import { ScenarioRegistry } from './scenarios.js';
import {
  MOCK_SNAPSHOT_FORMAT,
  MOCK_SNAPSHOT_VERSION,
  type MockSnapshot,
  readMockSnapshot,
} from './snapshot.js';
import type { OperationId } from './spec.js';
import { type CertificateFacts, GatewayStore } from './store.js';
import { echoUpstream, type MockUpstream } from './upstream.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A certificate to seed. With `p12` (and `password`) the file is really parsed and every field comes from
 * it (expired files are accepted); without, a certificate with the given validity is made up.
 *
 * @example
 * ```ts
 * const seeded: SeedCertificate = { accountId: 'le1606809', name: 'Cert1', notAfter: '2030-01-01T00:00:00Z' };
 * const fromFile: SeedCertificate = { accountId: 'le1606809', name: 'Cert2', p12: bytes, password: 'changeit' };
 * ```
 */
export interface SeedCertificate {
  accountId: string;
  name: string;
  /** A fixed id (default: the next deterministic one). */
  id?: number;
  /** A PKCS#12 file: bytes, an array of byte values or base64. */
  p12?: Uint8Array | readonly number[] | string;
  password?: string;
  /** Without a file: start of validity (ISO 8601 or Date; default a day before now, `null` unknown). */
  notBefore?: string | Date | null;
  /** Without a file: end of validity (default a year after now; `null` unknown). */
  notAfter?: string | Date | null;
  /** Without a file: the subject (default `CN=<name>`). */
  subject?: string;
  /** Seed it soft-deleted. */
  deleted?: boolean;
  /** `false`: the key material is "missing from the secret store", so the status is `UnAvailable`. */
  keyMaterial?: boolean;
}

/**
 * A mapping to seed; the certificate is named by id or by the name of a live certificate of the account.
 *
 * @example
 * ```ts
 * const mapping: SeedMapping = { accountId: 'le1606809', certificate: 'Cert1', serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks' };
 * ```
 */
export interface SeedMapping {
  accountId: string;
  certificate: string | number;
  serviceName: ServiceName;
  url: string;
  /** A fixed id (default: the next deterministic one). */
  id?: number;
}

/**
 * Initial data of a mock: the same shape as the standalone server's `--seed file.json`.
 *
 * @example
 * ```ts
 * const seed: MockSeed = {
 *   idSeed: 7,
 *   certificates: [{ accountId: 'le1606809', name: 'Cert1' }],
 *   mappings: [{ accountId: 'le1606809', certificate: 'Cert1', serviceName: 'IDP', url: 'https://idp.example.com/*' }],
 * };
 * ```
 */
export interface MockSeed {
  /** Seed of the id generator (default 1): the same seed gives the same ids. */
  idSeed?: number;
  certificates?: SeedCertificate[];
  mappings?: SeedMapping[];
}

/**
 * Options of {@link createMockState}: the seed, plus a clock and the upstream.
 *
 * @example
 * ```ts
 * const options: MockStateOptions = { now: () => new Date('2026-01-01T00:00:00Z'), upstream: echoUpstream };
 * ```
 */
export interface MockStateOptions extends MockSeed {
  /**
   * The base clock the statuses are computed with (default: the real time); `state.clock.advance()` and
   * `state.clock.set()` move the mock's time relative to it.
   */
  now?: () => Date;
  /** The remote endpoint of forwarding and the p12 test (default: {@link echoUpstream}). */
  upstream?: MockUpstream;
}

/**
 * One request the mock answered. No headers and no body are recorded: a call never holds a password, a file
 * or credentials.
 *
 * @example
 * ```ts
 * expect(state.calls.map((call: MockCall) => call.operationId)).toContain('createCertificates');
 * ```
 */
export interface MockCall {
  operationId: OperationId;
  method: string;
  /** Path and query of the request. */
  url: string;
  /** The status answered (`0` when a `networkError` scenario answered with a network error). */
  status: number;
  requestId: string;
  /** The scenario that answered, when one did. */
  scenario: boolean;
}

/**
 * What {@link MockState.onChange} listeners are told: `change` after the store or the clock changed (once per
 * `seed()`), `reset` after `reset()`.
 *
 * @example
 * ```ts
 * state.onChange((change: MockStateChange) => console.log(change));
 * ```
 */
export type MockStateChange = 'change' | 'reset';

/** A seeded certificate with its file already opened: what the state keeps to seed it again on reset. */
type PreparedCertificate = Omit<SeedCertificate, 'p12' | 'password'> & { facts?: CertificateFacts };

/**
 * The state of one mock gateway; see {@link createMockState}.
 *
 * @example
 * ```ts
 * const state: MockState = createMockState();
 * state.addCertificate({ accountId: 'le1', name: 'Cert1' });
 * ```
 */
export class MockState {
  readonly ids: IdGenerator;
  readonly store: GatewayStore;
  /**
   * The mock's time: `advance('30d')`, `set(date)`, `now()`. Statuses and expiry checks follow it; `reset()`
   * puts it back on the base clock (the `now` option, or the real time).
   */
  readonly clock: MockClock;
  readonly scenarios = new ScenarioRegistry();
  /** Every request answered since the last reset, in order. */
  readonly calls: MockCall[] = [];
  /**
   * Every request answered since the state was created: `reset()` keeps it, as coverage reports read it
   * (`callHistory.length = 0` empties it).
   */
  readonly callHistory: MockCall[] = [];
  /** The remote endpoint; replace it at any time. */
  upstream: MockUpstream;
  // The seed, its files already opened: the state keeps no password and no PKCS#12 file to seed again.
  readonly #initial: {
    upstream: MockUpstream | undefined;
    certificates: PreparedCertificate[];
    mappings: SeedMapping[];
  };
  readonly #listeners = new Set<(change: MockStateChange) => void>();
  #batchDepth = 0;
  #pendingChange = false;

  constructor(options: MockStateOptions = {}) {
    this.clock = new MockClock(options.now ?? (() => new Date()), () => this.#changed());
    this.ids = new IdGenerator(options.idSeed ?? 1);
    this.store = new GatewayStore(
      this.ids,
      () => this.now(),
      () => this.#changed(),
    );
    this.upstream = options.upstream ?? echoUpstream;
    this.#initial = {
      upstream: options.upstream,
      certificates: (options.certificates ?? []).map((certificate) => this.#prepare(certificate)),
      mappings: [...(options.mappings ?? [])],
    };
    this.#seedPrepared(this.#initial);
  }

  /** The mock's current time (`clock.now()`). */
  now(): Date {
    return this.clock.now();
  }

  /**
   * Back to the initial state: the initial seed only, the same ids again, the base clock, no scenarios, the
   * initial upstream, an empty call log (`callHistory` is kept). A persisted state forgets what it saved.
   */
  reset(): void {
    this.#batch('reset', () => {
      this.store.clear();
      this.ids.reset();
      this.clock.reset();
      this.scenarios.clear();
      this.calls.length = 0;
      this.upstream = this.#initial.upstream ?? echoUpstream;
      this.#seedPrepared(this.#initial);
    });
  }

  /**
   * Calls `listener` after each change of the store or the clock (`'change'`; once per `seed()` or
   * `restore()`) and after `reset()` (`'reset'`). Returns a function that unsubscribes it.
   *
   * @example
   * ```ts
   * const stop = state.onChange((change) => { if (change === 'change') save(state.snapshot()); });
   * stop();
   * ```
   */
  onChange(listener: (change: MockStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Records one answered request in `calls` and `callHistory`. */
  recordCall(call: MockCall): void {
    this.calls.push(call);
    this.callHistory.push(call);
  }

  /**
   * Which documented operation × status pairs the answered requests (`callHistory`) exercised, and which they
   * never did; see {@link coverageReport}.
   */
  coverage(options: CoverageOptions = {}): CoverageReport {
    return coverageReport(this, options);
  }

  /**
   * The store, the id generator's position and the clock offset as JSON-safe data ({@link MockSnapshot}): no
   * scenarios, calls or upstream, and no secret (the store holds none).
   */
  snapshot(): MockSnapshot {
    const { certificates, mappings } = this.store.all();
    return {
      format: MOCK_SNAPSHOT_FORMAT,
      version: MOCK_SNAPSHOT_VERSION,
      savedAt: new Date().toISOString(),
      clockOffsetMs: this.clock.offsetMs,
      ids: this.ids.position(),
      certificates: certificates.map((record) => ({
        ...record,
        notBefore: record.notBefore?.toISOString() ?? null,
        notAfter: record.notAfter?.toISOString() ?? null,
      })),
      mappings: mappings.map((record) => ({ ...record })),
    };
  }

  /**
   * Replaces the store, the id generator's position and the clock offset with a {@link snapshot} (checked
   * first: nothing changes when it is not one). Scenarios, calls and the upstream stay.
   *
   * @throws {InvalidSnapshotError} when `snapshot` is not a snapshot this mock reads.
   */
  restore(snapshot: unknown): void {
    const saved = readMockSnapshot(snapshot);
    this.#batch('change', () => {
      this.store.load({
        certificates: saved.certificates.map((record) => ({
          ...record,
          notBefore: record.notBefore === null ? null : new Date(record.notBefore),
          notAfter: record.notAfter === null ? null : new Date(record.notAfter),
        })),
        mappings: saved.mappings,
      });
      this.ids.moveTo(saved.ids);
      // Whatever the saved position says, a restored record's id is never issued again.
      for (const record of [...saved.certificates, ...saved.mappings]) this.ids.reserve(record.id);
      this.clock.offsetMs = saved.clockOffsetMs;
    });
  }

  /** Adds certificates, then mappings. Returns what was added, as the API shows it. */
  seed(seed: MockSeed): { certificates: Certificate[]; mappings: Mapping[] } {
    return this.#batch('change', () => ({
      certificates: (seed.certificates ?? []).map((certificate) => this.addCertificate(certificate)),
      mappings: (seed.mappings ?? []).map((mapping) => this.addMapping(mapping)),
    }));
  }

  #seedPrepared(seed: { certificates: PreparedCertificate[]; mappings: SeedMapping[] }): void {
    this.#batch('change', () => {
      for (const certificate of seed.certificates) this.#addPrepared(certificate);
      for (const mapping of seed.mappings) this.addMapping(mapping);
    });
  }

  /** Runs `action`, then tells the listeners once (`reset` always; `change` when something changed). */
  #batch<T>(kind: MockStateChange, action: () => T): T {
    this.#batchDepth += 1;
    try {
      return action();
    } finally {
      this.#batchDepth -= 1;
      if (this.#batchDepth === 0 && (kind === 'reset' || this.#pendingChange)) {
        this.#pendingChange = false;
        this.#emit(kind);
      }
    }
  }

  #changed(): void {
    if (this.#batchDepth > 0) this.#pendingChange = true;
    else this.#emit('change');
  }

  #emit(change: MockStateChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        // A listener (e.g. a full storage) must not break the request being answered.
        console.warn(
          `[mtls-mock] A state change listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /** Opens the file of a seeded certificate (when it has one), dropping the file and its password. */
  #prepare(seed: SeedCertificate): PreparedCertificate {
    const { p12, password, ...rest } = seed;
    if (p12 === undefined) return rest;
    const [facts] = openUploadedFiles([{ p12, password: password ?? '' }], {
      allowExpired: true,
      now: this.now(),
      pointer: () => '/p12',
      describeItem: () => `The seeded file of "${seed.name}"`,
    }) as [CertificateFacts];
    return { ...rest, facts };
  }

  /**
   * Adds one certificate (see {@link SeedCertificate}).
   *
   * @throws {MockProblem} for a taken name or an unreadable file.
   */
  addCertificate(seed: SeedCertificate): Certificate {
    return this.#addPrepared(this.#prepare(seed));
  }

  #addPrepared(seed: PreparedCertificate): Certificate {
    let details: CertificateFacts;
    if (seed.facts) {
      details = seed.facts;
    } else {
      const now = this.now().getTime();
      details = {
        notBefore: seed.notBefore === undefined ? new Date(now - DAY_MS) : toDate(seed.notBefore),
        notAfter: seed.notAfter === undefined ? new Date(now + 365 * DAY_MS) : toDate(seed.notAfter),
        subject: seed.subject ?? `CN=${seed.name}`,
      };
    }
    const [record] = this.store.createCertificates(seed.accountId, [
      {
        name: seed.name,
        details,
        ...(seed.id === undefined ? {} : { id: seed.id }),
        ...(seed.deleted === undefined ? {} : { deleted: seed.deleted }),
        ...(seed.keyMaterial === undefined ? {} : { hasKeyMaterial: seed.keyMaterial }),
      },
    ]);
    if (!record) throw new Error('The certificate was not stored.');
    return this.store.toCertificate(record);
  }

  /**
   * Adds one mapping (see {@link SeedMapping}).
   *
   * @throws {MockProblem} 404 for an unknown certificate, 409 for a taken service + URL.
   */
  addMapping(seed: SeedMapping): Mapping {
    const certificateId =
      typeof seed.certificate === 'number'
        ? seed.certificate
        : this.store.certificates(seed.accountId).find((record) => record.name === seed.certificate)?.id;
    if (certificateId === undefined) {
      throw new MockProblem(
        'not_found',
        `Account ${seed.accountId} has no certificate named "${String(seed.certificate)}" to map.`,
      );
    }
    const record = this.store.activateMapping(
      seed.accountId,
      certificateId,
      { serviceName: seed.serviceName, url: seed.url },
      seed.id,
    );
    return this.store.toMapping(record);
  }

  /** The account's certificates as `GET …/certificates` returns them. */
  listCertificates(accountId: string, options: { includeDeleted?: boolean } = {}): Certificate[] {
    return this.store.certificates(accountId, options).map((record) => this.store.toCertificate(record));
  }

  /** The account's mappings as `GET …/mappings` returns them. */
  listMappings(accountId: string): Mapping[] {
    return this.store.mappings(accountId).map((record) => this.store.toMapping(record));
  }
}

function toDate(value: string | Date | null): Date | null {
  if (value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new TypeError(`Not a date: ${String(value)}`);
  return date;
}

/**
 * Creates the state of a mock gateway: certificates and mappings per account, deterministic ids (seeded
 * PRNG), scenarios, the upstream function and a call log. Pass it to the handlers; `reset()` between tests.
 *
 * @example
 * ```ts
 * import { createMockState } from '@mtls-gateway/mock-server';
 *
 * const state = createMockState({
 *   certificates: [{ accountId: 'le1606809', name: 'Cert1' }],
 *   mappings: [{ accountId: 'le1606809', certificate: 'Cert1', serviceName: 'WEBHOOKS', url: 'https://api.example.com/*' }],
 * });
 * state.scenarios.set('listCertificates', { status: 503 });
 * state.reset(); // back to Cert1 and its mapping, no scenario
 * ```
 */
export function createMockState(options: MockStateOptions = {}): MockState {
  return new MockState(options);
}
