// node-forge works on "binary strings" (one char per byte); the public API works on Uint8Array.
// These helpers convert at the boundary without touching Node's Buffer, so the module runs in browsers too.

/** Converts bytes to a forge binary string. */
export function bytesToBinary(bytes: Uint8Array): string {
  let binary = '';
  // Chunked to stay below the engines' argument-count limit of String.fromCharCode.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return binary;
}

/** Converts a forge binary string to bytes. */
export function binaryToBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index) & 0xff;
  return bytes;
}

/** Encodes text as UTF-8 and returns it as a binary string. */
export function utf8ToBinary(text: string): string {
  return bytesToBinary(new TextEncoder().encode(text));
}

/** Hex of a binary string; `separator` goes between bytes (`:` gives the OpenSSL fingerprint form). */
export function binaryToHex(binary: string, separator = ''): string {
  const pairs: string[] = [];
  for (let index = 0; index < binary.length; index++) {
    pairs.push(binary.charCodeAt(index).toString(16).padStart(2, '0').toUpperCase());
  }
  return pairs.join(separator);
}

/** Random bytes from the Web Crypto API (present in browsers, edge runtimes and Node.js ≥ 19). */
export function randomBinary(length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytesToBinary(bytes);
}

/** PEM armour with 64-character lines and `\n` endings, as OpenSSL writes it. */
export function encodePem(label: string, der: string): string {
  const base64 = btoa(der);
  const lines: string[] = [];
  for (let offset = 0; offset < base64.length; offset += 64) lines.push(base64.slice(offset, offset + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** One PEM block found in a text. */
export interface PemBlock {
  label: string;
  /** DER as a binary string. */
  der: string;
  /** True when RFC 1421 headers (`Proc-Type`, `DEK-Info`: a legacy encrypted key) precede the base64. */
  hasHeaders: boolean;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block of a text, in order; returns `undefined` for a block whose base64 is malformed. */
export function decodePemBlocks(text: string): Array<PemBlock | undefined> {
  const blocks: Array<PemBlock | undefined> = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1] ?? '';
    let body = match[2] ?? '';
    const hasHeaders = body.includes(':');
    if (hasHeaders) body = body.slice(body.indexOf('\n', body.lastIndexOf(':')) + 1);
    const base64 = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0 || base64.length === 0) {
      blocks.push(undefined);
      continue;
    }
    blocks.push({ label, der: atob(base64), hasHeaders });
  }
  return blocks;
}
