import type { RemoteAnswer } from '../lib/remote-answer.js';

/** A remote's answer as received through the gateway: status, timing, headers and body. */
export function RemoteAnswerView({ answer, heading }: { answer: RemoteAnswer; heading: string }) {
  const success = answer.status >= 200 && answer.status < 400;
  return (
    <section class="remote-answer" aria-label={heading}>
      <h3>{heading}</h3>
      {answer.opaqueRedirect ? (
        <p class="note">
          The remote answered with a redirect. The gateway returns redirects as they are and browsers hide
          their status and headers (an opaque redirect); call the URL from a server to see them.
        </p>
      ) : (
        <p class="answer-status">
          Status{' '}
          <strong class={success ? 'status-ok' : 'status-failed'} data-testid="answer-status">
            {answer.status} {answer.statusText}
          </strong>{' '}
          · headers after {Math.round(answer.headersMs)} ms · complete after {Math.round(answer.totalMs)} ms ·{' '}
          {answer.bodyBytes} bytes
        </p>
      )}
      <details open>
        <summary>Headers ({answer.headers.length})</summary>
        <table class="headers-table">
          <caption class="visually-hidden">Answer headers</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {answer.headers.map(([name, value]) => (
              <tr key={name}>
                <td>
                  <code>{name}</code>
                </td>
                <td>
                  <code>{value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <h4>Body</h4>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section class="answer-body" tabIndex={0} aria-label="Answer body">
        <pre data-testid="answer-body">
          {answer.bodyBytes === 0 ? '(empty)' : answer.body}
          {answer.truncated ? `\n… (${answer.bodyBytes} bytes in all; the rest is not shown)` : ''}
        </pre>
      </section>
    </section>
  );
}
