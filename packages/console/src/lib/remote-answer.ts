/**
 * A remote's answer (forwarding, the p12 test) read for display: status, headers, body as text (pretty when
 * JSON, bounded in size) and how long it took.
 */

/** Larger bodies are cut for display (the rest is counted, not shown). */
export const MAX_SHOWN_BODY_BYTES = 256 * 1024;

export interface RemoteAnswer {
  status: number;
  statusText: string;
  /** The remote redirected: a browser hides such answers (opaque redirect, status 0). */
  opaqueRedirect: boolean;
  headers: Array<[name: string, value: string]>;
  body: string;
  bodyBytes: number;
  truncated: boolean;
  /** The body looked binary: `body` is a summary. */
  binary: boolean;
  /** Milliseconds until the answer's headers arrived. */
  headersMs: number;
  /** Milliseconds until the whole body was read. */
  totalMs: number;
}

function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  return sample.includes(0);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/**
 * Reads `response` whole. `startedAt` is when the call was made and `headersAt` when it resolved (both from
 * `clock`, `performance.now` by default).
 */
export async function readRemoteAnswer(
  response: Response,
  startedAt: number,
  headersAt: number,
  clock: () => number = () => performance.now(),
): Promise<RemoteAnswer> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const finishedAt = clock();
  const shown = bytes.subarray(0, MAX_SHOWN_BODY_BYTES);
  const binary = looksBinary(shown);
  const text = binary
    ? `(${bytes.byteLength} bytes of binary data)`
    : new TextDecoder('utf-8', { fatal: false }).decode(shown);
  const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
  const truncated = !binary && bytes.byteLength > MAX_SHOWN_BODY_BYTES;
  return {
    status: response.status,
    statusText: response.statusText,
    opaqueRedirect: response.type === 'opaqueredirect',
    headers: [...response.headers.entries()].sort(([a], [b]) => a.localeCompare(b)),
    body: isJson && !truncated ? prettyJson(text) : text,
    bodyBytes: bytes.byteLength,
    truncated,
    binary,
    headersMs: Math.max(0, headersAt - startedAt),
    totalMs: Math.max(0, finishedAt - startedAt),
  };
}
