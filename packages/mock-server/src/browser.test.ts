// The browser entry in Node, with a double of MSW's setupWorker (the real one refuses to run outside a
// browser): the options start() passes, persistence across a "reload", the devtools handle, passthrough.
import { getResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { StorageLike } from './persistence.js';
import { createMockState } from './state.js';

type WorkerDouble = {
  handlers: unknown[];
  start: ReturnType<typeof vi.fn>;
  resetHandlers: ReturnType<typeof vi.fn>;
};
const workers = vi.hoisted(() => [] as WorkerDouble[]);

vi.mock('msw/browser', () => ({
  setupWorker: (...handlers: unknown[]) => {
    const worker = {
      handlers,
      start: vi.fn(async () => undefined),
      stop: vi.fn(),
      resetHandlers: vi.fn(),
    };
    workers.push(worker);
    return worker;
  },
}));

const { setupMockWorker } = await import('./browser.js');

function memoryStorage(): StorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}

beforeEach(() => {
  workers.length = 0;
});

afterEach(() => {
  delete (globalThis as { __mtlsMock?: unknown }).__mtlsMock;
  vi.restoreAllMocks();
});

describe('start()', () => {
  test('is quiet by default and lets unhandled requests through', async () => {
    const mock = setupMockWorker({ exposeOnWindow: false });
    await mock.start();
    expect(workers[0]?.start).toHaveBeenCalledWith({ onUnhandledRequest: 'bypass', quiet: true });
  });

  test('keeps the caller’s options; quiet: false turns MSW’s request log back on', async () => {
    const mock = setupMockWorker({ exposeOnWindow: false });
    await mock.start({ quiet: false, onUnhandledRequest: 'warn', serviceWorker: { url: '/msw.js' } });
    expect(workers[0]?.start).toHaveBeenCalledWith({
      onUnhandledRequest: 'warn',
      quiet: false,
      serviceWorker: { url: '/msw.js' },
    });
  });

  test('an explicit quiet: undefined stays quiet', async () => {
    const mock = setupMockWorker({ exposeOnWindow: false });
    await mock.start({ quiet: undefined });
    expect(workers[0]?.start).toHaveBeenCalledWith(expect.objectContaining({ quiet: true }));
  });
});

describe('persist', () => {
  const seed = () => createMockState({ certificates: [{ accountId: 'a1', name: 'Seeded' }] });

  test('the state survives a reload; reset() forgets it', () => {
    const storage = memoryStorage();
    const first = setupMockWorker({
      state: seed(),
      persist: { storage, key: 'demo' },
      exposeOnWindow: false,
    });
    expect(first.persistence?.restored).toBe(false);
    first.state.addCertificate({ accountId: 'a1', name: 'Uploaded' });
    first.state.clock.advance('2w');

    const reloaded = setupMockWorker({
      state: seed(),
      persist: { storage, key: 'demo' },
      exposeOnWindow: false,
    });
    expect(reloaded.persistence?.restored).toBe(true);
    expect(reloaded.state.listCertificates('a1').map((certificate) => certificate.name)).toEqual([
      'Seeded',
      'Uploaded',
    ]);
    expect(reloaded.state.clock.offsetMs).toBe(14 * 86_400_000);

    reloaded.reset();
    expect(storage.items.has('demo')).toBe(false);
    expect(workers[1]?.resetHandlers).toHaveBeenCalledTimes(1);
    const again = setupMockWorker({
      state: seed(),
      persist: { storage, key: 'demo' },
      exposeOnWindow: false,
    });
    expect(again.state.listCertificates('a1').map((certificate) => certificate.name)).toEqual(['Seeded']);
  });

  test('persist: true uses localStorage under "mtls-mock"', () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    try {
      const mock = setupMockWorker({ persist: true, exposeOnWindow: false });
      mock.state.addCertificate({ accountId: 'a1', name: 'A' });
      expect(JSON.parse(storage.items.get('mtls-mock') ?? '{}').certificates).toHaveLength(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  test('off by default', () => {
    const storage = memoryStorage();
    vi.stubGlobal('localStorage', storage);
    try {
      const mock = setupMockWorker({ exposeOnWindow: false });
      mock.state.addCertificate({ accountId: 'a1', name: 'A' });
      expect(mock.persistence).toBeUndefined();
      expect(storage.items.size).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

test('the devtools handle steers the clock; the reset from the console clears persisted data too', () => {
  const storage = memoryStorage();
  const mock = setupMockWorker({
    state: createMockState({
      now: () => new Date('2026-01-01T00:00:00Z'),
      certificates: [{ accountId: 'a1', name: 'Soon', notAfter: '2026-01-11T00:00:00Z' }],
    }),
    persist: { storage },
  });
  const handle = (globalThis as { __mtlsMock?: import('./browser.js').MockDevtoolsHandle }).__mtlsMock;
  handle?.clock.advance('30d');
  expect(handle?.dump().certificates).toMatchObject([{ name: 'Soon', status: 'Expired' }]);
  expect(storage.items.size).toBe(1);
  handle?.reset();
  expect(storage.items.size).toBe(0);
  expect(mock.state.listCertificates('a1')[0]?.status).toBe('Available');
});

test('operations: the worker passes the other operations through', async () => {
  const mock = setupMockWorker({ operations: ['getHealth'], exposeOnWindow: false });
  const health = await getResponse(mock.handlers, new Request('https://gw.example.com/healthz'));
  expect(await health?.json()).toEqual({ status: 'ok' });
  const list = await getResponse(
    mock.handlers,
    new Request('https://gw.example.com/mtls/account/a1/certificates', {
      headers: { Authorization: 'Bearer t' },
    }),
  );
  expect(list?.headers.get('x-msw-intention')).toBe('passthrough');
  expect(mock.state.calls.map((call) => call.operationId)).toEqual(['getHealth']);
});
