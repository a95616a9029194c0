/**
 * Human and machine output: aligned tables, key/value blocks, colours (only on a terminal, never with
 * `NO_COLOR`), JSON, and a last line of defence that masks known secrets in anything printed as text.
 */
import { once } from 'node:events';
import type { CliIo, CliWritable } from './io.js';

/** The colours the CLI uses; each is the identity when colours are off. */
export interface Colors {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/** A colour name of {@link Colors}. */
export type ColorName = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const ANSI: Record<ColorName, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/**
 * Colours for a stream: on only when it is a terminal and `NO_COLOR` is unset or empty (https://no-color.org).
 *
 * @example
 * ```ts
 * const colors = createColors(io.isTTY.stdout, io.env);
 * io.stdout.write(colors.green('Available'));
 * ```
 */
export function createColors(isTTY: boolean, env: CliIo['env']): Colors {
  const enabled = isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '');
  const paint =
    (name: ColorName) =>
    (text: string): string => {
      const [open, close] = ANSI[name];
      return enabled && text !== '' ? `\u001b[${open}m${text}\u001b[${close}m` : text;
    };
  return {
    enabled,
    bold: paint('bold'),
    dim: paint('dim'),
    red: paint('red'),
    green: paint('green'),
    yellow: paint('yellow'),
    cyan: paint('cyan'),
  };
}

/** A table cell: its text, optionally coloured (alignment is computed on the text alone). */
export type Cell = string | { text: string; color?: ColorName | undefined };

/** A column of {@link renderTable}. */
export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/**
 * Renders rows as a table aligned on spaces (two between columns, no trailing spaces), headers in bold.
 *
 * @example
 * ```ts
 * renderTable([{ header: 'ID', align: 'right' }, { header: 'NAME' }], [['7', 'Cert1']], colors);
 * // "ID  NAME\n 7  Cert1\n" (without colours)
 * ```
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  colors: Colors,
): string {
  const textOf = (cell: Cell | undefined): string => (typeof cell === 'string' ? cell : (cell?.text ?? ''));
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(textOf(row[index])))),
  );
  const line = (cells: readonly Cell[], header: boolean): string =>
    columns
      .map((column, index) => {
        const cell = cells[index];
        const text = textOf(cell);
        const padding = ' '.repeat((widths[index] ?? 0) - displayWidth(text));
        const last = index === columns.length - 1;
        const color = header ? 'bold' : typeof cell === 'string' ? undefined : cell?.color;
        const painted = color ? colors[color](text) : text;
        if (column.align === 'right') return `${padding}${painted}`;
        return last ? painted : `${painted}${padding}`;
      })
      .join('  ')
      .trimEnd();
  return `${[
    line(
      columns.map((column) => column.header),
      true,
    ),
    ...rows.map((row) => line(row, false)),
  ].join('\n')}\n`;
}

/**
 * Renders `label: value` lines with the values aligned; `undefined` values are left out.
 *
 * @example
 * ```ts
 * renderKeyValues([['Name', 'Cert1'], ['Status', { text: 'Available', color: 'green' }]], colors);
 * ```
 */
export function renderKeyValues(
  pairs: readonly (readonly [string, Cell | undefined])[],
  colors: Colors,
): string {
  const present = pairs.filter((pair): pair is readonly [string, Cell] => pair[1] !== undefined);
  const width = Math.max(0, ...present.map(([label]) => displayWidth(label) + 1));
  return present
    .map(([label, cell]) => {
      const text = typeof cell === 'string' ? cell : cell.text;
      const painted = typeof cell !== 'string' && cell.color ? colors[cell.color](text) : text;
      return `${colors.dim(`${label}:`.padEnd(width))}  ${painted}\n`;
    })
    .join('');
}

// Terminal columns of a string: wide East Asian characters and emoji take two, combining marks none.
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (/\p{Mn}|\p{Me}|\p{Cf}/u.test(char)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Shortest secret that gets masked: shorter strings would mask ordinary words. */
const MIN_MASKED_LENGTH = 6;

/**
 * Where commands print. Text goes through {@link Output.redact}, which masks every registered secret (token,
 * consumer secret, passwords): the SDK never puts them in messages, this makes sure the CLI does not either.
 * Raw bytes (`writeRaw`, the body of a forwarded answer) are the remote's data and pass unchanged.
 */
export interface Output {
  /** Machine output requested (`--json`). */
  readonly json: boolean;
  /** Colours for stdout. */
  readonly colors: Colors;
  /** Colours for stderr. */
  readonly errorColors: Colors;
  /** Registers a secret to mask from now on. */
  addSecret(secret: string | undefined): void;
  /** Masks the registered secrets in `text`. */
  redact(text: string): string;
  /** Writes text to stdout. */
  print(text: string): void;
  /** Writes a value as indented JSON (and a newline) to stdout. */
  printJson(value: unknown): void;
  /** Writes a line to stderr (a newline is added). */
  note(text: string): void;
  /** Writes bytes to stdout unchanged, waiting when the stream asks to. */
  writeRaw(chunk: Uint8Array): Promise<void>;
}

/**
 * The {@link Output} of a run.
 *
 * @example
 * ```ts
 * const output = createOutput(io, { json: false });
 * output.addSecret(token);
 * output.note(`using ${url}`);
 * ```
 */
export function createOutput(io: CliIo, options: { json: boolean }): Output {
  const secrets = new Set<string>();
  const redact = (text: string): string => {
    let masked = text;
    for (const secret of secrets) masked = masked.split(secret).join('***');
    return masked;
  };
  return {
    json: options.json,
    colors: createColors(io.isTTY.stdout, io.env),
    errorColors: createColors(io.isTTY.stderr, io.env),
    addSecret(secret) {
      if (secret !== undefined && secret.length >= MIN_MASKED_LENGTH) secrets.add(secret);
    },
    redact,
    print: (text) => {
      io.stdout.write(redact(text));
    },
    printJson: (value) => {
      io.stdout.write(redact(`${JSON.stringify(value, null, 2)}\n`));
    },
    note: (text) => {
      io.stderr.write(redact(`${text}\n`));
    },
    writeRaw: (chunk) => writeWithBackpressure(io.stdout, chunk),
  };
}

/**
 * Writes a chunk and waits for `drain` when the stream's buffer is full (a slow pipe such as `| less`).
 *
 * @example
 * ```ts
 * for await (const chunk of response.body) await writeWithBackpressure(process.stdout, chunk);
 * ```
 */
export async function writeWithBackpressure(stream: CliWritable, chunk: Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}
