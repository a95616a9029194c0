import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, testConfig } from '../http/testing/test-app.js';
import { migrate } from '../storage/migrations.js';
import { openTestPglite, type TestDatabase } from '../storage/testing/test-databases.js';
import { startOpsListener } from './ops-listener.js';

describe('operator listener', () => {
  let database: TestDatabase;
  let api: TestApp;
  let cleanup: () => Promise<void>;
  let ops: Awaited<ReturnType<typeof startOpsListener>>;
  let opsUrl: string;

  beforeAll(async () => {
    database = await openTestPglite();
    await migrate(database.db);
    const prepared = await testConfig();
    cleanup = prepared.cleanup;
    api = await startTestApp({ db: database.db, config: prepared.config });
    ops = await startOpsListener(api.context, { port: 0, host: '127.0.0.1' });
    const address = ops.server.address();
    opsUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await ops?.close();
    await api?.close();
    await cleanup?.();
    await database?.cleanup();
  });

  it('serves /healthz, /readyz and /metrics without credentials', async () => {
    expect(await (await fetch(`${opsUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${opsUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', secretStore: 'ok' } });
    const metrics = await fetch(`${opsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('# TYPE mtls_http_requests_total counter');
  });

  it('serves nothing else: tenant routes are not reachable on it', async () => {
    const response = await fetch(`${opsUrl}/mtls/account/le1/certificates`);
    expect(response.status).toBe(404);
    expect(response.headers.get('lp-gateway-error')).toBe('route_not_found');
  });

  it('the API port refuses /metrics and /readyz without a credential', async () => {
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/readyz`)).status).toBe(401);
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });
});
