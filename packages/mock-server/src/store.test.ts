import { expect, test } from 'vitest';
import { MAPPING_URL_CASES } from '../../../test/support/mapping-url-cases.js';
import { IdGenerator } from './ids.js';
import { MockProblem } from './problems.js';
import { GatewayStore } from './store.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const valid = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-01-01T00:00:00Z') };

function storeWith(...names: string[]) {
  const store = new GatewayStore(new IdGenerator(1), () => NOW);
  const records = store.createCertificates(
    'a1',
    names.map((name) => ({ name, details: valid })),
  );
  return { store, records };
}

function problemCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof MockProblem) return error.code;
    throw error;
  }
  return undefined;
}

test('status is computed from deletion, key material and validity at the store’s clock', () => {
  const store = new GatewayStore(new IdGenerator(1), () => NOW);
  const [available, expired, early, noKey] = store.createCertificates('a1', [
    { name: 'a', details: valid },
    { name: 'b', details: { notBefore: null, notAfter: new Date('2026-05-31T23:59:59Z') } },
    { name: 'c', details: { notBefore: new Date('2026-07-01T00:00:00Z'), notAfter: null } },
    { name: 'd', details: valid, hasKeyMaterial: false },
  ]);
  const statuses = [available, expired, early, noKey].map((record) => record && store.statusOf(record));
  expect(statuses).toEqual(['Available', 'Expired', 'UnAvailable', 'UnAvailable']);
  expect(store.toCertificate(expired as never).expirationDate).toBe('2026-05-31T23:59:59.000Z');
});

test('names are unique among live certificates of an account; a batch is all or nothing', () => {
  const { store } = storeWith('Cert1');
  expect(problemCode(() => store.createCertificates('a1', [{ name: 'Cert1', details: valid }]))).toBe(
    'name_conflict',
  );
  expect(
    problemCode(() =>
      store.createCertificates('a1', [
        { name: 'New', details: valid },
        { name: 'New', details: valid },
      ]),
    ),
  ).toBe('name_conflict');
  expect(store.certificates('a1').map((record) => record.name)).toEqual(['Cert1']);
  expect(store.createCertificates('a2', [{ name: 'Cert1', details: valid }])).toHaveLength(1);
});

test('delete is soft, frees the name, disables mappings; a second delete is 404', () => {
  const { store, records } = storeWith('Cert1');
  const id = records[0]?.id as number;
  store.activateMapping('a1', id, { serviceName: 'IDP', url: 'https://idp.example.com/token' });
  store.deleteCertificate('a1', id);
  expect(store.certificates('a1')).toEqual([]);
  expect(store.certificates('a1', { includeDeleted: true })).toHaveLength(1);
  expect(store.mappings('a1')[0]?.enable).toBe(false);
  expect(problemCode(() => store.deleteCertificate('a1', id))).toBe('not_found');
  expect(store.createCertificates('a1', [{ name: 'Cert1', details: valid }])).toHaveLength(1);
});

test('activation: 404 for another account’s or a deleted certificate, 409 when taken, a disabled mapping gives way', () => {
  const { store, records } = storeWith('A', 'B');
  const [a, b] = records.map((record) => record.id) as [number, number];
  const target = { serviceName: 'WEBHOOKS' as const, url: 'https://api.example.com/hooks' };
  expect(problemCode(() => store.activateMapping('other', a, target))).toBe('not_found');
  const first = store.activateMapping('a1', a, target);
  expect(problemCode(() => store.activateMapping('a1', b, target))).toBe('mapping_conflict');
  store.deleteCertificate('a1', a);
  const second = store.activateMapping('a1', b, target);
  expect(store.mappings('a1').map((mapping) => mapping.id)).toEqual([second.id]);
  expect(first.deleted).toBe(true);
});

test('resolveMapping: exact beats prefix, longest prefix wins, ties without a service are ambiguous', () => {
  const { store, records } = storeWith('Exact', 'Short', 'Long', 'Other');
  const [exact, short, long, other] = records.map((record) => record.id) as [number, number, number, number];
  store.activateMapping('a1', exact, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/v2/hooks' });
  store.activateMapping('a1', short, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/*' });
  store.activateMapping('a1', long, { serviceName: 'WEBHOOKS', url: 'https://api.example.com/v2/*' });
  store.activateMapping('a1', other, { serviceName: 'IDP', url: 'https://api.example.com/v2/*' });
  const name = (serviceName: 'WEBHOOKS' | 'IDP' | undefined, url: string) =>
    store.resolveMapping('a1', serviceName, url)?.certificate?.name;
  expect(name('WEBHOOKS', 'https://api.example.com/v2/hooks')).toBe('Exact');
  expect(name('WEBHOOKS', 'https://api.example.com/v2/hooks?x')).toBe('Long');
  expect(name('WEBHOOKS', 'https://api.example.com/v1')).toBe('Short');
  expect(name('IDP', 'https://api.example.com/v1')).toBeUndefined();
  // No service: the one exact mapping applies; two equally long prefixes under two services do not.
  expect(name(undefined, 'https://api.example.com/v2/hooks')).toBe('Exact');
  expect(store.resolveMapping('a1', undefined, 'https://api.example.com/v2/other')).toBeUndefined();
  expect(name(undefined, 'https://api.example.com/v1')).toBe('Short');
});

test('an unavailable certificate is mapped but not presented', () => {
  const store = new GatewayStore(new IdGenerator(1), () => NOW);
  const [record] = store.createCertificates('a1', [
    { name: 'Old', details: { notBefore: null, notAfter: new Date('2020-01-01T00:00:00Z') } },
  ]);
  store.activateMapping('a1', record?.id as number, {
    serviceName: 'FAAS',
    url: 'https://faas.example.com/',
  });
  const resolved = store.resolveMapping('a1', 'FAAS', 'https://faas.example.com/');
  expect(resolved?.mapping.certificateId).toBe(record?.id);
  expect(resolved?.certificate).toBeUndefined();
});

test('resolveMapping applies the shared table: a prefix never serves another host or port', () => {
  for (const [label, mappingUrl, requestUrl, applies] of MAPPING_URL_CASES) {
    const { store, records } = storeWith('Cert');
    store.activateMapping('a1', records[0]?.id as number, { serviceName: 'WEBHOOKS', url: mappingUrl });
    expect(store.resolveMapping('a1', 'WEBHOOKS', requestUrl)?.certificate?.name, label).toBe(
      applies ? 'Cert' : undefined,
    );
  }
});
