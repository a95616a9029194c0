import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import { EmbeddedSecretStore } from './embedded.js';
import { MasterKey } from './master-key.js';
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

  it('uses the embedded store when Vault is not configured; the keyring follows its rotations', async () => {
    const masterKey = MasterKey.generate();
    const { store, keyring } = openSecretStore({ db: handle.db, masterKey });
    expect(store).toBeInstanceOf(EmbeddedSecretStore);
    expect(keyring().current.id).toBe(masterKey.id);
    await expect(store.health()).resolves.toBeUndefined();

    const next = MasterKey.generate();
    await (store as EmbeddedSecretStore).rotateMasterKey(next);
    expect(keyring().current.id).toBe(next.id);
    expect(keyring().keyIds).toContain(masterKey.id);
  });

  it('uses Vault when configured, and keeps the master key for consumer secrets', async () => {
    const masterKey = MasterKey.generate();
    const { store, keyring } = openSecretStore({
      db: handle.db,
      masterKey,
      vault: { address: vault.address, token: vault.token, mount: undefined, namespace: 'ns' },
    });
    expect(store).toBeInstanceOf(VaultSecretStore);
    expect(keyring().current.exportBase64()).toBe(masterKey.exportBase64());
    await store.put(
      'factory/a',
      { privateKeyPem: 'k', certificatePem: 'c', chainPem: [] },
      { accountId: 'a', certificateId: '1' },
    );
    expect(vault.requests.at(-1)?.namespace).toBe('ns');
  });
});
