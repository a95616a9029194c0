/**
 * How the gateway opens the PKCS#12 files of one create or update request — the rule the spec states in
 * prose, shared by the reference server and the mock. Opening a file itself (PKCS#12 parsing) is the
 * caller's: the server does it in a worker pool, the mock on its thread.
 */
import type { InputError, ProblemCode } from './problems.js';

/**
 * A PKCS#12 file as bytes, as the documented array of byte values, or as base64 text.
 *
 * @example
 * ```ts
 * const input: P12Input = [48, 130, 9, 169];
 * ```
 */
export type P12Input = Uint8Array | readonly number[] | string;

/**
 * What opening one file gave: its value, or the `p12_*` code and message of the refusal.
 *
 * @example
 * ```ts
 * const verdict: FileVerdict<string> = { ok: false, code: 'p12_wrong_password', message: 'The password is wrong.' };
 * ```
 */
export type FileVerdict<Opened, Code extends ProblemCode = ProblemCode> =
  | { readonly ok: true; readonly value: Opened }
  | { readonly ok: false; readonly code: Code; readonly message: string };

/**
 * The refusal of a whole request: the code of the refused file, the problem `detail` and its `errors` entry.
 *
 * @example
 * ```ts
 * const refusal: UploadRefusal = { code: 'p12_corrupt', detail: 'Item 1: …', errors: [{ location: 'body', name: '/1/p12', message: '…' }] };
 * ```
 */
export interface UploadRefusal<Code extends ProblemCode = ProblemCode> {
  readonly code: Code;
  readonly detail: string;
  readonly errors: InputError[];
}

/**
 * How the files of one request are named in a refusal.
 *
 * @example
 * ```ts
 * const naming: UploadNaming = { pointer: (i) => `/${i}/p12`, describeItem: (i) => `Item ${i}` };
 * ```
 */
export interface UploadNaming {
  /** Where item `index` sits in the request (`errors[].name`): `/0/p12`, `/p12` or `file`. */
  pointer: (index: number) => string;
  /** How item `index` is named in the detail: `Item 0`, `The file of certificate 42`, … */
  describeItem: (index: number) => string;
}

function decodeBase64(text: string): Uint8Array | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  try {
    return Uint8Array.from(atob(compact), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * The bytes of a `p12` value: bytes as they are, an array of byte values (0–255), or standard base64 (line
 * breaks allowed). Anything else is refused as `p12_corrupt`.
 *
 * @example
 * ```ts
 * decodeP12Input([48, 130]); // { ok: true, value: Uint8Array [48, 130] }
 * decodeP12Input('MII=');     // { ok: true, value: Uint8Array [48, 130] }
 * decodeP12Input('%%%');      // { ok: false, code: 'p12_corrupt', message: 'This is not a readable PKCS#12 … file: …' }
 * ```
 */
export function decodeP12Input(value: unknown): FileVerdict<Uint8Array, 'p12_corrupt'> {
  if (value instanceof Uint8Array) return { ok: true, value };
  if (typeof value === 'string') {
    const bytes = decodeBase64(value);
    return bytes === undefined
      ? corrupt('the p12 string is not standard base64')
      : { ok: true, value: bytes };
  }
  if (Array.isArray(value) && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255)) {
    return { ok: true, value: Uint8Array.from(value as number[]) };
  }
  return corrupt('p12 must be an array of byte values (0–255) or a base64 string');
}

/** The refusal of an undecodable `p12`, worded as the SDK's `P12CorruptError`. */
function corrupt(detail: string): FileVerdict<never, 'p12_corrupt'> {
  return {
    ok: false,
    code: 'p12_corrupt',
    message:
      `This is not a readable PKCS#12 (.p12/.pfx) file: ${detail}. ` +
      'Upload the binary file itself (not a PEM or base64 text of it) and export it again if it was damaged.',
  };
}

type UploadResult<Opened, Code extends ProblemCode> =
  | { ok: true; opened: Opened[] }
  | { ok: false; refusal: UploadRefusal<Code | 'p12_corrupt'> };

/** The refusal of a request whose item `index` (of `total`) could not be opened. */
function refusalOf<Code extends ProblemCode>(
  index: number,
  total: number,
  verdict: { code: Code; message: string },
  naming: UploadNaming,
): UploadRefusal<Code> {
  const unchecked = total - index - 1;
  const rest =
    unchecked === 0
      ? ''
      : unchecked === 1
        ? ' The item after it was not checked.'
        : ` The ${unchecked} items after it were not checked.`;
  return {
    code: verdict.code,
    detail: `${naming.describeItem(index)}: ${verdict.message}${rest} Nothing was stored.`,
    errors: [
      { location: 'body', name: naming.pointer(index), message: `${verdict.code}: ${verdict.message}` },
    ],
  };
}

/**
 * Opens every file of a request, one after another, before anything is stored: the first unusable file
 * refuses the whole request and the files after it are not opened at all (no work after a refusal).
 *
 * @returns the opened values in order, or the refusal to answer with (400 with the file's `p12_*` code).
 * @example
 * ```ts
 * const result = await openUploadedFiles(files, (bytes, password) => pool.open(bytes, password), {
 *   pointer: (i) => `/${i}/p12`,
 *   describeItem: (i) => `Item ${i}`,
 * });
 * if (!result.ok) throw problem(result.refusal);
 * ```
 */
export async function openUploadedFiles<Opened, Code extends ProblemCode = ProblemCode>(
  files: ReadonlyArray<{ readonly p12: P12Input; readonly password: string }>,
  open: (bytes: Uint8Array, password: string) => Promise<FileVerdict<Opened, Code>>,
  naming: UploadNaming,
): Promise<UploadResult<Opened, Code>> {
  const opened: Opened[] = [];
  for (const [index, file] of files.entries()) {
    const bytes = decodeP12Input(file.p12);
    const verdict = bytes.ok ? await open(bytes.value, file.password) : bytes;
    if (!verdict.ok)
      return { ok: false, refusal: refusalOf<Code | 'p12_corrupt'>(index, files.length, verdict, naming) };
    opened.push(verdict.value);
  }
  return { ok: true, opened };
}

/**
 * {@link openUploadedFiles} for an `open` that answers at once (the mock parses on its own thread).
 *
 * @example
 * ```ts
 * const result = openUploadedFilesSync(files, (bytes, password) => parse(bytes, password), naming);
 * ```
 */
export function openUploadedFilesSync<Opened, Code extends ProblemCode = ProblemCode>(
  files: ReadonlyArray<{ readonly p12: P12Input; readonly password: string }>,
  open: (bytes: Uint8Array, password: string) => FileVerdict<Opened, Code>,
  naming: UploadNaming,
): UploadResult<Opened, Code> {
  const opened: Opened[] = [];
  for (const [index, file] of files.entries()) {
    const bytes = decodeP12Input(file.p12);
    const verdict = bytes.ok ? open(bytes.value, file.password) : bytes;
    if (!verdict.ok)
      return { ok: false, refusal: refusalOf<Code | 'p12_corrupt'>(index, files.length, verdict, naming) };
    opened.push(verdict.value);
  }
  return { ok: true, opened };
}
