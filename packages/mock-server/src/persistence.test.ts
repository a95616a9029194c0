// Persistence of a mock state in a Storage-like object (an in-memory double here; localStorage in browsers):
// restored at setup, saved after each change, cleared by reset(), bad saved data ignored with a warning.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DEFAULT_PERSIST_KEY, persistMockState, type StorageLike } from './persistence.js';
import { InvalidSnapshotError, MOCK_SNAPSHOT_FORMAT, MOCK_SNAPSHOT_VERSION } from './snapshot.js';
import { createMockState, type MockStateOptions } from './state.js';

const START = new Date('2026-01-01T00:00:00Z');
const SEED: MockStateOptions = {
  idSeed: 3,
  now: () => START,
  certificates: [{ accountId: 'a1', name: 'Seeded' }],
};

/** An in-memory Storage that counts writes. */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  const storage: StorageLike & { items: Map<string, string>; writes: number } = {
    items,
    writes: 0,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      storage.writes += 1;
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
  return storage;
}

function warnings() {
  return vi.spyOn(console, 'warn').mockImplementation(() => {});
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('saving and restoring', () => {
  test('every change is saved; a new state set up with the same storage continues where it was', () => {
    const storage = memoryStorage();
    const state = createMockState(SEED);
    const persistence = persistMockState(state, { storage });
    expect(persistence).toMatchObject({ key: DEFAULT_PERSIST_KEY, enabled: true, restored: false });
    expect(storage.items.size).toBe(0); // nothing saved until something changes

    state.addCertificate({ accountId: 'a1', name: 'Added', keyMaterial: false });
    const [seeded] = state.listCertificates('a1');
    state.addMapping({
      accountId: 'a1',
      certificate: 'Seeded',
      serviceName: 'IDP',
      url: 'https://idp.example.com/*',
    });
    state.store.deleteCertificate('a1', state.listCertificates('a1')[1]?.id ?? 0);
    state.ids.nextRequestId(); // two answered requests
    state.ids.nextRequestId();
    state.clock.advance('30d');
    expect(storage.writes).toBe(4);
    const saved = JSON.parse(storage.items.get('mtls-mock') ?? 'null');
    expect(saved).toMatchObject({ format: MOCK_SNAPSHOT_FORMAT, version: MOCK_SNAPSHOT_VERSION });
    expect(saved.clockOffsetMs).toBe(30 * 86_400_000);

    // "Reload": a fresh state from the same seed, persisted with the same storage.
    const reloaded = createMockState(SEED);
    expect(persistMockState(reloaded, { storage }).restored).toBe(true);
    expect(reloaded.listCertificates('a1', { includeDeleted: true })).toEqual(
      state.listCertificates('a1', { includeDeleted: true }),
    );
    expect(reloaded.listCertificates('a1', { includeDeleted: true })[1]).toMatchObject({
      name: 'Added',
      deleted: true,
      status: 'UnAvailable',
    });
    expect(reloaded.listMappings('a1')).toEqual(state.listMappings('a1'));
    expect(reloaded.listCertificates('a1')[0]).toEqual(seeded);
    expect(reloaded.now()).toEqual(state.now());
    // The id generator continues where it was: the same next ids, request ids counting on.
    expect(reloaded.ids.position()).toEqual(state.ids.position());
    expect(reloaded.ids.nextId()).toBe(state.ids.nextId());
    expect(reloaded.ids.nextRequestId()).toBe('req-mock-000003');
  });

  test('seed() saves once, however many records it adds', () => {
    const storage = memoryStorage();
    const state = createMockState();
    persistMockState(state, { storage, key: 'demo' });
    state.seed({ certificates: [1, 2, 3].map((n) => ({ accountId: 'a1', name: `C${n}` })) });
    expect(storage.writes).toBe(1);
    expect(JSON.parse(storage.items.get('demo') ?? '{}').certificates).toHaveLength(3);
  });

  test('reset() removes the saved data and goes back to the seed; the next change saves again', () => {
    const storage = memoryStorage();
    const state = createMockState(SEED);
    persistMockState(state, { storage });
    state.addCertificate({ accountId: 'a1', name: 'Added' });
    expect(storage.items.has('mtls-mock')).toBe(true);
    state.reset();
    expect(storage.items.has('mtls-mock')).toBe(false);
    expect(state.listCertificates('a1').map((certificate) => certificate.name)).toEqual(['Seeded']);
    state.clock.advance('1d');
    expect(storage.items.has('mtls-mock')).toBe(true);
  });

  test('stop() stops saving; clear() removes the saved data', () => {
    const storage = memoryStorage();
    const state = createMockState();
    const persistence = persistMockState(state, { storage });
    state.addCertificate({ accountId: 'a1', name: 'A' });
    persistence.stop();
    state.addCertificate({ accountId: 'a1', name: 'B' });
    expect(JSON.parse(storage.items.get('mtls-mock') ?? '{}').certificates).toHaveLength(1);
    persistence.clear();
    expect(storage.items.size).toBe(0);
  });

  test('restore() replaces the data but keeps scenarios, calls and the upstream', () => {
    const source = createMockState({ certificates: [{ accountId: 'a1', name: 'X' }] });
    const target = createMockState({ certificates: [{ accountId: 'a1', name: 'Y' }] });
    target.scenarios.set('listCertificates', { status: 503 });
    target.restore(JSON.parse(JSON.stringify(source.snapshot())));
    expect(target.listCertificates('a1').map((certificate) => certificate.name)).toEqual(['X']);
    expect(target.scenarios.list()).toHaveLength(1);
  });
});

describe('bad saved data never breaks the app', () => {
  const valid = () => {
    const state = createMockState({ certificates: [{ accountId: 'a1', name: 'C' }] });
    state.addMapping({
      accountId: 'a1',
      certificate: 'C',
      serviceName: 'IDP',
      url: 'https://idp.example.com/',
    });
    return JSON.parse(JSON.stringify(state.snapshot()));
  };
  const cases: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"format": "@mtls-', /it is not JSON\./],
    ['another app’s data', JSON.stringify({ theme: 'dark' }), /not a saved mock state/],
    ['JSON null', 'null', /not a saved mock state/],
    [
      'another format version',
      JSON.stringify({ ...valid(), version: 2 }),
      /saved in version 2.*reads version 1/,
    ],
    [
      'a wrong field type',
      JSON.stringify({ ...valid(), certificates: [{ ...valid().certificates[0], name: 42 }] }),
      /certificates\[0\]\.name must be a string/,
    ],
    [
      'an invalid date',
      JSON.stringify({ ...valid(), certificates: [{ ...valid().certificates[0], notAfter: 'soon' }] }),
      /notAfter must be an ISO 8601 date/,
    ],
    ['a mapping of a missing certificate', JSON.stringify({ ...valid(), certificates: [] }), /not saved/],
    ['a bad clock offset', JSON.stringify({ ...valid(), clockOffsetMs: 'x' }), /clockOffsetMs/],
    [
      'bad ids',
      JSON.stringify({ ...valid(), ids: { state: -1, requestCounter: 0, issued: [] } }),
      /ids\.state/,
    ],
  ];

  test.each(cases)('%s: ignored with a warning, the state stays as seeded', (_name, saved, message) => {
    const warn = warnings();
    const storage = memoryStorage({ 'mtls-mock': String(saved) });
    const state = createMockState({ certificates: [{ accountId: 'a1', name: 'Seed' }] });
    const persistence = persistMockState(state, { storage });
    expect(persistence.restored).toBe(false);
    expect(state.listCertificates('a1').map((certificate) => certificate.name)).toEqual(['Seed']);
    expect(state.listMappings('a1')).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^\[mtls-mock\] Ignoring the data saved under "mtls-mock"/,
    );
    expect(String(warn.mock.calls[0]?.[0])).toMatch(message);
    // The next change replaces it with a valid snapshot.
    state.clock.advance('1m');
    expect(JSON.parse(storage.items.get('mtls-mock') ?? '{}').format).toBe(MOCK_SNAPSHOT_FORMAT);
  });

  test('state.restore() of bad data throws InvalidSnapshotError and changes nothing', () => {
    const state = createMockState({ certificates: [{ accountId: 'a1', name: 'Seed' }] });
    expect(() => state.restore({ ...valid(), mappings: 'x' })).toThrow(InvalidSnapshotError);
    expect(state.listCertificates('a1')).toHaveLength(1);
  });

  test('a storage that throws (blocked, full) is warned about, once, and the mock keeps answering', () => {
    const warn = warnings();
    const storage: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError: access denied');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const state = createMockState();
    persistMockState(state, { storage });
    expect(() => {
      state.addCertificate({ accountId: 'a1', name: 'A' });
      state.addCertificate({ accountId: 'a1', name: 'B' });
    }).not.toThrow();
    expect(state.listCertificates('a1')).toHaveLength(2);
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual([
      expect.stringMatching(/Cannot read the saved mock state.*SecurityError/),
      expect.stringMatching(/Cannot save the mock state.*QuotaExceededError/),
    ]);
  });

  test('without localStorage (Node, SSR), persistence is off with a warning', () => {
    const warn = warnings();
    expect('localStorage' in globalThis).toBe(false);
    const persistence = persistMockState(createMockState());
    expect(persistence.enabled).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/No localStorage here/));
  });

  test('the default storage is globalThis.localStorage', () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    try {
      const state = createMockState();
      persistMockState(state);
      state.addCertificate({ accountId: 'a1', name: 'A' });
      expect(storage.items.has('mtls-mock')).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
