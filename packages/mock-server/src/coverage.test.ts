// The consumer-coverage report: documented operation × status pairs exercised through the mock (over resets),
// the ones never exercised, undocumented statuses, the text table and the JSON shape.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { coverageReport } from './coverage.js';
import { setupMockServer } from './node.js';
import { specOperations } from './spec.js';
import type { MockCall } from './state.js';

const GATEWAY = 'https://gw.example.com';
const ACCOUNT_URL = `${GATEWAY}/mtls/account/le1606809`;
const AUTH = { Authorization: 'Bearer t' };
const documentedPairs = specOperations().reduce((sum, operation) => sum + operation.responses.length, 0);

const mock = setupMockServer();
beforeAll(() => mock.listen());
afterEach(() => mock.reset());
afterAll(() => mock.close());

describe('from a state', () => {
  // One test per "test file section", each followed by reset(): the report still sees every call.
  test('a team lists certificates, once with a 503', async () => {
    await fetch(`${ACCOUNT_URL}/certificates`, { headers: AUTH });
    await fetch(`${ACCOUNT_URL}/certificates`, { headers: AUTH });
    mock.state.scenarios.once('listCertificates', { status: 503 });
    await fetch(`${ACCOUNT_URL}/certificates`, { headers: AUTH });
    expect(mock.state.calls.map((call) => [call.operationId, call.status])).toEqual([
      ['listCertificates', 200],
      ['listCertificates', 200],
      ['listCertificates', 503],
    ]);
  });

  test('…forgets its credentials once, forwards to a remote that answers 404, and meets a teapot', async () => {
    await fetch(`${ACCOUNT_URL}/certificates`);
    mock.state.upstream = () => new Response('missing', { status: 404 });
    await fetch(ACCOUNT_URL, { headers: { ...AUTH, 'LP-forward-url': 'https://api.example.com/x' } });
    mock.state.scenarios.set('getHealth', { response: () => new Response('tea', { status: 418 }) });
    await fetch(`${GATEWAY}/healthz`);
    mock.state.scenarios.set('getMetrics', { networkError: true });
    await fetch(`${GATEWAY}/metrics`, { headers: AUTH }).catch(() => undefined);
  });

  test('the report covers every call since the state was created', () => {
    expect(mock.state.calls).toEqual([]); // reset() emptied the per-test log…
    expect(mock.state.callHistory).toHaveLength(7); // …not the history

    const report = mock.state.coverage();
    expect(report.summary).toEqual({
      pairs: documentedPairs,
      exercised: 4,
      missed: documentedPairs - 4,
      ratio: 4 / documentedPairs,
      calls: 7,
    });
    expect(report.exercised).toEqual([
      { operationId: 'forwardGet', status: 'default', calls: 1 }, // the remote's 404: forwarding's `default`
      { operationId: 'listCertificates', status: '200', calls: 2 },
      { operationId: 'listCertificates', status: '401', calls: 1 },
      { operationId: 'listCertificates', status: '503', calls: 1 },
    ]);
    expect(report.missed).toContainEqual({ operationId: 'listCertificates', status: '400' });
    expect(report.missed).toContainEqual({ operationId: 'createCertificates', status: '201' });
    expect(report.missed).not.toContainEqual({ operationId: 'listCertificates', status: '200' });
    expect(report.undocumented).toEqual([
      { operationId: 'getHealth', status: 418, calls: 1 },
      { operationId: 'getMetrics', status: 0, calls: 1 },
    ]);
    const list = report.operations.find((operation) => operation.operationId === 'listCertificates');
    expect(list).toMatchObject({ method: 'GET', path: '/mtls/account/{accountId}/certificates', calls: 4 });
    expect(list?.statuses.map((status) => status.status)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '429',
      '500',
      '503',
    ]);
  });

  test('format() prints a table: the summary, then per operation what was exercised and what never was', () => {
    const text = mock.state.coverage().format();
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      `Mock API coverage: 4 of ${documentedPairs} documented operation × status pairs exercised (${((4 / documentedPairs) * 100).toFixed(1)}%) by 7 calls`,
    );
    expect(lines[1]).toMatch(/^operation +exercised +never exercised$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^listCertificates +200 ×2, 401 ×1, 503 ×1 +400 403 429 500$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^createCertificates +— +201 400 401 403 409 413 415 429 500 503$/),
    );
    expect(lines.at(-1)).toBe(
      'Undocumented statuses answered: getHealth 418 ×1, getMetrics network-error ×1',
    );
    // Columns line up: every row's second cell starts where the header's does.
    const column = lines[1]?.indexOf('exercised') ?? -1;
    for (const row of lines.slice(2, -1)) {
      expect(row.slice(column - 2, column + 1)).toMatch(/^ {2}\S$/);
    }
  });

  test('JSON shape: the data without format()', () => {
    const report = mock.state.coverage({ operations: ['listCertificates'] });
    const json = JSON.parse(JSON.stringify(report));
    expect(Object.keys(json)).toEqual(['summary', 'operations', 'exercised', 'missed', 'undocumented']);
    expect(json.summary).toEqual({ pairs: 7, exercised: 3, missed: 4, ratio: 3 / 7, calls: 4 });
    expect(json.operations).toHaveLength(1);
    // Asserting a minimum in an afterAll:
    expect(report.summary.ratio).toBeGreaterThanOrEqual(0.4);
  });

  test('options.operations restricts the report (e.g. to what a passthrough mock mocks)', () => {
    const report = coverageReport(mock.state, { operations: { except: ['listCertificates'] } });
    expect(report.operations.map((operation) => operation.operationId)).not.toContain('listCertificates');
    expect(report.summary.exercised).toBe(1);
    // @ts-expect-error: not an operationId of the spec
    expect(() => coverageReport(mock.state, { operations: ['nope'] })).toThrow(TypeError);
  });
});

test('from a list of calls (several states joined, or saved JSON); range keys count too', () => {
  const call = (operationId: MockCall['operationId'], status: number): MockCall => ({
    operationId,
    status,
    method: 'GET',
    url: '/',
    requestId: 'r',
    scenario: false,
  });
  const report = coverageReport([call('getHealth', 200), call('getHealth', 200), call('getHealth', 503)], {
    operations: ['getHealth'],
  });
  expect(report.operations[0]?.statuses).toEqual([
    { status: '200', calls: 2 },
    { status: '429', calls: 0 },
    { status: '500', calls: 0 },
  ]);
  expect(report.undocumented).toEqual([{ operationId: 'getHealth', status: 503, calls: 1 }]);
  expect(coverageReport([], { operations: [] }).summary).toEqual({
    pairs: 0,
    exercised: 0,
    missed: 0,
    ratio: 0,
    calls: 0,
  });
});
