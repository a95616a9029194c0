/**
 * Node-only file helpers: turn a path into a `File` the gateway client can upload.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../errors.js';

/**
 * Options of {@link readFileInput}.
 *
 * @example
 * ```ts
 * const options: ReadFileInputOptions = { type: 'application/x-pkcs12', name: 'client.p12' };
 * ```
 */
export interface ReadFileInputOptions {
  /** The file's media type; default `application/x-pkcs12` for `.p12`/`.pfx`, else `application/octet-stream`. */
  type?: string | undefined;
  /** The file name sent in the multipart part; default the path's base name. */
  name?: string | undefined;
}

/**
 * Reads a file from disk as a `File` (named after the path) for the client's uploads: `certificates.createFromFile`,
 * `certificates.updateFromFile`, `testP12`, or `p12` of `certificates.create`.
 *
 * @throws {InvalidArgumentError} when the file cannot be read (the message names the path and the reason).
 *
 * @example
 * ```ts
 * import { createMtlsGatewayClient } from '@mtls-gateway/sdk';
 * import { readFileInput } from '@mtls-gateway/sdk/node';
 *
 * await client.certificates.createFromFile({ file: await readFileInput('./client.p12'), name: 'Cert1', password });
 * ```
 */
export async function readFileInput(path: string | URL, options: ReadFileInputOptions = {}): Promise<File> {
  const filePath = path instanceof URL ? fileURLToPath(path) : path;
  if (typeof filePath !== 'string' || filePath === '') {
    throw new InvalidArgumentError('readFileInput needs a file path (string or file: URL).');
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InvalidArgumentError(
      `The file ${filePath} cannot be read (${typeof code === 'string' ? code : 'error'}); check the path and its permissions.`,
      { cause: error },
    );
  }
  const name = options.name ?? basename(filePath);
  const type =
    options.type ?? (/\.(p12|pfx)$/i.test(name) ? 'application/x-pkcs12' : 'application/octet-stream');
  return new File([new Uint8Array(bytes)], name, { type });
}
