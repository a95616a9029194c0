/**
 * Every mapping of the account, and the "which certificate would serve this URL?" box: the gateway's check
 * endpoint says whether a mapping applies; the contract's rule over the list names it.
 */
import type { Mapping, MappingCheck, ServiceName } from '@mtls-gateway/sdk';
import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { useSignedIn } from '../client-context.js';
import { MappingsTable } from '../components/mappings-table.js';
import { ServiceNameField } from '../components/service-name-field.js';
import { FieldErrors, invalidProps, ProblemBox, useAction, useLoad } from '../components/ui.js';
import { predictMapping } from '../lib/mapping-prediction.js';
import { routeHref } from '../lib/route.js';
import { PageHeading } from './page-heading.js';

interface CheckResult {
  check: MappingCheck;
  mapping: Mapping | undefined;
}

export function CheckBox() {
  const { client } = useSignedIn();
  const [serviceName, setServiceName] = useState('WEBHOOKS');
  const [url, setUrl] = useState('');
  const [result, setResult] = useState<CheckResult | undefined>(undefined);
  const action = useAction(['serviceName', 'url']);
  const errors = action.problem?.fieldErrors ?? {};

  const onSubmit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setResult(undefined);
    const target = { serviceName: serviceName.trim() as ServiceName, url: url.trim() };
    const answer = await action.run(async () => {
      const [checks, mappings] = await Promise.all([client.mappings.check([target]), client.mappings.list()]);
      return { check: checks[0], mapping: predictMapping(mappings, target) };
    });
    if (answer?.check) setResult({ check: answer.check, mapping: answer.mapping });
  };

  return (
    <section class="check-box" aria-labelledby="check-heading">
      <h2 id="check-heading">Which certificate would serve this URL?</h2>
      <form method="post" onSubmit={onSubmit} noValidate aria-label="Check a URL">
        <div class="field-row">
          <ServiceNameField
            id="check-service"
            value={serviceName}
            onChange={setServiceName}
            errors={errors.serviceName}
          />
          <div class="field grow">
            <label for="check-url">Request URL</label>
            <input
              {...invalidProps('check-url', errors.url)}
              type="text"
              inputMode="url"
              placeholder="https://api.example.com/v2/users?page=2"
              value={url}
              onInput={(event) => setUrl(event.currentTarget.value)}
            />
            <FieldErrors fieldId="check-url" messages={errors.url} />
          </div>
        </div>
        <button type="submit" disabled={action.busy}>
          Check
        </button>
      </form>
      <ProblemBox problem={action.problem} />
      <div role="status" data-testid="check-result">
        {result ? (
          result.check.exist ? (
            <p class="check-yes">
              Yes: {result.check.serviceName} calls to <code>{result.check.url}</code> present{' '}
              {result.mapping ? (
                <>
                  the certificate{' '}
                  <a href={routeHref({ page: 'certificate', id: String(result.mapping.certificationId) })}>
                    {result.mapping.name}
                  </a>{' '}
                  (mapping <code>{result.mapping.url}</code>)
                </>
              ) : (
                'a mapped certificate'
              )}
              .
            </p>
          ) : (
            <p class="check-no">
              No: no certificate is mapped to {result.check.serviceName} calls to{' '}
              <code>{result.check.url}</code>. The gateway would call it without a client certificate (or
              refuse, when the caller asks it to).
            </p>
          )
        ) : null}
      </div>
    </section>
  );
}

export function MappingsPage() {
  const { client, session } = useSignedIn();
  const mappings = useLoad(() => client.mappings.list(), session.accountId);
  return (
    <>
      <PageHeading>Mappings</PageHeading>
      <CheckBox />
      <section aria-labelledby="all-mappings-heading">
        <h2 id="all-mappings-heading">All mappings</h2>
        <p class="hint">Add mappings from a certificate's page.</p>
        <ProblemBox problem={mappings.problem} />
        {mappings.data ? (
          <MappingsTable
            mappings={mappings.data}
            showCertificate
            caption={`Mappings of account ${session.accountId}`}
            onDeleted={mappings.reload}
          />
        ) : null}
      </section>
    </>
  );
}
