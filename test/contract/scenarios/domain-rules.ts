/**
 * The domain rules the spec states in prose and no schema can check, run over the tables of cases every
 * implementation shares (`test/support/mapping-url-cases.ts`, the upload cases below): which mapping URLs
 * may be stored, which request URLs a mapping applies to, and how the files of one upload are opened. A mock
 * and a server that disagree on a case fail here, whatever their own unit tests say.
 */
import type { ServiceName } from '@mtls-gateway/sdk';
import { expect } from 'vitest';
import { MAPPING_URL_CASES, MAPPING_URL_VALIDITY_CASES } from '../../support/mapping-url-cases.js';
import { type ScenarioContext, type ScenarioGroup, scenario } from '../support/scenario.js';
import { accountPath, base64, expectProblem, sendRaw, uploadCertificate } from './helpers.js';

const SERVICE: ServiceName = 'IDP';

/** Whether a mapping of `mappingUrl` is found by `check` for `requestUrl` (the forwarding rule). */
async function mappingApplies(
  context: ScenarioContext,
  certificateId: number,
  mappingUrl: string,
  requestUrl: string,
) {
  const mapping = await context.client.mappings.activate(certificateId, {
    serviceName: SERVICE,
    url: mappingUrl,
  });
  try {
    const [check] = await context.client.mappings.check([{ serviceName: SERVICE, url: requestUrl }]);
    return check?.exist;
  } finally {
    await context.client.mappings.delete(mapping.id);
  }
}

export const domainRuleScenarios: ScenarioGroup = {
  name: 'domain rules (shared tables)',
  scenarios: [
    scenario('mapping URLs: the validity table', ['stateful', 'requestValidation'], async (context) => {
      const { certificate } = await uploadCertificate(context, 'validity');
      for (const [label, url, valid] of MAPPING_URL_VALIDITY_CASES) {
        const activation = context.client.mappings.activate(certificate.id, { serviceName: SERVICE, url });
        if (valid) {
          const mapping = await activation;
          expect(mapping.url, label).toBe(url);
          await context.client.mappings.delete(mapping.id);
        } else {
          const error = await expectProblem(activation, 400, 'invalid_request');
          expect(
            error.problem?.errors?.map((input) => input.name),
            label,
          ).toContain('/url');
        }
      }
    }),

    scenario('mapping URLs: the matching table', ['stateful'], async (context) => {
      const { certificate } = await uploadCertificate(context, 'matching');
      const disagreements: string[] = [];
      for (const [label, mappingUrl, requestUrl, applies] of MAPPING_URL_CASES) {
        // A URL with white space is refused by the check's schema before any matching.
        if (/\s/.test(requestUrl)) continue;
        if ((await mappingApplies(context, certificate.id, mappingUrl, requestUrl)) !== applies) {
          disagreements.push(
            `${label}: ${mappingUrl} ${applies ? 'must' : 'must not'} apply to ${requestUrl}`,
          );
        }
      }
      expect(disagreements).toEqual([]);
    }),

    scenario(
      'uploads: every file is opened in order; the first unusable one refuses the request and is named',
      ['stateful', 'p12Validation'],
      async (context) => {
        const { client, fixtures } = context;
        const good = fixtures.p12();
        const names = ['first', 'second', 'third'].map((label) => fixtures.uniqueName(label));
        const error = await expectProblem(
          client.certificates.create([
            { name: names[0] as string, p12: good.bytes, password: good.password },
            { name: names[1] as string, p12: good.bytes, password: `${good.password}-wrong` },
            { name: names[2] as string, p12: good.bytes, password: good.password },
          ]),
          400,
          'p12_wrong_password',
        );
        expect(error.problem?.errors).toEqual([
          { location: 'body', name: '/1/p12', message: expect.stringMatching(/^p12_wrong_password: /) },
        ]);
        expect(error.problem?.detail).toMatch(
          /^Item 1\b.* The item after it was not checked\. Nothing was stored\.$/,
        );
        const listed = (await client.certificates.list()).map((certificate) => certificate.name);
        for (const name of names) expect(listed).not.toContain(name);
      },
    ),

    scenario(
      'uploads: p12 as byte values or base64 is the same file; what is neither is refused, naming /0/p12',
      ['stateful', 'p12Validation', 'requestValidation'],
      async (context) => {
        const { fixtures } = context;
        const p12 = fixtures.p12();
        const asJson = (value: unknown) =>
          sendRaw(context, 'POST', accountPath(context, '/certificates'), {
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify([
              { name: fixtures.uniqueName('encoding'), p12: value, password: p12.password },
            ]),
          });
        for (const value of [[...p12.bytes], base64(p12.bytes)]) {
          const response = await asJson(value);
          expect(response.status, await response.clone().text()).toBe(201);
          const saved = (await response.json()) as { successfulySavedCertificates: Array<{ id: number }> };
          for (const { id } of saved.successfulySavedCertificates)
            await context.client.certificates.delete(id);
        }
        for (const [value, code] of [
          ['AAAAAAAA', 'p12_corrupt'],
          ['not base64 at all!', 'invalid_request'],
          [[48, 256], 'invalid_request'],
        ] as const) {
          const refused = await asJson(value);
          const problem = (await refused.json()) as { code: string; errors: Array<{ name: string }> };
          expect({ status: refused.status, code: problem.code }, JSON.stringify(value)).toEqual({
            status: 400,
            code,
          });
          expect([...new Set(problem.errors.map((input) => input.name.replace(/\/\d+$/, '')))]).toEqual([
            '/0/p12',
          ]);
        }
      },
    ),
  ],
};
