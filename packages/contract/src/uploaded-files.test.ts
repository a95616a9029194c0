import { describe, expect, test } from 'vitest';
import {
  decodeP12Input,
  type FileVerdict,
  openUploadedFiles,
  openUploadedFilesSync,
} from './uploaded-files.js';

const naming = {
  pointer: (index: number) => `/${index}/p12`,
  describeItem: (index: number) => `Item ${index}`,
};

describe('decodeP12Input', () => {
  test('bytes, byte values and base64 (line breaks allowed) give the same bytes', () => {
    const bytes = Uint8Array.from([48, 130, 9, 169]);
    for (const input of [bytes, [48, 130, 9, 169], 'MIIJqQ==', 'MIIJ\r\nqQ==', 'MIIJqQ']) {
      expect(decodeP12Input(input)).toEqual({ ok: true, value: bytes });
    }
  });

  test.each([
    ['URL-safe base64', 'MIIJ-_=='],
    ['a byte over 255', [48, 256]],
    ['a negative byte', [-1]],
    ['a fraction', [1.5]],
    ['a number', 42],
    ['an object', { p12: 'MII=' }],
    ['a single base64 character', 'M'],
  ])('refuses %s as p12_corrupt', (_label, input) => {
    expect(decodeP12Input(input)).toMatchObject({ ok: false, code: 'p12_corrupt' });
  });
});

describe('openUploadedFiles', () => {
  const files = ['MII=', 'MIJ=', 'MIK=', 'MIL='].map((p12, index) => ({ p12, password: `pw${index}` }));

  test('opens every file in order', async () => {
    const result = await openUploadedFiles(
      files,
      async (_bytes, password) => ({ ok: true, value: password }),
      naming,
    );
    expect(result).toEqual({ ok: true, opened: ['pw0', 'pw1', 'pw2', 'pw3'] });
  });

  test('stops at the first refused file and names it; the files after it are not opened', async () => {
    const seen: string[] = [];
    const open = async (_bytes: Uint8Array, password: string): Promise<FileVerdict<string>> => {
      seen.push(password);
      return password === 'pw1'
        ? { ok: false, code: 'p12_wrong_password', message: 'The password does not open the file.' }
        : { ok: true, value: password };
    };
    const result = await openUploadedFiles(files, open, naming);
    expect(seen).toEqual(['pw0', 'pw1']);
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'p12_wrong_password',
        detail:
          'Item 1: The password does not open the file. The 2 items after it were not checked. Nothing was stored.',
        errors: [
          {
            location: 'body',
            name: '/1/p12',
            message: 'p12_wrong_password: The password does not open the file.',
          },
        ],
      },
    });
  });

  test('an undecodable p12 is refused before any opening, with the same wording sync and async', async () => {
    const broken = [
      { p12: 'ok==', password: '' },
      { p12: '%%%', password: '' },
    ];
    const open = (): FileVerdict<string> => ({ ok: true, value: 'opened' });
    const asynchronous = await openUploadedFiles(broken, async () => open(), naming);
    expect(asynchronous).toMatchObject({
      ok: false,
      refusal: {
        code: 'p12_corrupt',
        detail: expect.stringMatching(
          /^Item 1: This is not a readable PKCS#12 .* file: the p12 string is not standard base64\. .* Nothing was stored\.$/,
        ),
        errors: [
          { location: 'body', name: '/1/p12', message: expect.stringMatching(/^p12_corrupt: This is not/) },
        ],
      },
    });
    expect(openUploadedFilesSync(broken, open, naming)).toEqual(asynchronous);
  });
});
