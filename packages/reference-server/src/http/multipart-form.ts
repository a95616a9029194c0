import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { PayloadTooLargeError } from '../errors.js';

/**
 * A streaming multipart reader on top of @fastify/multipart's part iterator: every part is a stream
 * (`isPartAFile: () => true`) with its own cap enforced while it streams, and the whole body is counted as it
 * arrives. Hand-written because the plugin's limits are one size for every file and one for every field, and a
 * field is buffered whole before anyone can look at it. Used by the certificate forms and the p12 test.
 */

/** One part of a multipart form, not read yet. */
export interface MultipartFormPart {
  /** The part's name (`Content-Disposition: form-data; name=…`); empty when it has none. */
  readonly name: string;
  /** Its `filename`, when the part declared one. */
  readonly filename: string | undefined;
  /** Its media type, lower case without parameters (`text/plain` when it declared none). */
  readonly mimetype: string;
  /**
   * Whether the client sent it as a file: with a `filename`, or as `application/octet-stream` (busboy's
   * own rule, so what was a file part before every part became a stream still is one).
   */
  readonly isFile: boolean;
  /**
   * Reads the whole part, counting bytes while it streams: past `limitBytes` it stops reading and throws a
   * {@link PayloadTooLargeError} naming the part and the limit (at most `limitBytes` + one chunk were held).
   * Call it at most once.
   */
  read(limitBytes: number): Promise<Buffer>;
}

/** Bounds of {@link readMultipartForm}. */
export interface MultipartFormBounds {
  /** Most parts; the parser refuses more (413, `FST_FILES_LIMIT` / `FST_PARTS_LIMIT`). */
  maxParts: number;
  /** The largest cap any part will get; the parser truncates just past it as a backstop. */
  largestPartBytes: number;
  /**
   * The whole multipart body in bytes — parts, part headers, boundaries — as received (after chunked
   * decoding): the bound a declared `Content-Length` gets, applied to chunked bodies too.
   */
  totalBytes: number;
}

function partTooLarge(name: string, limitBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The multipart part "${name.slice(0, 64)}" is larger than the limit of ${limitBytes} bytes.`,
  );
}

/**
 * Reads a multipart form part by part, each part a stream handed to `onPart`, which must decide at once
 * (unknown, repeated, wrong kind → throw) and otherwise `read` the part with its own cap. While it runs, the
 * bytes of the body are counted as they arrive; past `bounds.totalBytes` every pending read fails with 413
 * `payload_too_large`. When `onPart` throws, the current part is dropped and parsing stops, so the HTTP edge
 * can answer and settle the rest of the body.
 *
 * @throws {PayloadTooLargeError} a part over its cap, the body over `totalBytes`; and whatever `onPart` throws.
 * @example
 * ```ts
 * await readMultipartForm(request, { maxParts: 4, largestPartBytes: 1 << 20, totalBytes: 10 << 20 }, async (part) => {
 *   if (part.name !== 'file') throw new InvalidRequestError(`The part "${part.name}" is not expected.`);
 *   file = await part.read(1 << 20);
 * });
 * ```
 */
export async function readMultipartForm(
  request: FastifyRequest,
  bounds: MultipartFormBounds,
  onPart: (part: MultipartFormPart) => Promise<void>,
): Promise<void> {
  const parts = request.parts({
    isPartAFile: () => true,
    limits: {
      parts: bounds.maxParts,
      files: bounds.maxParts,
      fileSize: bounds.largestPartBytes + 1,
    },
  });
  const raw = request.raw;
  let received = 0;
  let rejectOverflow: (error: PayloadTooLargeError) => void = () => undefined;
  const overflow = new Promise<never>((_resolve, reject) => {
    rejectOverflow = reject;
  });
  overflow.catch(() => undefined);
  const countBody = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= bounds.totalBytes) return;
    raw.off('data', countBody);
    rejectOverflow(
      new PayloadTooLargeError(
        `The multipart body is larger than the limit of ${bounds.totalBytes} bytes (MTLS_BODY_LIMIT). Send a smaller file or body.`,
      ),
    );
  };
  /** `promise`, or the overflow when the body passes its limit first. */
  const bounded = <T>(promise: Promise<T>): Promise<T> => {
    promise.catch(() => undefined); // the race may leave it unobserved
    return Promise.race([promise, overflow]);
  };

  let current: MultipartFile['file'] | undefined;
  let counting = false;
  try {
    for (;;) {
      const next = parts.next();
      // The first next() pipes the body into the parser; counting starts after it, so no byte is missed
      // (a listener of a not-yet-piped body would make it flow into nothing). Not for a body that is not
      // multipart: the iterator rejects it (415) and it must not start flowing here.
      if (!counting && request.isMultipart()) {
        raw.on('data', countBody);
        counting = true;
      }
      const { value: part, done } = await bounded(next);
      if (done) return;
      if (part.type !== 'file') throw new Error('readMultipartForm: the parser returned a field part.');
      const file = part.file;
      current = file;
      let consumed = false;
      await onPart({
        name: part.fieldname ?? '',
        filename: part.filename,
        mimetype: part.mimetype,
        isFile: part.filename !== undefined || part.mimetype === 'application/octet-stream',
        async read(limitBytes) {
          if (consumed) throw new Error(`readMultipartForm: the part "${part.fieldname}" was read already.`);
          consumed = true;
          const chunks: Buffer[] = [];
          let size = 0;
          const chunksOf = file[Symbol.asyncIterator]();
          for (;;) {
            const { value, done: ended } = await bounded(chunksOf.next());
            if (ended) break;
            const chunk = value as Buffer;
            size += chunk.length;
            if (size > limitBytes) throw partTooLarge(part.fieldname ?? '', limitBytes);
            chunks.push(chunk);
          }
          // The parser's backstop: it truncates just past `largestPartBytes`.
          if (file.truncated) throw partTooLarge(part.fieldname ?? '', limitBytes);
          return Buffer.concat(chunks, size);
        },
      });
      // A part nobody read would stall the parser; what is left of it is dropped (the total still counts).
      if (!file.readableEnded) file.resume();
      current = undefined;
    }
  } catch (error) {
    // Stops the parser: @fastify/multipart unpipes the body when a part is destroyed before its end.
    if (current && !current.readableEnded) current.destroy();
    throw error;
  } finally {
    raw.off('data', countBody);
  }
}
