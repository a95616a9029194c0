import type { FastifyRequest } from 'fastify';
import { InvalidRequestError, PayloadTooLargeError } from '../http/errors.js';

/** The parsed multipart form of the p12 test. */
export interface P12TestForm {
  /** The PKCS#12 file. */
  file: Buffer;
  /** Its password (may be empty). Never stored, never logged. */
  password: string;
  /** The body to send to the target, when given. */
  body: Buffer | undefined;
  /** The media type the `body` part was sent with (a file part's own `Content-Type`), when given. */
  bodyContentType: string | undefined;
}

/** Limits of the p12-test form. */
export interface P12TestFormLimits {
  /** Largest `file` part (`MTLS_MULTIPART_FILE_LIMIT`). */
  fileSizeBytes: number;
  /** Largest `body` part (`MTLS_BODY_LIMIT`). */
  bodySizeBytes: number;
  /** Largest plain field (`MTLS_MULTIPART_FIELD_LIMIT`). */
  fieldSizeBytes: number;
  /** Longest password, in characters (the spec's `P12Password.maxLength`). */
  passwordMaxLength?: number | undefined;
}

const PARTS = ['file', 'password', 'body'] as const;

function invalid(detail: string, name: string, message: string): InvalidRequestError {
  return new InvalidRequestError(detail, [{ location: 'body', name, message }]);
}

async function readLimited(stream: AsyncIterable<unknown>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit)
      throw new PayloadTooLargeError(
        `The multipart part "${what}" is larger than the limit of ${limit} bytes.`,
      );
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads the p12-test form: `file` (a file part with the PKCS#12), `password` (a field; a file part is
 * accepted too) and an optional `body` (field or file part). Unknown or repeated parts answer 400
 * `invalid_request`, oversized ones 413 — `file` against the multipart file limit, `body` against the request
 * body limit.
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
  const parts = request.parts({
    limits: {
      files: 3,
      fileSize: Math.max(limits.fileSizeBytes, limits.bodySizeBytes),
      fieldSize: Math.max(limits.fieldSizeBytes, limits.bodySizeBytes),
    },
  });
  for await (const part of parts) {
    const name = part.fieldname;
    if (!(PARTS as readonly string[]).includes(name) || seen.has(name)) {
      if (part.type === 'file') part.file.resume();
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
    if (part.type === 'file') {
      const limit = name === 'file' ? limits.fileSizeBytes : limits.bodySizeBytes;
      const content = await readLimited(part.file, limit, name);
      if (part.file.truncated) {
        throw new PayloadTooLargeError(
          `The multipart part "${name}" is larger than the limit of ${limit} bytes.`,
        );
      }
      if (name === 'file') values.file = content;
      else if (name === 'password') values.password = content.toString('utf8');
      else {
        values.body = content;
        values.bodyContentType = part.mimetype;
      }
      continue;
    }
    if (part.valueTruncated) {
      throw new PayloadTooLargeError(`The multipart field "${name}" is larger than the limit.`);
    }
    // A field sent as application/json arrives parsed; it goes out as JSON again.
    const text = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
    if (name === 'file') {
      throw invalid(
        'Send the PKCS#12 as a file part (with a filename), not as a text field.',
        'file',
        'must be a file part',
      );
    }
    if (name === 'password') values.password = text;
    else {
      const body = Buffer.from(text, 'utf8');
      if (body.length > limits.bodySizeBytes) {
        throw new PayloadTooLargeError(
          `The multipart part "body" is larger than the limit of ${limits.bodySizeBytes} bytes.`,
        );
      }
      values.body = body;
      values.bodyContentType = part.mimetype;
    }
  }
  if (!values.file)
    throw invalid('The multipart part "file" with the PKCS#12 file is required.', 'file', 'is required');
  if (values.password === undefined) {
    throw invalid('The multipart part "password" is required (it may be empty).', 'password', 'is required');
  }
  const maxLength = limits.passwordMaxLength;
  if (maxLength !== undefined && values.password.length > maxLength) {
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
