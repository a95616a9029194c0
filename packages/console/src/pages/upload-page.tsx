import { UploadForm } from '../components/upload-form.js';
import { type Route, routeHref } from '../lib/route.js';
import { PageHeading } from './page-heading.js';

/** Uploading a new certificate; once saved, its page opens (to map it). */
export function UploadPage({ onNotice }: { onNotice: (text: string, route: Route) => void }) {
  return (
    <>
      <PageHeading>Upload a certificate</PageHeading>
      <p>
        <a href={routeHref({ page: 'certificates' })}>← All certificates</a>
      </p>
      <UploadForm
        mode={{ kind: 'create' }}
        onSaved={(result) => {
          const saved = result.successfulySavedCertificates[0];
          if (!saved) return;
          onNotice(`Certificate "${saved.name}" was saved. Map it to the URLs it should serve.`, {
            page: 'certificate',
            id: String(saved.id),
          });
        }}
      />
    </>
  );
}
