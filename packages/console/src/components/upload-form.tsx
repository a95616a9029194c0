/**
 * Upload or replace (rotate) a certificate, test first: the file and its password are tried against a URL
 * the user gives through the gateway's p12 test (nothing is stored), the remote's answer is shown, and only
 * then can the file be saved.
 */
import type { Certificate, CertificateSaveResult, P12TestMethod } from '@mtls-gateway/sdk';
import type { TargetedDragEvent, TargetedSubmitEvent } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useSignedIn } from '../client-context.js';
import { P12_TEST_METHODS } from '../lib/choices.js';
import { type RemoteAnswer, readRemoteAnswer } from '../lib/remote-answer.js';
import { RemoteAnswerView } from './remote-answer-view.js';
import { FieldErrors, invalidProps, ProblemBox, useAction } from './ui.js';

export type UploadMode = { kind: 'create' } | { kind: 'replace'; certificate: Certificate };

const FIELDS = ['name', 'file', 'password', 'url', 'method'] as const;

interface UploadFormProps {
  mode: UploadMode;
  /** A URL to test against, e.g. one the certificate is mapped to. */
  suggestedUrl?: string | undefined;
  onSaved: (result: CertificateSaveResult) => void;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function UploadForm({ mode, suggestedUrl, onSaved }: UploadFormProps) {
  const { client } = useSignedIn();
  const prefix = mode.kind === 'create' ? 'upload' : 'replace';
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | undefined>(undefined);
  const [password, setPassword] = useState('');
  const [url, setUrl] = useState(suggestedUrl ?? '');
  const [method, setMethod] = useState<P12TestMethod>('GET');
  const [allowExpired, setAllowExpired] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [answer, setAnswer] = useState<RemoteAnswer | undefined>(undefined);
  const [localErrors, setLocalErrors] = useState<Record<string, string[]>>({});
  const fileInput = useRef<HTMLInputElement>(null);
  const action = useAction(FIELDS);
  const errors = { ...action.problem?.fieldErrors, ...localErrors };

  // A new file or password has not been tested.
  const chooseFile = (chosen: File | undefined) => {
    setFile(chosen);
    setAnswer(undefined);
  };

  const requireInputs = (needs: readonly (typeof FIELDS)[number][]): boolean => {
    const missing: Record<string, string[]> = {};
    if (needs.includes('file') && !file) missing.file = ['Choose a PKCS#12 file (.p12 or .pfx).'];
    if (needs.includes('url') && !url.trim()) missing.url = ['Give the URL to test the certificate against.'];
    if (needs.includes('name') && !name.trim()) missing.name = ['Give the certificate a name.'];
    setLocalErrors(missing);
    return Object.keys(missing).length === 0;
  };

  const test = async () => {
    if (!requireInputs(['file', 'url']) || !file) return;
    setAnswer(undefined);
    await action.run(async () => {
      const startedAt = performance.now();
      const response = await client.testP12({ file, password, url: url.trim(), method });
      setAnswer(await readRemoteAnswer(response, startedAt, performance.now()));
    });
  };

  const save = async () => {
    if (!requireInputs(mode.kind === 'create' ? ['file', 'name'] : ['file']) || !file) return;
    const result = await action.run(() =>
      mode.kind === 'create'
        ? client.certificates.createFromFile({ file, name: name.trim(), password }, { allowExpired })
        : client.certificates.updateFromFile(
            { id: mode.certificate.id, file, password, ...(name.trim() ? { name: name.trim() } : {}) },
            { allowExpired },
          ),
    );
    if (result) onSaved(result);
  };

  const onSubmit = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const intent = (event.submitter as HTMLButtonElement | null)?.value ?? 'test';
    void (intent === 'save' ? save() : test());
  };

  const onDrop = (event: TargetedDragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const files = event.dataTransfer?.files;
    const dropped = files?.[0];
    if (!files || !dropped) return;
    // The picker shows the dropped file too.
    if (fileInput.current) fileInput.current.files = files;
    chooseFile(dropped);
  };

  const id = (field: string) => `${prefix}-${field}`;
  return (
    <form
      class="upload-form"
      method="post"
      onSubmit={onSubmit}
      noValidate
      aria-label={mode.kind === 'create' ? 'Upload a certificate' : 'Replace the certificate'}
    >
      <div class="field">
        <label for={id('name')}>{mode.kind === 'create' ? 'Name' : 'New name (optional)'}</label>
        <input
          {...invalidProps(id('name'), errors.name)}
          value={name}
          maxLength={128}
          autoComplete="off"
          onInput={(event) => setName(event.currentTarget.value)}
        />
        <FieldErrors fieldId={id('name')} messages={errors.name} />
      </div>

      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the file input inside is the keyboard's way */}
      <div
        class={dragging ? 'drop-zone dragging' : 'drop-zone'}
        data-testid={`${prefix}-drop-zone`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label for={id('file')}>PKCS#12 file</label>
        <p class="hint" id={id('file-hint')}>
          Drop a .p12 or .pfx file here, or choose one.
        </p>
        <input
          {...invalidProps(id('file'), errors.file, id('file-hint'))}
          ref={fileInput}
          type="file"
          accept=".p12,.pfx,application/x-pkcs12"
          onChange={(event) => chooseFile(event.currentTarget.files?.[0])}
        />
        {file ? (
          <p class="chosen-file">
            Chosen: <strong>{file.name}</strong> ({formatBytes(file.size)})
          </p>
        ) : null}
        <FieldErrors fieldId={id('file')} messages={errors.file} />
      </div>

      <div class="field">
        <label for={id('password')}>Password of the file</label>
        <input
          {...invalidProps(id('password'), errors.password)}
          type="password"
          autoComplete="off"
          value={password}
          onInput={(event) => {
            setPassword(event.currentTarget.value);
            setAnswer(undefined);
          }}
        />
        <FieldErrors fieldId={id('password')} messages={errors.password} />
      </div>

      <fieldset class="test-first">
        <legend>Test first</legend>
        <p class="hint" id={id('url-hint')}>
          The gateway calls this URL presenting the file's certificate and shows the remote's answer. Nothing
          is stored.
        </p>
        <div class="field-row">
          <div class="field">
            <label for={id('method')}>Method</label>
            <select
              {...invalidProps(id('method'), errors.method)}
              value={method}
              onChange={(event) => setMethod(event.currentTarget.value as P12TestMethod)}
            >
              {P12_TEST_METHODS.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
            <FieldErrors fieldId={id('method')} messages={errors.method} />
          </div>
          <div class="field grow">
            <label for={id('url')}>URL to test against</label>
            <input
              {...invalidProps(id('url'), errors.url, id('url-hint'))}
              type="url"
              placeholder="https://api.example.com/ping"
              value={url}
              onInput={(event) => setUrl(event.currentTarget.value)}
            />
            <FieldErrors fieldId={id('url')} messages={errors.url} />
          </div>
        </div>
        <button type="submit" name="intent" value="test" disabled={action.busy}>
          Test certificate
        </button>
      </fieldset>

      {answer ? <RemoteAnswerView answer={answer} heading="Answer of the remote (p12 test)" /> : null}

      <div class="field checkbox">
        <input
          id={id('allow-expired')}
          type="checkbox"
          checked={allowExpired}
          onChange={(event) => setAllowExpired(event.currentTarget.checked)}
        />
        <label for={id('allow-expired')}>Accept a certificate that is expired or not yet valid</label>
      </div>

      <ProblemBox problem={action.problem} />

      <div class="actions">
        <button type="submit" name="intent" value="save" class="primary" disabled={action.busy || !answer}>
          {mode.kind === 'create' ? 'Save certificate' : 'Replace certificate'}
        </button>
        {!answer ? <span class="hint">Saving is possible once the file has been tested.</span> : null}
        {action.busy ? <span role="status">Working…</span> : null}
      </div>
    </form>
  );
}
