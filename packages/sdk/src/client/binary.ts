/**
 * Conversions of files and PKCS#12 inputs to what the wire wants (base64 strings, Blobs). Web APIs only.
 */
import { InvalidArgumentError } from '../errors.js';
import type { FileInput, P12Input } from './types.js';

// btoa takes a "binary string"; build it in slices so large files do not overflow the argument list.
const BASE64_SLICE = 0x8000;

/**
 * Standard base64 of `bytes` (`btoa` exists in browsers, edge runtimes and Node ≥ 16).
 *
 * @example
 * ```ts
 * bytesToBase64(new Uint8Array([48, 130])); // 'MII='
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += BASE64_SLICE) {
    binary += String.fromCharCode(...bytes.subarray(start, start + BASE64_SLICE));
  }
  return btoa(binary);
}

/**
 * The PKCS#12 file as the base64 string the gateway accepts in JSON bodies. A string is taken as base64
 * already; an array must hold byte values 0–255.
 *
 * @throws {InvalidArgumentError} when the input is empty, not bytes, or an array with a non-byte value.
 *
 * @example
 * ```ts
 * await p12ToBase64([48, 130]);                  // 'MII='
 * await p12ToBase64(new Blob([p12Bytes]));       // base64 of the file
 * ```
 */
export async function p12ToBase64(input: P12Input, label = 'p12'): Promise<string> {
  if (typeof input === 'string') {
    if (input.trim() === '') throw new InvalidArgumentError(`${label} is an empty string; pass the file.`);
    return input;
  }
  const bytes = await p12Bytes(input, label);
  if (bytes.length === 0) throw new InvalidArgumentError(`${label} is empty; pass the PKCS#12 file.`);
  return bytesToBase64(bytes);
}

async function p12Bytes(input: Exclude<P12Input, string>, label: string): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  if (Array.isArray(input)) {
    const index = input.findIndex((value) => !Number.isInteger(value) || value < 0 || value > 255);
    if (index !== -1) {
      throw new InvalidArgumentError(`${label}[${index}] is not a byte value (an integer from 0 to 255).`);
    }
    return Uint8Array.from(input);
  }
  throw new InvalidArgumentError(
    `${label} must be a Uint8Array, ArrayBuffer, Blob, base64 string or array of byte values.`,
  );
}

/**
 * A `Blob` for a multipart part: a `Blob`/`File` is used as-is, bytes are wrapped with `type`.
 *
 * @throws {InvalidArgumentError} when the input is not a Blob or bytes (for example a path string in a
 *   browser build: use `readFileInput` of `@mtls-gateway/sdk/node`).
 *
 * @example
 * ```ts
 * const part = toBlob(new Uint8Array([1, 2, 3]), 'file', 'application/x-pkcs12');
 * ```
 */
export function toBlob(input: FileInput, label: string, type: string): Blob {
  if (typeof Blob !== 'undefined' && input instanceof Blob) return input;
  // Copy into a fresh ArrayBuffer-backed array: Blob parts must not be SharedArrayBuffer views.
  if (input instanceof Uint8Array) return new Blob([new Uint8Array(input)], { type });
  if (input instanceof ArrayBuffer) return new Blob([input], { type });
  const hint =
    typeof input === 'string' ? ' A path string needs readFileInput(path) from @mtls-gateway/sdk/node.' : '';
  throw new InvalidArgumentError(`${label} must be a Blob, File, Uint8Array or ArrayBuffer.${hint}`);
}

/**
 * The file name to give a multipart part: the `File`'s own name, else `fallback`.
 *
 * @example
 * ```ts
 * fileNameOf(new File([bytes], 'client.p12'), 'certificate.p12'); // 'client.p12'
 * ```
 */
export function fileNameOf(input: FileInput, fallback: string): string {
  const name = (input as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : fallback;
}
