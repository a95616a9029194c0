import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { PayloadTooLargeError } from '../errors.js';

/** The 413 of a forwarded body over `limit` bytes. */
export function bodyTooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `The request body is larger than the limit of ${limit} bytes (MTLS_BODY_LIMIT). Nothing more was sent.`,
  );
}

/**
 * Checks a declared `Content-Length` before anything is sent.
 *
 * @throws {PayloadTooLargeError} when it is over `limit`.
 */
export function assertDeclaredLengthWithin(contentLength: string | undefined, limit: number): void {
  if (contentLength === undefined) return;
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) throw bodyTooLarge(limit);
}

/**
 * Counts the bytes of a streamed body and fails it with a {@link PayloadTooLargeError} as soon as they pass
 * `limit` — whatever `Content-Length` said, or when there is none (chunked). The body is never buffered:
 * chunks pass through with backpressure.
 */
export class BodyLimit extends Transform {
  #received = 0;

  constructor(readonly limit: number) {
    super();
  }

  /** Bytes seen so far. */
  get received(): number {
    return this.#received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#received += chunk.length;
    if (this.#received > this.limit) {
      callback(bodyTooLarge(this.limit));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * `source` piped through a {@link BodyLimit}. An error of the source (the caller went away) reaches the
 * returned stream, so the upstream request is aborted too.
 *
 * @example
 * ```ts
 * const body = limitBody(request.raw, config.bodyLimitBytes);
 * await pool.request({ method: 'POST', path: '/', body });
 * ```
 */
export function limitBody(source: Readable, limit: number): BodyLimit {
  const limited = new BodyLimit(limit);
  source.on('error', (error) => limited.destroy(error));
  // Over the limit: stop passing the caller's body on (Node's server discards the rest after the 413).
  limited.on('error', () => source.unpipe(limited));
  source.pipe(limited);
  return limited;
}
