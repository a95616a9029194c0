import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVaultDouble, type VaultDouble } from './vault-double.js';

/** Checks that the double answers the way Vault's API documentation says, so tests on it mean something. */
describe('Vault test double', () => {
  let vault: VaultDouble;
  const call = (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; namespace?: string } = {},
  ) =>
    fetch(`${vault.address}${path}`, {
      method,
      headers: {
        'X-Vault-Token': options.token ?? vault.token,
        ...(options.namespace ? { 'X-Vault-Namespace': options.namespace } : {}),
        ...(options.body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });

  beforeAll(async () => {
    vault = await startVaultDouble();
  });
  afterAll(async () => vault?.close());

  it('listens on loopback only', () => {
    expect(new URL(vault.address).hostname).toBe('127.0.0.1');
  });

  it('writes versions and reads the latest with the documented envelopes', async () => {
    const first = await call('POST', '/v1/secret/data/app/db', { body: { data: { password: 'one' } } });
    expect(first.status).toBe(200);
    const written = await first.json();
    expect(Object.keys(written).sort()).toEqual(
      [
        'auth',
        'data',
        'lease_duration',
        'lease_id',
        'mount_type',
        'renewable',
        'request_id',
        'warnings',
        'wrap_info',
      ].sort(),
    );
    expect(written).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      wrap_info: null,
      auth: null,
    });
    expect(written.data).toMatchObject({
      version: 1,
      deletion_time: '',
      destroyed: false,
      custom_metadata: null,
    });
    expect(written.data.created_time).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);

    await call('POST', '/v1/secret/data/app/db', { body: { data: { password: 'two' } } });
    const read = await (await call('GET', '/v1/secret/data/app/db')).json();
    expect(read.data.data).toEqual({ password: 'two' });
    expect(read.data.metadata).toMatchObject({ version: 2, deletion_time: '', destroyed: false });

    const old = await (await call('GET', '/v1/secret/data/app/db?version=1')).json();
    expect(old.data.data).toEqual({ password: 'one' });

    const metadata = await (await call('GET', '/v1/secret/metadata/app/db')).json();
    expect(metadata.data).toMatchObject({ current_version: 2, oldest_version: 1 });
    expect(Object.keys(metadata.data.versions)).toEqual(['1', '2']);
  });

  it('enforces check-and-set', async () => {
    const conflict = await call('POST', '/v1/secret/data/app/cas', {
      body: { options: { cas: 1 }, data: { a: 1 } },
    });
    expect(conflict.status).toBe(400);
    const created = await call('POST', '/v1/secret/data/app/cas', {
      body: { options: { cas: 0 }, data: { a: 1 } },
    });
    expect(created.status).toBe(200);
  });

  it('answers 404 {"errors":[]} for a missing secret and 403 permission denied for a wrong token', async () => {
    const missing = await call('GET', '/v1/secret/data/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errors: [] });

    for (const token of ['wrong', '']) {
      const denied = await call('GET', '/v1/secret/data/app/db', { token });
      expect(denied.status).toBe(403);
      expect(await denied.json()).toEqual({ errors: ['permission denied'] });
    }
  });

  it('soft-deletes the latest version, and removes all versions through metadata', async () => {
    await call('POST', '/v1/secret/data/app/gone', { body: { data: { a: 1 } } });
    expect((await call('DELETE', '/v1/secret/data/app/gone')).status).toBe(204);
    const soft = await call('GET', '/v1/secret/data/app/gone');
    expect(soft.status).toBe(404);
    const body = await soft.json();
    expect(body.data.data).toBeNull();
    expect(body.data.metadata.deletion_time).not.toBe('');

    expect((await call('DELETE', '/v1/secret/metadata/app/gone')).status).toBe(204);
    expect(await (await call('GET', '/v1/secret/metadata/app/gone')).json()).toEqual({ errors: [] });
  });

  it('scopes data by namespace and rejects unknown mounts', async () => {
    await call('POST', '/v1/secret/data/app/ns', { body: { data: { a: 1 } }, namespace: 'team-a' });
    expect((await call('GET', '/v1/secret/data/app/ns', { namespace: 'team-b' })).status).toBe(404);
    expect((await call('GET', '/v1/secret/data/app/ns', { namespace: 'team-a/' })).status).toBe(200);

    const unknown = await call('GET', '/v1/nomount/data/x');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).errors[0]).toContain('no handler for route');
  });

  it('reports health without a token, and 503 when sealed', async () => {
    const healthy = await fetch(`${vault.address}/v1/sys/health`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ initialized: true, sealed: false, standby: false });

    vault.setSealed(true);
    try {
      expect((await fetch(`${vault.address}/v1/sys/health`)).status).toBe(503);
      const sealed = await call('GET', '/v1/secret/data/app/db');
      expect(sealed.status).toBe(503);
      expect(await sealed.json()).toEqual({ errors: ['Vault is sealed'] });
    } finally {
      vault.setSealed(false);
    }
  });
});
