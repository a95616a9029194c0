import type { FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../errors.js';
import { type MultipartFormBounds, readMultipartForm } from '../http/multipart-form.js';

/** The parsed multipart form of the p12 test. */
export interface P12TestForm {
  /** The PKCS#12 file. */
  file: Buffer;
  /** Its password (may be empty). Never stored, never logged. */
  password: string;
  /** The body to send to the target, when given: the part's bytes as sent. */
  body: Buffer | undefined;
  /** The media type the `body` part was sent with (`text/plain` for a text field without one), when given. */
  bodyContentType: string | undefined;
}

/** Limits of the p12-test form. */
export interface P12TestFormLimits {
  /** Largest `file` part (`MTLS_MULTIPART_FILE_LIMIT`). */
  fileSizeBytes: number;
  /** Largest `body` part (`MTLS_BODY_LIMIT`). */
  bodySizeBytes: number;
  /** Largest non-file part (`MTLS_MULTIPART_FIELD_LIMIT`): also bounds `password`, and `body` sent as text. */
  fieldSizeBytes: number;
  /** Longest password, in characters (the spec's `P12Password.maxLength`; default 1024). */
  passwordMaxLength?: number | undefined;
  /** The whole multipart body in bytes; default: the route's body limit (`MTLS_BODY_LIMIT`). */
  totalSizeBytes?: number | undefined;
}

const PARTS = ['file', 'password', 'body'] as const;

/** The spec's `P12Password.maxLength`, used when the caller passes none. */
const DEFAULT_PASSWORD_MAX_LENGTH = 1024;

/** UTF-8 needs at most 4 bytes per character: a password within its `maxLength` always fits `4 × maxLength`. */
const UTF8_MAX_BYTES_PER_CHARACTER = 4;

function invalid(detail: string, name: string, message: string): InvalidRequestError {
  return new InvalidRequestError(detail, [{ location: 'body', name, message }]);
}

/**
 * Reads the p12-test form: `file` (a file part with the PKCS#12), `password` (a field; a file part is
 * accepted too) and an optional `body` (field or file part, kept byte for byte). Unknown or repeated parts
 * answer 400 `invalid_request`; a `file` sent as a text field 400 (`must be a file part`).
 *
 * Every part is read as a stream with its own cap, so nothing is buffered past it (413 `payload_too_large`
 * naming the part and its limit): `file` ≤ `fileSizeBytes`; `password` ≤ 4 × `passwordMaxLength` bytes
 * (4096: the UTF-8 worst case, so a password the spec accepts is never cut) and ≤ `fieldSizeBytes` when sent
 * as text — then a password over `passwordMaxLength` characters (code points, as JSON Schema counts) is a 400;
 * `body` ≤ `bodySizeBytes` (and ≤ `fieldSizeBytes` when sent as text). The whole body ≤ `totalSizeBytes`
 * (413), at most 4 parts (the fourth is refused 400 as repeated or unknown).
 *
 * @throws {InvalidRequestError} | {PayloadTooLargeError}
 * @example
 * ```ts
 * const form = await readP12TestForm(request, { fileSizeBytes: 1 << 20, bodySizeBytes: 10 << 20, fieldSizeBytes: 10 << 20 });
 * ```
 */
export async function readP12TestForm(
  request: FastifyRequest,
  limits: P12TestFormLimits,
): Promise<P12TestForm> {
  const values: { file?: Buffer; password?: string; body?: Buffer; bodyContentType?: string } = {};
  const seen = new Set<string>();
  const maxLength = limits.passwordMaxLength ?? DEFAULT_PASSWORD_MAX_LENGTH;
  const passwordBytes = UTF8_MAX_BYTES_PER_CHARACTER * maxLength;
  const textOr = (isFile: boolean, cap: number) => (isFile ? cap : Math.min(cap, limits.fieldSizeBytes));

  const bounds: MultipartFormBounds = {
    // One more than the names, so a repeated or unknown part is seen and named (400) rather than counted.
    maxParts: PARTS.length + 1,
    largestPartBytes: Math.max(limits.fileSizeBytes, limits.bodySizeBytes, passwordBytes),
    totalBytes: limits.totalSizeBytes ?? request.routeOptions.bodyLimit ?? limits.bodySizeBytes,
  };
  await readMultipartForm(request, bounds, async (part) => {
    const name = part.name;
    if (!(PARTS as readonly string[]).includes(name) || seen.has(name)) {
      const repeated = seen.has(name);
      throw invalid(
        repeated
          ? `The multipart part "${name}" is sent twice; send it once.`
          : `The multipart part "${name.slice(0, 64)}" is not expected. Send file, password and optionally body.`,
        name.slice(0, 64),
        repeated ? 'is sent twice' : 'is not allowed',
      );
    }
    seen.add(name);
    if (name === 'file') {
      if (!part.isFile) {
        throw invalid(
          'Send the PKCS#12 as a file part (with a filename), not as a text field.',
          'file',
          'must be a file part',
        );
      }
      values.file = await part.read(limits.fileSizeBytes);
    } else if (name === 'password') {
      values.password = (await part.read(textOr(part.isFile, passwordBytes))).toString('utf8');
    } else {
      values.body = await part.read(textOr(part.isFile, limits.bodySizeBytes));
      values.bodyContentType = part.mimetype;
    }
  });
  if (!values.file)
    throw invalid('The multipart part "file" with the PKCS#12 file is required.', 'file', 'is required');
  if (values.password === undefined) {
    throw invalid('The multipart part "password" is required (it may be empty).', 'password', 'is required');
  }
  if ([...values.password].length > maxLength) {
    throw invalid(
      `The password part is longer than ${maxLength} characters.`,
      'password',
      `must NOT have more than ${maxLength} characters`,
    );
  }
  return {
    file: values.file,
    password: values.password,
    body: values.body,
    bodyContentType: values.bodyContentType,
  };
}
