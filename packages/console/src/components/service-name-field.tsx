/**
 * A service name: one of the documented values (from the SDK's `ServiceName`), or any other text — the
 * gateway then says whether it accepts it, next to the field.
 */
import { useState } from 'preact/hooks';
import { describeService, SERVICE_NAMES } from '../lib/choices.js';
import { FieldErrors, invalidProps } from './ui.js';

const OTHER = '__other__';
const NONE = '';

interface ServiceNameFieldProps {
  id: string;
  value: string;
  onChange: (value: string) => void;
  errors: string[] | undefined;
  /** Offer "none" (forwarding without `LP-service-name`). */
  optional?: boolean;
  label?: string;
}

export function ServiceNameField({ id, value, onChange, errors, optional, label }: ServiceNameFieldProps) {
  const documented = (SERVICE_NAMES as string[]).includes(value);
  const [other, setOther] = useState(!documented && value !== NONE);
  const selected = other ? OTHER : value;
  return (
    <div class="field">
      <label for={id}>{label ?? 'Service name'}</label>
      <select
        {...invalidProps(id, other ? undefined : errors)}
        value={selected}
        onChange={(event) => {
          const choice = event.currentTarget.value;
          setOther(choice === OTHER);
          onChange(choice === OTHER ? '' : choice);
        }}
      >
        {optional ? <option value={NONE}>none (any service's mapping)</option> : null}
        {SERVICE_NAMES.map((name) => (
          <option key={name} value={name}>
            {name} — {describeService(name)}
          </option>
        ))}
        <option value={OTHER}>Other (type it)…</option>
      </select>
      {other ? (
        <>
          <label for={`${id}-other`}>Other service name</label>
          <input
            {...invalidProps(`${id}-other`, errors)}
            value={value}
            autoComplete="off"
            onInput={(event) => onChange(event.currentTarget.value)}
          />
        </>
      ) : null}
      <FieldErrors fieldId={other ? `${id}-other` : id} messages={errors} />
    </div>
  );
}
