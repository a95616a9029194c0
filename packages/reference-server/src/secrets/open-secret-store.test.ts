import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, openTestPostgres, type TestDatabase } from '../storage/testing/test-databases.js';
import { EmbeddedSecretStore } from './embedded.js';
import { SecretStoreConfigError } from './errors.js';
import { openSecretStore } from './open-secret-store.js';
import { startVaultDouble, type VaultDouble } from './testing/vault-double.js';
import { VaultSecretStore } from './vault.js';

describe('openSecretStore', () => {
  let handle: TestDatabase;
  let vault: VaultDouble;

  beforeAll(async () => {
    handle = await openTestPglite();
    await migrate(handle.db);
    vault = await startVaultDouble();
  });
  afterAll(async () => {
    await vault?.close();
    await handle?.cleanup();
  });

  it('uses the embedded store and a generated key file when nothing is configured', async () => {
    const warnings: string[] = [];
    const { store, keyring } = await openSecretStore({
      db: handle.db,
      dataDir: handle.dataDir,
      env: {},
      warn: (m) => warnings.push(m),
    });
    expect(store).toBeInstanceOf(EmbeddedSecretStore);
    expect((store as EmbeddedSecretStore).keyring.current.id).toBe(keyring.current.id);
    expect(warnings.join('\n')).toContain('master.key');
    await expect(store.health()).resolves.toBeUndefined();
  });

  it('uses Vault when VAULT_ADDR is set, and still loads the master key for consumer secrets', async () => {
    const masterKey = randomBytes(32).toString('base64');
    const { store, keyring } = await openSecretStore({
      db: handle.db,
      dataDir: handle.dataDir,
      env: {
        VAULT_ADDR: vault.address,
        VAULT_TOKEN: vault.token,
        VAULT_NAMESPACE: 'ns',
        MTLS_MASTER_KEY: masterKey,
      },
    });
    expect(store).toBeInstanceOf(VaultSecretStore);
    expect(keyring.current.exportBase64()).toBe(masterKey);
    await store.put(
      'factory/a',
      { privateKeyPem: 'k', certificatePem: 'c', chainPem: [] },
      { accountId: 'a', certificateId: '1' },
    );
    expect(vault.requests.at(-1)?.namespace).toBe('ns');
  });

  it('refuses VAULT_ADDR without VAULT_TOKEN', async () => {
    await expect(
      openSecretStore({ db: handle.db, dataDir: handle.dataDir, env: { VAULT_ADDR: vault.address } }),
    ).rejects.toBeInstanceOf(SecretStoreConfigError);
  });

  it('warns that replicas on PostgreSQL need a shared MTLS_MASTER_KEY', async () => {
    const postgres = await openTestPostgres();
    try {
      const warnings: string[] = [];
      await openSecretStore({
        db: postgres.db,
        dataDir: postgres.dataDir,
        env: {},
        warn: (m) => warnings.push(m),
      });
      expect(warnings.some((m) => m.includes('same MTLS_MASTER_KEY on every replica'))).toBe(true);

      const quiet: string[] = [];
      await openSecretStore({
        db: postgres.db,
        dataDir: postgres.dataDir,
        env: { MTLS_MASTER_KEY: randomBytes(32).toString('base64') },
        warn: (m) => quiet.push(m),
      });
      expect(quiet).toEqual([]);
    } finally {
      await postgres.cleanup();
    }
  });
});
