/** Mappings as a table, each with its delete button. */
import type { Mapping } from '@mtls-gateway/sdk';
import { useSignedIn } from '../client-context.js';
import { routeHref } from '../lib/route.js';
import { ProblemBox, useAction } from './ui.js';

interface MappingsTableProps {
  mappings: readonly Mapping[];
  /** Show which certificate each mapping uses (the account-wide list). */
  showCertificate?: boolean;
  caption: string;
  onDeleted: () => void;
}

export function MappingsTable({ mappings, showCertificate, caption, onDeleted }: MappingsTableProps) {
  const { client } = useSignedIn();
  const action = useAction();
  const remove = async (mapping: Mapping) => {
    const deleted = await action.run(() => client.mappings.delete(mapping.id));
    if (deleted) onDeleted();
  };
  return (
    <>
      <ProblemBox problem={action.problem} />
      <div class="table-scroll">
        <table class="mappings">
          <caption class="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">URL</th>
              <th scope="col">Kind</th>
              {showCertificate ? <th scope="col">Certificate</th> : null}
              <th scope="col">In force</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mappings.length === 0 ? (
              <tr>
                <td colSpan={showCertificate ? 6 : 5}>No mappings.</td>
              </tr>
            ) : null}
            {mappings.map((mapping) => (
              <tr key={mapping.id}>
                <td>{mapping.serviceName}</td>
                <td class="wrap">
                  <code>{mapping.url}</code>
                </td>
                <td>{mapping.url.endsWith('*') ? 'prefix' : 'exact'}</td>
                {showCertificate ? (
                  <td>
                    <a href={routeHref({ page: 'certificate', id: String(mapping.certificationId) })}>
                      {mapping.name}
                    </a>
                  </td>
                ) : null}
                <td>{mapping.enable ? 'yes' : 'no (certificate deleted)'}</td>
                <td>
                  <button
                    type="button"
                    class="danger small"
                    disabled={action.busy}
                    aria-label={`Delete mapping ${mapping.serviceName} ${mapping.url}`}
                    onClick={() => void remove(mapping)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
