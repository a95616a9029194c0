/**
 * The forward tester: a request through the gateway as an application would make it, and the remote's answer
 * with its timing. Whether a client certificate was presented is not on the gateway's answer; the page shows
 * what can be known (see `CertificateVerdict`).
 */
import type { ForwardMethod, Mapping, ServiceName } from '@mtls-gateway/sdk';
import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { useSignedIn } from '../client-context.js';
import { RemoteAnswerView } from '../components/remote-answer-view.js';
import { ServiceNameField } from '../components/service-name-field.js';
import { FieldErrors, invalidProps, ProblemBox, useAction } from '../components/ui.js';
import { FORWARD_METHODS, methodTakesBody } from '../lib/choices.js';
import { parseHeaderLines } from '../lib/header-lines.js';
import { predictMapping } from '../lib/mapping-prediction.js';
import { type RemoteAnswer, readRemoteAnswer } from '../lib/remote-answer.js';
import { routeHref } from '../lib/route.js';
import { PageHeading } from './page-heading.js';

const FIELDS = ['method', 'url', 'serviceName', 'headers', 'authorizationOverride', 'body'] as const;

interface ForwardOutcome {
  answer: RemoteAnswer;
  mapping: Mapping | undefined;
  /** The account's mappings could be read (else nothing can be said from them). */
  mappingsKnown: boolean;
  required: boolean;
}

function CertificateVerdict({ outcome }: { outcome: ForwardOutcome }) {
  const { mapping, mappingsKnown, required } = outcome;
  const certificate = mapping ? (
    <a href={routeHref({ page: 'certificate', id: String(mapping.certificationId) })}>{mapping.name}</a>
  ) : null;
  return (
    <section class="verdict" aria-labelledby="verdict-heading" data-testid="certificate-presented">
      <h3 id="verdict-heading">Client certificate</h3>
      {required ? (
        <p>
          <strong>Presented</strong>
          {certificate ? <> — {certificate}</> : null}: the gateway was told to refuse rather than call
          without a certificate (<code>LP-stop-if-certificate-not-found</code>), and the call went out.
        </p>
      ) : !mappingsKnown ? (
        <p>
          <strong>Unknown</strong>: the account's mappings could not be read.
        </p>
      ) : mapping ? (
        <p>
          <strong>Presented, by the account's mappings</strong>: {certificate} (mapping{' '}
          <code>{mapping.url}</code>, {mapping.serviceName}).
        </p>
      ) : (
        <p>
          <strong>Not presented, by the account's mappings</strong>: no mapping applies, so the gateway called
          without a client certificate.
        </p>
      )}
      <p class="hint">
        The gateway's answer does not say whether it presented a certificate. The console works it out with
        the gateway's own mapping rule over the account's mappings; tick "Require a client certificate" to
        have the gateway refuse (<code>certificate_not_found</code>) instead of calling without one.
      </p>
    </section>
  );
}

export function ForwardPage() {
  const { client } = useSignedIn();
  const [method, setMethod] = useState<ForwardMethod>('GET');
  const [url, setUrl] = useState('');
  const [serviceName, setServiceName] = useState('');
  const [headerText, setHeaderText] = useState('');
  const [authorizationOverride, setAuthorizationOverride] = useState('');
  const [body, setBody] = useState('');
  const [requireCertificate, setRequireCertificate] = useState(false);
  const [outcome, setOutcome] = useState<ForwardOutcome | undefined>(undefined);
  const [headerErrors, setHeaderErrors] = useState<string[] | undefined>(undefined);
  const action = useAction(FIELDS);
  const errors: Record<string, string[] | undefined> = {
    ...action.problem?.fieldErrors,
    ...(headerErrors ? { headers: headerErrors } : {}),
  };

  const onSubmit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseHeaderLines(headerText);
    setHeaderErrors(parsed.errors.length > 0 ? parsed.errors : undefined);
    if (parsed.errors.length > 0) return;
    setOutcome(undefined);
    const target = url.trim();
    const service = serviceName.trim();
    await action.run(async () => {
      // Read alongside the call, to say which certificate the gateway's rule picks.
      const mappings = client.mappings.list().then(
        (list) => list,
        () => undefined,
      );
      const startedAt = performance.now();
      const response = await client.forward({
        method,
        url: target,
        ...(service ? { serviceName: service as ServiceName } : {}),
        ...(authorizationOverride ? { authorizationOverride } : {}),
        ...(requireCertificate ? { stopIfCertificateNotFound: true } : {}),
        headers: parsed.headers,
        ...(methodTakesBody(method) && body !== '' ? { body } : {}),
      });
      const headersAt = performance.now();
      const answer = await readRemoteAnswer(response, startedAt, headersAt);
      const list = await mappings;
      setOutcome({
        answer,
        mapping: list ? predictMapping(list, { serviceName: service, url: target }) : undefined,
        mappingsKnown: list !== undefined,
        required: requireCertificate,
      });
    });
  };

  return (
    <>
      <PageHeading>Forward tester</PageHeading>
      <p class="hint">
        Sends a request through the gateway as an application would: the gateway calls the URL, presenting the
        certificate mapped to it, and returns the remote's answer as it is.
      </p>
      <form class="forward-form" method="post" onSubmit={onSubmit} noValidate aria-label="Forward a request">
        <div class="field-row">
          <div class="field">
            <label for="forward-method">Method</label>
            <select
              {...invalidProps('forward-method', errors.method)}
              value={method}
              onChange={(event) => setMethod(event.currentTarget.value as ForwardMethod)}
            >
              {FORWARD_METHODS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
            <FieldErrors fieldId="forward-method" messages={errors.method} />
          </div>
          <div class="field grow">
            <label for="forward-url">URL</label>
            <input
              {...invalidProps('forward-url', errors.url)}
              type="url"
              placeholder="https://api.example.com/hooks?tenant=42"
              value={url}
              onInput={(event) => setUrl(event.currentTarget.value)}
            />
            <FieldErrors fieldId="forward-url" messages={errors.url} />
          </div>
        </div>
        <ServiceNameField
          id="forward-service"
          value={serviceName}
          onChange={setServiceName}
          errors={errors.serviceName}
          optional
        />
        <div class="field">
          <label for="forward-headers">Headers for the remote (one "Name: value" per line)</label>
          <textarea
            {...invalidProps('forward-headers', errors.headers)}
            rows={3}
            spellcheck={false}
            placeholder="Content-Type: application/json"
            value={headerText}
            onInput={(event) => setHeaderText(event.currentTarget.value)}
          />
          <FieldErrors fieldId="forward-headers" messages={errors.headers} />
        </div>
        <div class="field">
          <label for="forward-authorization">Authorization for the remote (optional)</label>
          <input
            {...invalidProps(
              'forward-authorization',
              errors.authorizationOverride,
              'forward-authorization-hint',
            )}
            type="password"
            autoComplete="off"
            value={authorizationOverride}
            onInput={(event) => setAuthorizationOverride(event.currentTarget.value)}
          />
          <span class="hint" id="forward-authorization-hint">
            Sent as <code>LP-authorization-override</code>; the remote receives it as its{' '}
            <code>Authorization</code>.
          </span>
          <FieldErrors fieldId="forward-authorization" messages={errors.authorizationOverride} />
        </div>
        <div class="field">
          <label for="forward-body">Body{methodTakesBody(method) ? '' : ` (none with ${method})`}</label>
          <textarea
            {...invalidProps('forward-body', errors.body)}
            rows={4}
            spellcheck={false}
            disabled={!methodTakesBody(method)}
            value={body}
            onInput={(event) => setBody(event.currentTarget.value)}
          />
          <FieldErrors fieldId="forward-body" messages={errors.body} />
        </div>
        <div class="field checkbox">
          <input
            id="forward-require"
            type="checkbox"
            checked={requireCertificate}
            onChange={(event) => setRequireCertificate(event.currentTarget.checked)}
          />
          <label for="forward-require">Require a client certificate (refuse to call without one)</label>
        </div>
        <ProblemBox problem={action.problem} />
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? 'Sending…' : 'Send'}
        </button>
      </form>
      {outcome ? (
        <>
          <CertificateVerdict outcome={outcome} />
          <RemoteAnswerView answer={outcome.answer} heading="Answer of the remote" />
        </>
      ) : null}
    </>
  );
}
