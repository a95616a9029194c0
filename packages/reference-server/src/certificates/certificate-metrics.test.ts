import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MetricsRegistry } from '../operations/metrics.js';
import { migrate } from '../storage/index.js';
import { type TestDatabase, testDatabaseEngines } from '../storage/testing/test-databases.js';
import { registerCertificateMetrics } from './certificate-metrics.js';

const NOW = new Date('2027-01-01T00:00:00Z');
const DAY = 86_400_000;

describe.each(testDatabaseEngines)('certificate metrics on $kind', ({ open }) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await open();
    await migrate(database.db);
    const insert = (id: number, state: string, notBefore: number, expires: number, deleted = false) =>
      database.db.query(
        `INSERT INTO certificates (id, account_id, name, display_name, secret_ref, secret_state, not_before, expires_at, deleted)
         VALUES ($1, 'le1', $2, $2, $3, $4, $5, $6, $7)`,
        [
          id,
          `c${id}`,
          `ref-${id}`,
          state,
          new Date(NOW.getTime() + notBefore),
          new Date(NOW.getTime() + expires),
          deleted,
        ],
      );
    await insert(11, 'stored', -DAY, 30 * DAY); // Available, expires in 30 days
    await insert(12, 'stored', -2 * DAY, -DAY); // Expired a day ago
    await insert(13, 'pending', -DAY, 30 * DAY); // never Available while pending
    await insert(14, 'stored', DAY, 30 * DAY); // not yet valid
    await insert(15, 'stored', -DAY, 30 * DAY, true); // deleted: not counted
  });
  afterAll(async () => {
    await database.cleanup();
  });

  test('counts certificates by status and exposes seconds until each stored one expires', async () => {
    const registry = new MetricsRegistry();
    registerCertificateMetrics(registry, database.db, () => NOW);
    const text = await registry.render();
    expect(text).toContain('mtls_certificates{status="Available"} 1');
    expect(text).toContain('mtls_certificates{status="Expired"} 1');
    expect(text).toContain('mtls_certificates{status="UnAvailable"} 2');
    expect(text).toContain(
      `mtls_certificate_expiry_seconds{account="le1",certificate_id="11"} ${30 * 86_400}`,
    );
    expect(text).toContain(`mtls_certificate_expiry_seconds{account="le1",certificate_id="12"} ${-86_400}`);
    expect(text).not.toContain('certificate_id="13"');
    expect(text).not.toContain('certificate_id="15"');
  });
});
