import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { readFileInput } from './files.js';

let directory: string;
const bytes = new Uint8Array([48, 130, 9, 169, 0, 255]);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sdk-files-'));
  await writeFile(join(directory, 'client.p12'), bytes);
  await writeFile(join(directory, 'body.bin'), bytes);
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('readFileInput', () => {
  it('reads a .p12 file as a named File of type application/x-pkcs12', async () => {
    const file = await readFileInput(join(directory, 'client.p12'));
    expect(file).toBeInstanceOf(File);
    expect(file.name).toBe('client.p12');
    expect(file.type).toBe('application/x-pkcs12');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
  });

  it('accepts file: URLs, and name and type overrides', async () => {
    const file = await readFileInput(pathToFileURL(join(directory, 'body.bin')), {
      name: 'renamed',
      type: 'text/plain',
    });
    expect(file.name).toBe('renamed');
    expect(file.type).toBe('text/plain');
    expect((await readFileInput(join(directory, 'body.bin'))).type).toBe('application/octet-stream');
  });

  it('throws InvalidArgumentError naming the path and the reason', async () => {
    const missing = join(directory, 'missing.p12');
    const error = await readFileInput(missing).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('ENOENT');
  });
});
