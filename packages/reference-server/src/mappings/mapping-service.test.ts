import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAPPING_URL_CASES, MAPPING_URL_VALIDITY_CASES } from '../../../../test/support/mapping-url-cases.js';
import type { CertificateResource } from '../certificates/certificate-record.js';
import { CertificateService, type LoadedCertificate } from '../certificates/certificate-service.js';
import { P12Factory, type P12Fixture } from '../certificates/testing/p12-fixtures.js';
import {
  InvalidRequestError,
  MappingConflictError,
  NotFoundError,
  TransportFailureError,
} from '../errors.js';
import { EmbeddedSecretStore } from '../secrets/embedded.js';
import { MasterKey } from '../secrets/master-key.js';
import type { Database } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { type TestDatabase, testDatabaseEngines } from '../storage/testing/test-databases.js';
import { assertMappingUrl, MappingService, type ValidateMappingUrl } from './mapping-service.js';

describe('assertMappingUrl (the validity table shared with the mock)', () => {
  it.each(MAPPING_URL_VALIDITY_CASES)('%s', (_label, url, valid) => {
    if (valid) expect(() => assertMappingUrl(url)).not.toThrow();
    else expect(() => assertMappingUrl(url)).toThrow(InvalidRequestError);
  });
});

describe.each(testDatabaseEngines)('MappingService on $kind', ({ open }) => {
  let handle: TestDatabase;
  let db: Database;
  let certificates: CertificateService;
  let mappings: MappingService;
  let factory: P12Factory;
  let fixture: P12Fixture;
  let counter = 0;
  const newAccount = () => `acct${++counter}`;

  const createCertificate = async (accountId: string, name: string): Promise<CertificateResource> => {
    const result = await certificates.create(accountId, [
      { name, p12: fixture.bytes, password: fixture.password },
    ]);
    return result.successfulySavedCertificates[0] as CertificateResource;
  };

  beforeAll(async () => {
    handle = await open();
    db = handle.db;
    await migrate(db);
    certificates = new CertificateService({
      db,
      secrets: new EmbeddedSecretStore({ db, masterKey: MasterKey.generate() }),
    });
    mappings = new MappingService({ db, certificates });
    factory = new P12Factory();
    fixture = factory.valid('mapping client', { keyIndex: 0 });
  });
  afterAll(async () => handle?.cleanup());

  describe('activate, list, delete', () => {
    it('maps a certificate and renders the spec’s Mapping; writes the change log', async () => {
      const account = newAccount();
      const certificate = await createCertificate(account, 'Cert1');
      const mapping = await mappings.activate(account, certificate.id, {
        serviceName: 'WEBHOOKS',
        url: 'https://api.example.com/hooks?tenant=42',
      });
      expect(mapping).toEqual({
        id: expect.any(Number),
        deleted: false,
        url: 'https://api.example.com/hooks?tenant=42',
        enable: true,
        serviceName: 'WEBHOOKS',
        siteId: account,
        name: 'Cert1',
        certificationId: certificate.id,
      });
      expect(await mappings.list(account)).toEqual([mapping]);
      const { rows } = await db.query(
        'SELECT kind, mapping_id FROM change_log WHERE account_id = $1 AND mapping_id IS NOT NULL',
        [account],
      );
      expect(rows).toEqual([{ kind: 'mapping.created', mapping_id: mapping.id }]);
    });

    it('answers 404 for an unknown, deleted or foreign certificate', async () => {
      const account = newAccount();
      const target = { serviceName: 'IDP' as const, url: 'https://idp.example.com/token' };
      await expect(mappings.activate(account, 123, target)).rejects.toBeInstanceOf(NotFoundError);
      const certificate = await createCertificate(account, 'Cert1');
      await expect(mappings.activate(newAccount(), certificate.id, target)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await certificates.delete(account, certificate.id);
      await expect(mappings.activate(account, certificate.id, target)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('answers 409 when account + service + URL is taken; the same URL under another service is fine', async () => {
      const account = newAccount();
      const a = await createCertificate(account, 'A');
      const b = await createCertificate(account, 'B');
      const url = 'https://api.example.com/hooks';
      await mappings.activate(account, a.id, { serviceName: 'WEBHOOKS', url });
      await expect(mappings.activate(account, b.id, { serviceName: 'WEBHOOKS', url })).rejects.toBeInstanceOf(
        MappingConflictError,
      );
      await expect(mappings.activate(account, b.id, { serviceName: 'IDP', url })).resolves.toMatchObject({
        name: 'B',
      });
      // One certificate may serve many mappings.
      await expect(mappings.activate(account, a.id, { serviceName: 'FAAS', url })).resolves.toMatchObject({
        name: 'A',
      });
    });

    it('disables the mappings of a deleted certificate; a new certificate can then take the URL', async () => {
      const account = newAccount();
      const old = await createCertificate(account, 'old');
      const target = { serviceName: 'WEBHOOKS' as const, url: 'https://api.example.com/hooks' };
      const first = await mappings.activate(account, old.id, target);
      await certificates.delete(account, old.id);
      expect(await mappings.list(account)).toEqual([{ ...first, enable: false }]);
      expect(
        await mappings.resolveMapping({ accountId: account, serviceName: 'WEBHOOKS', url: target.url }),
      ).toBeUndefined();

      const replacement = await createCertificate(account, 'new');
      const second = await mappings.activate(account, replacement.id, target);
      expect(await mappings.list(account)).toEqual([second]);
      expect(
        await mappings.resolveMapping({ accountId: account, serviceName: 'WEBHOOKS', url: target.url }),
      ).toMatchObject({
        mappingId: second.id,
        certificateId: replacement.id,
      });
    });

    it('deletes a mapping (then 404); it no longer resolves', async () => {
      const account = newAccount();
      const certificate = await createCertificate(account, 'Cert1');
      const target = { serviceName: 'IDP' as const, url: 'https://idp.example.com/token' };
      const mapping = await mappings.activate(account, certificate.id, target);
      expect(await mappings.delete(account, mapping.id)).toEqual({
        ...mapping,
        deleted: true,
        enable: false,
      });
      await expect(mappings.delete(account, mapping.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(mappings.delete(account, 999)).rejects.toBeInstanceOf(NotFoundError);
      expect(await mappings.list(account)).toEqual([]);
      expect(await mappings.resolveMapping({ accountId: account, ...target })).toBeUndefined();
      // The URL can be mapped again.
      await expect(mappings.activate(account, certificate.id, target)).resolves.toBeDefined();
    });

    it('refuses a URL that is not an absolute http(s) URL (400)', async () => {
      const account = newAccount();
      const certificate = await createCertificate(account, 'Cert1');
      await expect(
        mappings.activate(account, certificate.id, { serviceName: 'IDP', url: 'ftp://files.example.com/' }),
      ).rejects.toBeInstanceOf(InvalidRequestError);
    });
  });

  describe('isValidateUrlEnabled', () => {
    it('calls the validator with the certificate’s key and the URL (without *), storing nothing on failure', async () => {
      const account = newAccount();
      const certificate = await createCertificate(account, 'Cert1');
      const calls: Array<{ loaded: LoadedCertificate; url: string }> = [];
      let fail = true;
      const validateUrl: ValidateMappingUrl = async (loaded, url) => {
        calls.push({ loaded, url });
        if (fail) throw new TransportFailureError('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED');
      };
      const validating = new MappingService({ db, certificates, validateUrl });
      const target = { serviceName: 'WEBHOOKS' as const, url: 'https://api.example.com/v2/*' };

      await expect(
        validating.activate(account, certificate.id, target, { validateUrl: true }),
      ).rejects.toBeInstanceOf(TransportFailureError);
      expect(await validating.list(account)).toEqual([]);
      expect(calls[0]?.url).toBe('https://api.example.com/v2/');
      expect(calls[0]?.loaded).toMatchObject({ id: certificate.id, version: 1 });
      expect(calls[0]?.loaded.material.privateKeyPem).toContain('PRIVATE KEY');

      fail = false;
      await expect(
        validating.activate(account, certificate.id, target, { validateUrl: true }),
      ).resolves.toBeDefined();
      // Without the flag, no call.
      await validating.activate(account, certificate.id, {
        serviceName: 'IDP',
        url: 'https://idp.example.com/',
      });
      expect(calls).toHaveLength(2);
    });

    it('answers 424 without calling when the certificate is not Available', async () => {
      const account = newAccount();
      const expired = factory.outOfValidity('expired mapping', 'expired');
      const [certificate] = (
        await certificates.create(
          account,
          [{ name: 'old', p12: expired.bytes, password: expired.password }],
          {
            allowExpired: true,
          },
        )
      ).successfulySavedCertificates;
      let called = false;
      const validating = new MappingService({
        db,
        certificates,
        validateUrl: async () => {
          called = true;
        },
      });
      const error = await validating
        .activate(
          account,
          certificate?.id as number,
          { serviceName: 'IDP', url: 'https://idp.example.com/' },
          { validateUrl: true },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportFailureError);
      expect((error as TransportFailureError).headers['LP-error-from-transport']).toBe(
        'CERTIFICATE_UNAVAILABLE',
      );
      expect(called).toBe(false);
      // Without a validator the flag only checks the syntax.
      await expect(
        mappings.activate(
          account,
          certificate?.id as number,
          { serviceName: 'IDP', url: 'https://idp.example.com/' },
          { validateUrl: true },
        ),
      ).resolves.toBeDefined();
    });
  });

  describe('resolveMapping and check', () => {
    let account: string;
    let ids: Record<string, number>;

    beforeAll(async () => {
      account = newAccount();
      const exact = await createCertificate(account, 'exact');
      const short = await createCertificate(account, 'short');
      const long = await createCertificate(account, 'long');
      const other = await createCertificate(account, 'other');
      ids = { exact: exact.id, short: short.id, long: long.id, other: other.id };
      const map = (id: number, serviceName: 'WEBHOOKS' | 'IDP' | 'FAAS' | 'TEST_SERVICE', url: string) =>
        mappings.activate(account, id, { serviceName, url });
      await map(exact.id, 'WEBHOOKS', 'https://api.example.com/v2/hooks?tenant=42');
      await map(short.id, 'WEBHOOKS', 'https://api.example.com/*');
      await map(long.id, 'WEBHOOKS', 'https://api.example.com/v2/*');
      // The same exact URL under two other services: ambiguous without a service name.
      await map(other.id, 'IDP', 'https://shared.example.com/token');
      await map(exact.id, 'FAAS', 'https://shared.example.com/token');
      // Only under one service.
      await map(other.id, 'TEST_SERVICE', 'https://only.example.com/ping');
    });

    const resolve = (url: string, serviceName?: string) =>
      mappings.resolveMapping({ accountId: account, serviceName, url }).then((found) => found?.certificateId);

    it('prefers the exact URL, then the longest * prefix, comparing the whole URL with its query', async () => {
      expect(await resolve('https://api.example.com/v2/hooks?tenant=42', 'WEBHOOKS')).toBe(ids.exact);
      expect(await resolve('https://api.example.com/v2/hooks?tenant=43', 'WEBHOOKS')).toBe(ids.long);
      expect(await resolve('https://api.example.com/v2/', 'WEBHOOKS')).toBe(ids.long);
      expect(await resolve('https://api.example.com/v1/x', 'WEBHOOKS')).toBe(ids.short);
      expect(await resolve('https://api.example.com', 'WEBHOOKS')).toBeUndefined();
      expect(await resolve('https://api.example.org/v2/hooks', 'WEBHOOKS')).toBeUndefined();
      expect(await resolve('https://api.example.com/v2/hooks?tenant=42', 'IDP')).toBeUndefined();
    });

    it('without a service name, uses a mapping of any service only when exactly one applies', async () => {
      expect(await resolve('https://only.example.com/ping')).toBe(ids.other);
      expect(await resolve('https://shared.example.com/token')).toBeUndefined();
      expect(await resolve('https://shared.example.com/token', 'IDP')).toBe(ids.other);
      expect(await resolve('https://shared.example.com/token', 'FAAS')).toBe(ids.exact);
      expect(await resolve('https://api.example.com/v2/hooks?tenant=42')).toBe(ids.exact);
      expect(await resolve('https://api.example.com/v2/else')).toBe(ids.long);
    });

    it('applies the shared table through the database (SQL prefilter, then the boundary rule)', async () => {
      const tableAccount = newAccount();
      const certificate = await createCertificate(tableAccount, 'table');
      const byMapping = new Map<string, (typeof MAPPING_URL_CASES)[number][]>();
      for (const entry of MAPPING_URL_CASES)
        byMapping.set(entry[1], [...(byMapping.get(entry[1]) ?? []), entry]);
      for (const [mappingUrl, cases] of byMapping) {
        const mapping = await mappings.activate(tableAccount, certificate.id, {
          serviceName: 'WEBHOOKS',
          url: mappingUrl,
        });
        for (const [label, , requestUrl, applies] of cases) {
          const found = await mappings.resolveMapping({
            accountId: tableAccount,
            serviceName: 'WEBHOOKS',
            url: requestUrl,
          });
          expect(found?.certificateId, label).toBe(applies ? certificate.id : undefined);
        }
        await mappings.delete(tableAccount, mapping.id);
      }
    });

    it('never resolves another account’s mapping', async () => {
      expect(
        await mappings.resolveMapping({
          accountId: newAccount(),
          serviceName: 'WEBHOOKS',
          url: 'https://api.example.com/v2/x',
        }),
      ).toBeUndefined();
    });

    it('check answers exist per pair with the same match, in order', async () => {
      expect(
        await mappings.check(account, [
          { serviceName: 'WEBHOOKS', url: 'https://api.example.com/v2/anything' },
          { serviceName: 'IDP', url: 'https://api.example.com/v2/anything' },
          { serviceName: 'TEST_SERVICE', url: 'https://only.example.com/ping' },
        ]),
      ).toEqual([
        { serviceName: 'WEBHOOKS', url: 'https://api.example.com/v2/anything', exist: true },
        { serviceName: 'IDP', url: 'https://api.example.com/v2/anything', exist: false },
        { serviceName: 'TEST_SERVICE', url: 'https://only.example.com/ping', exist: true },
      ]);
    });
  });
});
