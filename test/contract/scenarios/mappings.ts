/**
 * Mappings: which certificate serves which service + URL — activate, list, check, delete, the `*` prefix,
 * conflicts, unknown ids, the effect of deleting a certificate and `isValidateUrlEnabled`.
 */
import type { MappingTarget } from '@mtls-gateway/sdk';
import { expect } from 'vitest';
import { type ScenarioContext, type ScenarioGroup, scenario } from '../support/scenario.js';
import { expectProblem, UNKNOWN_ID, uploadCertificate, upstreamUrl } from './helpers.js';

/** A mapping URL no other scenario uses (never called: activation without validation calls nothing). */
function mappingUrl(context: ScenarioContext, label: string): string {
  return `https://mapping.contract.test/${context.fixtures.uniqueName(label)}?tenant=42`;
}

export const mappingScenarios: ScenarioGroup = {
  name: 'mappings',
  scenarios: [
    scenario('a mapping is activated, listed, checked and deleted', ['stateful'], async (context) => {
      const { client, env } = context;
      const { certificate } = await uploadCertificate(context, 'map');
      const target: MappingTarget = { serviceName: 'WEBHOOKS', url: mappingUrl(context, 'hooks') };
      const mapping = await client.mappings.activate(certificate.id, target);
      context.defer(() => client.mappings.delete(mapping.id));
      expect(mapping).toMatchObject({
        ...target,
        deleted: false,
        enable: true,
        siteId: env.accountId,
        name: certificate.name,
        certificationId: certificate.id,
      });
      expect((await client.mappings.list()).find((item) => item.id === mapping.id)).toEqual(mapping);

      const unmapped: MappingTarget = { serviceName: 'IDP', url: target.url };
      expect(await client.mappings.check([unmapped, target])).toEqual([
        { ...unmapped, exist: false },
        { ...target, exist: true },
      ]);

      const deleted = await client.mappings.delete(mapping.id);
      expect(deleted).toMatchObject({ id: mapping.id, deleted: true });
      expect((await client.mappings.list()).map((item) => item.id)).not.toContain(mapping.id);
      expect(await client.mappings.check([target])).toEqual([{ ...target, exist: false }]);
    }),

    scenario('a URL ending in * maps every URL that starts with it', ['stateful'], async (context) => {
      const { client } = context;
      const { certificate } = await uploadCertificate(context, 'prefix');
      const prefix = `https://mapping.contract.test/${context.fixtures.uniqueName('v2')}/`;
      const mapping = await client.mappings.activate(certificate.id, {
        serviceName: 'IDP',
        url: `${prefix}*`,
      });
      context.defer(() => client.mappings.delete(mapping.id));
      const checks = await client.mappings.check([
        { serviceName: 'IDP', url: `${prefix}token?grant=client` },
        { serviceName: 'IDP', url: `${prefix.slice(0, -1)}-other/token` },
        { serviceName: 'WEBHOOKS', url: `${prefix}token` },
      ]);
      expect(checks.map((check) => check.exist)).toEqual([true, false, false]);
    }),

    scenario(
      'one certificate serves many mappings; a taken service + URL is 409 mapping_conflict',
      ['stateful'],
      async (context) => {
        const { client } = context;
        const { certificate } = await uploadCertificate(context, 'many');
        const { certificate: second } = await uploadCertificate(context, 'second');
        const url = mappingUrl(context, 'shared');
        const first = await client.mappings.activate(certificate.id, { serviceName: 'WEBHOOKS', url });
        context.defer(() => client.mappings.delete(first.id));
        const other = await client.mappings.activate(certificate.id, { serviceName: 'IDP', url });
        context.defer(() => client.mappings.delete(other.id));
        expect(other.id).not.toBe(first.id);
        await expectProblem(
          client.mappings.activate(second.id, { serviceName: 'WEBHOOKS', url }),
          409,
          'mapping_conflict',
        );
        const listed = (await client.mappings.list()).filter((mapping) => mapping.url === url);
        expect(listed.map((mapping) => mapping.certificationId)).toEqual([certificate.id, certificate.id]);
      },
    ),

    scenario('an unknown certificate or mapping is 404 not_found', ['stateful'], async (context) => {
      const { client } = context;
      await expectProblem(
        client.mappings.activate(UNKNOWN_ID, {
          serviceName: 'WEBHOOKS',
          url: mappingUrl(context, 'unknown'),
        }),
        404,
        'not_found',
      );
      await expectProblem(client.mappings.delete(UNKNOWN_ID), 404, 'not_found');
    }),

    scenario('deleting a certificate disables its mappings', ['stateful'], async (context) => {
      const { client } = context;
      const { certificate } = await uploadCertificate(context, 'disable');
      const target: MappingTarget = { serviceName: 'FAAS', url: mappingUrl(context, 'faas') };
      await client.mappings.activate(certificate.id, target);
      expect(await client.mappings.check([target])).toEqual([{ ...target, exist: true }]);
      await client.certificates.delete(certificate.id);
      expect(await client.mappings.check([target])).toEqual([{ ...target, exist: false }]);
      for (const mapping of await client.mappings.list()) {
        if (mapping.certificationId === certificate.id) expect(mapping.enable).toBe(false);
      }
      // A deleted certificate cannot be mapped any more.
      await expectProblem(client.mappings.activate(certificate.id, target), 404, 'not_found');
    }),

    scenario(
      'isValidateUrlEnabled calls the URL first: reachable → 201, unreachable → 424 and nothing stored',
      ['stateful', 'upstream', 'transportFailure'],
      async (context) => {
        const { client, env } = context;
        const { certificate } = await uploadCertificate(context, 'validate');
        const reachable: MappingTarget = {
          serviceName: 'TEST_SERVICE',
          url: upstreamUrl(context, `/validate/${context.fixtures.uniqueName('ok')}`),
        };
        const mapping = await client.mappings.activate(certificate.id, reachable, { validateUrl: true });
        context.defer(() => client.mappings.delete(mapping.id));
        expect(mapping).toMatchObject({ ...reachable, enable: true });

        const unreachable: MappingTarget = {
          serviceName: 'TEST_SERVICE',
          url: `${env.upstream?.unreachableUrl}/${context.fixtures.uniqueName('down')}`,
        };
        const error = await expectProblem(
          client.mappings.activate(certificate.id, unreachable, { validateUrl: true }),
          424,
          'transport_failure',
        );
        expect(error.headers?.get('LP-error-from-transport')).toBeTruthy();
        expect(await client.mappings.check([unreachable])).toEqual([{ ...unreachable, exist: false }]);
      },
    ),
  ],
};
