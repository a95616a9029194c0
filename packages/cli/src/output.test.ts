import { describe, expect, it } from 'vitest';
import { createColors, createOutput, renderKeyValues, renderTable } from './output.js';
import { fakeIo } from './testing/fake-io.js';

const ESC = '\u001b[';

describe('colours', () => {
  it('are on only on a terminal without NO_COLOR', () => {
    expect(createColors(true, {}).enabled).toBe(true);
    expect(createColors(true, {}).green('ok')).toBe(`${ESC}32mok${ESC}39m`);
    expect(createColors(false, {}).enabled).toBe(false);
    expect(createColors(true, { NO_COLOR: '1' }).enabled).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(createColors(true, { NO_COLOR: '' }).enabled).toBe(true);
    expect(createColors(false, {}).red('x')).toBe('x');
  });
});

describe('renderTable', () => {
  const columns = [{ header: 'ID', align: 'right' as const }, { header: 'NAME' }, { header: 'STATUS' }];
  const rows = [
    ['7', 'Cert1', { text: 'Available', color: 'green' as const }],
    ['12345', 'A longer name', { text: 'Expired', color: 'red' as const }],
  ];

  it('aligns columns with two spaces, right-aligns numbers, leaves no trailing spaces', () => {
    expect(renderTable(columns, rows, createColors(false, {}))).toBe(
      [
        '   ID  NAME           STATUS',
        '    7  Cert1          Available',
        '12345  A longer name  Expired',
        '',
      ].join('\n'),
    );
  });

  it('has no escape codes without colours, and the same layout with them', () => {
    const plain = renderTable(columns, rows, createColors(false, {}));
    expect(plain).not.toContain(ESC);
    const coloured = renderTable(columns, rows, createColors(true, {}));
    expect(coloured).toContain(`${ESC}1mNAME${ESC}22m`);
    expect(coloured).toContain(`${ESC}32mAvailable${ESC}39m`);
    expect(
      coloured
        .split(ESC)
        .map((part, index) => (index === 0 ? part : part.replace(/^\d+m/, '')))
        .join(''),
    ).toBe(plain);
  });

  it('counts wide characters as two columns', () => {
    const table = renderTable(
      [{ header: 'N' }, { header: 'X' }],
      [
        ['証明書', 'a'],
        ['abc', 'b'],
      ],
      createColors(false, {}),
    );
    expect(table.split('\n')).toEqual(['N       X', '証明書  a', 'abc     b', '']);
  });
});

describe('renderKeyValues', () => {
  it('aligns values and leaves out undefined ones', () => {
    expect(
      renderKeyValues(
        [
          ['Name', 'Cert1'],
          ['Subject', undefined],
          ['Not after', '2030-01-01'],
        ],
        createColors(false, {}),
      ),
    ).toBe('Name:       Cert1\nNot after:  2030-01-01\n');
  });
});

describe('createOutput', () => {
  it('masks registered secrets in text and JSON, not in raw bytes', async () => {
    const fake = fakeIo();
    const output = createOutput(fake.io, { json: false });
    output.addSecret('s3cr3t-token');
    output.addSecret('pw'); // too short to mask without mangling ordinary words
    output.print('token=s3cr3t-token pw\n');
    output.printJson({ value: 's3cr3t-token' });
    output.note('failed with s3cr3t-token');
    await output.writeRaw(Buffer.from('raw s3cr3t-token'));
    expect(fake.stdout()).toBe('token=*** pw\n{\n  "value": "***"\n}\nraw s3cr3t-token');
    expect(fake.stderr()).toBe('failed with ***\n');
  });
});
