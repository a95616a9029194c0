import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateResource, CertificateSaveResult } from '../certificates/certificate-record.js';
import { createCertificateRoutes } from '../certificates/certificate-routes.js';
import { P12Factory, type P12Fixture } from '../certificates/testing/p12-fixtures.js';
import { expectSchema } from '../certificates/testing/spec-schemas.js';
import { TransportFailureError } from '../errors.js';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { migrate } from '../storage/migrations.js';
import { type TestDatabase, testDatabaseEngines } from '../storage/testing/test-databases.js';
import { createMappingRoutes } from './mapping-routes.js';
import type { MappingResource } from './mapping-service.js';

const ACCOUNT = 'le1606809';
const REFUSED_URL = 'https://refuses.example.com/hooks';

async function expectProblem(response: Response, status: number, code: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('lp-gateway-error')).toBe(code);
  return expectSchema<{ code: string; detail: string; errors?: unknown[] }>('Problem', JSON.parse(text));
}

describe.each(testDatabaseEngines)('mapping routes over HTTP on $kind', ({ open }) => {
  let database: TestDatabase;
  let server: TestApp;
  let cleanupConfig: () => Promise<void>;
  let token: string;
  let readOnlyToken: string;
  let fixture: P12Fixture;
  let certificate: CertificateResource;
  const validatedUrls: string[] = [];

  const url = (path: string) => `${server.url}${path}`;
  const auth = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...headers });
  const post = (path: string, body: unknown) =>
    fetch(url(path), {
      method: 'POST',
      headers: auth({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
  const activatePath = (id: number | string, query = '') =>
    `/mtls/account/${ACCOUNT}/certificates/activate/${id}${query}`;

  beforeAll(async () => {
    database = await open();
    await migrate(database.db);
    const prepared = await testConfig();
    cleanupConfig = prepared.cleanup;
    // Stands in for the forwarding module's test call: one URL "refuses", everything else "answers".
    const validateUrl = async (_certificate: unknown, target: string) => {
      validatedUrls.push(target);
      if (target === REFUSED_URL)
        throw new TransportFailureError('connect ECONNREFUSED 192.0.2.1:443', 'ECONNREFUSED');
    };
    server = await startTestApp({
      db: database.db,
      config: prepared.config,
      routes: [createCertificateRoutes(), createMappingRoutes({ validateUrl })],
    });
    const { tokens } = server.context.auth;
    token = (
      await tokens.create({ accounts: [ACCOUNT], permissions: ['MTLS_READ_INTERNAL', 'MTLS_WRITE_INTERNAL'] })
    ).token;
    readOnlyToken = (await tokens.create({ accounts: [ACCOUNT], permissions: ['MTLS_READ_INTERNAL'] })).token;
    fixture = new P12Factory().valid('mapped client');
    const created = await post(`/mtls/account/${ACCOUNT}/certificates`, [
      { name: 'Cert1', p12: fixture.bytes.toString('base64'), password: fixture.password },
    ]);
    certificate = ((await created.json()) as CertificateSaveResult)
      .successfulySavedCertificates[0] as CertificateResource;
  });
  afterAll(async () => {
    await server?.close();
    await database?.cleanup();
    await cleanupConfig?.();
  });

  it('activateMapping: 201 Mapping; 409 mapping_conflict; 404 unknown certificate; 400 bad input', async () => {
    const target = { serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks?tenant=42' };
    const response = await post(activatePath(certificate.id), target);
    expect(response.status).toBe(201);
    expect(expectSchema('Mapping', await response.json())).toEqual({
      id: expect.any(Number),
      deleted: false,
      url: target.url,
      enable: true,
      serviceName: 'WEBHOOKS',
      siteId: ACCOUNT,
      name: 'Cert1',
      certificationId: certificate.id,
    });
    await expectProblem(await post(activatePath(certificate.id), target), 409, 'mapping_conflict');
    await expectProblem(await post(activatePath(4242), { ...target, serviceName: 'IDP' }), 404, 'not_found');
    await expectProblem(
      await post(activatePath(certificate.id), { ...target, serviceName: 'NOPE' }),
      400,
      'invalid_request',
    );
    await expectProblem(
      await post(activatePath(certificate.id), { serviceName: 'IDP', url: 'https:///no-host' }),
      400,
      'invalid_request',
    );
  });

  it('activateMapping with isValidateUrlEnabled=true: 424 when the test call fails (nothing stored), 201 when it works', async () => {
    const failed = await post(activatePath(certificate.id, '?isValidateUrlEnabled=true'), {
      serviceName: 'IDP',
      url: REFUSED_URL,
    });
    await expectProblem(failed, 424, 'transport_failure');
    expect(failed.headers.get('lp-error-from-transport')).toBe('ECONNREFUSED');
    const list = (await (
      await fetch(url(`/mtls/account/${ACCOUNT}/mappings`), { headers: auth() })
    ).json()) as MappingResource[];
    expect(list.map((mapping) => mapping.url)).not.toContain(REFUSED_URL);

    const ok = await post(activatePath(certificate.id, '?isValidateUrlEnabled=true'), {
      serviceName: 'IDP',
      url: 'https://idp.example.com/*',
    });
    expect(ok.status).toBe(201);
    expect(validatedUrls).toEqual([REFUSED_URL, 'https://idp.example.com/']);
  });

  it('listMappings: 200 MappingList; deleteMapping: 200 then 404; checkMappings: 200 MappingCheckResult', async () => {
    const list = expectSchema<MappingResource[]>(
      'MappingList',
      await (
        await fetch(url(`/mtls/account/${ACCOUNT}/mappings`), {
          headers: auth({ authorization: `Bearer ${readOnlyToken}` }),
        })
      ).json(),
    );
    expect(list.length).toBeGreaterThanOrEqual(2);

    const checkPath = `/api/account/${ACCOUNT}/checks/serviceUrlMappings`;
    const pairs = [
      { serviceName: 'WEBHOOKS', url: 'https://api.example.com/hooks?tenant=42' },
      { serviceName: 'IDP', url: 'https://idp.example.com/token' },
      { serviceName: 'IDP', url: 'https://other.example.com/token' },
    ];
    const check = await post(checkPath, pairs);
    expect(check.status).toBe(200);
    expect(expectSchema('MappingCheckResult', await check.json())).toEqual([
      { ...pairs[0], exist: true },
      { ...pairs[1], exist: true },
      { ...pairs[2], exist: false },
    ]);

    const webhooks = list.find((mapping) => mapping.serviceName === 'WEBHOOKS') as MappingResource;
    const deleted = await fetch(url(`/mtls/account/${ACCOUNT}/mappings/${webhooks.id}`), {
      method: 'DELETE',
      headers: auth(),
    });
    expect(deleted.status).toBe(200);
    expect(expectSchema('Mapping', await deleted.json())).toEqual({
      ...webhooks,
      deleted: true,
      enable: false,
    });
    await expectProblem(
      await fetch(url(`/mtls/account/${ACCOUNT}/mappings/${webhooks.id}`), {
        method: 'DELETE',
        headers: auth(),
      }),
      404,
      'not_found',
    );
    const after = (await (await post(checkPath, [pairs[0]])).json()) as Array<{ exist: boolean }>;
    expect(after).toEqual([{ ...pairs[0], exist: false }]);
    await expectProblem(
      await fetch(url(`/mtls/account/${ACCOUNT}/mappings/1`), {
        method: 'DELETE',
        headers: { authorization: `Bearer ${readOnlyToken}` },
      }),
      403,
      'forbidden',
    );
  });

  it('deleting the certificate disables its mappings (enable: false) and check answers false', async () => {
    const created = await post(`/mtls/account/${ACCOUNT}/certificates`, [
      { name: 'Short-lived', p12: fixture.bytes.toString('base64'), password: fixture.password },
    ]);
    const shortLived = ((await created.json()) as CertificateSaveResult)
      .successfulySavedCertificates[0] as CertificateResource;
    const target = { serviceName: 'FAAS', url: 'https://faas.example.com/run' };
    const mapping = (await (await post(activatePath(shortLived.id), target)).json()) as MappingResource;
    const deleted = await fetch(url(`/mtls/account/${ACCOUNT}/certificates/${shortLived.id}`), {
      method: 'DELETE',
      headers: auth(),
    });
    expect(deleted.status).toBe(200);
    const list = (await (
      await fetch(url(`/mtls/account/${ACCOUNT}/mappings`), { headers: auth() })
    ).json()) as MappingResource[];
    expect(list.find((item) => item.id === mapping.id)).toEqual({ ...mapping, enable: false });
    const check = (await (
      await post(`/api/account/${ACCOUNT}/checks/serviceUrlMappings`, [target])
    ).json()) as unknown;
    expect(check).toEqual([{ ...target, exist: false }]);
  });
});
