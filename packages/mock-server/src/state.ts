/**
 * The state behind the mock handlers: the in-memory gateway, deterministic ids, scenarios, the upstream
 * function and a log of the calls. One state per test (or `reset()` between tests).
 */
import type { Certificate, Mapping, ServiceName } from './api-types.js';
import { IdGenerator } from './ids.js';
import { openUploadedFiles } from './p12-upload.js';
import { MockProblem } from './problems.js';
import { ScenarioRegistry } from './scenarios.js';
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
  /** The clock the statuses are computed with (default: the real time). */
  now?: () => Date;
  /** The remote endpoint of forwarding and the p12 test (default: {@link echoUpstream}). */
  upstream?: MockUpstream;
}

/**
 * One request the mock answered.
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
  status: number;
  requestId: string;
  /** The scenario that answered, when one did. */
  scenario: boolean;
}

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
  readonly scenarios = new ScenarioRegistry();
  /** Every request answered since the last reset, in order. */
  readonly calls: MockCall[] = [];
  /** The remote endpoint; replace it at any time. */
  upstream: MockUpstream;
  readonly #initial: MockStateOptions;
  readonly #clock: () => Date;

  constructor(options: MockStateOptions = {}) {
    this.#initial = options;
    this.#clock = options.now ?? (() => new Date());
    this.ids = new IdGenerator(options.idSeed ?? 1);
    this.store = new GatewayStore(this.ids, () => this.now());
    this.upstream = options.upstream ?? echoUpstream;
    this.seed(options);
  }

  /** The mock's current time. */
  now(): Date {
    return this.#clock();
  }

  /**
   * Back to the initial state: the initial seed only, the same ids again, no scenarios, the initial upstream,
   * an empty call log.
   */
  reset(): void {
    this.store.clear();
    this.ids.reset();
    this.scenarios.clear();
    this.calls.length = 0;
    this.upstream = this.#initial.upstream ?? echoUpstream;
    this.seed(this.#initial);
  }

  /** Adds certificates, then mappings. Returns what was added, as the API shows it. */
  seed(seed: MockSeed): { certificates: Certificate[]; mappings: Mapping[] } {
    const certificates = (seed.certificates ?? []).map((certificate) => this.addCertificate(certificate));
    const mappings = (seed.mappings ?? []).map((mapping) => this.addMapping(mapping));
    return { certificates, mappings };
  }

  /**
   * Adds one certificate (see {@link SeedCertificate}).
   *
   * @throws {MockProblem} for a taken name or an unreadable file.
   */
  addCertificate(seed: SeedCertificate): Certificate {
    let details: CertificateFacts;
    if (seed.p12 !== undefined) {
      [details] = openUploadedFiles([{ p12: seed.p12, password: seed.password ?? '' }], {
        allowExpired: true,
        now: this.now(),
        pointer: () => '/p12',
        describeItem: () => `The seeded file of "${seed.name}"`,
      }) as [CertificateFacts];
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
