/** Adds a mapping: the certificate serves a service at a URL (exact, or a `*` prefix of one origin). */
import type { Certificate, Mapping, ServiceName } from '@mtls-gateway/sdk';
import type { TargetedSubmitEvent } from 'preact';
import { useState } from 'preact/hooks';
import { useSignedIn } from '../client-context.js';
import { ServiceNameField } from './service-name-field.js';
import { FieldErrors, invalidProps, ProblemBox, useAction } from './ui.js';

const FIELDS = ['serviceName', 'url', 'validateUrl'] as const;

export function MappingForm({
  certificate,
  onAdded,
}: {
  certificate: Certificate;
  onAdded: (mapping: Mapping) => void;
}) {
  const { client } = useSignedIn();
  const [serviceName, setServiceName] = useState<string>('WEBHOOKS');
  const [url, setUrl] = useState('');
  const [validateUrl, setValidateUrl] = useState(false);
  const action = useAction(FIELDS);
  const errors = action.problem?.fieldErrors ?? {};

  const onSubmit = async (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const mapping = await action.run(() =>
      client.mappings.activate(
        certificate.id,
        // Free text goes to the gateway as typed: its answer says whether the service exists.
        { serviceName: serviceName.trim() as ServiceName, url: url.trim() },
        { validateUrl },
      ),
    );
    if (mapping) {
      setUrl('');
      onAdded(mapping);
    }
  };

  return (
    <form class="mapping-form" method="post" onSubmit={onSubmit} noValidate aria-label="Add a mapping">
      <div class="field-row">
        <ServiceNameField
          id="mapping-service"
          value={serviceName}
          onChange={setServiceName}
          errors={errors.serviceName}
        />
        <div class="field grow">
          <label for="mapping-url">URL</label>
          <input
            {...invalidProps('mapping-url', errors.url, 'mapping-url-rule')}
            type="text"
            inputMode="url"
            placeholder="https://api.example.com/hooks or https://api.example.com/v2/*"
            value={url}
            onInput={(event) => setUrl(event.currentTarget.value)}
          />
          <FieldErrors fieldId="mapping-url" messages={errors.url} />
        </div>
      </div>
      <div class="rule" id="mapping-url-rule">
        <p>
          <strong>Exact:</strong> without a <code>*</code>, the mapping serves that URL only, exactly as
          written — query included (<code>https://api.example.com/hooks?tenant=42</code>).
        </p>
        <p>
          <strong>Prefix:</strong> a trailing <code>*</code> serves every URL that starts with the rest, on
          the same origin (scheme, host and port), where the prefix ends at <code>/</code>, <code>?</code>,{' '}
          <code>#</code> or the end: <code>https://api.example.com/v2*</code> serves <code>…/v2</code> and{' '}
          <code>…/v2/users</code> but not <code>…/v20</code>, and <code>https://api.example.com*</code> never
          serves <code>https://api.example.com.attacker.tld/</code>. An exact mapping wins over prefixes; the
          longest prefix wins over shorter ones.
        </p>
      </div>
      <div class="field checkbox">
        <input
          id="mapping-validate"
          type="checkbox"
          checked={validateUrl}
          onChange={(event) => setValidateUrl(event.currentTarget.checked)}
          aria-describedby="mapping-validate-hint"
        />
        <label for="mapping-validate">Validate the URL first</label>
        <span class="hint" id="mapping-validate-hint">
          The gateway calls the URL with this certificate and refuses the mapping if the call fails.
        </span>
        <FieldErrors fieldId="mapping-validate" messages={errors.validateUrl} />
      </div>
      <ProblemBox problem={action.problem} />
      <button type="submit" class="primary" disabled={action.busy}>
        Add mapping
      </button>
    </form>
  );
}
