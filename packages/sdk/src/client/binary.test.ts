import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { bytesToBase64, fileNameOf, p12ToBase64, toBlob } from './binary.js';

describe('bytesToBase64', () => {
  it('matches Node for every byte value and for inputs larger than one slice', () => {
    const all = new Uint8Array(256).map((_value, index) => index);
    expect(bytesToBase64(all)).toBe(Buffer.from(all).toString('base64'));
    const large = new Uint8Array(100_001).map((_value, index) => (index * 7) % 256);
    expect(bytesToBase64(large)).toBe(Buffer.from(large).toString('base64'));
    expect(bytesToBase64(new Uint8Array())).toBe('');
  });
});

describe('p12ToBase64', () => {
  const bytes = new Uint8Array([48, 130, 1, 2, 255]);
  const expected = Buffer.from(bytes).toString('base64');

  it('accepts every documented form', async () => {
    expect(await p12ToBase64(bytes)).toBe(expected);
    expect(await p12ToBase64(bytes.slice().buffer)).toBe(expected);
    expect(await p12ToBase64(new Blob([bytes]))).toBe(expected);
    expect(await p12ToBase64([...bytes])).toBe(expected);
    expect(await p12ToBase64(expected)).toBe(expected);
    // A view on part of a larger buffer sends only its own bytes.
    expect(await p12ToBase64(new Uint8Array([9, ...bytes, 9]).subarray(1, 6))).toBe(expected);
  });

  it('refuses empty files and non-byte values', async () => {
    await expect(p12ToBase64(new Uint8Array())).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p12ToBase64('  ')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(p12ToBase64([1, -1])).rejects.toThrow(/p12\[1\]/);
    await expect(p12ToBase64({} as Uint8Array)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('toBlob and fileNameOf', () => {
  it('wraps bytes with the type and keeps Blobs as they are', async () => {
    const blob = toBlob(new Uint8Array([1, 2]), 'file', 'application/x-pkcs12');
    expect(blob.type).toBe('application/x-pkcs12');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(new Uint8Array([1, 2]));
    const file = new File(['x'], 'a.p12');
    expect(toBlob(file, 'file', 'ignored')).toBe(file);
    expect(fileNameOf(file, 'fallback')).toBe('a.p12');
    expect(fileNameOf(new Uint8Array(), 'fallback')).toBe('fallback');
  });

  it('points path strings to readFileInput', () => {
    expect(() => toBlob('./client.p12' as unknown as Blob, 'file', 'x')).toThrow(/readFileInput/);
  });
});
