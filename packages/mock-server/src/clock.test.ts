// The mock's clock: durations, advance / set / reset over a fixed or a running base clock, and statuses,
// listings, metrics and upload checks that follow it.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InvalidDurationError, MockClock, parseDuration } from './clock.js';
import { setupMockServer } from './node.js';
import { createMockState } from './state.js';
import { createTestP12 } from './test-p12.js';

const DAY = 86_400_000;
const START = new Date('2026-01-01T00:00:00Z');

describe('parseDuration', () => {
  test.each([
    [250, 250],
    [0, 0],
    ['1500', 1_500],
    ['500ms', 500],
    ['45s', 45_000],
    ['90m', 90 * 60_000],
    ['12h', 12 * 3_600_000],
    ['30d', 30 * DAY],
    ['2w', 14 * DAY],
    ['1d12h', 36 * 3_600_000],
    ['1d 12h 30m', 36 * 3_600_000 + 30 * 60_000],
    ['1.5h', 90 * 60_000],
    [' 30d ', 30 * DAY],
  ])('%j → %i ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each([
    ['', /Invalid duration ""/],
    ['30x', /Invalid duration "30x"\. Use milliseconds/],
    ['thirty days', /Invalid duration/],
    ['1 month', /Months and years vary in length/],
    ['1y', /Months and years vary in length/],
    ['-1d', /cannot be negative: use clock\.set/],
    [-5, /not negative/],
    [Number.NaN, /finite/],
    [Number.POSITIVE_INFINITY, /finite/],
    ['30D', /Invalid duration "30D"/],
  ])('refuses %j with a clear error', (input, message) => {
    let thrown: unknown;
    try {
      parseDuration(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidDurationError);
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as InvalidDurationError).code).toBe('mock_invalid_duration');
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/units ms, s, m, h, d, w/);
  });

  test('a non-string, non-number (from untyped callers) is refused too', () => {
    expect(() => parseDuration({} as never)).toThrow(InvalidDurationError);
  });
});

describe('MockClock', () => {
  test('advance and set move a fixed base; reset goes back to it; every move is reported', () => {
    let moves = 0;
    const clock = new MockClock(
      () => START,
      () => {
        moves += 1;
      },
    );
    expect(clock.now()).toEqual(START);
    expect(clock.advance('30d')).toEqual(new Date(START.getTime() + 30 * DAY));
    expect(clock.advance(1_000).getTime()).toBe(START.getTime() + 30 * DAY + 1_000);
    expect(clock.offsetMs).toBe(30 * DAY + 1_000);
    expect(clock.set('2025-06-01T00:00:00Z')).toEqual(new Date('2025-06-01T00:00:00Z'));
    expect(clock.offsetMs).toBeLessThan(0); // set may go back
    expect(clock.now()).toEqual(new Date('2025-06-01T00:00:00Z'));
    clock.reset();
    expect(clock.now()).toEqual(START);
    expect(moves).toBe(4);
  });

  test('with a running base clock, time keeps running after a move', () => {
    let base = START.getTime();
    const clock = new MockClock(() => new Date(base));
    clock.advance('1h');
    base += 5_000;
    expect(clock.now().getTime()).toBe(START.getTime() + 3_600_000 + 5_000);
  });

  test('invalid moves change nothing', () => {
    const clock = new MockClock(() => START);
    expect(() => clock.advance('soon')).toThrow(InvalidDurationError);
    expect(() => clock.set('not a date')).toThrow(TypeError);
    expect(() => {
      clock.offsetMs = Number.NaN;
    }).toThrow(TypeError);
    expect(clock.now()).toEqual(START);
  });
});

describe('state.clock', () => {
  test('a certificate expiring in 10 days is Expired after advance(30d), Available again after reset()', () => {
    const state = createMockState({
      now: () => START,
      certificates: [{ accountId: 'a1', name: 'Soon', notAfter: new Date(START.getTime() + 10 * DAY) }],
    });
    expect(state.listCertificates('a1')[0]?.status).toBe('Available');
    state.clock.advance('9d');
    expect(state.listCertificates('a1')[0]?.status).toBe('Available');
    state.clock.advance('30d');
    expect(state.now()).toEqual(new Date(START.getTime() + 39 * DAY));
    expect(state.listCertificates('a1')[0]?.status).toBe('Expired');
    state.reset();
    expect(state.now()).toEqual(START);
    expect(state.listCertificates('a1')[0]?.status).toBe('Available');
  });

  test('set() to before notBefore makes a certificate UnAvailable (not yet valid)', () => {
    const state = createMockState({ now: () => START, certificates: [{ accountId: 'a1', name: 'C' }] });
    state.clock.set(new Date(START.getTime() - 2 * DAY)); // seeded valid from a day before START
    expect(state.listCertificates('a1')[0]?.status).toBe('UnAvailable');
  });

  test('without a `now` option the base is the real time', () => {
    const state = createMockState();
    state.clock.advance('2w');
    expect(Math.abs(state.now().getTime() - (Date.now() + 14 * DAY))).toBeLessThan(5_000);
  });
});

describe('the handlers follow the clock', () => {
  const ACCOUNT = 'le1606809';
  const URL_BASE = `https://gw.example.com/mtls/account/${ACCOUNT}`;
  const AUTH = { Authorization: 'Bearer t' };
  const mock = setupMockServer({
    state: createMockState({
      certificates: [{ accountId: ACCOUNT, name: 'Soon', notAfter: new Date(Date.now() + 10 * DAY) }],
    }),
  });
  beforeAll(() => mock.listen());
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  test('GET …/certificates and /metrics show the certificate Expired after advance(30d)', async () => {
    const before = (await (await fetch(`${URL_BASE}/certificates`, { headers: AUTH })).json()) as Array<{
      status: string;
    }>;
    expect(before).toMatchObject([{ name: 'Soon', status: 'Available' }]);
    mock.state.clock.advance('30d');
    const after = (await (await fetch(`${URL_BASE}/certificates`, { headers: AUTH })).json()) as unknown;
    expect(after).toMatchObject([{ name: 'Soon', status: 'Expired' }]);
    const metrics = await (await fetch('https://gw.example.com/metrics', { headers: AUTH })).text();
    expect(metrics).toContain('mtls_certificates{status="Expired"} 1');
  });

  test('an upload that is current by the real time is refused p12_expired once the clock passed its end', async () => {
    const p12 = createTestP12({ password: 'changeit' }); // valid for a year from a day ago
    mock.state.clock.advance('400d');
    const response = await fetch(`${URL_BASE}/certificates`, {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ name: 'New', p12: btoa(String.fromCharCode(...p12)), password: 'changeit' }]),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('p12_expired');
  });
});
