import { openApiDocument } from '@mtls-gateway/contract/spec';
import type { Mapping } from '@mtls-gateway/sdk';
import { MtlsGatewayError, ValidationError } from '@mtls-gateway/sdk';
import { describe, expect, it } from 'vitest';
import { FORWARD_METHODS, P12_TEST_METHODS, SERVICE_NAMES } from './choices.js';
import { DAY_MS, daysUntil, describeExpiry, expiryLevel, isoDate } from './expiry.js';
import { parseHeaderLines } from './header-lines.js';
import { predictMapping } from './mapping-prediction.js';
import { fieldOfInput, toShownProblem } from './problems.js';
import { readRemoteAnswer } from './remote-answer.js';
import { parseRoute, routeHref } from './route.js';
import { clearSession, loadSession, SESSION_KEY, saveSession } from './session.js';
import { layoutTimeline } from './timeline-layout.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString();

function memoryStorage() {
  const values = new Map<string, string>();
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

describe('session', () => {
  it('stores the account and token trimmed, loads them back, forgets them', () => {
    const storage = memoryStorage();
    expect(loadSession(storage)).toBeUndefined();
    saveSession(storage, { accountId: ' le1 ', token: ' secret ' });
    expect(loadSession(storage)).toEqual({ accountId: 'le1', token: 'secret' });
    clearSession(storage);
    expect(storage.values.size).toBe(0);
  });

  it('drops a damaged entry and refuses empty fields', () => {
    const storage = memoryStorage();
    storage.setItem(SESSION_KEY, '{not json');
    expect(loadSession(storage)).toBeUndefined();
    expect(storage.values.has(SESSION_KEY)).toBe(false);
    expect(() => saveSession(storage, { accountId: 'le1', token: '  ' })).toThrow();
  });
});

describe('expiry', () => {
  it('counts whole days and grades them against the 30-day threshold', () => {
    expect(daysUntil(inDays(12.5), NOW)).toBe(12);
    expect(daysUntil(inDays(-0.5), NOW)).toBe(-1);
    expect(daysUntil(null, NOW)).toBeUndefined();
    expect(expiryLevel(29)).toBe('soon');
    expect(expiryLevel(30)).toBe('ok');
    expect(expiryLevel(-1)).toBe('expired');
    expect(expiryLevel(100, 'Expired')).toBe('expired');
    expect(expiryLevel(undefined)).toBe('unknown');
  });

  it('says it in words, so colour is never the only signal', () => {
    expect(describeExpiry(1)).toBe('1 day');
    expect(describeExpiry(0)).toBe('expires today');
    expect(describeExpiry(-3)).toBe('expired 3 days ago');
    expect(isoDate('2026-03-01T12:00:00Z')).toBe('2026-03-01');
    expect(isoDate(null)).toBe('—');
  });
});

describe('choices', () => {
  const schemas = openApiDocument.components.schemas as Record<string, { enum?: string[] }>;
  it('offers exactly the service names of the spec', () => {
    expect([...SERVICE_NAMES].sort()).toEqual([...(schemas.ServiceName?.enum ?? [])].sort());
  });

  it('offers exactly the methods of the p12 test and of forwarding', () => {
    const parameters = openApiDocument.components.parameters as Record<
      string,
      { schema: { enum: string[] } }
    >;
    expect([...P12_TEST_METHODS].sort()).toEqual(
      [...(parameters.LpMethodOverride?.schema.enum ?? [])].sort(),
    );
    const forwarding = Object.keys(openApiDocument.paths['/mtls/account/{accountId}'] ?? {})
      .filter((key) => key !== 'parameters')
      .map((key) => key.toUpperCase());
    expect([...FORWARD_METHODS].sort()).toEqual(forwarding.sort());
  });
});

describe('problems', () => {
  const problem = (
    code: string,
    errors: Array<{ location: 'body' | 'header' | 'query' | 'path'; name?: string; message: string }>,
  ) =>
    new ValidationError('failed', {
      status: 400,
      code,
      requestId: 'req-1',
      problem: {
        type: 'about:blank',
        title: 'Invalid request',
        status: 400,
        detail: 'Fix it.',
        code: code as 'invalid_request',
        requestId: 'req-1',
        errors,
      },
    });

  it('maps input names of every location to form fields', () => {
    expect(fieldOfInput({ location: 'body', name: '/0/name' })).toBe('name');
    expect(fieldOfInput({ location: 'body', name: '/serviceName' })).toBe('serviceName');
    expect(fieldOfInput({ location: 'header', name: 'LP-forward-url' })).toBe('url');
    expect(fieldOfInput({ location: 'query', name: 'isValidateUrlEnabled' })).toBe('validateUrl');
  });

  it('places input errors next to the fields of the form, and lists the rest', () => {
    const shown = toShownProblem(
      problem('invalid_request', [
        { location: 'body', name: '/url', message: 'must be an absolute URL' },
        { location: 'query', name: 'page', message: 'is unknown' },
      ]),
      ['url', 'serviceName'],
    );
    expect(shown).toMatchObject({
      title: 'Invalid request',
      detail: 'Fix it.',
      code: 'invalid_request',
      requestId: 'req-1',
    });
    expect(shown.fieldErrors).toEqual({ url: ['must be an absolute URL'] });
    expect(shown.otherErrors).toEqual(['query page: is unknown']);
  });

  it('puts a wrong password next to the password, other file problems next to the file', () => {
    const wrong = problem('p12_wrong_password', [
      {
        location: 'body',
        name: 'file',
        message: 'p12_wrong_password: The password does not open this file.',
      },
    ]);
    expect(toShownProblem(wrong, ['file', 'password']).fieldErrors).toEqual({
      password: ['The password does not open this file.'],
    });
    const corrupt = problem('p12_corrupt', [
      { location: 'body', name: 'file', message: 'p12_corrupt: Not a PKCS#12 file.' },
    ]);
    expect(toShownProblem(corrupt, ['file', 'password']).fieldErrors).toEqual({
      file: ['Not a PKCS#12 file.'],
    });
  });

  it('shows errors without a problem body, and anything else thrown', () => {
    const bare = new MtlsGatewayError('No answer.', { code: 'connection_failed' });
    expect(toShownProblem(bare)).toMatchObject({
      title: 'MtlsGatewayError',
      detail: 'No answer.',
      code: 'connection_failed',
    });
    expect(toShownProblem(new Error('boom'))).toMatchObject({ detail: 'boom', code: 'console_error' });
  });
});

describe('timeline layout', () => {
  const certificates = [
    { id: 1, name: 'Later', status: 'Available', notBefore: inDays(-100), expirationDate: inDays(300) },
    { id: 2, name: 'Soon', status: 'Available', notBefore: inDays(-300), expirationDate: inDays(10) },
    { id: 3, name: 'Gone', status: 'Expired', notBefore: inDays(-400), expirationDate: inDays(-20) },
    { id: 4, name: 'Unknown', status: 'UnAvailable', expirationDate: null },
  ];

  it('has one row per dated certificate, by expiry date, inside the plot', () => {
    const layout = layoutTimeline(certificates, NOW, { width: 800 });
    expect(layout.rows.map((row) => row.name)).toEqual(['Gone', 'Soon', 'Later']);
    expect(layout.rows.map((row) => row.level)).toEqual(['expired', 'soon', 'ok']);
    expect(layout.undated).toEqual(['Unknown']);
    for (const row of layout.rows) {
      expect(row.expiryX).toBeGreaterThanOrEqual(layout.plotLeft);
      expect(row.expiryX).toBeLessThanOrEqual(layout.plotRight);
      expect(row.barX + row.barWidth).toBeCloseTo(row.expiryX, 5);
    }
    const [gone, soon, later] = layout.rows;
    expect(gone?.expiryX).toBeLessThan(layout.todayX);
    expect(soon?.expiryX).toBeGreaterThan(layout.todayX);
    expect(soon?.expiryX).toBeLessThan(layout.warningEndX);
    expect(later?.expiryX).toBeGreaterThan(layout.warningEndX);
  });

  it('puts a few ticks on round dates', () => {
    const layout = layoutTimeline(certificates, NOW);
    expect(layout.ticks.length).toBeGreaterThan(2);
    expect(layout.ticks.length).toBeLessThanOrEqual(8);
    for (const tick of layout.ticks) expect(tick.label).toMatch(/^\d{4}(-\d{2})?$/);
  });

  it('draws an empty account', () => {
    const layout = layoutTimeline([], NOW);
    expect(layout.rows).toEqual([]);
    expect(layout.height).toBeGreaterThan(0);
  });
});

describe('routes', () => {
  it('reads and writes fragments', () => {
    expect(parseRoute('')).toEqual({ page: 'certificates' });
    expect(parseRoute('#/certificates/42')).toEqual({ page: 'certificate', id: '42' });
    expect(parseRoute('#/forward')).toEqual({ page: 'forward' });
    expect(parseRoute('#/certificates/abc')).toEqual({ page: 'certificates' });
    expect(routeHref({ page: 'certificate', id: '42' })).toBe('#/certificates/42');
  });
});

describe('header lines', () => {
  it('parses "Name: value" lines and refuses Authorization', () => {
    expect(parseHeaderLines('Content-Type: application/json\n\nX-A: 1\nx-a: 2')).toEqual({
      headers: { 'Content-Type': 'application/json', 'X-A': '1', 'x-a': '2' },
      errors: [],
    });
    expect(parseHeaderLines('no colon').errors).toHaveLength(1);
    expect(parseHeaderLines('Authorization: Bearer x').errors[0]).toContain('Authorization for the remote');
  });
});

describe('mapping prediction', () => {
  const mapping = (id: number, serviceName: Mapping['serviceName'], url: string, enable = true): Mapping => ({
    id,
    deleted: false,
    enable,
    serviceName,
    url,
    siteId: 'le1',
    name: `cert-${id}`,
    certificationId: id,
  });
  const mappings = [
    mapping(1, 'WEBHOOKS', 'https://api.example.com/*'),
    mapping(2, 'WEBHOOKS', 'https://api.example.com/v2/*'),
    mapping(3, 'IDP', 'https://api.example.com/v2/token'),
    mapping(4, 'WEBHOOKS', 'https://old.example.com/*', false),
  ];

  it('follows the gateway rule: exact first, else the longest prefix, of the service', () => {
    expect(
      predictMapping(mappings, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/v2/x' })?.id,
    ).toBe(2);
    expect(predictMapping(mappings, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/v1' })?.id).toBe(
      1,
    );
    expect(
      predictMapping(mappings, { serviceName: 'IDP', url: 'https://api.example.com/v2/token' })?.id,
    ).toBe(3);
    expect(predictMapping(mappings, { url: 'https://api.example.com/v2/token' })?.id).toBe(3);
    expect(
      predictMapping(mappings, { serviceName: 'WEBHOOKS', url: 'https://old.example.com/x' }),
    ).toBeUndefined();
    expect(
      predictMapping(mappings, { serviceName: 'WEBHOOKS', url: 'https://api.example.com.evil/' }),
    ).toBeUndefined();
  });
});

describe('remote answer', () => {
  it('reads status, sorted headers, pretty JSON and timing', async () => {
    const response = new Response('{"a":1}', {
      status: 201,
      headers: { 'content-type': 'application/json', 'x-b': '2' },
    });
    const answer = await readRemoteAnswer(response, 100, 130, () => 175);
    expect(answer).toMatchObject({
      status: 201,
      body: '{\n  "a": 1\n}',
      bodyBytes: 7,
      headersMs: 30,
      totalMs: 75,
    });
    expect(answer.headers.map(([name]) => name)).toEqual(['content-type', 'x-b']);
  });

  it('summarises binary bodies and cuts long ones', async () => {
    const binary = await readRemoteAnswer(new Response(new Uint8Array([1, 0, 2])), 0, 0, () => 0);
    expect(binary).toMatchObject({ binary: true, body: '(3 bytes of binary data)' });
    const long = await readRemoteAnswer(new Response('x'.repeat(300 * 1024)), 0, 0, () => 0);
    expect(long.truncated).toBe(true);
    expect(long.body.length).toBe(256 * 1024);
  });
});
