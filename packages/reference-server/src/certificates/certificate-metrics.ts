import type { MetricsRegistry } from '../operations/metrics.js';
import type { Database } from '../storage/index.js';

interface CertificateRow {
  account_id: string;
  id: number;
  secret_state: string;
  not_before: Date | null;
  expires_at: Date | null;
}

/**
 * Registers, computed from the database at each scrape:
 * - `mtls_certificates{status}`: certificates that are not deleted, by status. `Available` here means stored
 *   and within validity — whether the secret store still holds the key is checked when a certificate is read
 *   or used, not on every scrape (that would decrypt every key every 15 seconds).
 * - `mtls_certificate_expiry_seconds{account,certificate_id}`: seconds until each stored certificate expires
 *   (negative once expired), for alerts such as `mtls_certificate_expiry_seconds < 14 * 86400`.
 *
 * Labels carry account and certificate ids (no names, no subjects): keep `/metrics` on an internal network.
 *
 * @example
 * ```ts
 * registerCertificateMetrics(context.metrics, context.db);
 * ```
 */
export function registerCertificateMetrics(
  registry: MetricsRegistry,
  db: Database,
  now = () => new Date(),
): void {
  let rows: Promise<CertificateRow[]> | undefined;
  // Both gauges are collected for one scrape: read the table once for the two of them.
  const readRows = () => {
    rows ??= db
      .query<CertificateRow>(
        'SELECT account_id, id, secret_state, not_before, expires_at FROM certificates WHERE NOT deleted',
      )
      .then((result) => result.rows)
      .finally(() => {
        setImmediate(() => {
          rows = undefined;
        });
      });
    return rows;
  };

  registry.gauge({
    name: 'mtls_certificates',
    help: 'Certificates that are not deleted, by status (Available = stored and within validity).',
    labelNames: ['status'],
    async collect(gauge) {
      const at = now().getTime();
      const counts = { Available: 0, Expired: 0, UnAvailable: 0 };
      for (const row of await readRows()) {
        if (row.expires_at !== null && row.expires_at.getTime() < at) counts.Expired += 1;
        else if (row.secret_state === 'stored' && (row.not_before === null || row.not_before.getTime() <= at))
          counts.Available += 1;
        else counts.UnAvailable += 1;
      }
      gauge.reset();
      for (const [status, count] of Object.entries(counts)) gauge.set({ status }, count);
    },
  });

  registry.gauge({
    name: 'mtls_certificate_expiry_seconds',
    help: 'Seconds until each stored certificate expires (negative once expired).',
    labelNames: ['account', 'certificate_id'],
    async collect(gauge) {
      const at = now().getTime();
      gauge.reset();
      for (const row of await readRows()) {
        if (row.secret_state !== 'stored' || row.expires_at === null) continue;
        gauge.set(
          { account: row.account_id, certificate_id: String(row.id) },
          Math.round((row.expires_at.getTime() - at) / 1000),
        );
      }
    },
  });
}
