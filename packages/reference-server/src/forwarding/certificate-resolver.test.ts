import { describe, expect, it } from 'vitest';
import { createTestCA } from '../../../../test/support/pki.js';
import type { LoadedCertificate } from '../certificates/certificate-service.js';
import { CertificateResolver, type CertificateSource } from './certificate-resolver.js';
import { TtlLru } from './ttl-lru.js';
import { UpstreamTls } from './upstream-tls.js';

const client = createTestCA().issue({ commonName: 'tenant', kind: 'client' });

function source(): CertificateSource & {
  mappingCalls: number;
  materialCalls: number;
  version: number;
  gate?: Promise<void>;
} {
  const state = {
    mappingCalls: 0,
    materialCalls: 0,
    version: 1,
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
        notAfter: new Date(Date.now() + 60_000),
      };
    },
  };
  return state;
}

const request = { accountId: 'le1', serviceName: 'IDP', url: 'https://idp.example.com/token' };

describe('CertificateResolver', () => {
  it('reads through to the source while the change watcher is not current', async () => {
    const fake = source();
    const resolver = new CertificateResolver({
      source: fake,
      upstreamTls: new UpstreamTls(),
      canUseCache: () => false,
    });
    const first = await resolver.resolve(request);
    const second = await resolver.resolve(request);
    expect(fake.mappingCalls).toBe(2);
    expect(fake.materialCalls).toBe(2);
    // Same version: the TLS context (parsed key) is reused.
    expect(second?.secureContext).toBe(first?.secureContext);
  });

  it('caches while current and forgets on invalidation', async () => {
    const fake = source();
    const resolver = new CertificateResolver({
      source: fake,
      upstreamTls: new UpstreamTls(),
      canUseCache: () => true,
    });
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
    const resolver = new CertificateResolver({
      source: fake,
      upstreamTls: new UpstreamTls(),
      canUseCache: () => true,
    });
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

describe('TtlLru', () => {
  it('evicts the least recently used entry and expires by TTL or deadline', () => {
    let now = 0;
    const cache = new TtlLru<string, number>({ maxEntries: 2, ttlMs: 100, now: () => now });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    cache.set('d', 4, 10);
    now = 50;
    expect(cache.get('d')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    now = 150;
    expect(cache.get('a')).toBeUndefined();
  });
});
