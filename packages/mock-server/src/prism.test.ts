// Prism serves the same spec, statelessly: it starts, and answers from the spec's examples.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { findFreePort, type RunningPrismMock, resolvePrismCli, startPrismMock } from './prism.js';
import { SpecValidator } from './validation.js';

let prism: RunningPrismMock;
const validator = new SpecValidator();

beforeAll(async () => {
  prism = await startPrismMock();
}, 90_000);
afterAll(() => prism?.close());

test('answers GET /healthz', async () => {
  expect(prism.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${prism.url}/healthz`);
  expect(response.status).toBe(200);
  expect(await validator.response('getHealth', response)).toEqual([]);
  expect(await response.json()).toEqual({ status: 'ok' });
});

test('answers a JSON operation with the spec’s example, valid against the spec', async () => {
  const response = await fetch(`${prism.url}/mtls/account/le1606809/certificates`, {
    headers: { Authorization: 'Bearer anything' },
  });
  expect(response.status).toBe(200);
  expect(await validator.response('listCertificates', response)).toEqual([]);
  const certificates = (await response.json()) as Array<{ name: string }>;
  expect(certificates.map((certificate) => certificate.name)).toEqual(['Cert1', 'Cert2']);
});

test('is stateless: an upload is not listed afterwards (use the MSW mock or mtls-mock for that)', async () => {
  const upload = await fetch(`${prism.url}/mtls/account/le1606809/certificates`, {
    method: 'POST',
    headers: { Authorization: 'Bearer anything', 'Content-Type': 'application/json' },
    body: JSON.stringify([
      { name: 'Mine', p12: 'MIIJqQIBAzCCCW8GCSqGSIb3DQEHAaCCCWAEgglc', password: 'changeit' },
    ]),
  });
  expect(upload.status).toBe(201);
  const list = (await (
    await fetch(`${prism.url}/mtls/account/le1606809/certificates`, {
      headers: { Authorization: 'Bearer x' },
    })
  ).json()) as Array<{ name: string }>;
  expect(list.map((certificate) => certificate.name)).not.toContain('Mine');
});

test('helpers: a free port and the Prism CLI path', async () => {
  expect(await findFreePort()).toBeGreaterThan(0);
  expect(resolvePrismCli()).toMatch(/prism-cli/);
});
