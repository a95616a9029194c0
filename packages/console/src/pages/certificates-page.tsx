/** The account's certificates: the expiry timeline and the table, deleted ones on request. */
import type { Certificate } from '@mtls-gateway/sdk';
import { useState } from 'preact/hooks';
import { useSignedIn } from '../client-context.js';
import { ExpiryTimeline } from '../components/timeline.js';
import { ProblemBox, useLoad } from '../components/ui.js';
import { daysUntil, describeExpiry, expiryLevel, isoDate } from '../lib/expiry.js';
import { routeHref } from '../lib/route.js';
import { PageHeading } from './page-heading.js';

/** The first bytes of a fingerprint: enough to tell certificates apart in a table. */
function shortFingerprint(fingerprint: string | undefined): string {
  if (!fingerprint) return '—';
  return fingerprint.length > 23 ? `${fingerprint.slice(0, 23)}…` : fingerprint;
}

function expiryTime(certificate: Certificate): number {
  const time = certificate.expirationDate ? Date.parse(certificate.expirationDate) : Number.NaN;
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

export function CertificatesPage() {
  const { client, session } = useSignedIn();
  const [showDeleted, setShowDeleted] = useState(false);
  const certificates = useLoad(
    () => client.certificates.list({ includeDeleted: showDeleted }),
    `${session.accountId}:${showDeleted}`,
  );
  const now = new Date();
  // Soonest expiry first: what needs attention leads, as in the timeline.
  const list: Certificate[] = [...(certificates.data ?? [])].sort(
    (a, b) => expiryTime(a) - expiryTime(b) || a.name.localeCompare(b.name),
  );
  return (
    <>
      <PageHeading>Certificates</PageHeading>
      <div class="toolbar">
        <a class="button primary" href={routeHref({ page: 'upload' })}>
          Upload a certificate
        </a>
        <div class="field checkbox">
          <input
            id="show-deleted"
            type="checkbox"
            checked={showDeleted}
            onChange={(event) => setShowDeleted(event.currentTarget.checked)}
          />
          <label for="show-deleted">Show deleted certificates</label>
        </div>
        <button type="button" onClick={certificates.reload} disabled={certificates.loading}>
          Refresh
        </button>
      </div>
      <ProblemBox problem={certificates.problem} />
      <p role="status" class="status-line" data-testid="certificates-status">
        {certificates.loading
          ? 'Loading…'
          : certificates.data
            ? `${list.length} certificate${list.length === 1 ? '' : 's'}${showDeleted ? ', deleted ones included' : ''}`
            : ''}
      </p>

      {certificates.data ? (
        <>
          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Expiry timeline</h2>
            <ExpiryTimeline certificates={list} now={now} />
          </section>
          <section aria-labelledby="table-heading">
            <h2 id="table-heading">All certificates</h2>
            <div class="table-scroll">
              <table class="certificates">
                <caption class="visually-hidden">Certificates of account {session.accountId}</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Days until expiry</th>
                    <th scope="col">Expires</th>
                    <th scope="col">Subject</th>
                    <th scope="col">Issuer</th>
                    <th scope="col">Fingerprint (SHA-256)</th>
                  </tr>
                </thead>
                <tbody>
                  {list.length === 0 ? (
                    <tr>
                      <td colSpan={7}>No certificates yet: upload one.</td>
                    </tr>
                  ) : null}
                  {list.map((certificate) => {
                    const days = daysUntil(certificate.expirationDate, now);
                    const level = expiryLevel(days, certificate.status);
                    return (
                      <tr key={certificate.id} class={certificate.deleted ? 'deleted' : undefined}>
                        <th scope="row">
                          <a href={routeHref({ page: 'certificate', id: String(certificate.id) })}>
                            {certificate.name}
                          </a>
                        </th>
                        <td>
                          {certificate.deleted ? (
                            'Deleted'
                          ) : (
                            <span class={`status status-${certificate.status}`}>{certificate.status}</span>
                          )}
                        </td>
                        <td>
                          <span class={`expiry expiry-${level}`} data-level={level}>
                            {describeExpiry(days, certificate.status)}
                          </span>
                        </td>
                        <td class="nowrap">{isoDate(certificate.expirationDate)}</td>
                        <td class="wrap">{certificate.subject ?? '—'}</td>
                        <td class="wrap">{certificate.issuer ?? '—'}</td>
                        <td>
                          <code title={certificate.fingerprintSha256}>
                            {shortFingerprint(certificate.fingerprintSha256)}
                          </code>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </>
  );
}
