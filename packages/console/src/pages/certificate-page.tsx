/**
 * One certificate: every fact the gateway knows, its mappings (add, delete), replacing its file (rotation,
 * tested first like an upload) and the soft delete, confirmed in a dialog.
 */
import { useState } from 'preact/hooks';
import { useSignedIn } from '../client-context.js';
import { MappingForm } from '../components/mapping-form.js';
import { MappingsTable } from '../components/mappings-table.js';
import { ConfirmDialog, Fact, ProblemBox, useAction, useLoad } from '../components/ui.js';
import { UploadForm } from '../components/upload-form.js';
import { daysUntil, describeExpiry, expiryLevel, isoDate } from '../lib/expiry.js';
import { type Route, routeHref } from '../lib/route.js';
import { PageHeading } from './page-heading.js';

export function CertificatePage({
  id,
  onNotice,
}: {
  id: string;
  onNotice: (text: string, route: Route) => void;
}) {
  const { client } = useSignedIn();
  const certificate = useLoad(() => client.certificates.get(id), id);
  const mappings = useLoad(
    async () => (await client.mappings.list()).filter((mapping) => String(mapping.certificationId) === id),
    id,
  );
  const [confirming, setConfirming] = useState(false);
  const deletion = useAction();
  const [saved, setSaved] = useState<string | undefined>(undefined);

  const value = certificate.data;
  if (!value) {
    return (
      <>
        <PageHeading title="Certificate">Certificate {id}</PageHeading>
        <p>
          <a href={routeHref({ page: 'certificates' })}>← All certificates</a>
        </p>
        <ProblemBox problem={certificate.problem} />
        {certificate.loading ? <p role="status">Loading…</p> : null}
      </>
    );
  }
  const now = new Date();
  const days = daysUntil(value.expirationDate, now);
  const level = expiryLevel(days, value.status);
  const firstExactUrl = mappings.data?.find((mapping) => !mapping.url.endsWith('*'))?.url;

  const remove = async () => {
    const deleted = await deletion.run(() => client.certificates.delete(value.id));
    setConfirming(false);
    if (deleted) {
      onNotice(`Certificate "${value.name}" was deleted. Its mappings are no longer in force.`, {
        page: 'certificates',
      });
    }
  };

  return (
    <>
      <PageHeading title={value.name}>{value.name}</PageHeading>
      <p>
        <a href={routeHref({ page: 'certificates' })}>← All certificates</a>
      </p>
      {saved ? (
        <p class="notice" role="status">
          {saved}
        </p>
      ) : null}
      <section aria-labelledby="facts-heading">
        <h2 id="facts-heading">Details</h2>
        <dl class="facts">
          <Fact term="Id">
            <code>{value.id}</code>
          </Fact>
          <Fact term="Status">{value.deleted ? `Deleted (was ${value.status})` : value.status}</Fact>
          <Fact term="Expires">
            {isoDate(value.expirationDate)}{' '}
            <span class={`expiry expiry-${level}`}>({describeExpiry(days, value.status)})</span>
          </Fact>
          <Fact term="Valid from">{isoDate(value.notBefore)}</Fact>
          <Fact term="Subject">{value.subject ?? '—'}</Fact>
          <Fact term="Issuer">{value.issuer ?? '—'}</Fact>
          <Fact term="Serial number">
            <code>{value.serialNumber ?? '—'}</code>
          </Fact>
          <Fact term="Fingerprint (SHA-256)">
            <code class="wrap">{value.fingerprintSha256 ?? '—'}</code>
          </Fact>
          <Fact term="Version">{value.version ?? '—'}</Fact>
          <Fact term="Account">{value.siteId}</Fact>
        </dl>
      </section>

      <section aria-labelledby="mappings-heading">
        <h2 id="mappings-heading">Mappings</h2>
        <p class="hint">
          The gateway presents this certificate on forwarded calls to these services and URLs.
        </p>
        <ProblemBox problem={mappings.problem} />
        {mappings.data ? (
          <MappingsTable
            mappings={mappings.data}
            caption={`Mappings of ${value.name}`}
            onDeleted={mappings.reload}
          />
        ) : null}
        {value.deleted ? null : (
          <>
            <h3>Add a mapping</h3>
            <MappingForm certificate={value} onAdded={mappings.reload} />
          </>
        )}
      </section>

      {value.deleted ? (
        <p class="note">
          This certificate is deleted: its key material is gone, it can be neither replaced nor mapped.
        </p>
      ) : (
        <>
          <section aria-labelledby="replace-heading">
            <h2 id="replace-heading">Replace the file (rotate)</h2>
            <p class="hint">
              Upload the renewed PKCS#12 file: the certificate keeps its id and its mappings, and the gateway
              presents the new file from then on.
            </p>
            <UploadForm
              key={`${value.id}-${value.version ?? 0}`}
              mode={{ kind: 'replace', certificate: value }}
              suggestedUrl={firstExactUrl}
              onSaved={() => {
                setSaved('The file was replaced.');
                certificate.reload();
              }}
            />
          </section>

          <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete</h2>
            <p class="hint">
              A soft delete: the certificate stays listed among deleted ones, its key material is removed and
              its mappings stop being in force.
            </p>
            <ProblemBox problem={deletion.problem} />
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              Delete certificate…
            </button>
          </section>
          <ConfirmDialog
            open={confirming}
            title={`Delete "${value.name}"?`}
            confirmLabel="Delete certificate"
            busy={deletion.busy}
            onConfirm={() => void remove()}
            onCancel={() => setConfirming(false)}
          >
            <p>
              The gateway stops presenting this certificate at once
              {mappings.data && mappings.data.length > 0
                ? `, and its ${mappings.data.length} mapping${mappings.data.length === 1 ? '' : 's'} stop being in force`
                : ''}
              . This cannot be undone from the console.
            </p>
          </ConfirmDialog>
        </>
      )}
    </>
  );
}
