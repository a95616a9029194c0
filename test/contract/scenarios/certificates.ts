/**
 * Certificates: uploads (JSON with base64 or byte values, multipart by `byFile` and its `by-file` alias),
 * reads, replacements (by path id, by body ids, by file), soft deletes, and their documented errors.
 */
import type { Certificate, CertificateSaveResult } from '@mtls-gateway/sdk';
import { expect } from 'vitest';
import { type ScenarioContext, type ScenarioGroup, scenario } from '../support/scenario.js';
import { base64, expectProblem, UNKNOWN_ID, uploadCertificate } from './helpers.js';

type Path = '/mtls/account/{accountId}/certificates/by-file';

/** A multipart form of the file endpoints, as the documented JSON `certificate` part. */
function fileForm(file: Uint8Array, certificate: Record<string, unknown>): FormData {
  const form = new FormData();
  form.append('file', new Blob([file as BlobPart], { type: 'application/x-pkcs12' }), 'client.p12');
  form.append('certificate', new Blob([JSON.stringify(certificate)], { type: 'application/json' }), 'c.json');
  return form;
}

/** `POST|PUT …/certificates/by-file` through the SDK's raw client (the alias has no resource method). */
async function byFileAlias(
  context: ScenarioContext,
  method: 'POST' | 'PUT',
  file: Uint8Array,
  certificate: Record<string, unknown>,
): Promise<{ status: number; data: CertificateSaveResult | undefined; code: string | undefined }> {
  const path: Path = '/mtls/account/{accountId}/certificates/by-file';
  const init = {
    params: { path: { accountId: context.env.accountId } },
    body: fileForm(file, certificate) as never,
    bodySerializer: (body: unknown) => body as FormData,
  };
  const result =
    method === 'POST' ? await context.client.raw.POST(path, init) : await context.client.raw.PUT(path, init);
  return {
    status: result.response.status,
    data: result.data as CertificateSaveResult | undefined,
    code: (result.error as { code?: string } | undefined)?.code,
  };
}

/** `PUT …/certificates` (ids in the body) through the raw client. */
async function updateByBodyIds(
  context: ScenarioContext,
  items: Array<{ id: number; p12: string; password: string; name?: string }>,
): Promise<{ status: number; data: CertificateSaveResult | undefined; code: string | undefined }> {
  const result = await context.client.raw.PUT('/mtls/account/{accountId}/certificates', {
    params: { path: { accountId: context.env.accountId } },
    body: items,
  });
  return {
    status: result.response.status,
    data: result.data,
    code: (result.error as { code?: string } | undefined)?.code,
  };
}

function onlySaved(result: CertificateSaveResult | undefined): Certificate {
  expect(result?.failedSaveToVaultCertificates).toEqual([]);
  expect(result?.successfulySavedCertificates).toHaveLength(1);
  return result?.successfulySavedCertificates[0] as Certificate;
}

export const certificateScenarios: ScenarioGroup = {
  name: 'certificates',
  scenarios: [
    scenario(
      'a JSON upload is saved as described by its file, then read and listed',
      ['stateful'],
      async (context) => {
        const { client, env, fixtures } = context;
        const p12 = fixtures.p12();
        const name = fixtures.uniqueName('json');
        const saved = onlySaved(
          await client.certificates.create({ name, p12: p12.bytes, password: p12.password }),
        );
        context.defer(() => client.certificates.delete(saved.id));
        expect(saved).toMatchObject({ name, displayName: name, siteId: env.accountId, deleted: false });
        expect(saved.status).toBe('Available');
        expect(Date.parse(saved.expirationDate ?? '')).toBeGreaterThan(Date.now());
        if (saved.subject !== undefined) expect(saved.subject).toContain(`CN=${p12.commonName}`);

        expect(await client.certificates.get(saved.id)).toEqual(saved);
        // An id given as its decimal string reads the same certificate.
        expect(await client.certificates.get(String(saved.id))).toEqual(saved);
        const listed = await client.certificates.list();
        expect(listed.find((certificate) => certificate.id === saved.id)).toEqual(saved);
      },
    ),

    scenario('the documented byte-array form of p12 is accepted', ['stateful'], async (context) => {
      const { client, env, fixtures } = context;
      const p12 = fixtures.p12();
      const name = fixtures.uniqueName('bytes');
      const { data, response } = await client.raw.POST('/mtls/account/{accountId}/certificates', {
        params: { path: { accountId: env.accountId } },
        body: [{ name, p12: Array.from(p12.bytes), password: p12.password }],
      });
      expect(response.status).toBe(201);
      const saved = onlySaved(data);
      context.defer(() => client.certificates.delete(saved.id));
      expect(saved).toMatchObject({ name, status: 'Available' });
    }),

    scenario(
      'file uploads (byFile and its by-file alias) answer like the JSON upload',
      ['stateful', 'multipartJsonPart'],
      async (context) => {
        const { client, fixtures } = context;
        const first = fixtures.p12();
        const name = fixtures.uniqueName('file');
        const saved = onlySaved(
          await client.certificates.createFromFile({ file: first.bytes, name, password: first.password }),
        );
        context.defer(() => client.certificates.delete(saved.id));
        expect(saved).toMatchObject({ name, displayName: name, status: 'Available', deleted: false });
        expect(await client.certificates.get(saved.id)).toEqual(saved);

        const second = fixtures.p12();
        const aliasName = fixtures.uniqueName('alias');
        const alias = await byFileAlias(context, 'POST', second.bytes, {
          name: aliasName,
          password: second.password,
        });
        expect(alias.status).toBe(201);
        const aliasSaved = onlySaved(alias.data);
        context.defer(() => client.certificates.delete(aliasSaved.id));
        expect(aliasSaved).toMatchObject({ name: aliasName, status: 'Available' });
      },
    ),

    scenario(
      'a replacement keeps the id, raises the version and may rename',
      ['stateful'],
      async (context) => {
        const { client, fixtures } = context;
        const { certificate } = await uploadCertificate(context, 'replace');
        const renewed = fixtures.p12();
        const newName = fixtures.uniqueName('renamed');
        const updated = onlySaved(
          await client.certificates.update(certificate.id, {
            p12: renewed.bytes,
            password: renewed.password,
            name: newName,
          }),
        );
        expect(updated).toMatchObject({
          id: certificate.id,
          name: newName,
          status: 'Available',
          deleted: false,
        });
        if (certificate.version !== undefined) expect(updated.version).toBe(certificate.version + 1);
        if (certificate.fingerprintSha256 !== undefined) {
          expect(updated.fingerprintSha256).not.toBe(certificate.fingerprintSha256);
        }
        if (updated.subject !== undefined) expect(updated.subject).toContain(`CN=${renewed.commonName}`);
        expect(await client.certificates.get(certificate.id)).toEqual(updated);
      },
    ),

    scenario(
      'a replacement by body ids (PUT /certificates) raises the version',
      ['stateful'],
      async (context) => {
        const { client, fixtures } = context;
        const { certificate } = await uploadCertificate(context, 'replace-body');
        const byBody = fixtures.p12();
        const viaBody = await updateByBodyIds(context, [
          { id: certificate.id, p12: base64(byBody.bytes), password: byBody.password },
        ]);
        expect(viaBody.status).toBe(200);
        const saved = onlySaved(viaBody.data);
        expect(saved).toMatchObject({ id: certificate.id, name: certificate.name, status: 'Available' });
        if (certificate.version !== undefined) expect(saved.version).toBe(certificate.version + 1);
        expect(await client.certificates.get(certificate.id)).toEqual(saved);
      },
    ),

    scenario(
      'replacements by file and by the by-file alias raise the version',
      ['stateful', 'multipartJsonPart'],
      async (context) => {
        const { client, fixtures } = context;
        const { certificate } = await uploadCertificate(context, 'replace-file');
        let version = certificate.version;
        const expectNext = (saved: Certificate) => {
          expect(saved).toMatchObject({ id: certificate.id, name: certificate.name, status: 'Available' });
          if (version !== undefined) expect(saved.version).toBe(version + 1);
          version = saved.version;
        };
        const byFile = fixtures.p12();
        expectNext(
          onlySaved(
            await client.certificates.updateFromFile({
              id: certificate.id,
              file: byFile.bytes,
              password: byFile.password,
            }),
          ),
        );
        const byAlias = fixtures.p12();
        const viaAlias = await byFileAlias(context, 'PUT', byAlias.bytes, {
          id: certificate.id,
          password: byAlias.password,
        });
        expect(viaAlias.status).toBe(200);
        expectNext(onlySaved(viaAlias.data));
      },
    ),

    scenario(
      'a delete is soft: readable, listed only with includeDeleted, name free again',
      ['stateful'],
      async (context) => {
        const { client, fixtures } = context;
        const p12 = fixtures.p12();
        const name = fixtures.uniqueName('delete');
        const saved = onlySaved(
          await client.certificates.create({ name, p12: p12.bytes, password: p12.password }),
        );
        const deleted = await client.certificates.delete(saved.id);
        expect(deleted).toMatchObject({ id: saved.id, name, deleted: true });
        expect(deleted.status).not.toBe('Available');
        expect(await client.certificates.get(saved.id)).toMatchObject({ id: saved.id, deleted: true });
        expect((await client.certificates.list()).map((certificate) => certificate.id)).not.toContain(
          saved.id,
        );
        const withDeleted = await client.certificates.list({ includeDeleted: true });
        expect(withDeleted.find((certificate) => certificate.id === saved.id)).toMatchObject({
          deleted: true,
        });

        const again = onlySaved(
          await client.certificates.create({ name, p12: p12.bytes, password: p12.password }),
        );
        context.defer(() => client.certificates.delete(again.id));
        expect(again.id).not.toBe(saved.id);
        expect(again.name).toBe(name);
      },
    ),

    scenario(
      'a taken name is 409 name_conflict on JSON uploads and renames',
      ['stateful'],
      async (context) => {
        const { client, fixtures } = context;
        const { certificate: taken } = await uploadCertificate(context, 'taken');
        const { certificate: other } = await uploadCertificate(context, 'other');
        const p12 = fixtures.p12();
        await expectProblem(
          client.certificates.create({ name: taken.name, p12: p12.bytes, password: p12.password }),
          409,
          'name_conflict',
        );
        await expectProblem(
          client.certificates.update(other.id, { p12: p12.bytes, password: p12.password, name: taken.name }),
          409,
          'name_conflict',
        );
        const viaBody = await updateByBodyIds(context, [
          { id: other.id, p12: base64(p12.bytes), password: p12.password, name: taken.name },
        ]);
        expect(viaBody).toMatchObject({ status: 409, code: 'name_conflict' });
        // Nothing changed.
        expect(await client.certificates.get(other.id)).toEqual(other);
      },
    ),

    scenario(
      'a taken name is 409 name_conflict on file uploads and renames',
      ['stateful', 'multipartJsonPart'],
      async (context) => {
        const { client, fixtures } = context;
        const { certificate: taken } = await uploadCertificate(context, 'taken-file');
        const { certificate: other } = await uploadCertificate(context, 'other-file');
        const p12 = fixtures.p12();
        await expectProblem(
          client.certificates.createFromFile({ file: p12.bytes, name: taken.name, password: p12.password }),
          409,
          'name_conflict',
        );
        const aliasCreate = await byFileAlias(context, 'POST', p12.bytes, {
          name: taken.name,
          password: p12.password,
        });
        expect(aliasCreate).toMatchObject({ status: 409, code: 'name_conflict' });
        await expectProblem(
          client.certificates.updateFromFile({
            id: other.id,
            file: p12.bytes,
            password: p12.password,
            name: taken.name,
          }),
          409,
          'name_conflict',
        );
        const aliasUpdate = await byFileAlias(context, 'PUT', p12.bytes, {
          id: other.id,
          name: taken.name,
          password: p12.password,
        });
        expect(aliasUpdate).toMatchObject({ status: 409, code: 'name_conflict' });
        expect(await client.certificates.get(other.id)).toEqual(other);
      },
    ),

    scenario(
      'an unknown certificate is 404 not_found on reads, JSON replacements and deletes',
      ['stateful'],
      async (context) => {
        const { client, fixtures } = context;
        const p12 = fixtures.p12();
        await expectProblem(client.certificates.get(UNKNOWN_ID), 404, 'not_found');
        await expectProblem(
          client.certificates.update(UNKNOWN_ID, { p12: p12.bytes, password: p12.password }),
          404,
          'not_found',
        );
        await expectProblem(client.certificates.delete(UNKNOWN_ID), 404, 'not_found');
        const viaBody = await updateByBodyIds(context, [
          { id: UNKNOWN_ID, p12: base64(p12.bytes), password: p12.password },
        ]);
        expect(viaBody).toMatchObject({ status: 404, code: 'not_found' });
      },
    ),

    scenario(
      'an unknown certificate is 404 not_found on file replacements',
      ['stateful', 'multipartJsonPart'],
      async (context) => {
        const { client, fixtures } = context;
        const p12 = fixtures.p12();
        await expectProblem(
          client.certificates.updateFromFile({ id: UNKNOWN_ID, file: p12.bytes, password: p12.password }),
          404,
          'not_found',
        );
        const viaAlias = await byFileAlias(context, 'PUT', p12.bytes, {
          id: UNKNOWN_ID,
          password: p12.password,
        });
        expect(viaAlias).toMatchObject({ status: 404, code: 'not_found' });
      },
    ),

    scenario(
      'unusable PKCS#12 files in JSON uploads and replacements are refused with their precise code',
      ['stateful', 'p12Validation'],
      async (context) => {
        const { client, fixtures } = context;
        const p12 = fixtures.p12();
        const name = fixtures.uniqueName('bad');
        await expectProblem(
          client.certificates.create({ name, p12: p12.bytes, password: 'not-the-password' }),
          400,
          'p12_wrong_password',
        );
        await expectProblem(
          client.certificates.create({
            name,
            p12: new Uint8Array([48, 130, 1, 2, 3, 4]),
            password: p12.password,
          }),
          400,
        );
        const expired = fixtures.p12({ validity: 'expired' });
        await expectProblem(
          client.certificates.create({ name, p12: expired.bytes, password: expired.password }),
          400,
          'p12_expired',
        );
        const { certificate } = await uploadCertificate(context, 'keep');
        await expectProblem(
          client.certificates.update(certificate.id, { p12: p12.bytes, password: 'not-the-password' }),
          400,
          'p12_wrong_password',
        );
        // Nothing was stored by the refused uploads; the refused replacement changed nothing.
        expect((await client.certificates.list()).map((item) => item.name)).not.toContain(name);
        expect(await client.certificates.get(certificate.id)).toEqual(certificate);

        // allowExpired stores it, with the status that says so.
        const stored = onlySaved(
          await client.certificates.create(
            { name, p12: expired.bytes, password: expired.password },
            { allowExpired: true },
          ),
        );
        context.defer(() => client.certificates.delete(stored.id));
        expect(stored).toMatchObject({ name, status: 'Expired' });
        expect(Date.parse(stored.expirationDate ?? '')).toBeLessThan(Date.now());
      },
    ),
    scenario(
      'an unusable PKCS#12 file upload is refused with its precise code',
      ['stateful', 'p12Validation', 'multipartJsonPart'],
      async (context) => {
        const { client, fixtures } = context;
        const p12 = fixtures.p12();
        const name = fixtures.uniqueName('bad-file');
        await expectProblem(
          client.certificates.createFromFile({ file: p12.bytes, name, password: 'not-the-password' }),
          400,
          'p12_wrong_password',
        );
        const expired = fixtures.p12({ validity: 'expired' });
        await expectProblem(
          client.certificates.createFromFile({ file: expired.bytes, name, password: expired.password }),
          400,
          'p12_expired',
        );
        expect((await client.certificates.list()).map((item) => item.name)).not.toContain(name);
      },
    ),
  ],
};
