import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretDecryptionError, SecretStoreConfigError, SecretStoreUnavailableError } from './errors.js';
import { describeSecretStoreContract } from './testing/secret-store.contract.js';
import { createTestMaterial } from './testing/test-material.js';
import { startVaultDouble, type VaultDouble } from './testing/vault-double.js';
import { VaultSecretStore } from './vault.js';

const context = { accountId: 'acc-1', certificateId: '42' };

describeSecretStoreContract('Vault KV v2 (test double)', async () => {
  const vault = await startVaultDouble();
  return {
    store: new VaultSecretStore({ address: vault.address, token: vault.token }),
    cleanup: vault.close,
  };
});

describeSecretStoreContract('Vault KV v2 (test double) with namespace, custom mount and prefix', async () => {
  const vault = await startVaultDouble({ mounts: ['kv/team'] });
  const store = new VaultSecretStore({
    address: vault.address,
    token: vault.token,
    mount: 'kv/team',
    namespace: 'admin/team-a',
    pathPrefix: 'gateway/prod',
  });
  return { store, cleanup: vault.close };
});

const realVault = process.env.VAULT_ADDR && process.env.VAULT_TOKEN;
describeSecretStoreContract(
  'real HashiCorp Vault',
  async () => ({
    store: new VaultSecretStore({
      address: process.env.VAULT_ADDR ?? '',
      token: process.env.VAULT_TOKEN ?? '',
      mount: process.env.VAULT_MOUNT,
      namespace: process.env.VAULT_NAMESPACE,
      pathPrefix: 'mtls-gateway-tests',
    }),
  }),
  { skipReason: realVault ? undefined : 'set VAULT_ADDR and VAULT_TOKEN to run it against a real Vault' },
);

describe('VaultSecretStore against the double', () => {
  let vault: VaultDouble;
  const material = createTestMaterial('vault.client.test');
  const plain = {
    privateKeyPem: material.privateKeyPem,
    certificatePem: material.certificatePem,
    chainPem: material.chainPem,
  };

  beforeAll(async () => {
    vault = await startVaultDouble();
  });
  afterAll(async () => vault?.close());

  const storeWith = (overrides: Partial<ConstructorParameters<typeof VaultSecretStore>[0]> = {}) =>
    new VaultSecretStore({ address: vault.address, token: vault.token, ...overrides });

  it('uses the documented KV v2 requests: POST data, GET data, DELETE metadata', async () => {
    vault.requests.length = 0;
    const store = storeWith({ namespace: 'ns1' });
    await store.put('accounts/acc-1/certificates/42/v1', plain, context);
    await store.get('accounts/acc-1/certificates/42/v1', context);
    await store.delete('accounts/acc-1/certificates/42/v1', context);

    const path = '/v1/secret/data/mtls-gateway/accounts/acc-1/certificates/42/v1';
    expect(vault.requests.map((r) => [r.method, r.path, r.namespace, r.tokenAccepted])).toEqual([
      ['POST', path, 'ns1', true],
      ['GET', path, 'ns1', true],
      ['DELETE', '/v1/secret/metadata/mtls-gateway/accounts/acc-1/certificates/42/v1', 'ns1', true],
    ]);
    expect(vault.requests[0]?.body).toEqual({ data: { ...plain, ...context } });
    // Deleting the metadata removes every version, not just the latest.
    expect(vault.inspect('secret', 'mtls-gateway/accounts/acc-1/certificates/42/v1', 'ns1')).toBeUndefined();
  });

  it('keeps each write as a new KV version', async () => {
    const store = storeWith();
    await store.put('versions/a', plain, context);
    await store.put('versions/a', { ...plain, chainPem: [] }, context);
    expect(vault.inspect('secret', 'mtls-gateway/versions/a')?.currentVersion).toBe(2);
    expect((await store.get('versions/a', context))?.chainPem).toEqual([]);
  });

  it('scopes secrets by namespace', async () => {
    await storeWith({ namespace: 'team-a' }).put('ns/secret', plain, context);
    expect(await storeWith({ namespace: 'team-b' }).get('ns/secret', context)).toBeUndefined();
    expect(await storeWith().get('ns/secret', context)).toBeUndefined();
    expect(await storeWith({ namespace: 'team-a' }).get('ns/secret', context)).toEqual(plain);
  });

  it('treats a soft-deleted latest version as absent', async () => {
    const store = storeWith();
    await store.put('soft/a', plain, context);
    const response = await fetch(`${vault.address}/v1/secret/data/mtls-gateway/soft/a`, {
      method: 'DELETE',
      headers: { 'X-Vault-Token': vault.token },
    });
    expect(response.status).toBe(204);
    expect(await store.get('soft/a', context)).toBeUndefined();
  });

  it('turns a wrong token into SecretStoreUnavailableError that does not contain the token', async () => {
    const wrongToken = 'hvs.WRONG-token-value-123456';
    const store = storeWith({ token: wrongToken });
    for (const attempt of [
      () => store.put('denied/a', plain, context),
      () => store.get('denied/a', context),
      () => store.delete('denied/a', context),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreUnavailableError);
      const unavailable = error as SecretStoreUnavailableError;
      expect(unavailable.code).toBe('secret_store_unavailable');
      expect(unavailable).not.toHaveProperty('statusCode');
      expect(unavailable.message).toContain('HTTP 403');
      expect(unavailable.message).toContain('permission denied');
      expect(unavailable.message).toContain('VAULT_TOKEN');
      for (const text of [unavailable.message, unavailable.stack ?? '', JSON.stringify(unavailable)]) {
        expect(text).not.toContain(wrongToken);
        expect(text).not.toContain(vault.token);
      }
    }
  });

  it('reports a sealed Vault in health and in every operation', async () => {
    const store = storeWith();
    vault.setSealed(true);
    try {
      await expect(store.health()).rejects.toThrow(/sealed/);
      await expect(store.get('sealed/a', context)).rejects.toBeInstanceOf(SecretStoreUnavailableError);
      await expect(store.put('sealed/a', plain, context)).rejects.toThrow(/HTTP 503: Vault is sealed/);
    } finally {
      vault.setSealed(false);
    }
    await expect(store.health()).resolves.toBeUndefined();
  });

  it('does not mistake a wrong mount for a missing secret', async () => {
    const error = await storeWith({ mount: 'not-mounted' })
      .get('any/ref', context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretStoreUnavailableError);
    expect((error as Error).message).toContain('VAULT_MOUNT');
  });

  it('times out a Vault that does not answer', async () => {
    vault.setResponseDelay(1000);
    try {
      const started = Date.now();
      const error = await storeWith({ timeoutMs: 100 })
        .get('slow/a', context)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreUnavailableError);
      expect((error as Error).message).toContain('no answer within 100 ms');
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      vault.setResponseDelay(0);
    }
  });

  it('refuses a secret stored for another certificate', async () => {
    const store = storeWith();
    await store.put('bound/a', plain, context);
    await expect(store.get('bound/a', { ...context, certificateId: '43' })).rejects.toBeInstanceOf(
      SecretDecryptionError,
    );
  });

  it('rejects a secret that is not certificate material', async () => {
    await fetch(`${vault.address}/v1/secret/data/mtls-gateway/foreign/a`, {
      method: 'POST',
      headers: { 'X-Vault-Token': vault.token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { ...context, password: 'x' } }),
    });
    await expect(storeWith().get('foreign/a', context)).rejects.toBeInstanceOf(SecretDecryptionError);
  });
});

describe('VaultSecretStore without a reachable Vault', () => {
  it('reports a refused connection as SecretStoreUnavailableError without the token', async () => {
    // Reserve a loopback port, then free it: nothing listens there any more.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const token = 'hvs.secret-token-never-shown';
    const store = new VaultSecretStore({ address: `http://127.0.0.1:${port}`, token });
    for (const attempt of [() => store.health(), () => store.get('a/b', context)]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretStoreUnavailableError);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect((error as Error).message).not.toContain(token);
    }
  });

  it.each([
    ['not a URL', { address: 'vault:8200', token: 't' }],
    ['credentials in the URL', { address: 'http://user:pw@127.0.0.1:8200', token: 't' }],
    ['no token', { address: 'http://127.0.0.1:8200', token: '' }],
    ['a mount that escapes', { address: 'http://127.0.0.1:8200', token: 't', mount: '../sys' }],
  ])('rejects a configuration with %s', (_label, options) => {
    expect(() => new VaultSecretStore(options)).toThrow(SecretStoreConfigError);
  });
});
