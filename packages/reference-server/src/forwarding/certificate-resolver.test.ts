import { describe, expect, it } from 'vitest';
import { createTestCA } from '../../../../test/support/pki.js';
import type { LoadedCertificate } from '../certificates/certificate-service.js';
import { DatabaseUnavailableError } from '../storage/errors.js';
import {
  CertificateResolver,
  type CertificateResolverOptions,
  type CertificateSource,
} from './certificate-resolver.js';
import type { ActiveMapping } from './mapping-index.js';
import { UpstreamTls } from './upstream-tls.js';

const client = createTestCA().issue({ commonName: 'tenant', kind: 'client' });

function source(): CertificateSource & {
  mappingCalls: number;
  materialCalls: number;
  version: number;
  validForMs: number;
  gate?: Promise<void>;
} {
  const state = {
    mappingCalls: 0,
    materialCalls: 0,
    version: 1,
    /** The certificate's notAfter, from the moment it is loaded. */
    validForMs: 60_000,
    gate: undefined as Promise<void> | undefined,
    async resolveMapping() {
      state.mappingCalls += 1;
      return { certificateId: 9 };
    },
    async loadCertificateMaterial(): Promise<LoadedCertificate> {
      state.materialCalls += 1;
      const version = state.version;
      await state.gate;
      return {
        id: 9,
        version,
        material: { privateKeyPem: client.keyPem, certificatePem: client.certPem, chainPem: [] },
        notAfter: new Date(Date.now() + state.validForMs),
      };
    },
  };
  return state;
}

const request = { accountId: 'le1', serviceName: 'IDP', url: 'https://idp.example.com/token' };

/** A resolver over `source` with the system CAs; caches usable unless the options say otherwise. */
function resolverFor(source: CertificateSource, options: Partial<CertificateResolverOptions> = {}) {
  return new CertificateResolver({
    source,
    upstreamTls: new UpstreamTls(),
    canUseCache: () => true,
    ...options,
  });
}

describe('CertificateResolver', () => {
  it('reads through to the source while the change watcher is not current', async () => {
    const fake = source();
    const resolver = resolverFor(fake, { canUseCache: () => false });
    const first = await resolver.resolve(request);
    const second = await resolver.resolve(request);
    expect(fake.mappingCalls).toBe(2);
    expect(fake.materialCalls).toBe(2);
    // Same version: the TLS context (parsed key) is reused.
    expect(second?.secureContext).toBe(first?.secureContext);
  });

  it('caches while current and forgets on invalidation', async () => {
    const fake = source();
    const resolver = resolverFor(fake);
    await resolver.resolve(request);
    await resolver.resolve(request);
    expect([fake.mappingCalls, fake.materialCalls]).toEqual([1, 1]);
    fake.version = 2;
    resolver.invalidateCertificate('le1', 9);
    expect((await resolver.resolve(request))?.version).toBe(2);
    expect([fake.mappingCalls, fake.materialCalls]).toEqual([2, 2]);
  });

  it('never caches a lookup that overlapped an invalidation', async () => {
    const fake = source();
    const resolver = resolverFor(fake);
    let open: () => void = () => undefined;
    fake.gate = new Promise((resolve) => {
      open = resolve;
    });
    const slow = resolver.resolve(request); // reads version 1…
    await new Promise((resolve) => setTimeout(resolve, 10));
    fake.version = 2;
    resolver.invalidateCertificate('le1', 9); // …while version 2 is committed
    open();
    expect((await slow)?.version).toBe(1);
    fake.gate = undefined;
    expect((await resolver.resolve(request))?.version).toBe(2);
  });
});

describe('CertificateResolver caches', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keep a decrypted key no longer than its TTL', async () => {
    const fake = source();
    const resolver = resolverFor(fake, { certificateTtlMs: 250, mappingTtlMs: 250 });
    await resolver.resolve(request);
    await resolver.resolve(request);
    expect([fake.mappingCalls, fake.materialCalls]).toEqual([1, 1]);
    await sleep(400);
    await resolver.resolve(request);
    expect([fake.mappingCalls, fake.materialCalls]).toEqual([2, 2]);
  });

  it("keep a decrypted key no longer than the certificate's notAfter, even within the TTL", async () => {
    const fake = source();
    fake.validForMs = 250;
    const resolver = resolverFor(fake);
    await resolver.resolve(request);
    await resolver.resolve(request);
    expect(fake.materialCalls).toBe(1);
    await sleep(400);
    await resolver.resolve(request);
    expect([fake.mappingCalls, fake.materialCalls]).toEqual([1, 2]);
    // Material already past its notAfter is used for this request but never cached.
    fake.validForMs = -1000;
    resolver.invalidateCertificate('le1', 9);
    await resolver.resolve(request);
    await resolver.resolve(request);
    expect(fake.materialCalls).toBe(4);
    expect(resolver.cachedCertificates).toBe(0);
  });

  it('stay bounded, dropping the least recently used key first', async () => {
    const fake = source();
    const resolver = resolverFor(fake, { maxCertificates: 2 });
    const of = (accountId: string) => ({ ...request, accountId });
    await resolver.resolve(of('a'));
    await resolver.resolve(of('b'));
    await resolver.resolve(of('a')); // a is now the most recently used
    await resolver.resolve(of('c')); // drops b
    expect(resolver.cachedCertificates).toBe(2);
    expect(fake.materialCalls).toBe(3);
    await resolver.resolve(of('a'));
    expect(fake.materialCalls).toBe(3);
    await resolver.resolve(of('b'));
    expect(fake.materialCalls).toBe(4);
  });

  it('forget only the invalidated account’s mapping lookups', async () => {
    const fake = source();
    const resolver = resolverFor(fake);
    const of = (accountId: string) => ({ ...request, accountId });
    await resolver.resolve(of('le1'));
    await resolver.resolve(of('le10'));
    expect(fake.mappingCalls).toBe(2);
    resolver.invalidateMappings('le1');
    await resolver.resolve(of('le1'));
    await resolver.resolve(of('le10'));
    expect(fake.mappingCalls).toBe(3);
  });
});

describe('CertificateResolver with an account mapping index', () => {
  function indexed(mappings: ActiveMapping[]) {
    const fake = source();
    const counted = Object.assign(fake, {
      listCalls: 0,
      failList: false as false | Error,
      async listActiveMappings() {
        counted.listCalls += 1;
        if (counted.failList) throw counted.failList;
        return mappings;
      },
    });
    return counted;
  }
  const mapped = [{ certificateId: 9, serviceName: 'IDP', url: 'https://idp.example.com/*' }];

  it('loads an account once for any number of URLs, and again after a change of the account', async () => {
    const fake = indexed(mapped);
    const resolver = resolverFor(fake);
    const found = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        resolver.resolve({ ...request, url: `https://idp.example.com/t?n=${n}` }),
      ),
    );
    expect(found.every((certificate) => certificate?.id === 9)).toBe(true);
    expect(await resolver.resolve({ ...request, url: 'https://other.example.com/' })).toBeUndefined();
    expect([fake.listCalls, fake.mappingCalls]).toEqual([1, 0]);
    resolver.invalidateMappings('le1');
    await resolver.resolve(request);
    expect(fake.listCalls).toBe(2);
  });

  it('looks URLs up one by one for an account larger than the indexes may hold (without reloading it)', async () => {
    const fake = indexed([...mapped, ...mapped, ...mapped]);
    const resolver = resolverFor(fake, { maxIndexedMappings: 2 });
    await resolver.resolve({ ...request, url: 'https://idp.example.com/a' });
    await resolver.resolve({ ...request, url: 'https://idp.example.com/b' });
    expect([fake.listCalls, fake.mappingCalls]).toEqual([1, 2]);
  });

  it('keeps using a loaded index while the database is unavailable', async () => {
    const fake = indexed(mapped);
    let current = true;
    const resolver = resolverFor(fake, { canUseCache: () => current });
    await resolver.resolve(request);
    current = false; // the change watcher cannot poll either
    fake.resolveMapping = async () => {
      throw new DatabaseUnavailableError('down');
    };
    expect((await resolver.resolve({ ...request, url: 'https://idp.example.com/new' }))?.id).toBe(9);
  });

  it('never keeps an index loaded across a change of the account', async () => {
    const fake = indexed(mapped);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const list = fake.listActiveMappings;
    fake.listActiveMappings = async () => {
      await gate;
      return list();
    };
    const resolver = resolverFor(fake);
    const slow = resolver.resolve(request);
    await new Promise((resolve) => setTimeout(resolve, 10));
    resolver.invalidateMappings('le1');
    open();
    await slow; // answered by a lookup of its own
    expect(fake.mappingCalls).toBe(1);
    await resolver.resolve(request);
    expect(fake.listCalls).toBe(2);
  });
});
