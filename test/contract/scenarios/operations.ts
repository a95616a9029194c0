/**
 * Operations endpoints: liveness, the API reference and the OpenAPI document without credentials,
 * readiness and metrics with one; and a lifecycle that touches every management operation once, asserting only what
 * holds for a stateless mock too (documented successes; the recorder checks the shapes).
 */
import { expect } from 'vitest';
import { parse } from 'yaml';
import { type ScenarioGroup, scenario } from '../support/scenario.js';
import { specOperations } from '../support/spec.js';
import { base64 } from './helpers.js';

export const operationsScenarios: ScenarioGroup = {
  name: 'operations endpoints',
  scenarios: [
    scenario('health and the API reference answer without credentials', [], async (context) => {
      const raw = context.clientWith({ token: null }).raw;
      const health = await raw.GET('/healthz');
      expect(health.response.status).toBe(200);
      expect(health.data).toEqual({ status: 'ok' });
      const docs = await raw.GET('/docs', { parseAs: 'text' });
      expect(docs.response.status).toBe(200);
      expect(docs.data?.toLowerCase()).toContain('<title');
    }),

    scenario(
      'readiness and metrics need a credential (metrics: one for every account)',
      ['authentication'],
      async (context) => {
        const anonymous = context.clientWith({ token: null }).raw;
        expect((await anonymous.GET('/readyz')).response.status).toBe(401);
        expect((await anonymous.GET('/metrics', { parseAs: 'text' })).response.status).toBe(401);
        const operator = context.clientWith({ token: context.env.allAccountsToken ?? context.env.token }).raw;
        const ready = await operator.GET('/readyz');
        expect(ready.response.status).toBe(200);
        expect(ready.data).toEqual({ status: 'ok', checks: { database: 'ok', secretStore: 'ok' } });
        const metrics = await operator.GET('/metrics', { parseAs: 'text' });
        expect(metrics.response.status).toBe(200);
        expect(metrics.data).toMatch(/^# (HELP|TYPE) /m);
      },
    ),

    scenario('the OpenAPI document served is the spec the suite checks against', [], async (context) => {
      const { data, response } = await context.clientWith({ token: null }).raw.GET('/openapi.yaml', {
        parseAs: 'text',
      });
      expect(response.status).toBe(200);
      const served = parse(data ?? '') as {
        openapi?: string;
        paths?: Record<string, Record<string, unknown>>;
      };
      expect(served.openapi).toBe('3.1.0');
      const servedIds = Object.values(served.paths ?? {}).flatMap((item) =>
        Object.values(item)
          .map((candidate) => (candidate as { operationId?: string }).operationId)
          .filter(Boolean),
      );
      expect(servedIds.sort()).toEqual(specOperations.map((candidate) => candidate.operationId).sort());
    }),
  ],
};

export const lifecycleScenarios: ScenarioGroup = {
  name: 'lifecycle',
  scenarios: [
    scenario('every JSON management operation answers its documented success', [], async (context) => {
      const { client, env, fixtures } = context;
      const accountId = env.accountId;
      const p12 = fixtures.p12();
      expect(Array.isArray(await client.certificates.list())).toBe(true);
      const created = await client.certificates.create({
        name: fixtures.uniqueName('life'),
        p12: p12.bytes,
        password: p12.password,
      });
      const id = created.successfulySavedCertificates[0]?.id ?? 0;
      expect(id).toBeGreaterThan(0);
      await client.certificates.get(id);
      await client.certificates.update(id, { p12: p12.bytes, password: p12.password });
      const viaBody = await client.raw.PUT('/mtls/account/{accountId}/certificates', {
        params: { path: { accountId } },
        body: [{ id, p12: base64(p12.bytes), password: p12.password }],
      });
      expect(viaBody.response.status).toBe(200);

      const target = {
        serviceName: 'WEBHOOKS' as const,
        url: `https://mapping.contract.test/${fixtures.uniqueName('life')}`,
      };
      const mapping = await client.mappings.activate(id, target);
      expect(Array.isArray(await client.mappings.list())).toBe(true);
      expect(Array.isArray(await client.mappings.check([target]))).toBe(true);
      await client.mappings.delete(mapping.id);
      await client.certificates.delete(id);
    }),

    scenario(
      'every file operation answers its documented success',
      ['multipartJsonPart', 'binaryMultipart'],
      async (context) => {
        const { client, env, fixtures } = context;
        const accountId = env.accountId;
        const p12 = fixtures.p12();
        const fromFile = await client.certificates.createFromFile({
          file: p12.bytes,
          name: fixtures.uniqueName('life-file'),
          password: p12.password,
        });
        const fileId = fromFile.successfulySavedCertificates[0]?.id ?? 0;
        await client.certificates.updateFromFile({ id: fileId, file: p12.bytes, password: p12.password });
        const form = (certificate: Record<string, unknown>) => {
          const body = new FormData();
          body.append('file', new Blob([p12.bytes as BlobPart], { type: 'application/x-pkcs12' }), 'c.p12');
          body.append(
            'certificate',
            new Blob([JSON.stringify(certificate)], { type: 'application/json' }),
            'c.json',
          );
          return body as never;
        };
        const aliasCreate = await client.raw.POST('/mtls/account/{accountId}/certificates/by-file', {
          params: { path: { accountId } },
          body: form({ name: fixtures.uniqueName('life-alias'), password: p12.password }),
          bodySerializer: (body: unknown) => body as FormData,
        });
        expect(aliasCreate.response.status).toBe(201);
        const aliasId = aliasCreate.data?.successfulySavedCertificates[0]?.id ?? 0;
        const aliasUpdate = await client.raw.PUT('/mtls/account/{accountId}/certificates/by-file', {
          params: { path: { accountId } },
          body: form({ id: aliasId, password: p12.password }),
          bodySerializer: (body: unknown) => body as FormData,
        });
        expect(aliasUpdate.response.status).toBe(200);

        for (const certificateId of new Set([fileId, aliasId]))
          await client.certificates.delete(certificateId);
      },
    ),
  ],
};
