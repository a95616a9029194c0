/**
 * Small building blocks shared by the pages: the problem box, field errors, labelled fields, the
 * confirmation dialog and a hook for calls that may fail.
 */
import type { ComponentChildren, TargetedEvent } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type ShownProblem, toShownProblem } from '../lib/problems.js';

/** A gateway problem: title, detail, `code` and request id; input errors no field shows are listed. */
export function ProblemBox({ problem }: { problem: ShownProblem | undefined }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <p class="problem-title">
        <strong>{problem.title}</strong>
        {problem.status === undefined ? null : <span class="problem-status"> ({problem.status})</span>}
      </p>
      <p class="problem-detail">{problem.detail}</p>
      <p class="problem-meta">
        code <code class="problem-code">{problem.code}</code>
        {problem.requestId ? (
          <>
            {' '}
            · request id <code>{problem.requestId}</code>
          </>
        ) : null}
      </p>
      {problem.otherErrors.length > 0 ? (
        <ul class="problem-errors">
          {problem.otherErrors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The `id` of a field's error text, for `aria-describedby`. */
export const errorIdOf = (fieldId: string) => `${fieldId}-error`;

/** The gateway's messages about one field, shown under it. */
export function FieldErrors({ fieldId, messages }: { fieldId: string; messages: string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <p class="field-error" id={errorIdOf(fieldId)}>
      {messages.join(' ')}
    </p>
  );
}

/** Attributes that tie an input to its error text. */
export function invalidProps(fieldId: string, messages: string[] | undefined, hintId?: string) {
  const invalid = messages !== undefined && messages.length > 0;
  const describedBy = [hintId, invalid ? errorIdOf(fieldId) : undefined].filter(Boolean).join(' ');
  return {
    id: fieldId,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
  };
}

/**
 * Runs calls for a form: `busy` while one runs, the problem of the last failure (with field errors for
 * `fields`), cleared when the next call starts.
 */
export function useAction(fields: readonly string[] = []) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ShownProblem | undefined>(undefined);
  const run = useCallback(
    async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
      setBusy(true);
      setProblem(undefined);
      try {
        return await action();
      } catch (error) {
        setProblem(toShownProblem(error, fields));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    // The field list is fixed per form.
    [],
  );
  return { busy, problem, setProblem, run };
}

/** Loads data when `key` changes; `reload()` loads again. */
export function useLoad<T>(load: () => Promise<T>, key: string) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<ShownProblem | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  // `key` says when `load` changes meaning (a new closure every render otherwise).
  useEffect(() => {
    let current = true;
    setLoading(true);
    load()
      .then((value) => {
        if (!current) return;
        setData(value);
        setProblem(undefined);
      })
      .catch((error: unknown) => {
        if (current) setProblem(toShownProblem(error));
      })
      .finally(() => {
        if (current) setLoading(false);
      });
    return () => {
      current = false;
    };
  }, [key, generation]);
  return { data, problem, loading, reload: () => setGeneration((value) => value + 1) };
}

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}

/**
 * A modal confirmation on the native `<dialog>`: the page behind is inert, Escape cancels, focus starts on
 * Cancel (the safe choice) and goes back to what had it when the dialog closes.
 */
export function ConfirmDialog({
  open,
  title,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
  children,
}: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement;
      element.showModal();
      cancel.current?.focus();
    } else if (!open && element.open) {
      element.close();
      if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
    }
  }, [open]);
  const titleId = `${title.replace(/\W+/g, '-').toLowerCase()}-title`;
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onCancel={(event: TargetedEvent<HTMLDialogElement>) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      <div class="dialog-actions">
        <button type="button" ref={cancel} onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={onConfirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A definition list row, skipped when there is nothing to say. */
export function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}
